// Functional pooling: F.maxPool1d/2d, F.avgPool1d/2d, F.adaptiveAvgPool1d/2d,
// F.adaptiveMaxPool1d/2d and F.maxUnpool2d, with PyTorch's positional parameters (any trailing
// run of them may be one options object) and its defaults (stride defaults to the kernel size).
import * as pool from "../../ops/pooling.js";
import { tracer } from "../../ops/trace.js";
import type { Tensor } from "../../tensor/tensor.js";
import { type Pair, pair, pySize, type Size, single, trailing } from "./args.js";

export interface MaxPoolOptions {
  stride?: Size | null;
  padding?: Size;
  dilation?: Size;
  ceilMode?: boolean;
  returnIndices?: boolean;
}
type MaxPoolRest = [(Size | null | MaxPoolOptions)?, (Size | MaxPoolOptions)?, (Size | MaxPoolOptions)?, (boolean | MaxPoolOptions)?, (boolean | MaxPoolOptions)?];
const MAX_POOL_NAMES = ["stride", "padding", "dilation", "ceilMode", "returnIndices"] as const;

function emptyStride(s: Size | null | undefined): boolean {
  return s === null || s === undefined || (Array.isArray(s) && s.length === 0);
}

/** max_pool2d_with_indices: [output, indices], indices flat within each input plane. */
export function maxPool2dWithIndices(input: Tensor, kernelSize: Size, ...rest: MaxPoolRest): [Tensor, Tensor] {
  const o = trailing<MaxPoolOptions>(MAX_POOL_NAMES, rest);
  // Reported (without an ONNX mapping: ONNX's indices count across planes) so that export names it.
  if (tracer !== null && tracer.depth === 0) return tracer.call("maxPool2dWithIndices", maxPool2dWithIndices, [input, kernelSize, o]);
  return pool.maxPool2dWithIndices(input, pool2dArgs(kernelSize, o));
}

function pool2dArgs(kernelSize: Size, o: Partial<MaxPoolOptions>): pool.MaxPool2dArgs {
  const op = "max_pool2d";
  const kernel = pair(kernelSize, op, "kernel_size");
  return {
    kernel,
    stride: emptyStride(o.stride) ? kernel : pair(o.stride as Size, op, "stride"),
    padding: pair(o.padding ?? 0, op, "padding"),
    dilation: pair(o.dilation ?? 1, op, "dilation"),
    ceilMode: o.ceilMode ?? false,
  };
}

/** F.max_pool2d(input, kernelSize, stride?, padding=0, dilation=1, ceilMode=false, returnIndices=false). */
export function maxPool2d(input: Tensor, kernelSize: Size, opts: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: Size, stride: Size | null | undefined, padding: Size | undefined, dilation: Size | undefined, ceilMode: boolean | undefined, returnIndices: true): [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: Size, ...rest: MaxPoolRest): Tensor;
export function maxPool2d(input: Tensor, kernelSize: Size, ...rest: MaxPoolRest): Tensor | [Tensor, Tensor] {
  const o = trailing<MaxPoolOptions>(MAX_POOL_NAMES, rest);
  // Reported with the options gathered into one object, whatever mix of positions the caller used.
  if (tracer !== null && tracer.depth === 0) return tracer.call("maxPool2d", maxPool2d, [input, kernelSize, o]);
  // Without indices asked for, a forward under noGrad (or of an input without grad) computes none.
  return o.returnIndices ? maxPool2dWithIndices(input, kernelSize, o) : pool.maxPool2d(input, pool2dArgs(kernelSize, o));
}

/** max_pool1d_with_indices: [output, indices]. */
export function maxPool1dWithIndices(input: Tensor, kernelSize: Size, ...rest: MaxPoolRest): [Tensor, Tensor] {
  const o = trailing<MaxPoolOptions>(MAX_POOL_NAMES, rest);
  return pool.maxPool1dWithIndices(input, pool1dArgs(kernelSize, o));
}

function pool1dArgs(kernelSize: Size, o: Partial<MaxPoolOptions>): pool.MaxPool1dArgs {
  const op = "max_pool1d";
  const kernel = single(kernelSize, op, "kernel_size");
  return {
    kernel,
    stride: emptyStride(o.stride) ? kernel : single(o.stride as Size, op, "stride"),
    padding: single(o.padding ?? 0, op, "padding"),
    dilation: single(o.dilation ?? 1, op, "dilation"),
    ceilMode: o.ceilMode ?? false,
  };
}

/** F.max_pool1d(input, kernelSize, stride?, padding=0, dilation=1, ceilMode=false, returnIndices=false). */
export function maxPool1d(input: Tensor, kernelSize: Size, opts: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(input: Tensor, kernelSize: Size, stride: Size | null | undefined, padding: Size | undefined, dilation: Size | undefined, ceilMode: boolean | undefined, returnIndices: true): [Tensor, Tensor];
export function maxPool1d(input: Tensor, kernelSize: Size, ...rest: MaxPoolRest): Tensor;
export function maxPool1d(input: Tensor, kernelSize: Size, ...rest: MaxPoolRest): Tensor | [Tensor, Tensor] {
  const o = trailing<MaxPoolOptions>(MAX_POOL_NAMES, rest);
  if (tracer !== null && tracer.depth === 0) return tracer.call("maxPool1d", maxPool1d, [input, kernelSize, o]);
  return o.returnIndices ? pool.maxPool1dWithIndices(input, pool1dArgs(kernelSize, o)) : pool.maxPool1d(input, pool1dArgs(kernelSize, o));
}

export interface AvgPoolOptions {
  stride?: Size | null;
  padding?: Size;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}
type AvgPoolRest = [(Size | null | AvgPoolOptions)?, (Size | AvgPoolOptions)?, (boolean | AvgPoolOptions)?, (boolean | AvgPoolOptions)?, (number | null | AvgPoolOptions)?];
const AVG_POOL_NAMES = ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"] as const;

/** F.avg_pool2d(input, kernelSize, stride?, padding=0, ceilMode=false, countIncludePad=true, divisorOverride?). */
export function avgPool2d(input: Tensor, kernelSize: Size, ...rest: AvgPoolRest): Tensor {
  const o = trailing<AvgPoolOptions>(AVG_POOL_NAMES, rest);
  if (tracer !== null && tracer.depth === 0) return tracer.call("avgPool2d", avgPool2d, [input, kernelSize, o]);
  const op = "avg_pool2d";
  const kernel = pair(kernelSize, op, "kernel_size");
  return pool.avgPool2d(input, {
    kernel,
    stride: emptyStride(o.stride) ? kernel : pair(o.stride as Size, op, "stride"),
    padding: pair(o.padding ?? 0, op, "padding"),
    ceilMode: o.ceilMode ?? false,
    countIncludePad: o.countIncludePad ?? true,
    divisorOverride: o.divisorOverride ?? null,
  });
}

/** F.avg_pool1d(input, kernelSize, stride?, padding=0, ceilMode=false, countIncludePad=true). */
export function avgPool1d(input: Tensor, kernelSize: Size, ...rest: AvgPoolRest): Tensor {
  const o = trailing<AvgPoolOptions>(AVG_POOL_NAMES, rest);
  if (tracer !== null && tracer.depth === 0) return tracer.call("avgPool1d", avgPool1d, [input, kernelSize, o]);
  const op = "avg_pool1d";
  const kernel = single(kernelSize, op, "kernel_size");
  if (input.dim() !== 2 && input.dim() !== 3) {
    throw new RangeError(`Expected 2 to 3 dimensions, but got ${input.dim()}-dimensional tensor for argument #1 'self' (while checking arguments for avg_pool1d)`);
  }
  return pool.avgPool1d(input, {
    kernel,
    stride: emptyStride(o.stride) ? kernel : single(o.stride as Size, op, "stride"),
    padding: single(o.padding ?? 0, op, "padding"),
    ceilMode: o.ceilMode ?? false,
    countIncludePad: o.countIncludePad ?? true,
  });
}

/** An adaptive output size: a number, or one entry per dim where null keeps the input's size. */
export type AdaptiveSize = number | ReadonlyArray<number | null>;

/** _list_with_default: null entries take the input's trailing sizes. */
function withDefaults(size: AdaptiveSize, input: Tensor): number | number[] {
  if (typeof size === "number") return size;
  const dims = input.shape;
  if (dims.length <= size.length) throw new RangeError(`Input dimension should be at least ${size.length + 1}`);
  const tail = dims.slice(dims.length - size.length);
  return size.map((v, i) => (v === null ? tail[i] : v));
}

function adaptivePair(size: number | number[], op: string): Pair {
  if (typeof size === "number") return [size, size];
  if (size.length !== 2) throw new RangeError(`${op}: output_size must be 2`);
  return [size[0], size[1]];
}

function adaptiveSingle(size: number | number[], op: string): number {
  if (typeof size === "number") return size;
  if (size.length !== 1) throw new RangeError(`${op}: output_size must be 1`);
  return size[0];
}

/** F.adaptive_avg_pool2d(input, outputSize): windows floor(i * I / O) .. ceil((i + 1) * I / O). */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("adaptiveAvgPool2d", adaptiveAvgPool2d, [input, outputSize]);
  return pool.adaptiveAvgPool2d(input, adaptivePair(withDefaults(outputSize, input), "adaptive_avg_pool2d"));
}

export function adaptiveAvgPool1d(input: Tensor, outputSize: number | readonly number[]): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("adaptiveAvgPool1d", adaptiveAvgPool1d, [input, outputSize]);
  return pool.adaptiveAvgPool1d(input, adaptiveSingle(typeof outputSize === "number" ? outputSize : outputSize.slice(), "adaptive_avg_pool1d"));
}

/** F.adaptive_max_pool2d(input, outputSize, returnIndices=false). */
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, returnIndices: true | { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, returnIndices?: boolean | { returnIndices?: boolean }): Tensor;
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, returnIndices: boolean | { returnIndices?: boolean } = false): Tensor | [Tensor, Tensor] {
  const r = pool.adaptiveMaxPool2d(input, adaptivePair(withDefaults(outputSize, input), "adaptive_max_pool2d"));
  return (typeof returnIndices === "object" ? returnIndices.returnIndices : returnIndices) ? r : r[0];
}

export function adaptiveMaxPool2dWithIndices(input: Tensor, outputSize: AdaptiveSize): [Tensor, Tensor] {
  return pool.adaptiveMaxPool2d(input, adaptivePair(withDefaults(outputSize, input), "adaptive_max_pool2d"));
}

/** F.adaptive_max_pool1d(input, outputSize, returnIndices=false). */
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | readonly number[], returnIndices: true | { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | readonly number[], returnIndices?: boolean | { returnIndices?: boolean }): Tensor;
export function adaptiveMaxPool1d(
  input: Tensor,
  outputSize: number | readonly number[],
  returnIndices: boolean | { returnIndices?: boolean } = false,
): Tensor | [Tensor, Tensor] {
  const r = pool.adaptiveMaxPool1d(input, adaptiveSingle(typeof outputSize === "number" ? outputSize : outputSize.slice(), "adaptive_max_pool1d"));
  return (typeof returnIndices === "object" ? returnIndices.returnIndices : returnIndices) ? r : r[0];
}

export interface MaxUnpoolOptions {
  stride?: Size | null;
  padding?: Size;
  outputSize?: readonly number[] | null;
}

/** _unpool_output_size: the default (in - 1) * stride + kernel - 2 * padding, or a checked outputSize. */
function unpoolOutputSize(input: Tensor, kernel: Pair, stride: Pair, padding: Pair, outputSize: readonly number[] | null | undefined): Pair {
  const nd = input.dim();
  const def: Pair = [0, 1].map((d) => (input.shape[nd - 2 + d] - 1) * stride[d] + kernel[d] - 2 * padding[d]) as Pair;
  if (outputSize === null || outputSize === undefined) return def;
  const given = outputSize.length === 4 ? outputSize.slice(2) : outputSize.slice();
  if (given.length !== 2) {
    throw new RangeError(`output_size should be a sequence containing 2 or 4 elements, but it has a length of '${given.length}'`);
  }
  for (let d = 0; d < 2; d++) {
    const lo = def[d] - stride[d];
    const hi = def[d] + stride[d];
    if (!(lo < given[d] && given[d] < hi)) throw new RangeError(`invalid output_size "${pySize(outputSize)}" (dim ${d} must be between ${lo} and ${hi})`);
  }
  return [given[0], given[1]];
}

/** F.max_unpool2d(input, indices, kernelSize, stride?, padding=0, outputSize?). */
export function maxUnpool2d(
  input: Tensor,
  indices: Tensor,
  kernelSize: Size,
  ...rest: [(Size | null | MaxUnpoolOptions)?, (Size | MaxUnpoolOptions)?, (readonly number[] | null | MaxUnpoolOptions)?]
): Tensor {
  const o = trailing<MaxUnpoolOptions>(["stride", "padding", "outputSize"], rest);
  const op = "max_unpool2d";
  const kernel = pair(kernelSize, op, "kernel_size");
  const stride = emptyStride(o.stride) ? kernel : pair(o.stride as Size, op, "stride");
  const padding = pair(o.padding ?? 0, op, "padding");
  return pool.maxUnpool2d(input, indices, unpoolOutputSize(input, kernel, stride, padding, o.outputSize));
}
