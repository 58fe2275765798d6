// Where kindling's time goes in the XOR training step: runs the step under V8's sampling profiler
// (after a warm-up, so JIT compilation stays out of it) and writes the top self-time functions, and
// files, to bench/results/xor-profile.txt.
//
//   npm run bench -- --profile-xor [STEPS]      (or: tsx bench/profile.ts [STEPS], default 20,000)
//
// Positions are mapped back to the TypeScript sources through the source maps tsx attaches.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { findSourceMap } from "node:module";
import os from "node:os";
import { join, relative, resolve } from "node:path";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ROOT = resolve(import.meta.dirname, "..");

/** "path:line" in the TypeScript source of a profiled function. */
function where(cf: CallFrame): string {
  if (!cf.url) return "(native)";
  if (!cf.url.startsWith("file://")) return `${cf.url}:${cf.lineNumber + 1}`;
  const entry = findSourceMap(cf.url)?.findEntry(cf.lineNumber, cf.columnNumber) as { originalSource?: string; originalLine?: number } | undefined;
  const path = relative(ROOT, new URL(entry?.originalSource ?? cf.url).pathname);
  return `${path}:${(entry?.originalLine ?? cf.lineNumber) + 1}`;
}

/** Self time (ms) per function and per file; total (inclusive) time per function. */
function times(p: CpuProfile): { total: number; byFunction: [string, number][]; byFile: [string, number][]; inclusive: [string, number][] } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const names = new Map<number, string>();
  const nameOf = (id: number): string => {
    let name = names.get(id);
    if (name === undefined) {
      const cf = byId.get(id)!.callFrame;
      name = `${cf.functionName || "(anonymous)"}  ${where(cf)}`;
      names.set(id, name);
    }
    return name;
  };
  const perNode = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) perNode.set(p.samples[i], (perNode.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  let total = 0;
  const inclusive = new Map<string, number>();
  for (const [id, ms] of perNode) {
    const cf = byId.get(id)!.callFrame;
    const at = where(cf);
    const name = nameOf(id);
    fn.set(name, (fn.get(name) ?? 0) + ms);
    const seen = new Set<string>();
    for (let a: number | undefined = id; a !== undefined; a = parent.get(a)) {
      const n = nameOf(a);
      if (seen.has(n)) continue;
      seen.add(n);
      inclusive.set(n, (inclusive.get(n) ?? 0) + ms);
    }
    const f = cf.url ? at.replace(/:\d+$/, "") : cf.functionName;
    file.set(f, (file.get(f) ?? 0) + ms);
    total += ms;
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { total, byFunction: sorted(fn), byFile: sorted(file), inclusive: sorted(inclusive) };
}

export async function profileXor(steps: number, outFile: string): Promise<string> {
  // Source maps only register for modules loaded after this, so kindling is imported below.
  process.setSourceMapsEnabled(true);
  const { xorTrainer } = await import("./workloads/xor.js");
  const { kindlingInfo } = await import("./kindling-info.js");
  const step = xorTrainer();
  for (let i = 0; i < 2000; i++) step();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const usPerStep = ((performance.now() - t0) * 1000) / steps;
  const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: CpuProfile };
  session.disconnect();
  const { total, byFunction, byFile, inclusive } = times(profile);
  // Inclusive times of kindling's own functions (the driver loop and runtime frames left out).
  const ours = inclusive.filter(([n]) => /\s(src|bench\/workloads)\//.test(n) && !n.includes("bench/profile.ts"));
  const pct = (ms: number) => `${((ms / total) * 100).toFixed(1).padStart(5)}%`;
  const line = ([name, ms]: [string, number]) => `${pct(ms)}  ${ms.toFixed(0).padStart(6)} ms  ${name}`;
  const info = kindlingInfo();
  const text = [
    `XOR MLP 2-2-1 training step (bench/workloads/xor.ts: nn.Sequential, nn.BCELoss, optim.SGD), batch 64`,
    `${steps} steps profiled after 2,000 warm-up steps; ${usPerStep.toFixed(1)} µs/step while profiled (sampling every 200 µs)`,
    `${new Date().toISOString()}; kindling ${String(info.commit)}, backend ${String(info.backend)}; node ${process.version}; ${os.cpus()[0]?.model}, load ${os.loadavg()[0].toFixed(2)}`,
    `total sampled ${total.toFixed(0)} ms`,
    "",
    "top 15 functions by self time:",
    ...byFunction.slice(0, 15).map(line),
    "",
    "self time by file (top 15):",
    ...byFile.slice(0, 15).map(line),
    "",
    "total (inclusive) time of kindling's functions (top 25):",
    ...ours.slice(0, 25).map(line),
    "",
  ].join("\n");
  writeFileSync(outFile, text);
  return text;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const steps = Number(process.argv[2] ?? 20_000);
  console.log(await profileXor(steps, join(ROOT, "bench", "results", "xor-profile.txt")));
}
