// The one interface every kernel implementation sits behind. Ops call these and nothing else
// touches memory, so a faster backend (native, WebGPU) plugs in without changing ops, nn or optim.
import type { DType } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";

/** An elementwise function of one value; `name` lets a backend pick a specialised kernel. */
export interface UnaryKernel {
  readonly name: string;
  readonly fn: (x: number) => number;
  /**
   * The float32 version, where rounding each step to float32 (as PyTorch's float kernels do)
   * changes the result: 1 / (1 + exp(-17)) is exactly 1 in float32 but not in double.
   */
  readonly f32?: (x: number) => number;
}
export interface BinaryKernel {
  readonly name: string;
  readonly fn: (a: number, b: number) => number;
}

export type ReduceKind = "sum" | "prod" | "max" | "min";

/**
 * Where a 2-D convolution's kernel reads an image [N, channels, height, width]: output position
 * (oh, ow) with kernel tap (i, j) reads row oh * strideH - padH + i * dilationH and column
 * ow * strideW - padW + j * dilationW (zero outside the image). outH and outW are given, so
 * padding past the bottom and right edges may differ from padH and padW (padding "same").
 */
export interface ConvGeometry {
  channels: number;
  height: number;
  width: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
  outH: number;
  outW: number;
}

/**
 * Where max pooling's windows sit in a plane [height, width]: output (oh, ow) takes rows
 * oh * strideH - padH + i * dilationH and columns ow * strideW - padW + j * dilationW for kernel
 * taps (i, j), those inside the plane only (padding is never a candidate). outH and outW are
 * PyTorch's pooling output sizes, so every window starts inside the plane or its padding.
 */
export type PoolGeometry = Omit<ConvGeometry, "channels">;

/**
 * Max pooling over the last two dims (max_pool2d; 1-D pooling is the same with height 1). The
 * result is PyTorch's CPU kernel's: each window's taps visited row by row, left to right, a value
 * taken when greater than the best so far or NaN (so the first of equal maxima, and NaN
 * propagating), -inf and the first tap's index for a window with no taps.
 */
export interface MaxPool2dKernels {
  /**
   * x [..., height, width] (any strides) to values [..., outH, outW] of x's dtype and, only when
   * withIndices (a forward without grad needs none), each maximum's flat index h * width + w
   * within its plane (int64, contiguous).
   */
  forward(x: Tensor, g: PoolGeometry, withIndices: boolean): { values: Tensor; indices: Tensor | null };
  /**
   * The backward of every index-selecting pool: a new contiguous tensor of inputShape and gy's
   * dtype, zero but for gy [..., outH, outW] (any strides) added at indices (contiguous int64,
   * gy's shape, flat within each plane of the input's last two dims), in output order.
   */
  backward(gy: Tensor, indices: Tensor, inputShape: number[]): Tensor;
}

/** Options of the fused attention primitive (Backend.attention / attentionBackward). */
export interface AttentionOptions {
  /**
   * Added to the scores: a float tensor of q's dtype viewed as [N, L, S], whose strides may be 0
   * where it broadcasts over heads, batch or rows (a bool mask arrives as 0 / -inf). Null: none.
   */
  mask: Tensor | null;
  /** Query i attends keys 0..i only (torch.ones(L, S).tril(), aligned top-left when L != S). */
  isCausal: boolean;
  scale: number;
}

export interface Backend {
  readonly name: string;
  /** out = fn(x), a new contiguous tensor of outDtype. */
  unary(x: Tensor, k: UnaryKernel, outDtype: DType): Tensor;
  /** out = fn(a, b) with broadcasting to outShape, a new contiguous tensor of outDtype. */
  binary(a: Tensor, b: Tensor | number, k: BinaryKernel, outDtype: DType, outShape: number[]): Tensor;
  /** Writes src (broadcast to dst's shape, cast to dst's dtype) into the strided view dst. */
  assign(dst: Tensor, src: Tensor | number): void;
  /** A contiguous copy in dtype (the same memory when it already is one and no cast is needed, if allowed). */
  copy(x: Tensor, dtype: DType): Tensor;
  /**
   * Reduces over `dims` (sorted, distinct, non-empty). The result keeps the reduced dims as size 1.
   * For max/min, `indices` (int64) gives the first position of the extreme along the one reduced dim.
   */
  reduce(x: Tensor, dims: number[], kind: ReduceKind, withIndices: boolean): { values: Tensor; indices: Tensor | null };
  /**
   * Matrix product of a [M, K] and b [K, N] into a new [M, N], or batched, a [B, M, K] and
   * b [B, K, N] into [B, M, N]; any strides (a batch stride may be 0).
   */
  matmul(a: Tensor, b: Tensor): Tensor;
  /** out[..., i, ...] = x[..., index[..., i, ...], ...] along dim (torch.gather); index is int64. */
  gather(x: Tensor, dim: number, index: Tensor): Tensor;
  /** A copy of base with src written (or added, when accumulate) at index along dim (torch.scatter / scatter_add). */
  scatter(base: Tensor, dim: number, index: Tensor, src: Tensor | number, accumulate: boolean): Tensor;
  /** x's slices at index along dim (torch.index_select). */
  indexSelect(x: Tensor, dim: number, index: Tensor): Tensor;
  /** A copy of base with src's slices added at index along dim (torch.index_add). */
  indexAdd(base: Tensor, dim: number, index: Tensor, src: Tensor): Tensor;
  /**
   * The patches a convolution's kernel sees: x [N, C, H, W] (float, any strides) to a new
   * contiguous [C * kernelH * kernelW, N, outH * outW] (rows ordered channel, kernel row, kernel
   * column), so a convolution is one product weight [O, C*kh*kw] @ cols [C*kh*kw, N*outH*outW].
   */
  im2col(x: Tensor, g: ConvGeometry): Tensor;
  /** im2col's adjoint: cols [C * kernelH * kernelW, N, outH * outW] (any strides) summed into a new contiguous [N, C, H, W]. */
  col2im(cols: Tensor, g: ConvGeometry): Tensor;
  /** Max pooling and its backward (a GPU backend pools a plane per workgroup; no TypeScript loop needed). */
  maxPool2d: MaxPool2dKernels;
  /**
   * Optional: softmax (log = false) or log-softmax (log = true) of x along dim, as PyTorch's kernel
   * computes it, or null where this backend leaves it to the ops (which then compose it from
   * amax, sub, exp, sum and div).
   */
  softmax?(x: Tensor, dim: number, log: boolean): Tensor | null;
  /**
   * Optional: c += a * b in place, for c, a (and b, unless a number) contiguous tensors of one
   * shape and one dtype, float32 or float64, none reading c's memory shifted; the multiply-add
   * rounded once in that dtype. Only writes c's memory: the caller bumps the version counter and
   * minds autograd. Returns false, touching nothing, where the caller must do the work.
   */
  addMulInPlace?(c: Tensor, a: Tensor, b: Tensor | number): boolean;
  /**
   * Optional: a [M, K] @ b [K, N] + bias [N] (on every row) as one kernel, torch.addmm's order:
   * the product accumulates onto the bias. Null where this backend leaves it to the caller
   * (matmul, then add).
   */
  matmulBias?(a: Tensor, b: Tensor, bias: Tensor): Tensor | null;
  /**
   * Optional: the gradients of y = x [M, K] @ w [N, K]^T + b in one kernel, for the ones asked
   * for: [dB [N] = gy.sum(0), dX [M, K] = gy @ w, dW [N, K] = gy^T @ x] (null where not asked),
   * each with the bits of the sum and the products computed apart. Null where this backend leaves
   * them to the caller.
   */
  linearBackward?(gy: Tensor, x: Tensor, w: Tensor, wantBias: boolean, wantX: boolean, wantW: boolean): [Tensor | null, Tensor | null, Tensor | null] | null;
  /**
   * Optional: one LSTM step's pointwise part (PyTorch's _thnn_fused_lstm_cell): the input gates
   * ig [B, 4H] plus the hidden gates hg [B, 4H], activated, with the cell cx [B, H], give hy, cy
   * and a workspace (the activated gates) for fusedLstmCellBackward. Contiguous tensors of one
   * float dtype; null where the ops compose it instead.
   */
  fusedLstmCell?(ig: Tensor, hg: Tensor, cx: Tensor): { hy: Tensor; cy: Tensor; workspace: Tensor } | null;
  /** Optional: the gradient of fusedLstmCell's gates (both ig and hg) and of cx, from dhy and dcy (null: zero). */
  fusedLstmCellBackward?(dhy: Tensor | null, dcy: Tensor | null, cx: Tensor, cy: Tensor, workspace: Tensor): { dgates: Tensor; dcx: Tensor } | null;
  /** Optional: one GRU step's pointwise part (PyTorch's _thnn_fused_gru_cell), hy and a workspace [B, 5H]. */
  fusedGruCell?(ig: Tensor, hg: Tensor, hx: Tensor): { hy: Tensor; workspace: Tensor } | null;
  /** Optional: the gradients of fusedGruCell's ig, hg and hx from dhy. */
  fusedGruCellBackward?(dhy: Tensor, workspace: Tensor): { dig: Tensor; dhg: Tensor; dhx: Tensor } | null;
  /**
   * Optional: fused attention, softmax(q k^T * scale + mask) v for q [N, L, E], k [N, S, E] and
   * v [N, S, Ev] (N = batch * heads; contiguous, one float dtype), computed flash-attention style:
   * an online softmax over blocks of keys, so the [L, S] scores are never stored whole. Gives out
   * [N, L, Ev] and the rows' logsumexp [N, L] (NaN in both for a row whose every key is masked,
   * as the composed softmax gives). Null where the ops must compose it from matmul and softmax.
   */
  attention?(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions): { out: Tensor; logsumexp: Tensor } | null;
  /**
   * Optional: attention's gradients from dout [N, L, Ev] (contiguous), recomputing the weights
   * blockwise from logsumexp (FlashAttention-2's backward) rather than reading stored ones.
   */
  attentionBackward?(
    dout: Tensor,
    q: Tensor,
    k: Tensor,
    v: Tensor,
    out: Tensor,
    logsumexp: Tensor,
    opts: AttentionOptions,
  ): { dq: Tensor; dk: Tensor; dv: Tensor } | null;
  /**
   * Optional: batch norm's per-channel loops (src/ops/normalization.ts, which does the rest) over
   * x, a contiguous float [N, C, ...] with S > 1 elements per plane, with that file's arithmetic
   * to the bit. Each returns null (or false), touching nothing, where the ops run their own loops.
   */
  batchNorm?: BatchNormKernels;
}

/** Per-channel values (mean, alpha, ...) are Float64Arrays holding values of x's dtype. */
export interface BatchNormKernels {
  /** Training statistics: the mean and the sum of squared deviations per channel. */
  stats(x: Tensor): { mean: Float64Array; varSum: Float64Array } | null;
  /** A new tensor x * alpha + beta per channel, rounded once. */
  apply(x: Tensor, alpha: Float64Array, beta: Float64Array): Tensor | null;
  /** Per channel: the sum of dy and of (x - mean) * dy (dy contiguous, x's shape and dtype). */
  backwardReduce(x: Tensor, dy: Tensor, mean: Float64Array): { sum: Float64Array; dotp: Float64Array } | null;
  /** Training's input gradient (dy - gradMean - (x - mean) * k) * invstd * w, per channel. */
  backwardApply(x: Tensor, dy: Tensor, mean: Float64Array, k: Float64Array, gradMean: Float64Array, invstd: Float64Array, w: Float64Array): Tensor | null;
}

const backends = new Map<string, Backend>();
// Every op asks for its tensors' backend, so the answer is remembered per full device string
// ("cpu", "cuda:1"): one Map lookup instead of a split(":") (an array per call) and two lookups.
const byDevice = new Map<string, Backend>();

/** Registers the backend that serves tensors on a device type ("cpu", "cuda", "webgpu"). */
export function registerBackend(deviceType: string, backend: Backend): void {
  backends.set(deviceType, backend);
  byDevice.clear();
}

export function backendFor(device: string): Backend {
  const cached = byDevice.get(device);
  if (cached !== undefined) return cached;
  const colon = device.indexOf(":");
  const b = backends.get(colon < 0 ? device : device.slice(0, colon));
  if (!b) throw new Error(`no backend is registered for device '${device}'`);
  byDevice.set(device, b);
  return b;
}

export function availableDevices(): string[] {
  return [...backends.keys()];
}
