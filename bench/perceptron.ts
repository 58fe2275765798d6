// The chapter's perceptron program end to end (CSV -> Dataset -> DataLoader -> 2 models x EPOCHS
// epochs), as separate processes: kindling runs ../shared/acceptance/programs/perceptron.ts, PyTorch
// runs the reference script. Wall time includes start-up, as a user would see it. For short runs
// the time of 10,000 epochs is projected from two runs (1 epoch and EPOCHS): start-up + per-epoch.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

export interface PerceptronResult {
  epochs: number;
  /** Wall seconds of the run with `epochs` epochs. */
  seconds: number;
  /** Wall seconds of a 1-epoch run (start-up, CSV, model set-up), when a projection was made. */
  oneEpochSeconds?: number;
  /** Seconds for 10,000 epochs: measured when epochs is 10,000, else projected. */
  seconds10k: number;
  projected: boolean;
  error?: string;
}

const ROOT = resolve(import.meta.dirname, "..");
const SHARED = resolve(ROOT, "..", "shared");
const CSV = join(SHARED, "datasets", "perceptron.csv");

/** The lines of a failed run's stderr that say what went wrong. */
function errorLines(stderr: string): string {
  const lines = stderr.split("\n").filter((l) => /error/i.test(l) && !/^\s+at /.test(l));
  return (lines.length ? lines : stderr.trim().split("\n")).slice(-3).join(" | ");
}

function wall(cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: "utf8", maxBuffer: 1 << 26 });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${errorLines(r.stderr ?? "")}`);
  return s;
}

function measure(run: (epochs: number) => number, epochs: number): PerceptronResult {
  try {
    const seconds = run(epochs);
    if (epochs >= 10_000) return { epochs, seconds, seconds10k: (seconds * 10_000) / epochs, projected: epochs !== 10_000 };
    const one = run(1);
    const perEpoch = Math.max(0, (seconds - one) / (epochs - 1));
    return { epochs, seconds, oneEpochSeconds: one, seconds10k: one + perEpoch * 9_999, projected: true };
  } catch (e) {
    return { epochs, seconds: Number.NaN, seconds10k: Number.NaN, projected: false, error: e instanceof Error ? e.message : String(e) };
  }
}

export function perceptronKindling(epochs: number): PerceptronResult {
  // The program imports "kindling"; a copy inside the package (outside node_modules, in a folder
  // git ignores) resolves it by self-reference, as the acceptance runner's copies do.
  const dir = join(ROOT, "bench", "results", "perceptron.tmp");
  mkdirSync(dir, { recursive: true });
  const program = join(dir, "perceptron.ts");
  copyFileSync(join(SHARED, "acceptance", "programs", "perceptron.ts"), program);
  try {
    return measure((n) => wall(process.execPath, ["--import", "tsx", program, CSV, String(n)], process.env), epochs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function perceptronPytorch(epochs: number, env: NodeJS.ProcessEnv): PerceptronResult {
  const script = join(SHARED, "acceptance", "reference", "perceptron.py");
  if (!existsSync(script)) return { epochs, seconds: Number.NaN, seconds10k: Number.NaN, projected: false, error: `${script} is missing` };
  return measure((n) => wall("/usr/bin/python3", [script, CSV, String(n)], env), epochs);
}
