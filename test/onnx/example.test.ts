// examples/onnx-export.ts runs as a reader runs it: trains, exports, serves with ONNX Runtime and
// prints both outputs, which agree.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { skip } from "./ort.js";

const root = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "kindling-onnx-example-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("examples/onnx-export.ts trains, exports and serves a classifier with kindling's outputs", { skip }, () => {
  const path = join(dir, "blobs.onnx");
  const run = spawnSync(process.execPath, ["--import", "tsx", join(root, "examples", "onnx-export.ts"), "5", path], { cwd: root, encoding: "utf8" });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.ok(existsSync(path));
  assert.match(run.stdout, /epoch 5: loss \d/);
  assert.match(run.stdout, /point {10}kindling {20}ONNX Runtime/);
  // Five rows of two probability triples each.
  const rows = run.stdout.split("\n").filter((l) => /^\[/.test(l));
  assert.equal(rows.length, 5);
  for (const row of rows) {
    const numbers = row.slice(row.indexOf("]") + 1).trim().split(/\s+/).map(Number);
    assert.equal(numbers.length, 6);
    // Printed to 4 decimals: equal up to the last printed digit.
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(numbers[k] - numbers[k + 3]) <= 1e-4, row);
  }
  const diff = Number(/largest difference: (\S+)/.exec(run.stdout)![1]);
  assert.ok(diff <= 1e-5, `difference ${diff}`);
});
