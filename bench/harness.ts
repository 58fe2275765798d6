// Timing: warm up (JIT, caches, lazy init), then take several samples of many iterations each and
// report the median time per iteration. Garbage collection that a workload causes lands inside
// its samples, as it would in a user's program.

export type Step = () => unknown;
/** Builds a workload's inputs once and returns the step to time. */
export type Prepare = () => Step | Promise<Step>;

export interface TimingOptions {
  /** Least seconds of warm-up after the first iteration (skipped when one iteration takes longer). */
  warmupS: number;
  /** Warm-up goes on, up to this many seconds, while the time per iteration still falls (the JIT). */
  maxWarmupS: number;
  /** Target seconds per sample. */
  sampleS: number;
  /** Number of samples. */
  samples: number;
  /** An upper bound on the seconds all samples may take together (slow engines get fewer samples). */
  budgetS: number;
}

export const FULL: TimingOptions = { warmupS: 1, maxWarmupS: 6, sampleS: 0.25, samples: 9, budgetS: 20 };
export const QUICK: TimingOptions = { warmupS: 0.5, maxWarmupS: 2, sampleS: 0.05, samples: 3, budgetS: 4 };

export interface Timing {
  /** Median seconds per iteration. */
  seconds: number;
  /** The fastest sample's seconds per iteration (least disturbed by other processes). */
  minSeconds: number;
  /** Seconds per iteration of every sample. */
  perSample: number[];
  iterationsPerSample: number;
}

const now = (): number => performance.now() / 1000;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Runs step in chunks of about chunkS seconds until at least warmupS have passed and three chunks
 * in a row were no more than 3% faster per iteration than the best chunk before them (V8 tiers a
 * hot function up over thousands of calls, in steps), or maxWarmupS have passed. Returns the
 * best chunk's seconds per iteration.
 */
function warmUp(step: Step, first: number, o: TimingOptions): number {
  if (first >= o.warmupS) return first;
  const chunkS = o.warmupS / 5;
  const start = now();
  let best = first;
  let flat = 0;
  let batch = Math.max(1, Math.round(chunkS / first));
  for (;;) {
    const t0 = now();
    for (let i = 0; i < batch; i++) step();
    const per = (now() - t0) / batch;
    flat = per > best * 0.97 ? flat + 1 : 0;
    best = Math.min(best, per);
    const elapsed = now() - start;
    if (elapsed >= o.maxWarmupS || (elapsed >= o.warmupS && flat >= 3)) return best;
    batch = Math.max(1, Math.round(chunkS / per));
  }
}

export async function time(step: Step, o: TimingOptions): Promise<Timing> {
  const t0 = now();
  step();
  const first = now() - t0;
  const per = warmUp(step, first, o);
  const k = Math.max(1, Math.round(o.sampleS / per));
  const samples = Math.max(1, Math.min(o.samples, Math.floor(o.budgetS / (k * per))));
  const perSample: number[] = [];
  for (let s = 0; s < samples; s++) {
    const start = now();
    for (let i = 0; i < k; i++) step();
    perSample.push((now() - start) / k);
  }
  return { seconds: median(perSample), minSeconds: Math.min(...perSample), perSample, iterationsPerSample: k };
}
