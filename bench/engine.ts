// One engine's side of the benchmark, run in a child process of run.ts so that engines do not
// share a heap or JIT state: `tsx bench/engine.ts ENGINE [--quick] [--only id,id]`, ENGINE being
// kindling, tfjs-cpu or tfjs-wasm. Prints one JSON object (an EngineResult) on its last line.
import { FULL, type Prepare, QUICK, time } from "./harness.js";
import type { PeakResult } from "./peak.js";
import { WORKLOADS } from "./spec.js";

export interface WorkloadResult {
  seconds?: number;
  minSeconds?: number;
  perSample?: number[];
  iterationsPerSample?: number;
  error?: string;
  /** kindling, workloads judged against the FMA peak: the addon's probe, run before and after the timing. */
  fmaPeak?: PeakResult | null;
}

export interface EngineResult {
  engine: string;
  info: Record<string, unknown>;
  results: Record<string, WorkloadResult>;
}

async function load(engine: string): Promise<{ info: Record<string, unknown>; workloads: Record<string, Prepare> }> {
  if (engine === "kindling") {
    const { kindlingInfo } = await import("./kindling-info.js");
    const { kindlingWorkloads } = await import("./workloads/index.js");
    return { info: kindlingInfo(), workloads: kindlingWorkloads };
  }
  if (engine === "tfjs-cpu" || engine === "tfjs-wasm") {
    const { useBackend } = await import("./tfjs/setup.js");
    const info = await useBackend(engine === "tfjs-cpu" ? "cpu" : "wasm");
    const { tfjsWorkloads } = await import("./tfjs/workloads.js");
    return { info, workloads: tfjsWorkloads };
  }
  throw new Error(`unknown engine '${engine}'`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const engine = args[0];
  const quick = args.includes("--quick");
  const onlyAt = args.indexOf("--only");
  const only = onlyAt >= 0 ? args[onlyAt + 1].split(",") : null;
  const { info, workloads } = await load(engine);
  const results: Record<string, WorkloadResult> = {};
  for (const spec of WORKLOADS) {
    const prepare = workloads[spec.id];
    if (!prepare || (only && !only.includes(spec.id))) continue;
    try {
      const step = await prepare();
      // The FMA peak is probed in the same process just before and just after the timing, so the
      // share is taken against the machine as it was during the samples.
      const probe = engine === "kindling" && spec.goal?.kind === "peakShare" ? await import("./peak.js") : null;
      const before = probe?.measurePeak() ?? null;
      const t = await time(step, quick ? QUICK : FULL);
      results[spec.id] = probe ? { ...t, fmaPeak: probe.fastestPeak(before, probe.measurePeak()) } : t;
      process.stderr.write(`  ${engine} ${spec.id}: ${(t.seconds * 1e6).toFixed(1)} µs/iter\n`);
    } catch (e) {
      results[spec.id] = { error: e instanceof Error ? e.message : String(e) };
      process.stderr.write(`  ${engine} ${spec.id}: failed: ${results[spec.id].error}\n`);
    }
  }
  const out: EngineResult = { engine, info, results };
  console.log(JSON.stringify(out));
}

await main();
