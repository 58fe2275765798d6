// Compares expf (src/backend/cpu/expf.ts) with Math.fround(Math.exp(x)) on every one of the 2^32
// float32 bit patterns, in one process per core. expf's correctness rests on an error bound (see
// that file); this checks the bound and the code. About a minute on two cores:
// `npx tsx scripts/check-expf.ts`.
import { availableParallelism } from "node:os";
import { fork } from "node:child_process";
import { expf } from "../src/backend/cpu/expf.js";

interface Range {
  from: number;
  to: number;
}
interface Tally {
  checked: number;
  mismatches: string[];
}

function check({ from, to }: Range): Tally {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const mismatches: string[] = [];
  for (let b = from; b < to; b++) {
    u32[0] = b;
    const x = f32[0];
    const e = expf(x);
    const ee = Math.fround(Math.exp(x));
    if (!Object.is(e, ee) && mismatches.length < 20) mismatches.push(`exp bits 0x${b.toString(16)} (${x}): ${e} != ${ee}`);
  }
  return { checked: to - from, mismatches };
}

const [from, to] = process.argv.slice(2).map(Number);
if (from === undefined) {
  const workers = availableParallelism();
  const total = 2 ** 32;
  const chunk = Math.ceil(total / workers);
  const started = Date.now();
  const tallies = await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const range: Range = { from: w * chunk, to: Math.min(total, (w + 1) * chunk) };
      return new Promise<Tally>((resolve, reject) => {
        const child = fork(new URL(import.meta.url), [String(range.from), String(range.to)]);
        child.once("message", (t) => resolve(t as Tally));
        child.once("error", reject);
        child.once("exit", (code) => code !== 0 && reject(new Error(`checker for ${range.from}..${range.to} exited with ${code}`)));
      });
    }),
  );
  const checked = tallies.reduce((s, t) => s + t.checked, 0);
  const mismatches = tallies.flatMap((t) => t.mismatches);
  console.log(`${checked} inputs, ${mismatches.length} mismatches, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  for (const m of mismatches) console.log(m);
  process.exitCode = mismatches.length === 0 && checked === total ? 0 : 1;
} else {
  process.send!(check({ from, to }));
}
