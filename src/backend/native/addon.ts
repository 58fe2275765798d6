// The optional native kernels (native/, built by `npm install` into build/Release): a thin, typed
// table over the C++ addon. `loadNative()` gives the table, or null wherever the addon cannot be
// used: in a browser, when it was not built (no compiler), on another platform, or when the
// environment sets KINDLING_NO_NATIVE=1. Callers keep their TypeScript kernels for that case.
//
// Every function works in place on the typed arrays it is given (zero-copy). All arrays of a call
// must be of one type, Float32Array or Float64Array; that type is the element type computed in
// (float32 arithmetic for Float32Array, as PyTorch does). Offsets, sizes and strides count
// elements, are non-negative integers, and are checked: a call that would touch an element
// outside an array, or write an output that partly overlaps an input, throws a RangeError; a wrong
// argument type throws a TypeError. Elementwise outputs may be their input exactly (in place).
//
// No `node:` import here (this file is part of the browser build): Node's module loader comes
// from process.getBuiltinModule, which browsers do not have.

export type FloatArray = Float32Array | Float64Array;

/** Operation codes of `unary`. */
export const UnaryOp = { neg: 0, exp: 1, log: 2, tanh: 3, sigmoid: 4, relu: 5 } as const;
export type UnaryOp = (typeof UnaryOp)[keyof typeof UnaryOp];

/** Operation codes of the binary kernels; `rsub` and `rdiv` swap the operands (b - a, b / a). */
export const BinaryOp = { add: 0, sub: 1, mul: 2, div: 3, rsub: 4, rdiv: 5 } as const;
export type BinaryOp = (typeof BinaryOp)[keyof typeof BinaryOp];

/**
 * Operation codes of `backward`, each a gradient from the forward output y:
 * sigmoid gy * (1 - y) * y, tanh gy * (1 - y * y), relu (y <= 0 ? 0 : gy) (PyTorch's formulas).
 */
export const BackwardOp = { sigmoid: 0, tanh: 1, relu: 2 } as const;
export type BackwardOp = (typeof BackwardOp)[keyof typeof BackwardOp];

/** The instruction sets the kernels are built for, best first. */
export type Isa = "avx512" | "avx2" | "generic";

/** What NativeKernels.fmaPeak measured. */
export interface FmaPeak {
  /** float32 GFLOP/s of all threads together. */
  gflops: number;
  threads: number;
  isa: Isa;
  /** Wall seconds the threads ran, first start to last end. */
  seconds: number;
  /** Each thread's own GFLOP/s. */
  perThread: number[];
}

export interface NativeKernels {
  /**
   * Row-major BLAS gemm: C = alpha * op(A) @ op(B) + beta * C, op(A) M x K, op(B) K x N, C M x N.
   * Untransposed A is M x K with row stride lda (>= K); transposed, A is stored K x M (lda >= M).
   * Likewise B (N x K stored when transB). C has row stride ldc (>= N). beta = 0 overwrites C
   * without reading it; K = 0 or alpha = 0 gives beta * C without reading A or B (as BLAS).
   * C must not overlap A or B. With `bias` (N elements from biasOffset; beta must then be 0), C
   * starts as the bias on every row and the product is added to it, as BLAS computes addmm with
   * beta = 1 (the first block of K sums onto the bias).
   */
  gemm<T extends FloatArray>(
    transA: boolean,
    transB: boolean,
    M: number,
    N: number,
    K: number,
    alpha: number,
    A: T,
    aOffset: number,
    lda: number,
    B: T,
    bOffset: number,
    ldb: number,
    beta: number,
    C: T,
    cOffset: number,
    ldc: number,
    bias?: T,
    biasOffset?: number,
  ): void;
  /**
   * Batched gemm with arbitrary strides: for b < batch, C_b = alpha * A_b @ B_b + beta * C_b, where
   * A_b[i][k] = A[aOffset + b * aBatchStride + i * aRowStride + k * aColStride] (M x K), B_b is
   * K x N and C_b M x N the same way. Strides may be 0 (broadcast) for A and B; C's strides must
   * give every element its own place (one dimension nested in the other, batches apart).
   */
  gemmStrided<T extends FloatArray>(
    M: number,
    N: number,
    K: number,
    alpha: number,
    A: T,
    aOffset: number,
    aRowStride: number,
    aColStride: number,
    B: T,
    bOffset: number,
    bRowStride: number,
    bColStride: number,
    beta: number,
    C: T,
    cOffset: number,
    cRowStride: number,
    cColStride: number,
    batch: number,
    aBatchStride: number,
    bBatchStride: number,
    cBatchStride: number,
  ): void;
  /** y[i] = op(x[i]) for i < n (contiguous from the offsets). */
  unary<T extends FloatArray>(op: UnaryOp, x: T, xOffset: number, y: T, yOffset: number, n: number): void;
  /** y[i] = a[i] op b[i] for i < n. */
  binary<T extends FloatArray>(
    op: BinaryOp,
    a: T,
    aOffset: number,
    b: T,
    bOffset: number,
    y: T,
    yOffset: number,
    n: number,
  ): void;
  /** y[i] = a[i] op s, s first rounded to the element type (as PyTorch wraps a Python scalar). */
  binaryScalar<T extends FloatArray>(op: BinaryOp, a: T, aOffset: number, s: number, y: T, yOffset: number, n: number): void;
  /** y[i][j] = a[i][j] op b[j] for a and y contiguous [rows, cols], b contiguous [cols]. */
  binaryRow<T extends FloatArray>(
    op: BinaryOp,
    a: T,
    aOffset: number,
    b: T,
    bOffset: number,
    y: T,
    yOffset: number,
    rows: number,
    cols: number,
  ): void;
  /** gx[i] = the op's gradient from gy[i] and the forward output y[i] (see BackwardOp). */
  backward<T extends FloatArray>(
    op: BackwardOp,
    gy: T,
    gyOffset: number,
    y: T,
    yOffset: number,
    gx: T,
    gxOffset: number,
    n: number,
  ): void;
  /**
   * Softmax (log = false) or log-softmax (log = true) of each row of a contiguous [rows, cols]
   * matrix, as PyTorch computes it: exp(x - max) * (1 / sum), or (x - max) - log(sum).
   */
  softmax<T extends FloatArray>(x: T, xOffset: number, y: T, yOffset: number, rows: number, cols: number, log: boolean): void;
  /**
   * c[i] = c[i] + a[i] * s for i < n, in place, the multiply-add rounded once in the element type
   * (s first rounded to it) as PyTorch's fused CPU kernels (add_ with alpha) round it. a may be c
   * itself.
   */
  addScaledInPlace<T extends FloatArray>(c: T, cOffset: number, a: T, aOffset: number, s: number, n: number): void;
  /** c[i] = c[i] + a[i] * b[i] for i < n, in place, rounded as addScaledInPlace. a and b may be c itself. */
  addProductInPlace<T extends FloatArray>(c: T, cOffset: number, a: T, aOffset: number, b: T, bOffset: number, n: number): void;
  /**
   * PyTorch 1.13's cascade sum over a laid-out reduction (src/backend/cpu/sum.ts's
   * reductionLayout): `shape` with the reduced dims first, `inStrides` into x from xOffset,
   * `outStrides` into out (0 along reduced dims); adds each 2-D block's partial sums into out.
   */
  cascadeSum<T extends FloatArray>(x: T, xOffset: number, out: T, shape: number[], inStrides: number[], outStrides: number[]): void;
  /**
   * Linear's backward in one call (native/src/linear.cc), for y [M, N] = x [M, K] @ w [N, K]^T + b
   * (gy, x and w strided from their offsets): writes dX [M, K] = gy @ w, dW [N, K] = gy^T @ x and
   * dB [N] = gy.sum(0), contiguous, for each output given (null: not wanted), with the bits of
   * gemm and cascadeSum run apart. dB needs gy row-major with M >= 2. Absent from an addon built
   * before it existed.
   */
  linearBackward?<T extends FloatArray>(
    gy: T,
    gyOffset: number,
    gyRowStride: number,
    gyColStride: number,
    x: T,
    xOffset: number,
    xRowStride: number,
    xColStride: number,
    w: T,
    wOffset: number,
    wRowStride: number,
    wColStride: number,
    M: number,
    N: number,
    K: number,
    dX: T | null,
    dW: T | null,
    dB: T | null,
  ): void;
  /**
   * One LSTM step's pointwise part (native/src/recurrent.cc): from ig and hg [B, 4H] and cx [B, H]
   * (each from its offset), writes hy and cy [B, H] and the activated gates into workspace [B, 4H].
   * Absent from an addon built before it existed.
   */
  fusedLstmCell?<T extends FloatArray>(ig: T, igOffset: number, hg: T, hgOffset: number, cx: T, cxOffset: number, hy: T, cy: T, workspace: T, B: number, H: number): void;
  /** fusedLstmCell's gradients: dgates [B, 4H] and dcx [B, H] from dhy and dcy (null: zero). */
  fusedLstmCellBackward?<T extends FloatArray>(
    dhy: T | null,
    dhyOffset: number,
    dcy: T | null,
    dcyOffset: number,
    cx: T,
    cxOffset: number,
    cy: T,
    cyOffset: number,
    workspace: T,
    wsOffset: number,
    dgates: T,
    dcx: T,
    B: number,
    H: number,
  ): void;
  /** One GRU step's pointwise part: hy [B, H] and workspace [B, 5H] (r, z, n, hn, hx) from ig, hg [B, 3H] and hx. */
  fusedGruCell?<T extends FloatArray>(ig: T, igOffset: number, hg: T, hgOffset: number, hx: T, hxOffset: number, hy: T, workspace: T, B: number, H: number): void;
  /** fusedGruCell's gradients: dig, dhg [B, 3H] and dhx [B, H] from dhy. */
  fusedGruCellBackward?<T extends FloatArray>(dhy: T, dhyOffset: number, workspace: T, wsOffset: number, dig: T, dhg: T, dhx: T, B: number, H: number): void;
  /**
   * Batch norm's loops (native/src/batchnorm.cc) over x, a contiguous [n, c, s] from xOffset;
   * per-channel arrays are Float64Array. Training statistics into mean and varSum. Optional: an
   * addon built before them lacks them.
   */
  batchNormStats?<T extends FloatArray>(x: T, xOffset: number, n: number, c: number, s: number, mean: Float64Array, varSum: Float64Array): void;
  /** y = x * alpha + beta per channel, rounded once, into y (contiguous [n, c, s]). */
  batchNormApply?<T extends FloatArray>(x: T, xOffset: number, y: T, n: number, c: number, s: number, alpha: Float64Array, beta: Float64Array): void;
  /** Per channel: the sum of dy and of (x - mean) * dy, into sum and dotp. */
  batchNormBackwardReduce?<T extends FloatArray>(x: T, xOffset: number, dy: T, dyOffset: number, n: number, c: number, s: number, mean: Float64Array, sum: Float64Array, dotp: Float64Array): void;
  /** dx = (dy - gradMean - (x - mean) * k) * invstd * w per channel, into dx (contiguous [n, c, s]). */
  batchNormBackwardApply?<T extends FloatArray>(
    x: T, xOffset: number, dy: T, dyOffset: number, dx: T, n: number, c: number, s: number,
    mean: Float64Array, k: Float64Array, gradMean: Float64Array, invstd: Float64Array, w: Float64Array,
  ): void;
  /**
   * Fused attention (native/src/attention.cc): out [N, L, Ev] and lse [N, L] (both written whole)
   * from q [N, L, E], k [N, S, E], v [N, S, Ev], contiguous from their offsets, and an optional
   * additive mask read at maskOffset + n * msN + i * msL + j * msS (strides 0 where it
   * broadcasts); causal: query i sees keys 0..i. N, L and S must be positive. Optional: an addon
   * built before it lacks it.
   */
  attention?<T extends FloatArray>(
    q: T, qOffset: number, k: T, kOffset: number, v: T, vOffset: number,
    mask: T | null, maskOffset: number, msN: number, msL: number, msS: number,
    out: T, lse: T, N: number, L: number, S: number, E: number, Ev: number, isCausal: boolean, scale: number,
  ): void;
  /** attention's gradients dq [N, L, E], dk [N, S, E], dv [N, S, Ev] (written whole) from dout, the inputs, out and lse. */
  attentionBackward?<T extends FloatArray>(
    dout: T, doutOffset: number, q: T, qOffset: number, k: T, kOffset: number, v: T, vOffset: number,
    out: T, outOffset: number, lse: T, lseOffset: number,
    mask: T | null, maskOffset: number, msN: number, msL: number, msS: number,
    dq: T, dk: T, dv: T, N: number, L: number, S: number, E: number, Ev: number, isCausal: boolean, scale: number,
  ): void;
  /**
   * A convolution's patches: x [n, c, h, w] read through strides sN, sC, sH, sW from xOffset
   * into contiguous cols [c*kh*kw, n, oh*ow] from colsOffset; input row oy*sh - ph + i*dh and
   * column ox*sw - pw + j*dw for kernel tap (i, j), 0 outside the image (src/backend/backend.ts's
   * ConvGeometry). Optional: an addon built before it lacks it.
   */
  im2col?<T extends FloatArray>(
    x: T, xOffset: number, sN: number, sC: number, sH: number, sW: number,
    n: number, c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number,
    ph: number, pw: number, dh: number, dw: number, oh: number, ow: number,
    cols: T, colsOffset: number,
  ): void;
  /** im2col's adjoint: cols [c*kh*kw, n, oh*ow] (strides sRow, sN, sL) summed into img, a contiguous [n, c, h, w] it overwrites. */
  col2im?<T extends FloatArray>(
    cols: T, colsOffset: number, sRow: number, sN: number, sL: number,
    n: number, c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number,
    ph: number, pw: number, dh: number, dw: number, oh: number, ow: number,
    img: T, imgOffset: number,
  ): void;
  /**
   * Max pooling (native/src/pooling.cc) of `planes` contiguous planes [h, w] of x from xOffset
   * into y [planes, oh, ow] and, unless idx is null, each maximum's flat index within its plane
   * (int64 values); src/backend/backend.ts's PoolGeometry. Optional: an addon built before it
   * lacks it.
   */
  maxPool2d?<T extends FloatArray>(
    x: T, xOffset: number, planes: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number,
    ph: number, pw: number, dh: number, dw: number, oh: number, ow: number, y: T, idx: Float64Array | null,
  ): void;
  /** gx [planes, inPlane] (overwritten) = zeros with gy [planes, outPlane] added at idx, in output order. */
  maxPool2dBackward?<T extends FloatArray>(
    gy: T, gyOffset: number, idx: Float64Array, idxOffset: number, planes: number, inPlane: number, outPlane: number, gx: T,
  ): void;
  /**
   * The float32 multiply-add peak (native/src/peak.cc): independent vector FMAs in the instruction
   * set in use, on every thread of the pool at once, for `seconds` (at most 10). gflops is the
   * total work (2 flops per FMA lane) over the wall time from the first thread's start to the last
   * one's end; perThread each thread's own rate. For the benchmark. Optional: an addon built
   * before it lacks it.
   */
  fmaPeak?(seconds: number): FmaPeak;
  /** Threads the kernels use (KINDLING_NUM_THREADS, else the number of cores). */
  numThreads(): number;
  /** Sets the threads used from now on (1 .. 1024). Results do not depend on it. */
  setNumThreads(n: number): void;
  /** The instruction set in use. */
  isa(): Isa;
  /** The instruction sets this CPU can run, best first. */
  isas(): Isa[];
  /** Switches instruction set (for tests and benchmarks); false if this CPU cannot run it. */
  setIsa(name: Isa): boolean;
  /** Where the array's first element lies in memory (for tests that prove no two live arrays overlap). */
  dataAddress(array: ArrayBufferView): number;
  /**
   * The output size in bytes from which the elementwise kernels write with non-temporal stores
   * (outputs that overlap no input; 1 MiB by default), set when given; returns the value in force.
   * For benchmarks and tests.
   */
  streamMinBytes(bytes?: number): number;
}

let cached: NativeKernels | null | undefined;
let loadError: unknown;

/** The native kernels, or null when they cannot be used here (see the file's comment). */
export function loadNative(): NativeKernels | null {
  if (cached === undefined) cached = tryLoad();
  return cached;
}

/** Whether the native kernels can be used in this process. */
export function isAvailable(): boolean {
  return loadNative() !== null;
}

/** Why the addon did not load (undefined when it loaded, or was not tried or was turned off). */
export function nativeLoadError(): unknown {
  loadNative();
  return loadError;
}

function tryLoad(): NativeKernels | null {
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  const off = proc?.env?.KINDLING_NO_NATIVE;
  if (off !== undefined && off !== "" && off !== "0") return null;
  const moduleApi = proc?.getBuiltinModule?.("module");
  if (!moduleApi) return null;
  try {
    const require = moduleApi.createRequire(import.meta.url);
    return require("../../../build/Release/kindling_native.node") as NativeKernels;
  } catch (error) {
    loadError = error;
    return null;
  }
}
