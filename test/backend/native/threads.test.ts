// The thread pool under concurrent callers: JS worker threads using the addon at the same time
// get the same results as one caller (a caller that finds the pool busy runs on its own thread).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import { withNative } from "./helpers.js";

const workerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const k = require(workerData.addon);
const n = 160;
const A = new Float32Array(n * n).map((_, i) => Math.sin(i));
const B = new Float32Array(n * n).map((_, i) => Math.cos(i));
const x = new Float32Array(300000).map((_, i) => Math.sin(i * 0.001));
const sums = [];
let C;
for (let r = 0; r < 40; r++) {
  C = new Float32Array(n * n);
  k.gemm(false, true, n, n, n, 1, A, 0, n, B, 0, n, 0, C, 0, n);
  const y = new Float32Array(x.length);
  k.unary(3, x, 0, y, 0, x.length);
  let s = 0;
  for (let i = 0; i < C.length; i++) s += C[i];
  for (let i = 0; i < y.length; i++) s += y[i];
  sums.push(s);
}
parentPort.postMessage({ sums, C });
`;

function runWorker(addon: string): Promise<{ sums: number[]; C: Float32Array }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerSource, { eval: true, workerData: { addon } });
    w.once("message", resolve);
    w.once("error", reject);
  });
}

test("concurrent callers from worker threads agree with each other, run after run", async (t) => {
  let addon: string | undefined;
  withNative(t, () => {
    addon = new URL("../../../build/Release/kindling_native.node", import.meta.url).pathname;
  });
  if (!addon) return;
  const results = await Promise.all([runWorker(addon), runWorker(addon), runWorker(addon)]);
  for (const r of results) {
    assert.ok(r.sums.every((s) => s === results[0].sums[0]), "every run gives the same sums");
    assert.deepEqual(r.C, results[0].C);
  }
});
