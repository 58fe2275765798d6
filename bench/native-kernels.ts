// Micro-benchmark of the native kernels (issue 7): sgemm/dgemm GFLOP/s at 256..2048 and the time
// of 1M-element elementwise kernels, on one thread and on all of them, for each instruction set
// the CPU has (the best first).
//
//   node --import tsx bench/native-kernels.ts [--isa avx512,avx2,generic] [--quick]
//
// Each figure is the best of several timed runs after a warm-up, wall-clock, on this machine's
// current load (other processes sharing the cores lower it).
import { BinaryOp, type FloatArray, type Isa, loadNative, nativeLoadError, UnaryOp } from "../src/backend/native/addon.js";

const k = loadNative();
if (!k) {
  console.error(`native addon not available: ${String(nativeLoadError() ?? "turned off or not built")} (npm run build:native)`);
  process.exit(1);
}

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const isaArg = args.indexOf("--isa");
const isas = (isaArg >= 0 ? (args[isaArg + 1] ?? "").split(",") : k.isas().slice(0, 1)) as Isa[];
const allThreads = k.numThreads();
const threadCounts = allThreads > 1 ? [1, allThreads] : [1];

/** Best wall time in ms of `fn` over `reps` runs (after one warm-up), stopping after ~budget ms. */
function best(fn: () => void, reps: number, budgetMs = quick ? 300 : 1500): number {
  fn();
  let min = Infinity;
  const start = performance.now();
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    const dt = performance.now() - t0;
    if (dt < min) min = dt;
    if (performance.now() - start > budgetMs && r >= 2) break;
  }
  return min;
}

function filled(Type: Float32ArrayConstructor | Float64ArrayConstructor, n: number, seed: number): FloatArray {
  const a = new Type(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    a[i] = s / 2147483648 - 0.5;
  }
  return a;
}

function pad(s: string, n: number): string {
  return s.padStart(n);
}

console.log(`kindling native kernels — threads available: ${allThreads}, ISAs: ${k.isas().join(", ")}`);
for (const isa of isas) {
  if (!k.setIsa(isa)) {
    console.log(`\n${isa}: not supported on this CPU`);
    continue;
  }
  console.log(`\n== ${isa} ==`);
  const header = `${"".padEnd(22)}${threadCounts.map((t) => pad(`${t} thread${t > 1 ? "s" : ""}`, 14)).join("")}`;
  for (const [name, Type] of [
    ["sgemm", Float32Array],
    ["dgemm", Float64Array],
  ] as const) {
    console.log(`${name} GFLOP/s (C = A @ B, row-major, square)`);
    console.log(header);
    for (const n of quick ? [256, 1024] : [256, 512, 1024, 2048]) {
      const A = filled(Type, n * n, 1);
      const B = filled(Type, n * n, 2);
      const C = new Type(n * n);
      const cells = threadCounts.map((t) => {
        k.setNumThreads(t);
        const ms = best(() => k.gemm(false, false, n, n, n, 1, A, 0, n, B, 0, n, 0, C, 0, n), n >= 2048 ? 3 : 20);
        return pad(((2 * n ** 3) / ms / 1e6).toFixed(1), 14);
      });
      console.log(`${pad(`${n}^3`, 12)}${"".padEnd(10)}${cells.join("")}`);
    }
  }
  const n = 1 << 20;
  for (const [label, Type] of [
    ["float32", Float32Array],
    ["float64", Float64Array],
  ] as const) {
    console.log(`${label}, 1M elements: microseconds per call (GB/s of memory traffic)`);
    console.log(header);
    const a = filled(Type, n, 3);
    const b = filled(Type, n, 4);
    const y = new Type(n);
    const bytes = Type.BYTES_PER_ELEMENT * n;
    const ops: [string, () => void, number][] = [
      ["add", () => k.binary(BinaryOp.add, a, 0, b, 0, y, 0, n), 3],
      ["mul scalar", () => k.binaryScalar(BinaryOp.mul, a, 0, 0.5, y, 0, n), 2],
      ["exp", () => k.unary(UnaryOp.exp, a, 0, y, 0, n), 2],
      ["sigmoid", () => k.unary(UnaryOp.sigmoid, a, 0, y, 0, n), 2],
      ["tanh", () => k.unary(UnaryOp.tanh, a, 0, y, 0, n), 2],
      ["relu", () => k.unary(UnaryOp.relu, a, 0, y, 0, n), 2],
      ["sum (PyTorch's order)", () => k.cascadeSum(a, 0, y, [n], [1], [0]), 1],
      ["softmax [1024,1024]", () => k.softmax(a, 0, y, 0, 1024, 1024, false), 2],
    ];
    for (const [name, fn, streams] of ops) {
      const cells = threadCounts.map((t) => {
        k.setNumThreads(t);
        const ms = best(fn, 200);
        return pad(`${(ms * 1000).toFixed(0)} (${((streams * bytes) / ms / 1e6).toFixed(1)})`, 14);
      });
      console.log(`${pad(name, 20)}  ${cells.join("")}`);
    }
  }
  k.setNumThreads(allThreads);
}
