#!/usr/bin/env node
// Runs every example with short settings and fails if one fails: `npm run examples` (CI calls it
// through the tests too). Their tables go to a temporary folder.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "kindling-examples-"));
const runs = [
  ["activations.ts"],
  ["forward-backward.ts"],
  ["binary-classification.ts", "10", join(dir, "pass-fail.csv")],
  ["perceptron.ts", "300", "1", join(dir, "xor.csv")],
  ["onnx-export.ts", "5", join(dir, "blobs-classifier.onnx")],
  ["char-gpt.ts", "200", join(dir, "char-gpt-loss.svg")],
  ["sentence-classifier.ts", "5", ""],
  ["cnn-shapes.ts", "2", join(dir, "cnn-shapes.svg")],
];
let failed = 0;
try {
  for (const [file, ...args] of runs) {
    const run = spawnSync(process.execPath, ["--import", "tsx", join(root, "examples", file), ...args], { cwd: root, encoding: "utf8" });
    const ok = run.status === 0;
    if (!ok) failed++;
    console.log(`${ok ? "ok  " : "FAIL"} examples/${file} ${args.slice(0, -1).join(" ")}`.trimEnd());
    if (!ok) console.log(run.stdout + run.stderr);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
