// Timing: warm up (JIT, caches, lazy init), then take several samples of many iterations each and
// report the median time per iteration. Garbage collection that a workload causes lands inside
// its samples, as it would in a user's program.

export type Step = () => unknown;
/** Builds a workload's inputs once and returns the step to time. */
export type Prepare = () => Step | Promise<Step>;

export interface TimingOptions {
  /** Seconds of warm-up after the first iteration. */
  warmupS: number;
  /** Target seconds per sample. */
  sampleS: number;
  /** Number of samples. */
  samples: number;
  /** An upper bound on the seconds all samples may take together (slow engines get fewer samples). */
  budgetS: number;
}

export const FULL: TimingOptions = { warmupS: 0.5, sampleS: 0.25, samples: 9, budgetS: 20 };
export const QUICK: TimingOptions = { warmupS: 0.1, sampleS: 0.05, samples: 3, budgetS: 4 };

export interface Timing {
  /** Median seconds per iteration. */
  seconds: number;
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

export async function time(step: Step, o: TimingOptions): Promise<Timing> {
  let t0 = now();
  step();
  const first = now() - t0;
  let iters = 1;
  t0 = now();
  while (now() - t0 < Math.min(o.warmupS, 10 * first)) {
    step();
    iters++;
  }
  const per = iters > 1 ? (now() - t0) / (iters - 1) : first;
  const k = Math.max(1, Math.round(o.sampleS / per));
  const samples = Math.max(1, Math.min(o.samples, Math.floor(o.budgetS / (k * per))));
  const perSample: number[] = [];
  for (let s = 0; s < samples; s++) {
    const start = now();
    for (let i = 0; i < k; i++) step();
    perSample.push((now() - start) / k);
  }
  return { seconds: median(perSample), perSample, iterationsPerSample: k };
}
