// `npm run bench`: kindling's speed beside TF.js (cpu and wasm backends) and PyTorch (when
// /usr/bin/python3 has torch), workload by workload, from one run on one machine (issue 7).
//
//   npm run bench -- [--quick] [--only id,id] [--engines kindling,tfjs-cpu,tfjs-wasm,pytorch]
//                    [--perceptron-epochs N | --no-perceptron] [--memory [STEPS]] [--out FILE]
//                    [--profile-xor [STEPS]]
//
// Each engine runs each workload in a process of its own, engines taking turns workload by
// workload. Prints a table and writes JSON with the machine and the
// versions (bench/results/latest.json; quick runs go to latest-quick.json). --memory runs only
// the memory-flatness check (1,000,000 XOR steps by default) into bench/results/memory.json;
// --profile-xor only profiles the XOR training step into bench/results/xor-profile.txt.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import type { EngineResult, WorkloadResult } from "./engine.js";
import { benchCsv, type CsvResult } from "./csv.js";
import type { PeakResult } from "./peak.js";
import { type PerceptronResult, perceptronKindling, perceptronPytorch } from "./perceptron.js";
import { WORKLOADS, type WorkloadSpec } from "./spec.js";

const ROOT = resolve(import.meta.dirname, "..");
const RESULTS = join(ROOT, "bench", "results");
const ENGINES = ["kindling", "tfjs-cpu", "tfjs-wasm", "pytorch"] as const;
const OPENBLAS_OPENMP = "/usr/lib/x86_64-linux-gnu/openblas-openmp";
const PYTHON = "/usr/bin/python3";

interface Options {
  quick: boolean;
  only: string[] | null;
  engines: string[];
  perceptronEpochs: number | null;
  memorySteps: number | null;
  profileSteps: number | null;
  out: string | null;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, only: null, engines: [...ENGINES], perceptronEpochs: null, memorySteps: null, profileSteps: null, out: null };
  let perceptronOff = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--quick") o.quick = true;
    else if (a === "--only") o.only = next().split(",");
    else if (a === "--engines") o.engines = next().split(",");
    else if (a === "--no-pytorch") o.engines = o.engines.filter((e) => e !== "pytorch");
    else if (a === "--no-tfjs") o.engines = o.engines.filter((e) => !e.startsWith("tfjs"));
    else if (a === "--perceptron-epochs") o.perceptronEpochs = Number(next());
    else if (a === "--no-perceptron") perceptronOff = true;
    else if (a === "--memory") o.memorySteps = /^\d+$/.test(argv[i + 1] ?? "") ? Number(argv[++i]) : 1_000_000;
    else if (a === "--profile-xor") o.profileSteps = /^\d+$/.test(argv[i + 1] ?? "") ? Number(argv[++i]) : 20_000;
    else if (a === "--out") o.out = next();
    else if (a === "--help" || a === "-h") {
      console.log(readFileSync(new URL(import.meta.url), "utf8").split("\n").filter((l) => l.startsWith("//")).join("\n"));
      console.log(`\nworkloads: ${WORKLOADS.map((w) => w.id).join(", ")}`);
      process.exit(0);
    } else throw new Error(`unknown option '${a}' (try --help)`);
  }
  for (const e of o.engines) if (!(ENGINES as readonly string[]).includes(e)) throw new Error(`unknown engine '${e}' (known: ${ENGINES.join(", ")})`);
  for (const id of o.only ?? []) if (!WORKLOADS.some((w) => w.id === id)) throw new Error(`unknown workload '${id}' (known: ${WORKLOADS.map((w) => w.id).join(", ")})`);
  const wantsPerceptron = !perceptronOff && (o.only === null || o.only.includes("perceptron"));
  o.perceptronEpochs = wantsPerceptron ? (o.perceptronEpochs ?? (o.quick ? 50 : 500)) : null;
  return o;
}

function lastJsonLine<T>(stdout: string): T {
  const line = stdout.trim().split("\n").reverse().find((l) => l.startsWith("{"));
  if (!line) throw new Error("no JSON result on stdout");
  return JSON.parse(line) as T;
}

/** The environment PyTorch runs in: OpenBLAS's OpenMP build when installed (as issue 7 measured). */
function pytorchEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (existsSync(join(OPENBLAS_OPENMP, "libblas.so.3"))) env.LD_LIBRARY_PATH = [OPENBLAS_OPENMP, env.LD_LIBRARY_PATH].filter(Boolean).join(":");
  return env;
}

function hasTorch(): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
}

function runEngine(engine: string, o: Options): EngineResult | { engine: string; error: string } {
  const ids = WORKLOADS.filter((w) => w.id !== "perceptron" && w.id !== "csv-1m" && (!o.only || o.only.includes(w.id))).map((w) => w.id);
  if (ids.length === 0) return { engine, error: "no workloads selected" };
  const extra = [...(o.quick ? ["--quick"] : []), "--only", ids.join(",")];
  const r =
    engine === "pytorch"
      ? spawnSync(PYTHON, [join(ROOT, "bench", "pytorch", "bench.py"), ...extra], { cwd: ROOT, env: pytorchEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 26 })
      : spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bench", "engine.ts"), engine, ...extra], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 26 });
  if (r.status !== 0) return { engine, error: `exited with status ${r.status}` };
  try {
    return lastJsonLine<EngineResult>(r.stdout);
  } catch (e) {
    return { engine, error: e instanceof Error ? e.message : String(e) };
  }
}

function cpuFlags(): string[] {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8").split("\n").find((l) => l.startsWith("flags"));
    const flags = new Set(line?.split(":")[1].trim().split(/\s+/) ?? []);
    return ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_bf16"].filter((f) => flags.has(f));
  } catch {
    return [];
  }
}

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    cpuFlags: cpuFlags(),
    memoryGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

// ---- the table

/** The figure a metric shows: time per iteration, or work per second. */
function figure(spec: WorkloadSpec, seconds: number): number {
  switch (spec.metric) {
    case "us":
      return seconds * 1e6;
    case "s":
      return seconds;
    case "samples/s":
      return spec.work! / seconds;
    case "GFLOP/s":
      return spec.work! / seconds / 1e9;
  }
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return "—";
  const digits = x >= 100 ? 0 : x >= 10 ? 1 : x >= 1 ? 2 : 3;
  return x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The figure a goal is judged by, whether it is met (null: not measured), and why not. */
interface GoalCheck {
  text: string;
  met: boolean | null;
  /** What failed, or what was missing, when not met. */
  why?: string;
}

function goalCheck(spec: WorkloadSpec, seconds: Record<string, number | undefined>, peak: PeakResult | null | undefined): GoalCheck {
  const g = spec.goal;
  const k = seconds.kindling;
  if (!g) return { text: "", met: null };
  if (k === undefined) return { text: g.text, met: null };
  if (g.kind === "maxUs") return { text: g.text, met: k * 1e6 <= g.value };
  if (g.kind === "minGflops") return { text: g.text, met: spec.work! / k / 1e9 >= g.value };
  if (g.kind === "peakShare") {
    if (!peak) return { text: g.text, met: null, why: "no FMA peak (the addon's probe did not run)" };
    const share = spec.work! / k / 1e9 / peak.gflops;
    return { text: g.text, met: share >= g.share, why: share >= g.share ? undefined : `${(share * 100).toFixed(1)}% of the peak` };
  }
  const pt = seconds.pytorch;
  if (g.kind === "vsPytorchAndWasm") {
    const wasm = seconds["tfjs-wasm"];
    const missing = [pt === undefined ? "PyTorch" : null, wasm === undefined ? "TF.js wasm" : null].filter(Boolean);
    const failed = [pt !== undefined && k > pt ? "slower than PyTorch" : null, wasm !== undefined && k >= wasm ? "not faster than TF.js wasm" : null].filter(Boolean);
    if (failed.length) return { text: g.text, met: false, why: failed.join(", ") };
    if (missing.length) return { text: `${g.text} (no ${missing.join(" or ")} figure)`, met: null };
    return { text: g.text, met: true };
  }
  if (pt === undefined) return { text: `${g.text} (no PyTorch figure)`, met: null };
  return { text: g.text, met: k <= g.factor * pt };
}

interface Row {
  id: string;
  title: string;
  unit: string;
  seconds: Record<string, number | undefined>;
  figures: Record<string, number | undefined>;
  /** PyTorch's time over kindling's: above 1, kindling is faster. */
  speedVsPytorch: number | null;
  goal: string;
  goalMet: boolean | null;
  /** Why the goal is not met (which comparison failed). */
  goalWhy?: string;
  note?: string;
}

function rows(
  results: Record<string, Record<string, WorkloadResult>>,
  perceptron: Record<string, PerceptronResult>,
  csv: CsvResult | null,
  o: Options,
): Row[] {
  const out: Row[] = [];
  for (const spec of WORKLOADS) {
    if (o.only && !o.only.includes(spec.id)) continue;
    const seconds: Record<string, number | undefined> = {};
    let note: string | undefined;
    if (spec.id === "perceptron") {
      if (o.perceptronEpochs === null) continue;
      for (const [e, r] of Object.entries(perceptron)) seconds[e] = Number.isFinite(r.seconds10k) ? r.seconds10k : undefined;
      const k = perceptron.kindling;
      if (k?.projected) note = `projected to 10,000 epochs from runs of 1 and ${k.epochs} epochs`;
    } else if (spec.id === "csv-1m") {
      if (csv === null) continue;
      seconds.kindling = Number.isFinite(csv.kindling.seconds) ? csv.kindling.seconds : undefined;
      seconds.pytorch = Number.isFinite(csv.pandas.seconds) ? csv.pandas.seconds : undefined;
      const mb = (x: number) => `${Math.round(x)} MB`;
      note =
        `pandas ${csv.pandasVersion ?? "?"} in the PyTorch column; peak memory of the process kindling ${mb(csv.kindling.peakMB)}, pandas ${mb(csv.pandas.peakMB)}; ` +
        `added by the read kindling ${mb(csv.kindling.addedMB)}, pandas ${mb(csv.pandas.addedMB)}` +
        (csv.kindling.error || csv.pandas.error ? `; errors: ${[csv.kindling.error, csv.pandas.error].filter(Boolean).join("; ")}` : "");
    } else {
      for (const e of o.engines) seconds[e] = results[e]?.[spec.id]?.seconds;
    }
    const figures = Object.fromEntries(Object.entries(seconds).map(([e, s]) => [e, s === undefined ? undefined : figure(spec, s)]));
    const k = seconds.kindling;
    const pt = seconds.pytorch;
    const peak = results.kindling?.[spec.id]?.fmaPeak;
    const g = goalCheck(spec, seconds, peak);
    if (spec.goal?.kind === "peakShare" && peak && k !== undefined) {
      const gf = (s: number) => spec.work! / s / 1e9;
      const fastest = results.kindling?.[spec.id]?.minSeconds;
      note =
        `kindling ${fmt(gf(k))} GFLOP/s (median) = ${((gf(k) / peak.gflops) * 100).toFixed(1)}% of the FMA peak, ${fmt(peak.gflops)} GFLOP/s ` +
        `(${peak.isa}, ${peak.threads} threads, fastest of ${peak.samples.length} probes of ${peak.secondsEach} s: ${peak.samples.join(", ")})` +
        (fastest !== undefined ? `; fastest sample ${fmt(gf(fastest))} GFLOP/s = ${((gf(fastest) / peak.gflops) * 100).toFixed(1)}%` : "");
    }
    // csv-1m's goal is memory too: the kindling process's peak at or below pandas'
    if (spec.id === "csv-1m" && csv !== null && g.met !== null) g.met = g.met && csv.kindling.peakMB <= csv.pandas.peakMB;
    out.push({
      id: spec.id,
      title: spec.title,
      unit: spec.metric === "us" ? "µs" : spec.metric,
      seconds,
      figures,
      speedVsPytorch: k !== undefined && pt !== undefined ? pt / k : null,
      goal: g.text,
      goalMet: g.met,
      goalWhy: g.why,
      note,
    });
  }
  return out;
}

function table(rs: Row[], engines: string[]): string {
  const head = ["workload", "unit", ...engines, "kindling vs PyTorch", "goal", "met"];
  const body = rs.map((r) => [
    r.id,
    r.unit,
    ...engines.map((e) => fmt(r.figures[e] ?? Number.NaN)),
    r.speedVsPytorch === null ? "—" : `${r.speedVsPytorch >= 0.1 ? r.speedVsPytorch.toFixed(2) : r.speedVsPytorch.toPrecision(2)}x`,
    r.goal,
    r.goalMet === null ? "" : r.goalMet ? "yes" : `no${r.goalWhy ? ` (${r.goalWhy})` : ""}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i < 2 || i >= head.length - 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)].join("\n");
}

// ---- main

function runMemory(steps: number, out: string): void {
  process.stderr.write(`memory: ${steps} XOR training steps\n`);
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", join(ROOT, "bench", "memory.ts"), String(steps)], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (r.status !== 0) throw new Error(`memory run exited with status ${r.status}`);
  const result = { date: new Date().toISOString(), machine: machine(), ...lastJsonLine<Record<string, unknown>>(r.stdout) };
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  console.log(String((result as Record<string, unknown>).verdict));
  console.log(`written to ${out}`);
}

function main(): void {
  const o = parseArgs(process.argv.slice(2));
  mkdirSync(RESULTS, { recursive: true });
  if (o.memorySteps !== null) {
    runMemory(o.memorySteps, o.out ?? join(RESULTS, "memory.json"));
    return;
  }
  if (o.profileSteps !== null) {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bench", "profile.ts"), String(o.profileSteps)], { cwd: ROOT, stdio: "inherit" });
    if (r.status !== 0) throw new Error(`profiling exited with status ${r.status}`);
    return;
  }
  const m = machine();
  if (o.engines.includes("pytorch") && !hasTorch()) {
    process.stderr.write(`${PYTHON} has no torch: leaving PyTorch out\n`);
    o.engines = o.engines.filter((e) => e !== "pytorch");
  }
  const engineInfo: Record<string, unknown> = {};
  const results: Record<string, Record<string, WorkloadResult>> = {};
  // Workload by workload, every engine in turn (a process each), so that the figures compared in a
  // row are taken within seconds of each other on a machine whose load changes by the minute.
  const ids = WORKLOADS.filter((w) => w.id !== "perceptron" && w.id !== "csv-1m" && (!o.only || o.only.includes(w.id))).map((w) => w.id);
  for (const id of ids) {
    for (const e of o.engines) {
      const r = runEngine(e, { ...o, only: [id] });
      if ("error" in r) {
        engineInfo[e] ??= { error: r.error };
        continue;
      }
      engineInfo[e] = r.info;
      results[e] = { ...results[e], ...r.results };
    }
  }
  const perceptron: Record<string, PerceptronResult> = {};
  if (o.perceptronEpochs !== null) {
    if (o.engines.includes("kindling")) {
      process.stderr.write(`perceptron: kindling, ${o.perceptronEpochs} epochs\n`);
      perceptron.kindling = perceptronKindling(o.perceptronEpochs);
    }
    if (o.engines.includes("pytorch")) {
      process.stderr.write(`perceptron: pytorch, ${o.perceptronEpochs} epochs\n`);
      perceptron.pytorch = perceptronPytorch(o.perceptronEpochs, pytorchEnv());
    }
  }
  let csv: CsvResult | null = null;
  if ((o.only === null || o.only.includes("csv-1m")) && o.engines.includes("kindling")) {
    process.stderr.write("csv-1m: readCsv and pandas.read_csv, 3 runs each\n");
    csv = benchCsv(3, PYTHON);
  }
  m.loadAverageAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const rs = rows(results, perceptron, csv, o);
  const text = table(rs, o.engines);
  const extras: string[] = [];
  const pt1 = results.pytorch?.["matmul-1024-1thread"]?.seconds;
  if (pt1 !== undefined) extras.push(`PyTorch matmul-1024 on 1 thread: ${fmt((2 * 1024 ** 3) / pt1 / 1e9)} GFLOP/s`);
  for (const r of rs) if (r.note) extras.push(`${r.id}: ${r.note}`);
  // A median far above the fastest sample means other processes took the CPU during the samples.
  const disturbed: string[] = [];
  for (const [e, byId] of Object.entries(results)) {
    for (const [id, t] of Object.entries(byId)) {
      if (t.seconds !== undefined && t.minSeconds !== undefined && t.seconds > 1.5 * t.minSeconds) disturbed.push(`${e} ${id} (median ${fmt(t.seconds * 1e6)} µs, fastest ${fmt(t.minSeconds * 1e6)} µs)`);
    }
  }
  if (disturbed.length) extras.push(`disturbed (median > 1.5x the fastest sample): ${disturbed.join("; ")}`);
  const k = engineInfo.kindling as Record<string, unknown> | undefined;
  console.log(`\nkindling ${k?.version ?? "?"} (${k?.commit ?? "?"}), backend: ${k?.backend ?? "?"}; ${m.cpu}, ${m.cores} cores, node ${m.node}`);
  console.log(text);
  for (const x of extras) console.log(x);
  for (const [e, info] of Object.entries(engineInfo)) console.log(`${e}: ${JSON.stringify(info)}`);
  console.log(`load average at start ${String(m.loadAverageAtStart)}, at end ${String(m.loadAverageAtEnd)}`);
  const file = o.out ?? join(RESULTS, o.quick ? "latest-quick.json" : "latest.json");
  const json = { date: new Date().toISOString(), quick: o.quick, machine: m, engines: engineInfo, rows: rs, raw: results, perceptron, csv, table: text };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`written to ${file}`);
}

main();
