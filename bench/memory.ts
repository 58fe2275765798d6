// Memory flatness (issue 7): resident memory after many XOR training steps should stay within a few
// MB of what it was after the first 10,000. Run by `npm run bench -- --memory [STEPS]` as its own
// process: `node --expose-gc --import tsx bench/memory.ts STEPS`. Prints one JSON object.
import { xorTrainer } from "./workloads/xor.js";

interface Snapshot {
  steps: number;
  seconds: number;
  rssMB: number;
  heapUsedMB: number;
  externalMB: number;
  arrayBuffersMB: number;
  /** RSS and heap again after a full garbage collection (when run with --expose-gc). */
  rssAfterGcMB: number | null;
  heapUsedAfterGcMB: number | null;
}

const total = Number(process.argv[2] ?? 1_000_000);
const checkpoints = [10_000, 100_000, total].filter((n, i, a) => n <= total && a.indexOf(n) === i);
const mb = (n: number) => Math.round((n / 2 ** 20) * 100) / 100;
const gc = (globalThis as { gc?: () => void }).gc;

const step = xorTrainer();
const snapshots: Snapshot[] = [];
const start = performance.now();
let done = 0;
for (const at of checkpoints) {
  for (; done < at; done++) step();
  const m = process.memoryUsage();
  let rssAfterGcMB: number | null = null;
  let heapUsedAfterGcMB: number | null = null;
  if (gc) {
    gc();
    const after = process.memoryUsage();
    rssAfterGcMB = mb(after.rss);
    heapUsedAfterGcMB = mb(after.heapUsed);
  }
  snapshots.push({
    steps: at,
    seconds: (performance.now() - start) / 1000,
    rssMB: mb(m.rss),
    heapUsedMB: mb(m.heapUsed),
    externalMB: mb(m.external),
    arrayBuffersMB: mb(m.arrayBuffers),
    rssAfterGcMB,
    heapUsedAfterGcMB,
  });
  process.stderr.write(`  memory: ${at} steps, rss ${mb(m.rss)} MB, heap ${mb(m.heapUsed)} MB\n`);
}
const first = snapshots[0];
const last = snapshots[snapshots.length - 1];
console.log(
  JSON.stringify({
    steps: total,
    snapshots,
    rssGrowthMB: Math.round((last.rssMB - first.rssMB) * 100) / 100,
    heapAfterGcGrowthMB: first.heapUsedAfterGcMB !== null && last.heapUsedAfterGcMB !== null ? Math.round((last.heapUsedAfterGcMB - first.heapUsedAfterGcMB) * 100) / 100 : null,
    usPerStep: ((last.seconds - first.seconds) / (last.steps - first.steps || 1)) * 1e6,
  }),
);
