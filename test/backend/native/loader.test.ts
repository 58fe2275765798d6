// The loader gives null, never an error, wherever the addon cannot or must not be used.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { native } from "./helpers.js";

const addon = fileURLToPath(new URL("../../../src/backend/native/addon.ts", import.meta.url));

function probe(env: Record<string, string>, prelude = ""): string {
  const script = `${prelude}const m = await import(${JSON.stringify(addon)}); console.log(String(m.loadNative() === null), String(m.isAvailable()));`;
  const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.trim();
}

test("KINDLING_NO_NATIVE=1 turns the native kernels off", () => {
  assert.equal(probe({ KINDLING_NO_NATIVE: "1" }), "true false");
});

test("without Node's process object (as in a browser) the loader gives null", () => {
  assert.equal(probe({}, "delete globalThis.process; "), "true false");
});

test("the addon loads where it was built, and reports what it runs on", (t) => {
  if (!native) {
    t.skip("native addon not available (not built, or turned off by KINDLING_NO_NATIVE)");
    return;
  }
  assert.equal(probe({ KINDLING_NO_NATIVE: "" }), "false true");
  assert.ok(native.isas().includes("generic"));
  assert.equal(native.isas()[0], native.isa());
  assert.ok(native.numThreads() >= 1);
  assert.equal(native.setIsa("no-such-isa" as "generic"), false);
});
