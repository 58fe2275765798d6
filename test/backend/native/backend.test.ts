// The native-wrapping CPU backend against the TypeScript backend on the same inputs: large
// problems go to the addon and agree (bit for bit where the addon computes the same IEEE
// operations, within the documented rounding differences elsewhere), small ones never reach it.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "kindling";
import { backendFor } from "../../../src/backend/backend.js";
import { cpuBackend } from "../../../src/backend/cpu/index.js";
import type { NativeKernels } from "../../../src/backend/native/addon.js";
import { createNativeBackend, nativeThresholds } from "../../../src/backend/native/backend.js";
import { type DType, float32, float64 } from "../../../src/tensor/dtype.js";
import { Storage } from "../../../src/tensor/storage.js";
import { Tensor } from "../../../src/tensor/tensor.js";
import { native, random, ulps, withNative } from "./helpers.js";

/** The addon with a count of calls per function, so a test can see which path ran. */
function counting(k: NativeKernels): { k: NativeKernels; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const wrapped: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(k)) {
    wrapped[name] =
      typeof v === "function"
        ? (...args: unknown[]) => {
            calls.set(name, (calls.get(name) ?? 0) + 1);
            return (v as (...a: unknown[]) => unknown).apply(k, args);
          }
        : v;
  }
  return { k: wrapped as unknown as NativeKernels, calls };
}

function total(calls: Map<string, number>): number {
  let n = 0;
  for (const v of calls.values()) n += v;
  return n;
}

let seed = 1;
/** A contiguous tensor of uniform values in [lo, hi). */
function rand(shape: number[], dtype: DType, lo = -2, hi = 2): Tensor {
  const n = shape.reduce((p, s) => p * s, 1);
  const Type = dtype === float32 ? Float32Array : Float64Array;
  return Tensor.make(shape, dtype, random(Type, n, seed++, lo, hi));
}

/**
 * The same values as `t`, stored in the middle of a larger array whose own view starts at an
 * element offset (a subarray, as a slab allocator hands out): offsets must be honoured twice.
 */
function inSlab(t: Tensor): Tensor {
  const v = t.values();
  const Type = t.dtype === float32 ? Float32Array : Float64Array;
  const big = new Type(v.length + 40).fill(Number.NaN);
  const view = big.subarray(13, 13 + v.length + 20);
  view.set(v, 7);
  const strides = Tensor.make(t.shape.slice(), t.dtype).strides;
  return new Tensor(new Storage(view, "cpu"), t.shape.slice(), strides, 7, t.dtype);
}

function assertBitsEqual(actual: Tensor, expected: Tensor, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  const a = actual.values();
  const e = expected.values();
  for (let i = 0; i < e.length; i++) {
    if (!Object.is(a[i], e[i])) assert.fail(`${what}: element ${i} is ${a[i]}, expected ${e[i]}`);
  }
}

function assertUlps(actual: Tensor, expected: Tensor, maxUlps: number, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = actual.values();
  const e = expected.values();
  const single = actual.dtype === float32;
  for (let i = 0; i < e.length; i++) {
    const d = ulps(a[i], e[i], single);
    if (d > maxUlps) assert.fail(`${what}: element ${i} is ${a[i]}, expected ${e[i]} (${d} ulps apart)`);
  }
}

const TYPES: [string, DType][] = [
  ["float32", float32],
  ["float64", float64],
];

test("registration: the cpu backend wraps the addon exactly when torch.backends.native says so", () => {
  const available = torch.backends.native.isAvailable();
  assert.equal(available, native !== null);
  if (available) {
    assert.notEqual(backendFor("cpu"), cpuBackend);
    assert.match(backendFor("cpu").name, /native/);
    assert.ok(["avx512", "avx2", "generic"].includes(torch.backends.native.isa() as string));
    assert.ok(torch.backends.native.numThreads() >= 1);
  } else {
    assert.equal(backendFor("cpu"), cpuBackend);
    assert.equal(torch.backends.native.isa(), null);
    assert.equal(torch.backends.native.numThreads(), 1);
  }
  assert.throws(() => torch.backends.native.setNumThreads(0), RangeError);
});

test("setNumThreads changes the addon's threads and not the results", (t) => {
  withNative(t, () => {
    const before = torch.backends.native.numThreads();
    const a = torch.randn(96, 200);
    const b = torch.randn(200, 130);
    try {
      torch.backends.native.setNumThreads(1);
      assert.equal(torch.backends.native.numThreads(), 1);
      const one = a.matmul(b);
      torch.backends.native.setNumThreads(3);
      assert.equal(torch.backends.native.numThreads(), 3);
      assertBitsEqual(a.matmul(b), one, "matmul on 3 threads");
    } finally {
      torch.backends.native.setNumThreads(before);
    }
  });
});

test("matmul: large products run in the addon and agree with TypeScript within float accumulation error", (t) => {
  withNative(t, (addon) => {
    const { k, calls } = counting(addon);
    const nb = createNativeBackend(k, cpuBackend);
    for (const [name, dtype] of TYPES) {
      const u = dtype === float32 ? 2 ** -24 : 2 ** -53;
      const cases: [string, Tensor, Tensor][] = [];
      const a = rand([2, 37, 53], dtype);
      const b = rand([2, 53, 41], dtype);
      cases.push(["contiguous", a, b]);
      // b as the transpose of a [2, 41, 53] tensor (a linear layer's weight), a offset in its storage
      cases.push(["transposed b", a, rand([2, 41, 53], dtype).transpose(1, 2)]);
      cases.push(["transposed a", rand([2, 53, 37], dtype).transpose(1, 2), b]);
      // one b for every batch (stride 0), a a slice of a larger tensor
      cases.push(["broadcast b", rand([3, 40, 53], dtype).narrow(1, 2, 37), rand([1, 53, 41], dtype).expand(3, 53, 41)]);
      cases.push(["slab views", inSlab(a), inSlab(b)]);
      for (const [label, x, y] of cases) {
        const before = calls.get("gemmStrided") ?? 0;
        const got = nb.matmul(x, y);
        assert.equal(calls.get("gemmStrided"), before + 1, `${name} ${label}: ran in the addon`);
        const want = cpuBackend.matmul(x, y);
        assert.deepEqual(got.shape, want.shape);
        // |error| <= 2 K u sum_k |a_ik b_kj| covers both accumulation orders and roundings.
        const absProd = cpuBackend.matmul(x.abs(), y.abs()).values();
        const g = got.values();
        const w = want.values();
        const kk = x.shape[2];
        for (let i = 0; i < w.length; i++) {
          const bound = 2 * kk * u * absProd[i];
          if (!(Math.abs(g[i] - w[i]) <= bound)) assert.fail(`${name} ${label}: element ${i} is ${g[i]}, expected ${w[i]} within ${bound}`);
        }
      }
    }
  });
});

test("small float32 matmuls run in the addon's unpacked kernel with TypeScript's bits; smaller ones and float64 stay in TypeScript", (t) => {
  withNative(t, (addon) => {
    const { k, calls } = counting(addon);
    const nb = createNativeBackend(k, cpuBackend);
    // [batch, m, k, n]: the XOR model's products (forward, input and weight gradients), edge
    // tiles of every size, a chain longer than one block of K, and batches.
    const shapes: [number, number, number, number][] = [
      [1, 64, 2, 2], [1, 64, 1, 2], [1, 2, 64, 2], [1, 1, 64, 2], [1, 64, 2, 1], [1, 8, 8, 8],
      [1, 5, 7, 4], [1, 3, 9, 5], [1, 7, 2, 11], [1, 2, 400, 3], [1, 1, 800, 1], [3, 6, 5, 4], [2, 1, 130, 1],
    ];
    for (const [batch, m, kk, n] of shapes) {
      assert.ok(batch * m * kk * n >= nativeThresholds.matmulMacs);
      const x = rand([batch, m, kk], float32);
      // B both as stored and as a transposed view (a linear layer's weight).
      const y = rand([batch, kk, n], float32);
      const yt = rand([batch, n, kk], float32).transpose(1, 2);
      const before = calls.get("gemmStrided") ?? 0;
      assertBitsEqual(nb.matmul(x, y), cpuBackend.matmul(x, y), `${batch}x${m}x${kk}x${n}`);
      assertBitsEqual(nb.matmul(x, yt), cpuBackend.matmul(x, yt), `${batch}x${m}x${kk}x${n}, B transposed`);
      assert.equal(calls.get("gemmStrided"), before + 2, `${m}x${kk}x${n} ran in the addon`);
    }
    // Products under the threshold, and float64 ones (TypeScript rounds their multiply and add
    // apart), stay in TypeScript.
    calls.clear();
    nb.matmul(rand([4, 3], float32), rand([3, 1], float32));
    for (const [m, kk, n] of [[64, 2, 2], [8, 8, 8]]) nb.matmul(rand([m, kk], float64), rand([kk, n], float64));
    assert.equal(total(calls), 0);
  });
});

test("the addon writes small products into arrays outside V8's heap (an in-heap one would first be moved out)", (t) => {
  withNative(t, (addon) => {
    const nb = createNativeBackend(addon, cpuBackend);
    // The XOR model's weight gradients, [2, 2] and [1, 2]: 16 and 8 bytes, which V8 would keep in its heap.
    for (const [m, kk, n] of [[2, 64, 2], [1, 64, 2]]) {
      const a = rand([m, kk], float32);
      const b = rand([kk, n], float32);
      const out = nb.matmul(a, b);
      const d = out.storage.data;
      assert.equal(d.byteLength, m * n * 4);
      assert.ok(d.buffer.byteLength > d.byteLength, `${m}x${kk}x${n}: a view into a shared buffer`);
      assertBitsEqual(out, cpuBackend.matmul(a, b), `${m}x${kk}x${n}`);
    }
    const w = rand([2, 64], float32);
    const x = rand([64, 2], float32);
    const bias = rand([2], float32);
    const viaBias = nb.matmulBias(w, x, bias);
    assert.ok(viaBias !== null);
    assert.ok(viaBias.storage.data.buffer.byteLength > viaBias.storage.data.byteLength);
    assert.deepEqual(Array.from(viaBias.values()), Array.from(cpuBackend.matmul(w, x).values()).map((v, i) => Math.fround(v + bias.values()[i % 2])));
  });
});

test("float32 matmul: NaN and infinity times zero make NaN, and a sum of -0 products is +0, in both kernels as in PyTorch", (t) => {
  withNative(t, (addon) => {
    const nb = createNativeBackend(addon, cpuBackend);
    for (const m of [2, 64]) {
      const a = Tensor.make([m, 2], float32);
      for (let i = 0; i < m; i++) a.storage.data[2 * i + 1] = i % 2 === 0 ? 1 : -1;
      const b = Tensor.make([2, 2], float32, new Float32Array([Number.NaN, Number.POSITIVE_INFINITY, 0, 0]));
      for (const [name, backend] of [["TypeScript", cpuBackend], ["native", nb]] as const) {
        const v = backend.matmul(a, b).values();
        for (let i = 0; i < v.length; i++) assert.ok(Number.isNaN(v[i]), `${name} ${m}x2x2: element ${i} is ${v[i]}, expected NaN (0 * NaN, 0 * inf)`);
      }
      const neg = Tensor.make([m, 2], float32, new Float32Array(2 * m).fill(-1));
      const zero = Tensor.make([2, 2], float32);
      for (const [name, backend] of [["TypeScript", cpuBackend], ["native", nb]] as const) {
        const v = backend.matmul(neg, zero).values();
        for (let i = 0; i < v.length; i++) assert.ok(Object.is(v[i], 0), `${name} ${m}x2x2: element ${i} is ${Object.is(v[i], -0) ? "-0" : v[i]}, expected +0`);
      }
    }
  });
});

const BINARY = ["add", "sub", "mul", "div"] as const;
const binaryKernel = (name: string) => ({ name, fn: (p: number, q: number) => (name === "add" ? p + q : name === "sub" ? p - q : name === "mul" ? p * q : p / q) });

test("elementwise add/sub/mul/div: every broadcast form the addon has gives TypeScript's bits", (t) => {
  withNative(t, (addon) => {
    const { k, calls } = counting(addon);
    const nb = createNativeBackend(k, cpuBackend);
    for (const [name, dtype] of TYPES) {
      const shape = [67, 129];
      const a = rand(shape, dtype);
      const b = rand(shape, dtype, 0.5, 3);
      const row = rand([129], dtype, 0.5, 3);
      const row2 = rand([1, 129], dtype, 0.5, 3);
      const one = rand([], dtype, 0.5, 3);
      const scalar = dtype === float32 ? Math.fround(1.7) : 1.7;
      for (const op of BINARY) {
        const kern = binaryKernel(op);
        const forms: [string, Tensor, Tensor | number, string][] = [
          ["same shape", a, b, "binary"],
          ["slab views", inSlab(a), inSlab(b), "binary"],
          ["number", a, scalar, "binaryScalar"],
          ["0-d right", a, one, "binaryScalar"],
          ["0-d left", one, a, "binaryScalar"],
          ["row", a, row, "binaryRow"],
          ["[1, n] row", a, row2, "binaryRow"],
        ];
        for (const [label, x, y, fn] of forms) {
          const before = calls.get(fn) ?? 0;
          const got = nb.binary(x, y, kern, dtype, shape.slice());
          assert.equal(calls.get(fn), before + 1, `${name} ${op} ${label}: ran ${fn}`);
          assertBitsEqual(got, cpuBackend.binary(x, y, kern, dtype, shape.slice()), `${name} ${op} ${label}`);
        }
      }
    }
  });
});

test("elementwise: unary ops in the addon within 1-3 ulps of TypeScript's (neg, relu exact)", (t) => {
  withNative(t, (addon) => {
    const { k, calls } = counting(addon);
    const nb = createNativeBackend(k, cpuBackend);
    const f32 = Math.fround;
    const kernels = [
      { name: "neg", fn: (v: number) => -v, exact: true },
      { name: "relu", fn: (v: number) => (v > 0 || Number.isNaN(v) ? v : 0), exact: true },
      { name: "exp", fn: Math.exp, exact: false },
      { name: "log", fn: Math.log, exact: false },
      { name: "tanh", fn: Math.tanh, exact: false },
      { name: "sigmoid", fn: (v: number) => 1 / (1 + Math.exp(-v)), f32: (v: number) => f32(1 / f32(1 + f32(Math.exp(-v)))), exact: false },
    ];
    for (const [name, dtype] of TYPES) {
      const x = rand([50, 100], dtype, -12, 12);
      const pos = rand([50, 100], dtype, 1e-3, 50);
      for (const kern of kernels) {
        const input = kern.name === "log" ? pos : x;
        const before = calls.get("unary") ?? 0;
        const got = nb.unary(input, kern, dtype);
        assert.equal(calls.get("unary"), before + 1, `${name} ${kern.name}: ran in the addon`);
        const want = cpuBackend.unary(input, kern, dtype);
        if (kern.exact) assertBitsEqual(got, want, `${name} ${kern.name}`);
        else assertUlps(got, want, dtype === float32 ? 3 : 4, `${name} ${kern.name}`);
        assertUlps(nb.unary(inSlab(input), kern, dtype), got, 0, `${name} ${kern.name} from a slab view`);
      }
    }
  });
});

test("elementwise: the sigmoid and relu backward kernels give TypeScript's bits; tanh_backward stays in TypeScript", (t) => {
  withNative(t, (addon) => {
    const { k, calls } = counting(addon);
    const nb = createNativeBackend(k, cpuBackend);
    const fr = Math.fround;
    for (const [name, dtype] of TYPES) {
      const gy = rand([40, 100], dtype);
      const y = rand([40, 100], dtype, -0.5, 1);
      const sig = { name: "sigmoid_backward", fn: dtype === float32 ? (g: number, v: number) => fr(fr(g * fr(1 - v)) * v) : (g: number, v: number) => g * (1 - v) * v };
      const relu = { name: "relu_backward", fn: (g: number, r: number) => (r <= 0 ? 0 : g) };
      for (const kern of [sig, relu]) {
        const before = calls.get("backward") ?? 0;
        assertBitsEqual(nb.binary(gy, y, kern, dtype, [40, 100]), cpuBackend.binary(gy, y, kern, dtype, [40, 100]), `${name} ${kern.name}`);
        assert.equal(calls.get("backward"), before + 1);
      }
      const before = total(calls);
      const tanhB = { name: "tanh_backward", fn: (g: number, v: number) => g * (1 - v * v) };
      nb.binary(gy, y, tanhB, dtype, [40, 100]);
      assert.equal(total(calls), before, "tanh_backward is not sent to the addon");
    }
  });
});

test("elementwise: small, non-contiguous, mixed-dtype and unknown-kernel calls stay in TypeScript, same bits", (t) => {
  withNative(t, (addon) => {
    const { k, calls } = counting(addon);
    const nb = createNativeBackend(k, cpuBackend);
    const add = binaryKernel("add");
    const exp = { name: "exp", fn: Math.exp };
    const small = rand([64, 2], float32);
    assertBitsEqual(nb.binary(small, small, add, float32, [64, 2]), cpuBackend.binary(small, small, add, float32, [64, 2]), "small add");
    assertBitsEqual(nb.unary(small, exp, float32), cpuBackend.unary(small, exp, float32), "small exp");
    const big = rand([100, 90], float32);
    const bigT = big.t();
    assertBitsEqual(nb.unary(bigT, exp, float32), cpuBackend.unary(bigT, exp, float32), "transposed exp");
    const col = rand([100, 1], float32);
    assertBitsEqual(nb.binary(big, col, add, float32, [100, 90]), cpuBackend.binary(big, col, add, float32, [100, 90]), "column broadcast");
    const pow = { name: "pow", fn: (p: number, q: number) => p ** q };
    assertBitsEqual(nb.binary(big, 2, pow, float32, [100, 90]), cpuBackend.binary(big, 2, pow, float32, [100, 90]), "pow");
    const ints = Tensor.make([100, 90], torch.int64);
    assertBitsEqual(nb.binary(ints, ints, add, torch.int64, [100, 90]), cpuBackend.binary(ints, ints, add, torch.int64, [100, 90]), "int64 add");
    assertBitsEqual(nb.unary(ints, exp, float32), cpuBackend.unary(ints, exp, float32), "int64 exp to float32");
    assert.equal(total(calls), 0);
  });
});

test("sum over any dims of a large input runs in the addon with the TypeScript cascade sum's bits", (t) => {
  withNative(t, (addon) => {
    const { k, calls } = counting(addon);
    const nb = createNativeBackend(k, cpuBackend);
    for (const [name, dtype] of TYPES) {
      const x = rand([6, 70, 50], dtype);
      const cases: [string, Tensor, number[]][] = [
        ["full", x, [0, 1, 2]],
        ["trailing dims", x, [1, 2]],
        ["last dim", x, [2]],
        ["leading dims", x, [0, 1]],
        ["first dim", x, [0]],
        ["middle dim", x, [1]],
        ["slab view, full", inSlab(x), [0, 1, 2]],
        ["slab view, first dim", inSlab(x), [0]],
        ["first and last dims", x, [0, 2]],
        ["transposed, middle dim", x.transpose(0, 2), [1]],
      ];
      for (const [label, input, dims] of cases) {
        const before = total(calls);
        const got = nb.reduce(input, dims, "sum", false);
        assert.ok(total(calls) > before, `${name} ${label}: ran in the addon`);
        assert.equal(got.indices, null);
        // Both add in PyTorch's order (src/backend/cpu/sum.ts): the same bits.
        assertBitsEqual(got.values, cpuBackend.reduce(input, dims, "sum", false).values, `${name} ${label}`);
      }
      // prod, max and small sums: TypeScript
      const before = total(calls);
      const m1 = nb.reduce(x, [1], "max", true);
      const m2 = cpuBackend.reduce(x, [1], "max", true);
      assertBitsEqual(m1.values, m2.values, `${name} max`);
      assertBitsEqual(m1.indices as Tensor, m2.indices as Tensor, `${name} argmax`);
      const small = rand([10, 10], dtype);
      assertBitsEqual(nb.reduce(small, [0, 1], "sum", false).values, cpuBackend.reduce(small, [0, 1], "sum", false).values, `${name} small sum`);
      assert.equal(total(calls), before);
    }
  });
});

test("softmax and log_softmax over the last dim of a large input run in the addon, within a few ulps of the ops' composition", (t) => {
  withNative(t, (addon) => {
    const { k, calls } = counting(addon);
    const nb = createNativeBackend(k, cpuBackend);
    for (const [name, dtype] of TYPES) {
      const x = rand([40, 300], dtype, -20, 20);
      const composed = torch.noGrad(() => {
        const shifted = x.sub(x.amax(1, { keepdim: true }));
        const e = shifted.exp();
        return { soft: e.div(e.sum(1, { keepdim: true })), log: shifted.sub(e.sum(1, { keepdim: true }).log()) };
      });
      const soft = nb.softmax(x, 1, false);
      const log = nb.softmax(inSlab(x), 1, true);
      assert.ok(soft && log);
      assert.equal(calls.get("softmax"), 2);
      calls.clear();
      // exp(x - max) * (1 / sum) against exp / sum, the sum of 300 taken in another order: a
      // few ulps apart, up to 5 seen over random inputs in float32.
      assertUlps(soft, composed.soft, 8, `${name} softmax`);
      // log-softmax: near-zero outputs (the row's max) have large relative but tiny absolute error
      const g = log.values();
      const w = composed.log.values();
      for (let i = 0; i < w.length; i++) {
        if (!(Math.abs(g[i] - w[i]) <= (dtype === float32 ? 4e-6 : 1e-14) * Math.max(1, Math.abs(w[i])))) assert.fail(`${name} log_softmax: element ${i} is ${g[i]}, expected ${w[i]}`);
      }
      assert.equal(nb.softmax(x, 0, false), null, "not the last dim: the ops compose it");
      assert.equal(nb.softmax(rand([4, 8], dtype), 1, false), null, "small: the ops compose it");
      assert.equal(nb.softmax(x.t(), 1, false), null, "not contiguous: the ops compose it");
      assert.equal(total(calls), 0);
    }
  });
});

test("torch.softmax and crossEntropy (log-softmax) through the registered backend: values and gradients", () => {
  // Runs on both paths (KINDLING_NO_NATIVE=1 composes them in the ops): the results agree with a
  // float64 computation of the same softmax to float32 precision.
  torch.manualSeed(0);
  const x = torch.randn(32, 200).requiresGrad_();
  const y = torch.softmax(x, 1);
  const ref = torch.noGrad(() => {
    const d = x.double();
    const e = d.sub(d.amax(1, { keepdim: true })).exp();
    return e.div(e.sum(1, { keepdim: true }));
  });
  const yv = y.values();
  const rv = ref.values();
  for (let i = 0; i < rv.length; i++) assert.ok(Math.abs(yv[i] - rv[i]) <= 1e-6 * rv[i] + 1e-12, `softmax element ${i}`);
  const w = torch.randn(32, 200);
  y.mul(w).sum().backward();
  // d/dx of sum(w * softmax(x)) = y * (w - sum(w * y))
  const gref = torch.noGrad(() => ref.mul(w.double().sub(w.double().mul(ref).sum(1, { keepdim: true }))));
  const gx = (x.grad as Tensor).values();
  const gv = gref.values();
  for (let i = 0; i < gv.length; i++) assert.ok(Math.abs(gx[i] - gv[i]) <= 1e-5 * Math.abs(gv[i]) + 1e-7, `softmax grad element ${i}`);
  const target = torch.randint(0, 200, [32]);
  const loss = torch.nn.functional.crossEntropy(x.detach(), target);
  const lref = torch.noGrad(() => {
    const ls = ref.log();
    let s = 0;
    const t = target.values();
    for (let i = 0; i < 32; i++) s -= ls.values()[i * 200 + t[i]];
    return s / 32;
  });
  assert.ok(Math.abs(loss.item() - lref) <= 1e-5 * Math.abs(lref));
});
