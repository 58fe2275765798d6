// The machine's float32 FMA peak, measured by the addon's probe (native/src/peak.cc: independent
// vector FMAs in the instruction set kindling's kernels use, on every thread of its pool at once).
// matmul-1024's goal is a share of it (issue 17). The fastest of several short probes is taken: a
// probe can only be slowed by other processes, never sped up.
import { loadNative } from "../src/backend/native/addon.js";

export interface PeakResult {
  /** The fastest probe's float32 GFLOP/s, all threads together. */
  gflops: number;
  threads: number;
  isa: string;
  /** Every probe's GFLOP/s. */
  samples: number[];
  secondsEach: number;
}

export function measurePeak(runs = 5, secondsEach = 0.1): PeakResult | null {
  const k = loadNative();
  if (!k?.fmaPeak) return null;
  const rs = Array.from({ length: runs }, () => k.fmaPeak!(secondsEach));
  const gflops = Math.max(...rs.map((r) => r.gflops));
  return { gflops, threads: rs[0].threads, isa: rs[0].isa, samples: rs.map((r) => Math.round(r.gflops * 10) / 10), secondsEach };
}

/** Two measurements (before and after a workload) as one: the faster probe wins. */
export function fastestPeak(a: PeakResult | null, b: PeakResult | null): PeakResult | null {
  if (!a || !b) return a ?? b;
  return { ...(a.gflops >= b.gflops ? a : b), samples: [...a.samples, ...b.samples] };
}
