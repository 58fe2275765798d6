// The native GEMM against a float64 reference computed here, on every instruction set the CPU has:
// odd sizes around the register tiles and cache blocks, transposes, leading dimensions, offsets,
// arbitrary strides, batches, alpha and beta. The error bound is the classical one for a dot
// product accumulated in the element type: (K + 3) * u * (|alpha| * sum |a||b| + |beta * c|).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { FloatArray, NativeKernels } from "../../../src/backend/native/addon.js";
import { assertSameOnOneThread, type Ctor, eachIsa, random, unitRoundoff, withNative } from "./helpers.js";

interface Layout {
  offset: number;
  rs: number; // row stride
  cs: number; // column stride
  bs: number; // batch stride
}

interface Problem {
  M: number;
  N: number;
  K: number;
  batch: number;
  alpha: number;
  beta: number;
  A: FloatArray;
  a: Layout;
  B: FloatArray;
  b: Layout;
  C0: FloatArray; // C before the call
  c: Layout;
}

function extent(rows: number, cols: number, batch: number, l: Layout): number {
  if (rows === 0 || cols === 0 || batch === 0) return l.offset;
  return l.offset + (rows - 1) * l.rs + (cols - 1) * l.cs + (batch - 1) * l.bs + 1;
}

/** Expected C and the error bound of each of its elements (batch-major, row-major). */
function reference(p: Problem): { expected: Float64Array; bound: Float64Array } {
  const { M, N, K, batch, alpha, beta, A, a, B, b, C0, c } = p;
  const expected = new Float64Array(batch * M * N);
  const bound = new Float64Array(batch * M * N);
  const row = new Float64Array(N);
  const absRow = new Float64Array(N);
  for (let t = 0; t < batch; t++)
    for (let i = 0; i < M; i++) {
      row.fill(0);
      absRow.fill(0);
      for (let k = 0; k < K; k++) {
        const av = A[a.offset + t * a.bs + i * a.rs + k * a.cs];
        const bBase = b.offset + t * b.bs + k * b.rs;
        for (let j = 0; j < N; j++) {
          const bv = B[bBase + j * b.cs];
          row[j] += av * bv;
          absRow[j] += Math.abs(av * bv);
        }
      }
      for (let j = 0; j < N; j++) {
        const old = beta === 0 ? 0 : C0[c.offset + t * c.bs + i * c.rs + j * c.cs];
        const at = (t * M + i) * N + j;
        expected[at] = alpha * row[j] + beta * old;
        bound[at] = Math.abs(alpha) * absRow[j] + Math.abs(beta * old);
      }
    }
  return { expected, bound };
}

function check(p: Problem, C: FloatArray, ref: ReturnType<typeof reference>, what: string): void {
  const u = unitRoundoff(C);
  const { M, N, K, batch, c } = p;
  for (let t = 0; t < batch; t++)
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        const at = (t * M + i) * N + j;
        const got = C[c.offset + t * c.bs + i * c.rs + j * c.cs];
        const tol = (K + 3) * u * ref.bound[at] + 1e-300;
        if (!(Math.abs(got - ref.expected[at]) <= tol))
          assert.fail(`${what}: C[${t}][${i}][${j}] = ${got}, expected ${ref.expected[at]} (tolerance ${tol})`);
      }
  // Elements of C's array outside the product are untouched.
  const touched = new Uint8Array(C.length);
  for (let t = 0; t < batch; t++)
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) touched[c.offset + t * c.bs + i * c.rs + j * c.cs] = 1;
  for (let x = 0; x < C.length; x++)
    if (!touched[x] && !Object.is(C[x], p.C0[x])) assert.fail(`${what}: C[${x}] outside the product was written`);
}

function runStrided(k: NativeKernels, p: Problem): FloatArray {
  const C = p.C0.slice();
  k.gemmStrided(
    p.M,
    p.N,
    p.K,
    p.alpha,
    p.A,
    p.a.offset,
    p.a.rs,
    p.a.cs,
    p.B,
    p.b.offset,
    p.b.rs,
    p.b.cs,
    p.beta,
    C,
    p.c.offset,
    p.c.rs,
    p.c.cs,
    p.batch,
    p.a.bs,
    p.b.bs,
    p.c.bs,
  );
  return C;
}

/** A row-major BLAS-style problem: op(A) M x K with leading dimension lda, and so on. */
function blasProblem(
  Type: Ctor,
  M: number,
  N: number,
  K: number,
  transA: boolean,
  transB: boolean,
  seed: number,
  alpha = 1,
  beta = 0,
): { p: Problem; lda: number; ldb: number; ldc: number } {
  const lda = (transA ? M : K) + (seed % 3);
  const ldb = (transB ? K : N) + (seed % 2);
  const ldc = N + (seed % 4);
  const a: Layout = { offset: seed % 5, rs: transA ? 1 : lda, cs: transA ? lda : 1, bs: 0 };
  const b: Layout = { offset: seed % 3, rs: transB ? 1 : ldb, cs: transB ? ldb : 1, bs: 0 };
  const c: Layout = { offset: seed % 2, rs: ldc, cs: 1, bs: 0 };
  const A = random(Type, extent(M, K, 1, a) + 2, seed);
  const B = random(Type, extent(K, N, 1, b) + 1, seed + 1);
  const C0 = beta === 0 ? new Type(extent(M, N, 1, c) + 3).fill(Number.NaN) : random(Type, extent(M, N, 1, c) + 3, seed + 2);
  return { p: { M, N, K, batch: 1, alpha, beta, A, a, B, b, C0, c }, lda, ldb, ldc };
}

function runBlas(k: NativeKernels, q: ReturnType<typeof blasProblem>, transA: boolean, transB: boolean): FloatArray {
  const { p } = q;
  const C = p.C0.slice();
  k.gemm(transA, transB, p.M, p.N, p.K, p.alpha, p.A, p.a.offset, q.lda, p.B, p.b.offset, q.ldb, p.beta, C, p.c.offset, q.ldc);
  return C;
}

const TYPES: [string, Ctor][] = [
  ["float32", Float32Array],
  ["float64", Float64Array],
];
const ODD = [1, 7, 17, 63, 65, 127, 129];

test("gemm: odd sizes, all transposes, against a float64 reference on every ISA", (t) => {
  withNative(t, () => {
    for (const [name, Type] of TYPES) {
      let seed = 1;
      for (const M of ODD)
        for (const N of ODD)
          for (const K of [1, 17, 65, 129]) {
            const transA = (seed & 1) === 1;
            const transB = (seed & 2) === 2;
            const q = blasProblem(Type, M, N, K, transA, transB, seed++);
            const ref = reference(q.p);
            const results: Record<string, FloatArray> = {};
            eachIsa(t, (k, isa) => {
              const C = runBlas(k, q, transA, transB);
              check(q.p, C, ref, `${name} ${isa} ${M}x${N}x${K} transA=${transA} transB=${transB}`);
              results[isa] = C;
            });
            // The FMA kernels sum in the same order: AVX2 and AVX-512 agree to the bit.
            if (results.avx512 && results.avx2) assert.deepEqual(results.avx512, results.avx2, `${name} ${M}x${N}x${K}`);
          }
    }
  });
});

test("gemm: large and non-square products cross the cache blocks; threads do not change results", (t) => {
  withNative(t, (native) => {
    // Past the blocks of 2048 rows of A, 512 columns of B and a depth of 384 (float32) or 192.
    const cases: [number, number, number, boolean, boolean][] = [
      [2100, 33, 50, false, true],
      [1000, 65, 129, false, false],
      [129, 1000, 63, true, true],
      [65, 127, 1000, false, true],
      [1000, 7, 300, true, false],
      [530, 1030, 400, false, false],
      [520, 600, 390, true, true],
      [1, 1000, 1000, false, false],
      [1000, 1, 1000, true, true],
    ];
    const threads = native.numThreads();
    for (const [name, Type] of TYPES)
      for (const [i, [M, N, K, transA, transB]] of cases.entries()) {
          const q = blasProblem(Type, M, N, K, transA, transB, 40 + i, 0.75, i % 2 === 0 ? 0 : -1.25);
          const ref = reference(q.p);
          eachIsa(t, (k, isa) => {
            const what = `${name} ${isa} ${M}x${N}x${K} transA=${transA} transB=${transB}`;
            const C = runBlas(k, q, transA, transB);
            check(q.p, C, ref, what);
            k.setNumThreads(1);
            try {
              assert.deepEqual(runBlas(k, q, transA, transB), C, `${what}: one thread vs ${threads}`);
            } finally {
              k.setNumThreads(threads);
            }
          });
        }
  });
});

test("gemm: alpha and beta (beta = 0 ignores NaN in C; beta = 1 accumulates)", (t) => {
  eachIsa(t, (k, isa) => {
    for (const [name, Type] of TYPES)
      for (const [alpha, beta] of [
        [1, 0],
        [1, 1],
        [-0.5, 0],
        [2, -0.75],
        [0, 0.5],
        [0, 0],
      ]) {
        const q = blasProblem(Type, 37, 45, 29, false, true, 7, alpha, beta);
        const C = runBlas(k, q, false, true);
        check(q.p, C, reference(q.p), `${name} ${isa} alpha=${alpha} beta=${beta}`);
        for (let i = 0; i < q.p.M; i++)
          for (let j = 0; j < q.p.N; j++) assert.ok(!Number.isNaN(C[q.p.c.offset + i * q.ldc + j]), `${name} no NaN from C`);
      }
  });
});

test("gemm: K = 0 scales C by beta without reading A or B; empty products do nothing", (t) => {
  eachIsa(t, (k) => {
    for (const [, Type] of TYPES) {
      const C = new Type([1, 2, 3, 4, 5, 6]);
      k.gemm(false, false, 2, 3, 0, 1, new Type(0), 0, 1, new Type(0), 0, 3, 2, C, 0, 3);
      assert.deepEqual(Array.from(C), [2, 4, 6, 8, 10, 12]);
      k.gemm(false, false, 2, 3, 0, 1, new Type(0), 0, 1, new Type(0), 0, 3, 0, C, 0, 3);
      assert.deepEqual(Array.from(C), [0, 0, 0, 0, 0, 0]);
      const D = new Type([7]);
      k.gemm(false, false, 0, 1, 5, 1, new Type(0), 0, 5, new Type(5), 0, 1, 0, D, 0, 1);
      assert.deepEqual(Array.from(D), [7]);
    }
  });
});

test("gemmStrided: arbitrary strides, transposed C, batches with broadcast operands", (t) => {
  for (const [name, Type] of TYPES) {
    const problems: Problem[] = [];
    const make = (M: number, N: number, K: number, batch: number, a: Layout, b: Layout, c: Layout, alpha: number, beta: number, seed: number) => {
      const A = random(Type, extent(M, K, batch, a) + 1, seed);
      const B = random(Type, extent(K, N, batch, b) + 2, seed + 1);
      const C0 = random(Type, extent(M, N, batch, c) + 1, seed + 2);
      problems.push({ M, N, K, batch, alpha, beta, A, a, B, b, C0, c });
    };
    // Interleaved operands (strides 2 and 3), C stored column-major.
    make(33, 21, 19, 1, { offset: 1, rs: 2 * 19, cs: 2, bs: 0 }, { offset: 2, rs: 3, cs: 3 * 19, bs: 0 }, { offset: 3, rs: 1, cs: 35, bs: 0 }, 1, 0, 11);
    // A batch of 5 with padding between matrices; B broadcast (batch stride 0).
    make(17, 65, 40, 5, { offset: 0, rs: 41, cs: 1, bs: 17 * 41 + 3 }, { offset: 4, rs: 65, cs: 1, bs: 0 }, { offset: 0, rs: 66, cs: 1, bs: 17 * 66 + 1 }, 1, 1, 21);
    // A broadcast across a batch of 3, B transposed per batch, odd sizes around the tiles.
    make(63, 129, 17, 3, { offset: 2, rs: 1, cs: 64, bs: 0 }, { offset: 0, rs: 1, cs: 17, bs: 129 * 17 }, { offset: 0, rs: 129, cs: 1, bs: 63 * 129 }, -1, 0.5, 31);
    // A large batch of small products (threads split over the batch), and a batch of 1 of a large one.
    make(7, 9, 5, 64, { offset: 0, rs: 5, cs: 1, bs: 35 }, { offset: 0, rs: 9, cs: 1, bs: 45 }, { offset: 0, rs: 9, cs: 1, bs: 63 }, 1, 0, 41);
    make(200, 300, 100, 3, { offset: 0, rs: 100, cs: 1, bs: 20000 }, { offset: 0, rs: 300, cs: 1, bs: 30000 }, { offset: 0, rs: 1, cs: 200, bs: 60000 }, 1, 0, 51);
    // Zero strides on A's columns (every k reads the same element).
    make(5, 6, 7, 1, { offset: 0, rs: 1, cs: 0, bs: 0 }, { offset: 0, rs: 6, cs: 1, bs: 0 }, { offset: 0, rs: 6, cs: 1, bs: 0 }, 1, 0, 61);
    const refs = problems.map(reference);
    eachIsa(t, (k, isa) => {
      for (const [i, p] of problems.entries()) check(p, runStrided(k, p), refs[i], `${name} ${isa} strided problem ${i}`);
    });
  }
});

test("gemm: arguments are checked before anything runs", (t) => {
  withNative(t, (k) => {
    const a = new Float32Array(6);
    const b = new Float32Array(6);
    const c = new Float32Array(4);
    assert.throws(() => k.gemm(false, false, 2, 2, 3, 1, new Float32Array(5), 0, 3, b, 0, 2, 0, c, 0, 2), RangeError);
    assert.throws(() => k.gemm(false, false, 2, 2, 3, 1, a, 1, 3, b, 0, 2, 0, c, 0, 2), /A is too short/);
    assert.throws(() => k.gemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 2, 0, new Float32Array(3), 0, 2), /C is too short/);
    assert.throws(() => k.gemm(false, false, 2, 2, 3, 1, a, 0, 2, b, 0, 2, 0, c, 0, 2), /lda/);
    assert.throws(() => k.gemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 2, 0, new Float64Array(4) as unknown as Float32Array, 0, 2), TypeError);
    assert.throws(() => k.gemm(false, false, 2.5, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 0, 2), /M must be a non-negative integer/);
    assert.throws(() => k.gemm(false, false, -1, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 0, 2), RangeError);
    assert.throws(() => k.gemm(false, false, 2, 2, 3, 1, [0, 1] as unknown as Float32Array, 0, 3, b, 0, 2, 0, c, 0, 2), TypeError);
    const shared = new Float32Array(16);
    assert.throws(
      () => k.gemm(false, false, 2, 2, 2, 1, shared, 0, 2, shared, 4, 2, 0, shared, 2, 2),
      /C must not overlap A or B/,
    );
    // Strides that would write one element twice.
    assert.throws(
      () => k.gemmStrided(2, 2, 1, 1, a, 0, 1, 1, b, 0, 2, 1, 0, c, 0, 1, 1, 1, 0, 0, 0),
      /its own place/,
    );
  });
});

test("gemm with a bias: C starts as the bias on every row and the product sums onto it (addmm)", (t) => {
  eachIsa(t, (k, isa) => {
    for (const [name, Type] of TYPES)
      for (const [M, N, K, transA, transB] of [
        [37, 45, 29, false, true],
        [128, 10, 256, false, true],
        [5, 70, 900, true, false],
        [1, 33, 17, false, false],
        [40, 1, 600, false, true],
        [9, 13, 0, false, false],
        // Contiguous C (ldc = N: M + N is a multiple of 4), where the bias is copied into rows
        // already written, doubling: a small layer's shapes, and a row count no power of 2.
        [62, 2, 2, false, true],
        [3, 5, 7, false, false],
        [97, 3, 4, false, true],
      ] as [number, number, number, boolean, boolean][]) {
        const q = blasProblem(Type, M, N, K, transA, transB, M + N);
        if ((M + N) % 4 === 0) assert.equal(q.ldc, N);
        const bias = random(Type, N + 3, 99);
        const C = q.p.C0.slice();
        k.gemm(transA, transB, M, N, K, 1, q.p.A, q.p.a.offset, q.lda, q.p.B, q.p.b.offset, q.ldb, 0, C, q.p.c.offset, q.ldc, bias, 3);
        // The reference: bias as C with beta = 1.
        const withBias = q.p.C0.slice();
        for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) withBias[q.p.c.offset + i * q.ldc + j] = bias[3 + j];
        const p = { ...q.p, beta: 1, C0: withBias };
        check(p, C, reference(p), `${name} ${isa} ${M}x${N}x${K} bias`);
        // Up to one block of K (384 float32, 192 float64) it is the product, then the bias added.
        const oneBlock = K <= (Type === Float32Array ? 384 : 192);
        const plain = runBlas(k, q, transA, transB);
        for (let i = 0; i < M; i++)
          for (let j = 0; j < N; j++) {
            const at = q.p.c.offset + i * q.ldc + j;
            const sum = Type === Float32Array ? Math.fround(plain[at] + bias[3 + j]) : plain[at] + bias[3 + j];
            if (oneBlock && !Object.is(C[at], sum)) assert.fail(`${name} ${isa} ${M}x${N}x${K}: C[${i}][${j}] = ${C[at]}, product + bias = ${sum}`);
          }
      }
  });
});

test("gemm with a bias: threads do not change results; arguments are checked", (t) => {
  withNative(t, (k) => {
    const q = blasProblem(Float32Array, 128, 256, 784, false, true, 5);
    const bias = random(Float32Array, 256, 7);
    const run = () => {
      const C = q.p.C0.slice();
      k.gemm(false, true, 128, 256, 784, 1, q.p.A, q.p.a.offset, q.lda, q.p.B, q.p.b.offset, q.ldb, 0, C, q.p.c.offset, q.ldc, bias, 0);
      return C;
    };
    assertSameOnOneThread(k, run);
    // Taller than wide, past the blocks of B's columns and of k: split over the threads by rows
    // (ops.cc), each share cut into the kernels' equal row blocks; 1, 2 and 3 threads give the same bits.
    for (const [name, Type] of TYPES) {
      const [M, N, K] = [700, 530, 800];
      const tall = blasProblem(Type, M, N, K, true, false, 11);
      const tallBias = random(Type, N, 12);
      const runTall = (withBias: boolean) => {
        const C = tall.p.C0.slice();
        k.gemm(true, false, M, N, K, 1, tall.p.A, tall.p.a.offset, tall.lda, tall.p.B, tall.p.b.offset, tall.ldb, 0, C, tall.p.c.offset, tall.ldc, withBias ? tallBias : undefined, 0);
        return C;
      };
      const threads = k.numThreads();
      for (const withBias of [false, true]) {
        const many = assertSameOnOneThread(k, () => runTall(withBias));
        k.setNumThreads(3);
        try {
          assert.deepEqual(runTall(withBias), many, `${name} ${M}x${N}x${K} bias=${withBias}: 3 threads`);
        } finally {
          k.setNumThreads(threads);
        }
      }
    }
    const a = new Float32Array(6);
    const b = new Float32Array(6);
    const c = new Float32Array(4);
    assert.throws(() => k.gemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 2, 1, c, 0, 2, new Float32Array(2), 0), /beta must be 0 with a bias/);
    assert.throws(() => k.gemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 0, 2, new Float32Array(2), 1), /bias is too short/);
    assert.throws(() => k.gemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 0, 2, new Float64Array(2) as unknown as Float32Array, 0), TypeError);
    assert.throws(() => k.gemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 0, 2, c, 0), /must not overlap the bias/);
    assert.throws(() => k.gemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 0, 2, new Float32Array(2)), /biasOffset must be a number/);
  });
});
