#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's own test runner, TypeScript loaded through tsx.
// Node 20's runner does not expand globs, so the files are listed here.
// Usage: node scripts/test.mjs [substring...]  (only files whose path contains one of them)
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const filters = process.argv.slice(2);

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith(".test.ts") ? [path] : [];
  });
}

const files = walk(join(root, "test"))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error("test: no test files matched");
  process.exit(1);
}
const reporter = process.env.CI ? "tap" : "spec";
const run = spawnSync(process.execPath, ["--import", "tsx", "--test", `--test-reporter=${reporter}`, ...files], {
  cwd: root,
  stdio: "inherit",
});
process.exit(run.status ?? 1);
