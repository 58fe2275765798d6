// readCsv beside pandas.read_csv (issue 11): a 1,000,000-row CSV file of 14.4 MB (an integer,
// a 4-decimal float and a 0/1 column, from a seeded generator), made in a temporary folder
// and removed after. Each side reads it in processes of its own; each run reports the read's wall
// time and the process's peak resident memory, and the resident memory before the read (after the
// imports), so both the whole process and what the read itself adds can be compared. Best of RUNS.
import { spawnSync } from "node:child_process";
import { buildSync } from "esbuild";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const ROWS = 1_000_000;

export interface CsvSide {
  /** Wall seconds of the read alone (best run). */
  seconds: number;
  /** Peak resident MB of the whole process (best run). */
  peakMB: number;
  /** Peak resident MB minus the resident MB after the imports, before the read (best run). */
  addedMB: number;
  runs: { seconds: number; peakMB: number; addedMB: number }[];
  error?: string;
}

export interface CsvResult {
  rows: number;
  /** The file's size in MB (10**6 bytes). */
  fileMB: number;
  pandasVersion?: string;
  kindling: CsvSide;
  pandas: CsvSide;
}

/** The file: seeded (mulberry32), so every run and both sides read the same bytes. */
export function writeBenchCsv(path: string, rows = ROWS): void {
  let a = 20241111;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const parts: string[] = ["x1,x2,label\n"];
  for (let i = 0; i < rows; i++) parts.push(`${Math.floor(next() * 10000)},${(next() * 20 - 10).toFixed(4)},${next() < 0.5 ? 1 : 0}\n`);
  writeFileSync(path, parts.join(""));
}

const PANDAS = `
import resource, sys, time
import pandas as pd
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20
before = rss()
t = time.perf_counter()
df = pd.read_csv(sys.argv[1])
seconds = time.perf_counter() - t
assert len(df) == int(sys.argv[2])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print('{"seconds": %r, "peakMB": %r, "addedMB": %r}' % (seconds, peak, peak - before))
`;

function side(run: () => { status: number | null; stdout: string; stderr: string }, runs: number): CsvSide {
  const results: CsvSide["runs"] = [];
  for (let i = 0; i < runs; i++) {
    const r = run();
    if (r.status !== 0) {
      return { seconds: Number.NaN, peakMB: Number.NaN, addedMB: Number.NaN, runs: results, error: r.stderr.trim().split("\n").slice(-2).join(" | ") };
    }
    const line = r.stdout.trim().split("\n").reverse().find((l) => l.startsWith("{"))!;
    results.push(JSON.parse(line));
  }
  return {
    seconds: Math.min(...results.map((r) => r.seconds)),
    peakMB: Math.min(...results.map((r) => r.peakMB)),
    addedMB: Math.min(...results.map((r) => r.addedMB)),
    runs: results,
  };
}

export function benchCsv(runs = 3, python = "/usr/bin/python3"): CsvResult {
  const dir = mkdtempSync(join(tmpdir(), "kindling-bench-csv-"));
  try {
    const path = join(dir, "rows.csv");
    writeBenchCsv(path);
    const fileMB = statSync(path).size / 1e6;
    // compiled to one plain JavaScript file (esbuild, which tsx itself uses), run by plain Node
    const program = join(dir, "csv-read.mjs");
    buildSync({ entryPoints: [join(ROOT, "bench", "csv-read.ts")], bundle: true, platform: "node", format: "esm", outfile: program, logLevel: "error" });
    const kindling = side(() => spawnSync(process.execPath, [program, path, String(ROWS)], { cwd: ROOT, encoding: "utf8" }), runs);
    const pandas = side(() => spawnSync(python, ["-c", PANDAS, path, String(ROWS)], { encoding: "utf8" }), runs);
    const version = spawnSync(python, ["-c", "import pandas; print(pandas.__version__)"], { encoding: "utf8" }).stdout?.trim();
    return { rows: ROWS, fileMB, pandasVersion: version || undefined, kindling, pandas };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
