// Memory flatness (issue 7, kept by issue 17): resident memory over many XOR training steps must not
// grow beyond what V8's bounded young-generation resize explains. Run by `npm run bench -- --memory
// [STEPS]` as its own process: `node --expose-gc --import tsx bench/memory.ts STEPS`. Prints one
// JSON object with the verdict.
//
// The verdict compares the last snapshot with the highest RSS seen up to 100,000 steps (start-up,
// JIT and the allocator's first high-water mark are behind it by then). V8 may double its young
// generation (new space, up to its fixed maximum of a few tens of MB) under a steady allocation
// rate; that resize is bounded and is read from v8.getHeapSpaceStatistics, so it is allowed for.
// Between two scavenges the steps' dead typed arrays are still allocated (their backing stores go
// with their wrappers), and the addon keeps freed blocks mapped (native/src/addon.cc), so RSS
// moves by several MB from one snapshot to the next (measured 4.7-7.5 MB of array buffers awaiting
// collection): 8 MB of slack. A leak shows after a full GC instead, where nothing may grow. Met when
//   RSS growth <= young-generation growth + 8 MB, and
//   heap used and array buffers after a full GC grow by at most 1 MB each.
// Without --expose-gc only the first condition can be checked, and the verdict says so.
import v8 from "node:v8";
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
  arrayBuffersAfterGcMB: number | null;
  /** V8's young generation (new space) as reserved at this point. */
  youngGenerationMB: number;
}

const total = Number(process.argv[2] ?? 1_000_000);
// 10,000 and 100,000 steps, then every tenth of the run.
const checkpoints = [10_000, 100_000, ...Array.from({ length: 10 }, (_, i) => Math.round((total * (i + 1)) / 10))]
  .filter((n) => n <= total)
  .sort((a, b) => a - b)
  .filter((n, i, a) => a.indexOf(n) === i);
const mb = (n: number) => Math.round((n / 2 ** 20) * 100) / 100;
const gc = (globalThis as { gc?: () => void }).gc;
const youngGeneration = (): number => v8.getHeapSpaceStatistics().filter((sp) => sp.space_name === "new_space").reduce((sum, sp) => sum + sp.space_size, 0);
/** RSS growth allowed beyond the young generation's: page and allocator slack. */
const RSS_SLACK_MB = 8;
/** Growth of the heap (and of array buffers) after a full GC that still counts as flat. */
const HEAP_SLACK_MB = 1;

const step = xorTrainer();
const snapshots: Snapshot[] = [];
const start = performance.now();
let done = 0;
for (const at of checkpoints) {
  for (; done < at; done++) step();
  const m = process.memoryUsage();
  const young = youngGeneration();
  let rssAfterGcMB: number | null = null;
  let heapUsedAfterGcMB: number | null = null;
  let arrayBuffersAfterGcMB: number | null = null;
  if (gc) {
    // Twice: V8 frees dead array buffers' memory on a background sweeper that the next collection
    // waits for, so right after one gc() up to ~3 MB of dead buffers may still be counted
    // (measured: 0.05-3.05 MB after one, 0.05 MB after a second, every time).
    gc();
    gc();
    const after = process.memoryUsage();
    rssAfterGcMB = mb(after.rss);
    heapUsedAfterGcMB = mb(after.heapUsed);
    arrayBuffersAfterGcMB = mb(after.arrayBuffers);
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
    arrayBuffersAfterGcMB,
    youngGenerationMB: mb(young),
  });
  process.stderr.write(`  memory: ${at} steps, rss ${mb(m.rss)} MB, heap ${mb(m.heapUsed)} MB\n`);
}
const first = snapshots[0];
const last = snapshots[snapshots.length - 1];
const round = (x: number) => Math.round(x * 100) / 100;
const early = snapshots.filter((sn) => sn.steps <= 100_000 && sn !== last);
const baseRssMB = Math.max(...(early.length ? early : [first]).map((sn) => sn.rssMB));
const rssGrowthMB = round(last.rssMB - baseRssMB);
const youngGenerationGrowthMB = round(last.youngGenerationMB - first.youngGenerationMB);
const growth = (a: number | null, b: number | null) => (a !== null && b !== null ? round(b - a) : null);
const heapAfterGcGrowthMB = growth(first.heapUsedAfterGcMB, last.heapUsedAfterGcMB);
const arrayBuffersAfterGcGrowthMB = growth(first.arrayBuffersAfterGcMB, last.arrayBuffersAfterGcMB);
const rssAllowanceMB = round(Math.max(0, youngGenerationGrowthMB) + RSS_SLACK_MB);
const rssFlat = rssGrowthMB <= rssAllowanceMB;
const heapFlat = heapAfterGcGrowthMB === null || arrayBuffersAfterGcGrowthMB === null ? null : heapAfterGcGrowthMB <= HEAP_SLACK_MB && arrayBuffersAfterGcGrowthMB <= HEAP_SLACK_MB;
const signed = (x: number) => `${x >= 0 ? "+" : ""}${x}`;
const met = rssFlat && heapFlat !== false;
const verdict =
  `memory flat over ${total.toLocaleString("en-US")} steps: ${heapFlat === null ? (rssFlat ? "not decided" : "not met") : met ? "met" : "not met"}` +
  ` — RSS ${signed(rssGrowthMB)} MB from the highest up to step 100,000 (${baseRssMB} -> ${last.rssMB} MB), allowed ${rssAllowanceMB} MB` +
  ` (young generation ${signed(youngGenerationGrowthMB)} MB + ${RSS_SLACK_MB} MB)` +
  (heapAfterGcGrowthMB === null || arrayBuffersAfterGcGrowthMB === null
    ? "; heap after GC not checked (run with --expose-gc)"
    : `; after a full GC: heap ${signed(heapAfterGcGrowthMB)} MB, array buffers ${signed(arrayBuffersAfterGcGrowthMB)} MB, allowed ${HEAP_SLACK_MB} MB each`);
console.log(
  JSON.stringify({
    steps: total,
    snapshots,
    rssGrowthMB,
    youngGenerationGrowthMB,
    rssAllowanceMB,
    heapAfterGcGrowthMB,
    arrayBuffersAfterGcGrowthMB,
    met: heapFlat === null ? (rssFlat ? null : false) : met,
    verdict,
    usPerStep: ((last.seconds - first.seconds) / (last.steps - first.steps || 1)) * 1e6,
  }),
);
