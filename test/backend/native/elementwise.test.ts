// The native elementwise kernels, reductions and softmax against references computed here in
// float64, on every instruction set the CPU has, over lengths around the vector widths and past
// the size at which the work is split across threads.
import assert from "node:assert/strict";
import { test } from "node:test";
import { BackwardOp, BinaryOp, type FloatArray, UnaryOp } from "../../../src/backend/native/addon.js";
import { assertSameOnOneThread, type Ctor, eachIsa, random, rng, ulps, withNative } from "./helpers.js";

const TYPES: [string, Ctor][] = [
  ["float32", Float32Array],
  ["float64", Float64Array],
];
const SIZES = [0, 1, 7, 17, 63, 65, 127, 129, 1000, 100_003];
const SPECIAL = [0, -0, 1, -1, Infinity, -Infinity, Number.NaN, 1e-40, -1e-40, 1e-45, 88.7, -88.7, 89, -104, 20, -20, 1e30, -1e30];

/** Random values in [-scale, scale) with the special values mixed in. */
function data(Type: Ctor, n: number, seed: number, scale: number): FloatArray {
  const a = random(Type, n, seed, -scale, scale);
  for (let i = 0; i < n && i < SPECIAL.length; i++) a[(i * 7919) % n] = SPECIAL[i];
  return a;
}

/** Rounds a float64 result to the array's type. */
function rounder(a: FloatArray): (x: number) => number {
  return a instanceof Float32Array ? Math.fround : (x) => x;
}

const UNARY: [keyof typeof UnaryOp, (x: number) => number, number][] = [
  // name, float64 reference, largest error in float32 ulps (float64 uses the C library: 1 ulp)
  ["neg", (x) => -x, 0],
  ["relu", (x) => (x < 0 ? 0 : x), 0],
  ["exp", Math.exp, 1],
  ["log", Math.log, 1],
  ["tanh", Math.tanh, 1],
  // 1 / (1 + exp(-x)) as PyTorch computes it in the element type: 2 ulps, and 0 once exp(-x)
  // overflows the type (x < -88.72 in float32).
  ["sigmoid", (x) => 1 / (1 + Math.exp(-x)), 2],
];

test("unary: neg, relu, exp, log, tanh, sigmoid within their ulp bounds, special values included", (t) => {
  eachIsa(t, (k, isa) => {
    for (const [name, Type] of TYPES) {
      const single = Type === Float32Array;
      for (const [op, f, maxUlps] of UNARY)
        for (const n of SIZES) {
          const scale = op === "log" ? 1e3 : op === "exp" || op === "sigmoid" ? 100 : 10;
          const x = data(Type, n + 3, n + 1, scale);
          const y = new Type(n + 5).fill(42);
          k.unary(UnaryOp[op], x, 3, y, 1, n);
          assert.equal(y[0], 42);
          assert.equal(y[n + 1], 42);
          const round = rounder(x);
          for (let i = 0; i < n; i++) {
            const xi = x[3 + i];
            let expected = round(f(xi));
            if (op === "sigmoid" && !Number.isFinite(round(Math.exp(-xi))) && !Number.isNaN(xi)) expected = 0;
            // float64: V8's Math functions are only within an ulp or two of the true value.
            const bound = single || maxUlps === 0 ? maxUlps : 3;
            const d = ulps(y[1 + i], expected, single);
            if (d > bound) assert.fail(`${isa} ${name} ${op}(${xi}) = ${y[1 + i]}, expected ${expected} (${d} ulps)`);
            if (op === "neg" || op === "relu") assert.ok(Object.is(y[1 + i], expected), `${op}(${xi}) keeps the sign of zero`);
          }
        }
    }
  });
});

test("unary: in place, and float32 results are identical on every ISA with FMA", (t) => {
  withNative(t, (native) => {
    const x = data(Float32Array, 4099, 5, 30);
    const results: Record<string, Float32Array> = {};
    eachIsa(t, (k, isa) => {
      for (const op of Object.values(UnaryOp)) {
        const y = new Float32Array(x.length);
        k.unary(op, x, 0, y, 0, x.length);
        const z = x.slice() as Float32Array;
        k.unary(op, z, 0, z, 0, z.length);
        assert.deepEqual(z, y, `${isa} op ${op} in place`);
        if (isa !== "generic") {
          const prev = results[op];
          if (prev) assert.deepEqual(y, prev, `op ${op}: ${isa} vs the other FMA ISA`);
          results[op] = y;
        }
      }
    });
    assert.ok(native.isas().length >= 1);
  });
});

test("binary: add, sub, mul, div and the swapped forms, exact in the element type", (t) => {
  eachIsa(t, (k, isa) => {
    for (const [name, Type] of TYPES) {
      const round = Type === Float32Array ? Math.fround : (v: number) => v;
      for (const n of SIZES) {
        const a = data(Type, n + 2, 2 * n + 1, 10);
        const b = data(Type, n + 1, 2 * n + 2, 10);
        for (const [op, code] of Object.entries(BinaryOp)) {
          const f = {
            add: (x: number, y: number) => x + y,
            sub: (x: number, y: number) => x - y,
            mul: (x: number, y: number) => x * y,
            div: (x: number, y: number) => x / y,
            rsub: (x: number, y: number) => y - x,
            rdiv: (x: number, y: number) => y / x,
          }[op]!;
          const y = new Type(n);
          k.binary(code, a, 2, b, 1, y, 0, n);
          for (let i = 0; i < n; i++) {
            const expected = round(f(a[2 + i], b[1 + i]));
            if (!Object.is(y[i], expected) && !(Number.isNaN(y[i]) && Number.isNaN(expected)))
              assert.fail(`${isa} ${name} ${op}(${a[2 + i]}, ${b[1 + i]}) = ${y[i]}, expected ${expected}`);
          }
          // Scalar form: the scalar is rounded to the element type first, as PyTorch does.
          const s = 0.1;
          const ys = new Type(n);
          k.binaryScalar(code, a, 2, s, ys, 0, n);
          for (let i = 0; i < n; i++) {
            const expected = round(f(a[2 + i], round(s)));
            if (!Object.is(ys[i], expected) && !(Number.isNaN(ys[i]) && Number.isNaN(expected)))
              assert.fail(`${isa} ${name} ${op}(${a[2 + i]}, scalar ${s}) = ${ys[i]}, expected ${expected}`);
          }
        }
      }
    }
  });
});

test("binaryRow: [rows, cols] op [cols] for odd shapes", (t) => {
  eachIsa(t, (k, isa) => {
    for (const [name, Type] of TYPES) {
      const round = Type === Float32Array ? Math.fround : (v: number) => v;
      for (const [rows, cols] of [
        [1, 1],
        [7, 17],
        [129, 63],
        [65, 1000],
        [3000, 5],
        [1, 65],
        [0, 9],
      ]) {
        const a = data(Type, rows * cols, rows + cols, 5);
        const b = random(Type, cols + 1, 3 * cols, 0.5, 2);
        for (const [op, code] of Object.entries(BinaryOp)) {
          const f = {
            add: (x: number, y: number) => x + y,
            sub: (x: number, y: number) => x - y,
            mul: (x: number, y: number) => x * y,
            div: (x: number, y: number) => x / y,
            rsub: (x: number, y: number) => y - x,
            rdiv: (x: number, y: number) => y / x,
          }[op]!;
          const y = new Type(rows * cols);
          k.binaryRow(code, a, 0, b, 1, y, 0, rows, cols);
          for (let i = 0; i < rows; i++)
            for (let j = 0; j < cols; j++) {
              const expected = round(f(a[i * cols + j], b[1 + j]));
              const got = y[i * cols + j];
              if (!Object.is(got, expected) && !(Number.isNaN(got) && Number.isNaN(expected)))
                assert.fail(`${isa} ${name} ${op} row ${i} col ${j}: ${got}, expected ${expected}`);
            }
        }
      }
    }
  });
});

test("backward: sigmoid, tanh and relu gradients with PyTorch's formulas, exact", (t) => {
  eachIsa(t, (k, isa) => {
    for (const [name, Type] of TYPES) {
      const r = Type === Float32Array ? Math.fround : (v: number) => v;
      const formulas: [keyof typeof BackwardOp, (g: number, y: number) => number][] = [
        ["sigmoid", (g, y) => r(r(g * r(1 - y)) * y)],
        ["tanh", (g, y) => r(g * r(1 - r(y * y)))],
        ["relu", (g, y) => (y <= 0 ? 0 : g)],
      ];
      for (const n of SIZES) {
        const gy = data(Type, n, n + 11, 3);
        const y = random(Type, n + 1, n + 12, -1, 1);
        if (n > 3) y[3] = 0;
        for (const [op, f] of formulas) {
          const gx = new Type(n + 2);
          k.backward(BackwardOp[op], gy, 0, y, 1, gx, 2, n);
          for (let i = 0; i < n; i++) {
            const expected = f(gy[i], y[1 + i]);
            if (!Object.is(gx[2 + i], expected) && !(Number.isNaN(gx[2 + i]) && Number.isNaN(expected)))
              assert.fail(`${isa} ${name} ${op} backward(${gy[i]}, ${y[1 + i]}) = ${gx[2 + i]}, expected ${expected}`);
          }
        }
      }
    }
  });
});

test("softmax and log-softmax over the last dimension", (t) => {
  eachIsa(t, (k, isa) => {
    for (const [name, Type] of TYPES) {
      const single = Type === Float32Array;
      for (const [rows, cols] of [
        [1, 1],
        [3, 7],
        [17, 63],
        [5, 65],
        [2, 1000],
        [1000, 10],
        [4, 129],
      ]) {
        const x = random(Type, rows * cols, rows * 7 + cols, -20, 20);
        if (rows > 2) x[cols] = -Infinity; // row 1 holds a -inf: its softmax is exactly 0
        for (const log of [false, true]) {
          const y = new Type(rows * cols);
          k.softmax(x, 0, y, 0, rows, cols, log);
          for (let i = 0; i < rows; i++) {
            let max = -Infinity;
            for (let j = 0; j < cols; j++) max = Math.max(max, x[i * cols + j]);
            // x - max is rounded to the element type, as the kernel (and PyTorch) compute it.
            const round = rounder(x);
            let s = 0;
            for (let j = 0; j < cols; j++) s += Math.exp(round(x[i * cols + j] - max));
            for (let j = 0; j < cols; j++) {
              const v = round(x[i * cols + j] - max);
              const expected = log ? v - Math.log(s) : Math.exp(v) / s;
              const got = y[i * cols + j];
              // float32: the exp is within an ulp and the sum within cols ulps of its value.
              const tol = single ? (log ? 4e-7 * (Math.abs(v) + 1) + 1e-7 * cols : 1e-6 * expected + 1e-7 * cols * expected) : 1e-13 * (Math.abs(expected) + 1);
              if (!(Math.abs(got - expected) <= tol || got === expected))
                assert.fail(`${isa} ${name} ${log ? "log-" : ""}softmax [${rows}, ${cols}] (${i}, ${j}): ${got} vs ${expected}`);
            }
          }
        }
      }
      // A row holding NaN is NaN throughout (as in PyTorch).
      const z = new Type([1, Number.NaN, 2, 3]);
      const out = new Type(4);
      k.softmax(z, 0, out, 0, 1, 4, false);
      assert.ok(Array.from(out).every(Number.isNaN), `${isa} ${name} NaN row`);
    }
  });
});

test("elementwise: threads do not change results; bad arguments throw", (t) => {
  withNative(t, (k) => {
    const x = random(Float32Array, 300_001, 9, -5, 5);
    const run = () => {
      const y = new Float32Array(x.length);
      k.unary(UnaryOp.tanh, x, 0, y, 0, x.length);
      const z = new Float32Array(x.length);
      k.binary(BinaryOp.mul, x, 0, y, 0, z, 0, x.length);
      return { y, z };
    };
    assertSameOnOneThread(k, run);
    const a = new Float32Array(10);
    assert.throws(() => k.unary(UnaryOp.exp, a, 5, a, 5, 6), /x is too short/);
    assert.throws(() => k.unary(99 as UnaryOp, a, 0, a, 0, 1), /operation code/);
    assert.throws(() => k.unary(UnaryOp.exp, a, 0, a, 1, 5), /partly overlaps/);
    assert.throws(() => k.binary(BinaryOp.add, a, 0, new Float64Array(10) as unknown as Float32Array, 0, a, 0, 10), TypeError);
    assert.throws(() => k.softmax(a, 0, a, 0, 3, 4, false), RangeError);
    assert.throws(() => k.softmax(a, 0, a, 0, 2 ** 40, 2 ** 40, false), /too large/);
    // Exact in-place use is allowed.
    const b = new Float32Array([1, 2, 3]);
    k.binaryScalar(BinaryOp.mul, b, 0, 2, b, 0, 3);
    assert.deepEqual(Array.from(b), [2, 4, 6]);
    const next = rng(1);
    assert.ok(next() >= 0);
  });
});

// Outputs of 1 MiB or more that overlap no input are written with non-temporal stores (ops.cc,
// kStreamBytes), after a head that brings the output to the vector width's alignment; in-place
// outputs are stored through the cache. Both must give the same bits, at every alignment, and
// write nothing outside the output.
test("streamed outputs: the same bits as stores through the cache, at every alignment, nothing written outside", (t) => {
  eachIsa(t, (k, isa) => {
    for (const [name, Type] of TYPES) {
      const n = k.streamMinBytes() / Type.BYTES_PER_ELEMENT + 37; // past the streaming size, odd tail
      const a = data(Type, n, 11, 10);
      const b = data(Type, n, 12, 10);
      const cols = 1031;
      const rows = Math.floor(n / cols);
      for (const offset of [0, 1, 3, 5, 15]) {
        const check = (what: string, fresh: (y: FloatArray) => void, inPlace: (z: FloatArray) => void, len = n) => {
          const y = new Type(len + offset + 2).fill(42);
          fresh(y);
          const z = a.slice(0, len) as FloatArray;
          inPlace(z);
          assert.equal(y[offset - 1], offset > 0 ? 42 : undefined, `${isa} ${name} ${what}: wrote before the output`);
          assert.equal(y[offset + len], 42, `${isa} ${name} ${what}: wrote past the output`);
          for (let i = 0; i < len; i++)
            if (!Object.is(y[offset + i], z[i])) assert.fail(`${isa} ${name} ${what} at offset ${offset}, element ${i}: ${y[offset + i]} streamed, ${z[i]} in place`);
        };
        check("exp", (y) => k.unary(UnaryOp.exp, a, 0, y, offset, n), (z) => k.unary(UnaryOp.exp, z, 0, z, 0, n));
        check("add", (y) => k.binary(BinaryOp.add, a, 0, b, 0, y, offset, n), (z) => k.binary(BinaryOp.add, z, 0, b, 0, z, 0, n));
        check("mul by a scalar", (y) => k.binaryScalar(BinaryOp.mul, a, 0, 0.3, y, offset, n), (z) => k.binaryScalar(BinaryOp.mul, z, 0, 0.3, z, 0, n));
        check("sigmoid backward", (y) => k.backward(BackwardOp.sigmoid, a, 0, b, 0, y, offset, n), (z) => k.backward(BackwardOp.sigmoid, z, 0, b, 0, z, 0, n));
        check(
          "row op",
          (y) => k.binaryRow(BinaryOp.sub, a, 0, b, 0, y, offset, rows, cols),
          (z) => k.binaryRow(BinaryOp.sub, z, 0, b, 0, z, 0, rows, cols),
          rows * cols,
        );
      }
    }
  });
});

test("streamed outputs: short outputs streamed at every alignment (threshold lowered) match too", (t) => {
  eachIsa(t, (k, isa) => {
    const initial = k.streamMinBytes();
    try {
      k.streamMinBytes(0);
      for (const [name, Type] of TYPES)
        for (const n of [1, 3, 7, 16, 17, 33, 100])
          for (const offset of [0, 1, 2, 5]) {
            const a = data(Type, n, n + 5, 10);
            const y = new Type(n + offset + 1).fill(42);
            k.unary(UnaryOp.tanh, a, 0, y, offset, n);
            const z = a.slice() as FloatArray;
            k.unary(UnaryOp.tanh, z, 0, z, 0, n);
            assert.deepEqual(Array.from(y.subarray(offset, offset + n)), Array.from(z), `${isa} ${name} n ${n} offset ${offset}`);
            assert.ok(y[n + offset] === 42 && (offset === 0 || y[offset - 1] === 42), `${isa} ${name} n ${n}: wrote outside`);
          }
    } finally {
      k.streamMinBytes(initial);
    }
    assert.equal(k.streamMinBytes(), initial);
  });
});
