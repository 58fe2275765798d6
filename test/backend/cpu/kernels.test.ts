// The TypeScript CPU kernels against plain reference loops, over layouts the op-level fixtures do
// not reach: many dims, negative strides (flip), zero strides (expand), offsets, empty tensors,
// every reduction dim set, overlapping copies.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../../src/index.js";
import type { Tensor } from "../../../src/index.js";
import { cpuBackend } from "../../../src/backend/cpu/index.js";
import { float64, int64 } from "../../../src/tensor/dtype.js";

/** Deterministic values, small integers and halves so every sum is exact in float64. */
function values(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return ((s >> 8) % 17) / 2 - 4;
  });
}

/** Element at a multi-index, read through shape/strides/offset: the definition every kernel must agree with. */
function at(t: Tensor, idx: number[]): number {
  let p = t.offset;
  idx.forEach((i, d) => {
    p += i * t.strides[d];
  });
  return t.storage.data[p];
}

function* indices(shape: readonly number[]): Generator<number[]> {
  const n = shape.reduce((a, b) => a * b, 1);
  for (let k = 0; k < n; k++) {
    const idx = new Array<number>(shape.length);
    let r = k;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = r % shape[d];
      r = Math.floor(r / shape[d]);
    }
    yield idx;
  }
}

/** A few layouts of the same logical 3-D tensor: contiguous, permuted, flipped, sliced, expanded. */
function layouts(seed: number): Array<[string, Tensor]> {
  const base = torch.tensor(values(2 * 3 * 4, seed), { dtype: float64 }).reshape(2, 3, 4);
  const wide = torch.tensor(values(4 * 3 * 8, seed + 1), { dtype: float64 }).reshape(4, 3, 8);
  return [
    ["contiguous", base],
    ["permuted", base.permute(2, 0, 1).contiguous().permute(1, 2, 0)],
    ["flipped", base.flip([1, 2]).flip([1, 2]).flip([0]).contiguous().flip([0])],
    ["negative strides", base.flip([2])],
    ["sliced", wide.slice(0, 1, 3).slice(2, 0, 8, 2)],
    ["contiguous at an offset", wide.slice(2, 0, 4).contiguous().slice(0, 1, 3)],
    ["expanded", torch.tensor(values(4, seed), { dtype: float64 }).reshape(1, 1, 4).expand(2, 3, 4)],
  ];
}

test("binary kernels read any strides and broadcast", () => {
  const add = { name: "add", fn: (a: number, b: number) => a + b };
  const atan2 = { name: "atan2", fn: Math.atan2 };
  for (const [na, a] of layouts(1)) {
    for (const [nb, b] of layouts(2)) {
      for (const k of [add, atan2]) {
        const out = cpuBackend.binary(a, b, k, float64, [2, 3, 4]);
        for (const idx of indices([2, 3, 4])) {
          assert.equal(at(out, idx), k.fn(at(a, idx), at(b, idx)), `${k.name} ${na} ${nb} at ${idx}`);
        }
      }
    }
    const row = torch.tensor([1, 2, 3, 4], { dtype: float64 }).flip([0]);
    const out = cpuBackend.binary(a, row, add, float64, [2, 3, 4]);
    for (const idx of indices([2, 3, 4])) assert.equal(at(out, idx), at(a, idx) + at(row, [idx[2]]), `broadcast row ${na}`);
  }
});

test("unary kernels and copies read any strides", () => {
  const neg = { name: "neg", fn: (v: number) => -v };
  const sq = { name: "square", fn: (v: number) => v * v };
  for (const [name, x] of layouts(3)) {
    for (const k of [neg, sq]) {
      const out = cpuBackend.unary(x, k, float64);
      for (const idx of indices(x.shape)) assert.equal(at(out, idx), k.fn(at(x, idx)), `${k.name} ${name}`);
    }
    const c = cpuBackend.copy(x, int64);
    assert.ok(c.isContiguous());
    for (const idx of indices(x.shape)) assert.equal(at(c, idx), Math.trunc(at(x, idx)), `copy ${name}`);
  }
});

test("reductions over every set of dims, with first-index argmax/argmin", () => {
  const dimSets = [[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]];
  for (const [name, x] of layouts(4)) {
    for (const dims of dimSets) {
      for (const kind of ["sum", "prod", "max", "min"] as const) {
        const single = dims.length === 1;
        const { values: v, indices: ix } = cpuBackend.reduce(x, dims, kind, single && (kind === "max" || kind === "min"));
        const outShape = x.shape.map((s, d) => (dims.includes(d) ? 1 : s));
        assert.deepEqual(v.shape, outShape);
        for (const o of indices(outShape)) {
          let acc = kind === "sum" ? 0 : kind === "prod" ? 1 : Number.NaN;
          let best = -1;
          let pos = 0;
          const sub = dims.map((d) => x.shape[d]);
          for (const r of indices(sub)) {
            const idx = o.slice();
            dims.forEach((d, j) => {
              idx[d] = r[j];
            });
            const e = at(x, idx);
            if (kind === "sum") acc += e;
            else if (kind === "prod") acc *= e;
            else if (Number.isNaN(acc) || (kind === "max" ? e > acc : e < acc)) {
              acc = e;
              best = pos;
            }
            pos++;
          }
          assert.equal(at(v, o), acc, `${kind} over [${dims}] of ${name} at ${o}`);
          if (ix) assert.equal(at(ix, o), best, `arg${kind} over [${dims}] of ${name} at ${o}`);
        }
      }
    }
  }
});

test("batched matmul reads any strides (including stride-0 batches)", () => {
  const a = torch.tensor(values(2 * 3 * 5, 5), { dtype: float64 }).reshape(2, 3, 5);
  const b = torch.tensor(values(2 * 5 * 4, 6), { dtype: float64 }).reshape(2, 5, 4);
  const as: Array<[string, Tensor]> = [["a", a], ["a flipped", a.flip([1])], ["a from transpose", a.transpose(1, 2).contiguous().transpose(1, 2)]];
  const bs: Array<[string, Tensor]> = [
    ["b", b],
    ["b transposed memory", b.transpose(1, 2).contiguous().transpose(1, 2)],
    ["b expanded batch", b.narrow(0, 0, 1).expand(2, 5, 4)],
  ];
  for (const [na, x] of as) {
    for (const [nb, y] of bs) {
      const out = cpuBackend.matmul(x, y);
      for (const [t, i, j] of indices([2, 3, 4])) {
        let s = 0;
        for (let k = 0; k < 5; k++) s += at(x, [t, i, k]) * at(y, [t, k, j]);
        assert.equal(at(out, [t, i, j]), s, `${na} @ ${nb} at ${[t, i, j]}`);
      }
    }
  }
});

test("assign broadcasts into strided views and copies overlapping memory as if through a buffer", () => {
  const x = torch.arange(10, { dtype: float64 });
  // Shift right by one within the same memory: x[1:] = x[:-1]
  cpuBackend.assign(x.narrow(0, 1, 9), x.narrow(0, 0, 9));
  assert.deepEqual(x.tolist(), [0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
  const y = torch.arange(6, { dtype: float64 });
  cpuBackend.assign(y, y.flip([0]));
  assert.deepEqual(y.tolist(), [5, 4, 3, 2, 1, 0]);
  const m = torch.zeros(3, 4, { dtype: float64 });
  cpuBackend.assign(m.t(), torch.tensor([1, 2, 3], { dtype: float64 }));
  assert.deepEqual(m.tolist(), [[1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3]]);
  cpuBackend.assign(m.slice(1, 0, 4, 2), 9);
  assert.deepEqual(m.tolist(), [[9, 1, 9, 1], [9, 2, 9, 2], [9, 3, 9, 3]]);
  assert.throws(() => cpuBackend.assign(m, torch.zeros(2, { dtype: float64 })), /cannot be broadcast/);
  // Float to int truncates toward zero; anything non-zero is true.
  const i = torch.zeros(3, { dtype: int64 });
  cpuBackend.assign(i, torch.tensor([1.9, -1.9, Number.NaN], { dtype: float64 }));
  assert.deepEqual(i.tolist(), [1, -1, 0]);
});

test("kernels handle empty tensors", () => {
  const e = torch.zeros(0, 3, { dtype: float64 });
  assert.deepEqual(cpuBackend.unary(e, { name: "neg", fn: (v) => -v }, float64).shape, [0, 3]);
  assert.deepEqual(cpuBackend.reduce(e, [0], "sum", false).values.tolist(), [[0, 0, 0]]);
  assert.deepEqual(cpuBackend.reduce(e, [0], "prod", false).values.tolist(), [[1, 1, 1]]);
  assert.deepEqual(cpuBackend.matmul(torch.zeros(1, 2, 0, { dtype: float64 }), torch.zeros(1, 0, 3, { dtype: float64 })).tolist(), [[[0, 0, 0], [0, 0, 0]]]);
});

test("gather, scatter and index_select agree with their definitions on strided inputs", () => {
  const x = torch.tensor(values(12, 9), { dtype: float64 }).reshape(4, 3).t(); // [3, 4], strided
  const index = torch.tensor([[3n, 0n], [1n, 1n], [2n, 3n]]);
  const g = cpuBackend.gather(x, 1, index);
  for (const [i, j] of indices([3, 2])) assert.equal(at(g, [i, j]), at(x, [i, at(index, [i, j])]));
  const s = cpuBackend.scatter(x, 1, index, g.neg(), true);
  const expect = x.contiguous().tolist() as number[][];
  for (const [i, j] of indices([3, 2])) expect[i][at(index, [i, j])] -= at(g, [i, j]);
  assert.deepEqual(s.tolist(), expect);
  const sel = cpuBackend.indexSelect(x, 1, torch.tensor([2n, 2n, 0n]));
  for (const [i, j] of indices([3, 3])) assert.equal(at(sel, [i, j]), at(x, [i, [2, 2, 0][j]]));
  assert.throws(() => cpuBackend.indexSelect(x, 1, torch.tensor([4n])), /index out of range in self/);
});

test("matmul with an inner dimension of 1 or 2 (the unrolled loop) agrees with the definition, zeros, NaN and infinity included", () => {
  for (const k of [1, 2]) {
    const av = values(2 * 3 * k, 11 + k);
    av[0] = 0;
    av[1] = Number.NaN;
    av[2] = 0;
    const bv = values(2 * k * 4, 13 + k);
    bv[0] = Number.POSITIVE_INFINITY;
    const a = torch.tensor(av, { dtype: float64 }).reshape(2, 3, k);
    const b = torch.tensor(bv, { dtype: float64 }).reshape(2, k, 4);
    for (const [na, x] of [["a", a], ["a flipped", a.flip([1])]] as Array<[string, Tensor]>) {
      for (const [nb, y] of [["b", b], ["b transposed memory", b.transpose(1, 2).contiguous().transpose(1, 2)]] as Array<[string, Tensor]>) {
        const out = cpuBackend.matmul(x, y);
        for (const [t, i, j] of indices([2, 3, 4])) {
          // Every product is added, a zero factor's too, as BLAS does: 0 * NaN and 0 * inf make
          // NaN (PyTorch: torch.mm([[0., 1.]], [[inf, 1.], [1., 1.]]) is [[nan, 1.]]).
          let s = 0;
          for (let p = 0; p < k; p++) s += at(x, [t, i, p]) * at(y, [t, p, j]);
          assert.ok(Object.is(at(out, [t, i, j]), s), `k=${k} ${na} @ ${nb} at ${[t, i, j]}: ${at(out, [t, i, j])} vs ${s}`);
        }
      }
    }
  }
});

test("float32 matmul adds a zero factor's product as PyTorch's sgemm does (NaN through 0 * inf), and sums -0 products to +0", () => {
  // Shapes for each TypeScript loop: k of 1 and 2 (unrolled), k of 5 (few columns, two at once
  // and an odd one), and 12 columns (the row loop).
  for (const [m, k, n] of [[3, 1, 2], [3, 2, 2], [3, 5, 3], [2, 3, 12]]) {
    const a = torch.zeros([m, k]);
    const b = torch.ones([k, n]);
    b.storage.data[0] = Number.POSITIVE_INFINITY;
    b.storage.data[n * k - 1] = Number.NaN;
    const out = cpuBackend.matmul(a, b).values();
    for (let j = 0; j < n; j++) {
      const poisoned = j === 0 || j === n - 1; // PyTorch 1.13: NaN in exactly these columns
      for (let i = 0; i < m; i++) {
        const v = out[i * n + j];
        if (poisoned) assert.ok(Number.isNaN(v), `${m}x${k}x${n} [${i}, ${j}] is ${v}, expected NaN`);
        else assert.ok(Object.is(v, 0), `${m}x${k}x${n} [${i}, ${j}] is ${Object.is(v, -0) ? "-0" : v}, expected +0`);
      }
    }
    const neg = cpuBackend.matmul(torch.full([m, k], -1), torch.zeros([k, n])).values();
    for (let i = 0; i < neg.length; i++) assert.ok(Object.is(neg[i], 0), `${m}x${k}x${n}: -1 * 0 summed to ${Object.is(neg[i], -0) ? "-0" : neg[i]}, expected +0`);
  }
});

test("addMulInPlace: c += a * b in place, exact aliasing allowed; shifted overlap, strides and mixed dtypes refused untouched", () => {
  const c = torch.tensor([1, 2, 3, 4], { dtype: float64 });
  assert.equal(cpuBackend.addMulInPlace!(c, torch.tensor([1, 1, 1, 1], { dtype: float64 }), 0.5), true);
  assert.deepEqual(c.tolist(), [1.5, 2.5, 3.5, 4.5]);
  assert.equal(cpuBackend.addMulInPlace!(c, c, c), true); // c += c * c, elementwise
  assert.deepEqual(c.tolist(), [3.75, 8.75, 15.75, 24.75]);
  const z = torch.tensor([1, 2, 3, 4], { dtype: float64 });
  assert.equal(cpuBackend.addMulInPlace!(z.narrow(0, 1, 3), z.narrow(0, 0, 3), 1), false);
  assert.equal(cpuBackend.addMulInPlace!(z.narrow(0, 0, 2), z.narrow(0, 0, 2), z.narrow(0, 1, 2)), false);
  const m = torch.tensor([1, 2, 3, 4], { dtype: float64 }).reshape(2, 2);
  assert.equal(cpuBackend.addMulInPlace!(z.reshape(2, 2), m.t(), 1), false);
  assert.equal(cpuBackend.addMulInPlace!(z, torch.tensor([1, 1, 1, 1]), 1), false);
  assert.deepEqual(z.tolist(), [1, 2, 3, 4]);
});
