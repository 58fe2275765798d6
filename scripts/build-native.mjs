#!/usr/bin/env node
// Builds the optional native kernels (native/, binding.gyp) into build/Release with node-gyp. Runs
// as the package's "install" script, so it must never fail an install: whatever goes wrong (no C++
// compiler, no Python, no node-gyp, no Node headers, a platform the code does not build on), it
// prints one line and exits 0, and kindling keeps its TypeScript kernels. The compiler's full
// output goes to build/native-build.log.
// Usage: node scripts/build-native.mjs   (KINDLING_NO_NATIVE=1 skips the build)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const log = join(root, "build", "native-build.log");

function done(message) {
  console.log(`kindling: ${message}`);
  process.exit(0);
}

const off = process.env.KINDLING_NO_NATIVE;
if (off !== undefined && off !== "" && off !== "0") done("native kernels not built (KINDLING_NO_NATIVE is set)");

// node-gyp: npm hands its own copy to lifecycle scripts; otherwise look beside this node and npm.
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(root, "node_modules", "node-gyp", "bin", "node-gyp.js"),
    process.env.npm_execpath && join(dirname(process.env.npm_execpath), "..", "node_modules", "node-gyp", "bin", "node-gyp.js"),
    join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
    join(dirname(process.execPath), "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
  ];
  return candidates.find((c) => c && existsSync(c));
}

// Node's headers: those installed with this node when present, so the build needs no download.
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = join(dirname(process.execPath), "..");
  return existsSync(join(prefix, "include", "node", "node_api.h")) ? [`--nodedir=${prefix}`] : [];
}

const gyp = findNodeGyp();
if (!gyp) done("native kernels not built (node-gyp not found); using the TypeScript kernels");

const started = Date.now();
const run = spawnSync(process.execPath, [gyp, "rebuild", ...nodedirArgs()], {
  cwd: root,
  encoding: "utf8",
  env: { ...process.env, JOBS: process.env.JOBS ?? "max" },
  maxBuffer: 64 * 1024 * 1024,
});
try {
  mkdirSync(dirname(log), { recursive: true });
  writeFileSync(log, `${run.stdout ?? ""}${run.stderr ?? ""}${run.error ? String(run.error) : ""}`);
} catch {
  // The log is a convenience; a read-only tree must not fail the install.
}
if (run.status !== 0) {
  const lines = `${run.stderr ?? ""}${run.error ?? ""}`.split("\n").map((l) => l.trim());
  const reason = lines.find((l) => /error|not found|No such file|ENOENT/i.test(l) && !/^gyp info/.test(l)) ?? "build failed";
  done(`native kernels not built (${reason.slice(0, 160)}); using the TypeScript kernels. Details: build/native-build.log`);
}

// Check the result loads here before announcing it.
const check = spawnSync(
  process.execPath,
  ["-e", `const k = require(${JSON.stringify(join(root, "build", "Release", "kindling_native.node"))}); console.log(k.isa() + ", " + k.numThreads() + " threads")`],
  { encoding: "utf8" },
);
if (check.status !== 0) done(`native kernels built but do not load (${(check.stderr.split("\n")[0] ?? "").slice(0, 160)}); using the TypeScript kernels`);
done(`native kernels built in ${((Date.now() - started) / 1000).toFixed(0)} s (${check.stdout.trim()})`);
