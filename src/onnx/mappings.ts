// How each traced op becomes ONNX nodes: one entry per op name that src/ops reports (see
// src/ops/trace.ts). An entry receives the call (its arguments as given, its traced outputs) and
// emits nodes through the GraphBuilder; it returns the value name of each output tensor.
//
// Adding an op:
//   1. in the op's entry point (src/ops/... or src/nn/functional/...), first line:
//        if (tracer !== null && tracer.depth === 0) return tracer.call("conv2d", conv2d, [input, weight, bias, opts]);
//   2. here, one entry:
//        conv2d: (c) => c.g.op("Conv", [c.in(0), c.in(1), ...(c.arg(2) ? [c.in(2)] : [])], { strides: [...], pads: [...], ... }),
//      c.arg(i) is argument i as given, c.in(i) its ONNX value name, c.out(k) the traced output
//      tensor k, c.outShape2(k) its shape in the second trace (dims that differ are dynamic; use
//      c.g.reshapeTarget / c.g.shapeValue for shapes that must follow them), c.g.opset the opset.
//   A composite op whose parts are all reported needs no entry: leave its entry point without the
//   tracer line and its parts are recorded instead.
import type { RNNTraceSpec } from "../nn/modules/rnn.js";
import { reduceArgs, resolveDims } from "../ops/reduction.js";
import { bool, type DType, float32, int64, resultType } from "../tensor/dtype.js";
import { normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { type AttrValue, ExportError, type GraphBuilder, onnxType, tensorProto as tensorProtoOf } from "./graph.js";
import type { OpCall } from "./recorder.js";

export class MappingContext {
  constructor(
    readonly g: GraphBuilder,
    readonly call: OpCall,
    private shapes2: { args: Array<number[] | null>; outputs: number[][] },
  ) {}
  get opset(): number {
    return this.g.opset;
  }
  arg<T = any>(i: number): T {
    return this.call.args[i] as T;
  }
  /** The value name of tensor argument i. */
  in(i: number): string {
    const a = this.call.args[i];
    if (!(a instanceof Tensor)) throw new ExportError(`${this.call.op}: argument ${i} is not a tensor`, this.call);
    return this.g.value(a, i);
  }
  /** Argument i (a tensor or a number) as a value of dtype. */
  operand(i: number, dtype: DType): string {
    const a = this.call.args[i];
    if (a instanceof Tensor) return this.g.cast(this.g.value(a, i), a.dtype, dtype);
    if (typeof a === "number" || typeof a === "boolean") return this.g.scalar(Number(a), dtype);
    throw new ExportError(`${this.call.op}: argument ${i} is neither a tensor nor a number`, this.call);
  }
  out(k = 0): Tensor {
    return this.call.outputs[k];
  }
  outShape2(k = 0): number[] {
    return this.shapes2.outputs[k];
  }
  /** Shape of tensor argument i in the second trace. */
  argShape2(i: number): number[] {
    return this.shapes2.args[i] ?? (this.call.args[i] as Tensor).shape;
  }
  fail(message: string): never {
    throw new ExportError(`${this.call.op}: ${message}`, this.call);
  }
}

export type Mapping = (c: MappingContext) => string | string[];

// ---------------------------------------------------------------- helpers

const unary = (opType: string): Mapping => (c) => c.g.op(opType, [c.in(0)]);
/** An elementwise binary op computed in the result's dtype. */
const binary = (opType: string): Mapping => (c) => {
  const dt = c.out().dtype;
  return c.g.op(opType, [c.operand(0, dt), c.operand(1, dt)]);
};
/** A comparison: operands promoted to a common dtype, the result bool. */
const compare = (opType: string, negate = false): Mapping => (c) => {
  const dt = resultType([c.arg(0), c.arg(1)]);
  const r = c.g.op(opType, [c.operand(0, dt), c.operand(1, dt)]);
  return negate ? c.g.op("Not", [r]) : r;
};
const logical = (opType: string): Mapping => (c) => c.g.op(opType, [c.operand(0, bool), c.operand(1, bool)]);
const identity: Mapping = (c) => c.g.op("Identity", [c.in(0)]);
/** Any op whose result is its input's values in another shape. */
const asReshape: Mapping = (c) => {
  const x = c.in(0);
  return c.g.op("Reshape", [x, c.g.reshapeTarget(x, c.out().shape, c.outShape2())]);
};
function scalarOf(c: MappingContext, v: number, dtype: DType = c.out().dtype): string {
  return c.g.scalar(v, dtype);
}
function dimOf(c: MappingContext, d: number, nd = (c.arg(0) as Tensor).dim()): number {
  return normalizeDim(d, Math.max(nd, 1), c.call.op);
}

/** Reduce ops take axes as an attribute before opset 18 (ReduceSum since 13), an input after. */
function reduce(c: MappingContext, opType: string, x: string, axes: number[], keepdim: boolean): string {
  const asInput = opType === "ReduceSum" ? c.opset >= 13 : c.opset >= 18;
  if (asInput) return c.g.op(opType, [x, c.g.ints(axes)], { keepdims: keepdim ? 1 : 0 });
  return c.g.op(opType, [x], { axes, keepdims: keepdim ? 1 : 0 });
}
function reduceDims(c: MappingContext, op: string): { dims: number[]; keepdim: boolean } {
  const x = c.arg<Tensor>(0);
  const o = reduceArgs(c.arg(1), c.arg(2));
  return { dims: resolveDims(x, o.dim, op), keepdim: o.keepdim ?? false };
}
const reduction = (opType: string, name: string, floatOnly = false): Mapping => (c) => {
  const { dims, keepdim } = reduceDims(c, name);
  const x = c.arg<Tensor>(0);
  let v = c.in(0);
  const dt = c.out().dtype;
  if (floatOnly || x.dtype === bool) v = c.g.cast(v, x.dtype, dt);
  if (dims.length === 0) return c.g.op("Identity", [v]);
  return reduce(c, opType, v, dims, keepdim);
};
function unsqueeze(c: MappingContext, x: string, axes: number[]): string {
  return c.g.op("Unsqueeze", [x, c.g.ints(axes)]);
}
function squeezeAxes(c: MappingContext, x: string, axes: number[]): string {
  return c.g.op("Squeeze", [x, c.g.ints(axes)]);
}
/** max/min: over everything (a 0-d tensor), or along a dim with values and indices. */
const extreme = (kind: "Max" | "Min"): Mapping => (c) => {
  const x = c.arg<Tensor>(0);
  const dim = c.arg<number | undefined>(1);
  if (dim === undefined) return reduce(c, `Reduce${kind}`, c.in(0), [...Array(x.dim()).keys()], false);
  const keepdim = c.arg<{ keepdim?: boolean } | undefined>(2)?.keepdim ?? false;
  const d = dimOf(c, dim);
  const values = reduce(c, `Reduce${kind}`, c.in(0), [d], keepdim);
  const indices = c.g.op(`Arg${kind}`, [c.in(0)], { axis: d, keepdims: keepdim ? 1 : 0, select_last_index: 0 });
  return [values, indices];
};
const argExtreme = (kind: "Max" | "Min"): Mapping => (c) => {
  const x = c.arg<Tensor>(0);
  const dim = c.arg<number | null | undefined>(1);
  const keepdim = c.arg<{ keepdim?: boolean } | undefined>(2)?.keepdim ?? false;
  if (dim === undefined || dim === null) {
    const flat = c.g.op("Reshape", [c.in(0), c.g.ints([-1])]);
    const r = c.g.op(`Arg${kind}`, [flat], { axis: 0, keepdims: 0 });
    return keepdim ? c.g.op("Reshape", [r, c.g.ints(x.shape.map(() => 1))]) : r;
  }
  return c.g.op(`Arg${kind}`, [c.in(0)], { axis: dimOf(c, dim), keepdims: keepdim ? 1 : 0 });
};
function varianceOf(c: MappingContext, sqrt: boolean): string {
  const x = c.arg<Tensor>(0);
  const a1 = c.arg(1);
  const o = typeof a1 === "object" && a1 !== null && !Array.isArray(a1) ? a1 : { ...(c.arg(2) ?? {}), dim: a1 };
  const dims = resolveDims(x, o.dim ?? null, "var");
  const keepdim = o.keepdim ?? false;
  const correction = o.correction ?? (o.unbiased === false ? 0 : 1);
  const n = dims.reduce((p: number, d: number) => p * x.shape[d], 1);
  if (dims.some((d: number) => c.g.isDynamicDim(c.in(0), d))) c.fail("the reduced dims must not be dynamic axes");
  const dt = c.out().dtype;
  const v = c.in(0);
  const mean = reduce(c, "ReduceMean", v, dims, true);
  const diff = c.g.op("Sub", [v, mean]);
  const sq = c.g.op("Mul", [diff, diff]);
  const s = reduce(c, "ReduceSum", sq, dims, keepdim);
  const r = c.g.op("Div", [s, scalarOf(c, Math.max(n - correction, 0), dt)]);
  return sqrt ? c.g.op("Sqrt", [r]) : r;
}
function eluOf(c: MappingContext, x: string, alpha: number, scale: number, inputScale: number): string {
  if (scale === 1 && inputScale === 1) return c.g.op("Elu", [x], { alpha: { float: alpha } });
  const dt = c.out().dtype;
  const neg = c.g.op("Mul", [c.g.op("Sub", [c.g.op("Exp", [c.g.op("Mul", [x, scalarOf(c, inputScale, dt)])]), scalarOf(c, 1, dt)]), scalarOf(c, alpha * scale, dt)]);
  const pos = c.g.op("Mul", [x, scalarOf(c, scale, dt)]);
  return c.g.op("Where", [c.g.op("Greater", [x, scalarOf(c, 0, dt)]), pos, neg]);
}
/** softmax / log_softmax over a dim (ONNX 13+ takes the axis directly). */
const softmaxLike = (opType: string, negate = false): Mapping => (c) => {
  const x = c.arg<Tensor>(0);
  let v = c.g.cast(c.in(0), x.dtype, c.out().dtype);
  if (negate) v = c.g.op("Neg", [v]);
  return c.g.op(opType, [v], { axis: dimOf(c, c.arg(1)) });
};
function sliceOf(c: MappingContext, x: string, axis: number, start: number, end: number, step: number): string {
  return c.g.op("Slice", [x, c.g.ints([start]), c.g.ints([end]), c.g.ints([axis]), c.g.ints([step])]);
}
function layerNormDecomposed(c: MappingContext, x: string, axes: number[], weight: string | null, bias: string | null, eps: number): string {
  const dt = c.out().dtype;
  const mean = reduce(c, "ReduceMean", x, axes, true);
  const d = c.g.op("Sub", [x, mean]);
  const variance = reduce(c, "ReduceMean", c.g.op("Mul", [d, d]), axes, true);
  let y = c.g.op("Div", [d, c.g.op("Sqrt", [c.g.op("Add", [variance, scalarOf(c, eps, dt)])])]);
  if (weight) y = c.g.op("Mul", [y, weight]);
  if (bias) y = c.g.op("Add", [y, bias]);
  return y;
}
function splitOutputs(c: MappingContext, dim: number, sizes: number[]): string[] {
  const x = c.in(0);
  if (sizes.length === 1) return [c.g.op("Identity", [x])];
  if (c.g.isDynamicDim(x, dim)) c.fail("cannot split along a dynamic axis");
  return c.g.node("Split", [x, c.g.ints(sizes)], { axis: dim }, sizes.length);
}

// Convolution, pooling, normalisation and resampling: F.conv1d/2d, F.convTranspose1d/2d,
// F.maxPool1d/2d, F.avgPool1d/2d, F.adaptiveAvgPool1d/2d, F.groupNorm, F.instanceNorm and
// F.interpolate report with their options gathered into one object (a mapping also accepts
// PyTorch's positional order, for callers that report that way).
type Size = number | readonly number[];
function tuple(v: Size | undefined | null, n: number, fallback: number): number[] {
  if (v === undefined || v === null) return Array(n).fill(fallback);
  return typeof v === "number" ? Array(n).fill(v) : [...v];
}
function optionsAt(c: MappingContext, i: number, names: string[]): Record<string, any> {
  const a = c.arg(i);
  if (a !== null && typeof a === "object" && !Array.isArray(a) && !(a instanceof Tensor)) return a as Record<string, any>;
  return Object.fromEntries(names.map((n, k) => [n, c.arg(i + k)]));
}
/**
 * ONNX's Conv, ConvTranspose and pooling ops need a batch dim that PyTorch's accept without: an
 * unbatched input ([C, *spatial]) gets one for the node and loses it after.
 */
function withBatch(c: MappingContext, nd: number, emit: (x: string) => string): string {
  const x = c.arg<Tensor>(0);
  if (x.dim() === nd + 2) return emit(c.in(0));
  return squeezeAxes(c, emit(unsqueeze(c, c.in(0), [0])), [0]);
}
const conv = (nd: number): Mapping => (c) => {
  const w = c.arg<Tensor>(1);
  const bias = c.arg<Tensor | null | undefined>(2);
  const o = optionsAt(c, 3, ["stride", "padding", "dilation", "groups"]);
  const kernel = w.shape.slice(2);
  const stride = tuple(o.stride, nd, 1);
  const dilation = tuple(o.dilation, nd, 1);
  let begin: number[];
  let end: number[];
  if (o.padding === "same") {
    const total = kernel.map((k, i) => dilation[i] * (k - 1));
    begin = total.map((t) => Math.floor(t / 2));
    end = total.map((t, i) => t - begin[i]);
  } else {
    begin = o.padding === "valid" ? Array(nd).fill(0) : tuple(o.padding, nd, 0);
    end = begin;
  }
  const rest = [c.in(1), ...(bias ? [c.in(2)] : [])];
  return withBatch(c, nd, (x) => c.g.op("Conv", [x, ...rest], { kernel_shape: kernel, strides: stride, pads: [...begin, ...end], dilations: dilation, group: o.groups ?? 1 }));
};
/** PyTorch's transposed-conv weight [Cin, Cout/groups, *k] is ONNX's ConvTranspose W layout as is. */
const convTranspose = (nd: number): Mapping => (c) => {
  const w = c.arg<Tensor>(1);
  const bias = c.arg<Tensor | null | undefined>(2);
  const o = optionsAt(c, 3, ["stride", "padding", "outputPadding", "groups", "dilation"]);
  const pad = tuple(o.padding, nd, 0);
  const rest = [c.in(1), ...(bias ? [c.in(2)] : [])];
  return withBatch(c, nd, (x) =>
    c.g.op("ConvTranspose", [x, ...rest], {
      kernel_shape: w.shape.slice(2),
      strides: tuple(o.stride, nd, 1),
      pads: [...pad, ...pad],
      dilations: tuple(o.dilation, nd, 1),
      output_padding: tuple(o.outputPadding, nd, 0),
      group: o.groups ?? 1,
    }),
  );
};
function poolStride(o: Record<string, any>, kernel: number[], nd: number): number[] {
  const s = o.stride;
  return s === undefined || s === null || (Array.isArray(s) && s.length === 0) ? kernel : tuple(s, nd, 1);
}
const maxPool = (nd: number): Mapping => (c) => {
  const o = optionsAt(c, 2, ["stride", "padding", "dilation", "ceilMode", "returnIndices"]);
  if (o.returnIndices) c.fail("max pooling with returnIndices has no ONNX mapping (ONNX's indices are not PyTorch's)");
  const kernel = tuple(c.arg<Size>(1), nd, 1);
  const pad = tuple(o.padding, nd, 0);
  const attrs = { kernel_shape: kernel, strides: poolStride(o, kernel, nd), pads: [...pad, ...pad], dilations: tuple(o.dilation, nd, 1), ceil_mode: o.ceilMode ? 1 : 0 };
  return withBatch(c, nd, (x) => c.g.op("MaxPool", [x], attrs));
};
const avgPool = (nd: number): Mapping => (c) => {
  const o = optionsAt(c, 2, ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"]);
  if (o.divisorOverride !== undefined && o.divisorOverride !== null) c.fail("average pooling with divisorOverride has no ONNX mapping");
  const kernel = tuple(c.arg<Size>(1), nd, 1);
  const stride = poolStride(o, kernel, nd);
  const pad = tuple(o.padding, nd, 0);
  const includePad = o.countIncludePad ?? true;
  const x = c.arg<Tensor>(0);
  const spatial = x.shape.slice(-nd);
  const outSpatial = c.out().shape.slice(-nd);
  // With ceilMode a last window may hang past the padded input. PyTorch divides it by the part
  // inside input + padding (countIncludePad) or inside the input; ONNX Runtime's AveragePool
  // divides by the whole kernel when counting padding. Where no window hangs over, ceilMode
  // changes nothing and plain AveragePool is exact.
  const overhang = spatial.some((s, i) => (outSpatial[i] - 1) * stride[i] + kernel[i] > s + 2 * pad[i]);
  if (o.ceilMode && overhang) {
    const v = c.in(0);
    if (spatial.some((_, i) => c.g.isDynamicDim(v, x.dim() - nd + i))) c.fail("average pooling with ceilMode over a dynamic spatial size has no ONNX mapping");
    return withBatch(c, nd, (xb) => ceilAvgPool(c, xb, kernel, stride, pad, includePad, spatial, outSpatial));
  }
  return withBatch(c, nd, (xb) => c.g.op("AveragePool", [xb], { kernel_shape: kernel, strides: stride, pads: [...pad, ...pad], count_include_pad: includePad ? 1 : 0 }));
};
/**
 * Average pooling whose last windows overhang: a sum pool (AveragePool over a zero-padded input,
 * times the kernel size) divided by a constant map of PyTorch's per-window divisors.
 */
function ceilAvgPool(c: MappingContext, x: string, kernel: number[], stride: number[], pad: number[], includePad: boolean, spatial: number[], out: number[]): string {
  const nd = kernel.length;
  const dt = c.out().dtype;
  const extra = out.map((o, i) => Math.max(0, (o - 1) * stride[i] + kernel[i] - spatial[i] - 2 * pad[i]));
  const padded = c.g.op("Pad", [x, c.g.ints([0, 0, ...pad, 0, 0, ...pad.map((p, i) => p + extra[i])]), scalarOf(c, 0, dt)], { mode: "constant" });
  const mean = c.g.op("AveragePool", [padded], { kernel_shape: kernel, strides: stride });
  const total = kernel.reduce((a, b) => a * b, 1);
  // divisor[o] per dim: the window's extent clipped to the input (+ padding when counted)
  const perDim = out.map((o, i) =>
    Array.from({ length: o }, (_, j) => {
      const start = j * stride[i] - pad[i];
      const end = Math.min(start + kernel[i], spatial[i] + pad[i]);
      return includePad ? end - start : Math.min(end, spatial[i]) - Math.max(start, 0);
    }),
  );
  const div = Tensor.make([...out], dt);
  const n = div.numel();
  for (let flat = 0; flat < n; flat++) {
    let rem = flat;
    let d = 1;
    for (let i = nd - 1; i >= 0; i--) {
      d *= perDim[i][rem % out[i]];
      rem = Math.floor(rem / out[i]);
    }
    div.storage.data[flat] = total / d;
  }
  return c.g.op("Mul", [mean, c.g.constant(div)]);
}
/** Adaptive average pooling as GlobalAveragePool (output 1) or AveragePool (sizes divide). */
function adaptiveAvg(c: MappingContext, x: string, inSize: number[], out: number[], dynamic: boolean): string {
  if (out.every((s) => s === 1)) return c.g.op("GlobalAveragePool", [x]);
  if (dynamic) c.fail("adaptive average pooling over a dynamic spatial size has no ONNX mapping unless the output is 1");
  if (inSize.every((s, i) => s % out[i] === 0)) {
    const kernel = inSize.map((s, i) => s / out[i]);
    return c.g.op("AveragePool", [x], { kernel_shape: kernel, strides: kernel });
  }
  // Windows of unequal size (floor(i * I / O) to ceil((i + 1) * I / O)): one mean per window and
  // dim, concatenated; a rectangle's mean is the mean of its rows' means, so dims go one at a time.
  const nd = inSize.length;
  let v = x;
  for (let d = 0; d < nd; d++) {
    const axis = 2 + d;
    const parts = Array.from({ length: out[d] }, (_, i) => {
      const start = Math.floor((i * inSize[d]) / out[d]);
      const end = Math.ceil(((i + 1) * inSize[d]) / out[d]);
      return reduce(c, "ReduceMean", sliceOf(c, v, axis, start, end, 1), [axis], true);
    });
    v = parts.length === 1 ? parts[0] : c.g.op("Concat", parts, { axis });
  }
  return v;
}
const adaptiveAvgPool = (nd: number): Mapping => (c) => {
  const x = c.arg<Tensor>(0);
  const inSize = x.shape.slice(-nd);
  const out = tuple(c.arg<Size>(1), nd, 1).map((s, i) => (s === null ? inSize[i] : s));
  const dynamic = inSize.some((_, i) => c.g.isDynamicDim(c.in(0), x.dim() - nd + i));
  return withBatch(c, nd, (xb) => adaptiveAvg(c, xb, inSize, out, dynamic));
};

/** Group norm: InstanceNormalization over [N, G, rest] (per-group statistics), then the per-channel affine. */
function groupNormOf(c: MappingContext, groups: number, weight: Tensor | null | undefined, bias: Tensor | null | undefined, eps: number): string {
  const x = c.arg<Tensor>(0);
  const dt = c.out().dtype;
  const v = c.in(0);
  const grouped = c.g.op("Reshape", [v, c.g.ints([0, groups, -1])]);
  const normed = c.g.op("InstanceNormalization", [grouped, c.g.constant(filled([groups], 1, dt)), c.g.constant(filled([groups], 0, dt))], { epsilon: { float: eps } });
  let y = c.g.op("Reshape", [normed, c.g.op("Shape", [v])]);
  const perChannel = [x.shape[1], ...Array(x.dim() - 2).fill(1)];
  if (weight) y = c.g.op("Mul", [y, c.g.op("Reshape", [c.g.value(weight), c.g.ints(perChannel)])]);
  if (bias) y = c.g.op("Add", [y, c.g.op("Reshape", [c.g.value(bias), c.g.ints(perChannel)])]);
  return y;
}

/**
 * A recurrent module as ONNX's own LSTM / GRU / RNN nodes, one per layer (ONNX's ops are single
 * layer). PyTorch keeps its gates in the order i,f,g,o (LSTM) and r,z,n (GRU); ONNX wants i,o,f,c
 * and z,r,h, so each weight and bias is split into gates and concatenated back in ONNX's order, in
 * the graph, so the initializers stay the state dict's tensors. GRU's n gate applies r after the
 * hidden product, as ONNX's linear_before_reset=1. ONNX's Y is [T, directions, B, H]: it becomes
 * PyTorch's [T, B, directions * H] (and batch-first) by Transpose and Reshape.
 */
const rnnMapping: Mapping = (c) => {
  const x = c.arg<Tensor>(0);
  const weights = c.arg<Tensor[]>(3);
  const s = c.arg<RNNTraceSpec>(4);
  if (s.projSize > 0) c.fail("an LSTM with projSize has no ONNX mapping (ONNX's LSTM has no projection)");
  if (s.dropout > 0 && s.numLayers > 1) c.fail("dropout between recurrent layers in training mode cannot be exported; call model.eval() (export does)");
  const lstm = s.mode === "LSTM";
  const gru = s.mode === "GRU";
  const gates = lstm ? 4 : gru ? 3 : 1;
  const order = lstm ? [0, 3, 1, 2] : gru ? [1, 0, 2] : [0];
  const dirs = s.bidirectional ? 2 : 1;
  const H = s.hiddenSize;
  const unbatched = x.dim() === 2;
  const perDir = s.bias ? 4 : 2;

  let v = c.in(0);
  if (unbatched) v = unsqueeze(c, v, [s.batchFirst ? 0 : 1]);
  if (s.batchFirst) v = c.g.op("Transpose", [v], { perm: [1, 0, 2] });
  const state = (i: number): string | null => {
    if (!c.arg(i)) return null;
    return unbatched ? unsqueeze(c, c.in(i), [1]) : c.in(i);
  };
  const h0 = state(1);
  const c0 = lstm ? state(2) : null;
  const reorder = (w: Tensor): string => {
    const name = c.g.value(w);
    if (gates === 1) return name;
    const parts = c.g.node("Split", [name, c.g.ints(Array(gates).fill(H))], { axis: 0 }, gates);
    return c.g.op("Concat", order.map((k) => parts[k]), { axis: 0 });
  };
  const perDirection = (layer: number, f: (ws: Tensor[]) => string): string => {
    const parts = Array.from({ length: dirs }, (_, d) => unsqueeze(c, f(weights.slice((layer * dirs + d) * perDir, (layer * dirs + d + 1) * perDir)), [0]));
    return parts.length === 1 ? parts[0] : c.g.op("Concat", parts, { axis: 0 });
  };
  const attrs: Record<string, AttrValue> = { hidden_size: H, direction: dirs === 2 ? "bidirectional" : "forward" };
  if (gru) attrs.linear_before_reset = 1;
  if (s.mode === "RNN_RELU") attrs.activations = { strings: Array(dirs).fill("Relu") };
  const hN: string[] = [];
  const cN: string[] = [];
  for (let layer = 0; layer < s.numLayers; layer++) {
    const W = perDirection(layer, (ws) => reorder(ws[0]));
    const R = perDirection(layer, (ws) => reorder(ws[1]));
    const B = s.bias ? perDirection(layer, (ws) => c.g.op("Concat", [reorder(ws[2]), reorder(ws[3])], { axis: 0 })) : "";
    const inputs = [v, W, R, B, "", h0 ? sliceOf(c, h0, 0, layer * dirs, (layer + 1) * dirs, 1) : ""];
    if (lstm) inputs.push(c0 ? sliceOf(c, c0, 0, layer * dirs, (layer + 1) * dirs, 1) : "");
    while (inputs[inputs.length - 1] === "") inputs.pop();
    const outs = c.g.node(lstm ? "LSTM" : gru ? "GRU" : "RNN", inputs, attrs, lstm ? 3 : 2);
    v = c.g.op("Reshape", [c.g.op("Transpose", [outs[0]], { perm: [0, 2, 1, 3] }), c.g.ints([0, 0, -1])]);
    hN.push(outs[1]);
    if (lstm) cN.push(outs[2]);
  }
  if (s.batchFirst) v = c.g.op("Transpose", [v], { perm: [1, 0, 2] });
  if (unbatched) v = squeezeAxes(c, v, [s.batchFirst ? 0 : 1]);
  const finalState = (parts: string[]): string => {
    const all = parts.length === 1 ? parts[0] : c.g.op("Concat", parts, { axis: 0 });
    return unbatched ? squeezeAxes(c, all, [1]) : all;
  };
  return lstm ? [v, finalState(hN), finalState(cN)] : [v, finalState(hN)];
};

/** x @ w^T + b for a weight [out, in] (ONNX MatMul broadcasts over x's leading dims). */
function linearOf(c: MappingContext, x: string, w: string, b: string | null): string {
  const y = c.g.op("MatMul", [x, c.g.op("Transpose", [w], { perm: [1, 0] })]);
  return b ? c.g.op("Add", [y, b]) : y;
}
/** A mask as an additive float one: a bool mask gets -inf where it is `masked` (true or false), 0 elsewhere. */
function additiveMask(c: MappingContext, maskDtype: DType, name: string, masked: "true" | "false"): string {
  const dt = c.out().dtype;
  if (maskDtype !== bool) return c.g.cast(name, maskDtype, dt);
  const ninf = scalarOf(c, Number.NEGATIVE_INFINITY, dt);
  const zero = scalarOf(c, 0, dt);
  return c.g.op("Where", masked === "true" ? [name, ninf, zero] : [name, zero, ninf]);
}

/**
 * F.multiHeadAttentionForward (nn.MultiheadAttention, transformer layers) as MatMul / Softmax:
 * heads kept as their own dim ([N, H, L, hd]) so that every Reshape target is made of constants
 * (0 = keep the input's size), whatever sizes are dynamic. Masks follow PyTorch 2.x: a bool mask
 * marks what may not be attended, a float mask is added; both are merged before the scores.
 */
const mhaMapping: Mapping = (c) => {
  const query = c.arg<Tensor>(0);
  const numHeads = c.arg<number>(4);
  const o = c.arg<Record<string, any>>(13) ?? {};
  if (c.arg(7) || c.arg(8)) c.fail("multi-head attention with bias_k / bias_v has no ONNX mapping");
  if (c.arg(9)) c.fail("multi-head attention with addZeroAttn has no ONNX mapping");
  if (o.staticK || o.staticV) c.fail("multi-head attention with static keys / values has no ONNX mapping");
  if ((o.training ?? true) && c.arg<number>(10) > 0) c.fail("attention dropout in training mode cannot be exported; call model.eval() (export does)");
  const batched = query.dim() === 3;
  const E = query.shape[query.dim() - 1];
  const hd = E / numHeads;
  const dt = c.out().dtype;
  const input = (i: number) => (batched ? c.in(i) : unsqueeze(c, c.in(i), [1]));
  const [qIn, kIn, vIn] = [input(0), c.in(1) === c.in(0) ? null : input(1), c.in(2) === c.in(1) ? null : input(2)];
  const kSrc = kIn ?? qIn;
  const vSrc = vIn ?? kSrc;
  const inBias = c.arg<Tensor | null>(6);
  const biases = inBias ? c.g.node("Split", [c.g.value(inBias), c.g.ints([E, E, E])], { axis: 0 }, 3) : [null, null, null];
  let q: string;
  let k: string;
  let v: string;
  if (o.useSeparateProjWeight) {
    q = linearOf(c, qIn, c.g.value(o.qProjWeight), biases[0]);
    k = linearOf(c, kSrc, c.g.value(o.kProjWeight), biases[1]);
    v = linearOf(c, vSrc, c.g.value(o.vProjWeight), biases[2]);
  } else if (kSrc === qIn && vSrc === qIn) {
    // self-attention: one product with the packed weight, split after (as PyTorch computes it)
    const packed = linearOf(c, qIn, c.in(5), inBias ? c.in(6) : null);
    [q, k, v] = c.g.node("Split", [packed, c.g.ints([E, E, E])], { axis: -1 }, 3);
  } else {
    const w = c.g.node("Split", [c.in(5), c.g.ints([E, E, E])], { axis: 0 }, 3);
    q = linearOf(c, qIn, w[0], biases[0]);
    k = linearOf(c, kSrc, w[1], biases[1]);
    v = linearOf(c, vSrc, w[2], biases[2]);
  }
  const heads = (x: string, perm: number[]) => c.g.op("Transpose", [c.g.op("Reshape", [x, c.g.ints([0, 0, numHeads, hd])])], { perm });
  const qh = heads(q, [1, 2, 0, 3]); // [N, H, L, hd]
  const kh = heads(k, [1, 2, 3, 0]); // [N, H, hd, S]
  const vh = heads(v, [1, 2, 0, 3]); // [N, H, S, hd]
  let scores = c.g.op("MatMul", [c.g.op("Div", [qh, scalarOf(c, Math.sqrt(hd), dt)]), kh]); // [N, H, L, S]

  let mask: string | null = null;
  const attnMask = o.attnMask as Tensor | null | undefined;
  if (attnMask) {
    mask = additiveMask(c, attnMask.dtype, c.g.value(attnMask), "true");
    if (attnMask.dim() === 3) {
      // [N * H, L, S] -> [N, H, L, S]
      const ls = c.g.op("Slice", [c.g.op("Shape", [mask]), c.g.ints([1]), c.g.ints([3])]);
      mask = c.g.op("Reshape", [mask, c.g.op("Concat", [c.g.ints([-1, numHeads]), ls], { axis: 0 })]);
    }
  }
  const kpm = o.keyPaddingMask as Tensor | null | undefined;
  if (kpm) {
    let m = additiveMask(c, kpm.dtype, c.g.value(kpm), "true");
    m = unsqueeze(c, m, batched ? [1, 2] : [0, 1, 2]); // [N, 1, 1, S]
    mask = mask ? c.g.op("Add", [mask, m]) : m;
  }
  if (mask) scores = c.g.op("Add", [mask, scores]);
  const weights = c.g.op("Softmax", [scores], { axis: -1 });
  const ctx = c.g.op("MatMul", [weights, vh]); // [N, H, L, hd]
  const merged = c.g.op("Reshape", [c.g.op("Transpose", [ctx], { perm: [2, 0, 1, 3] }), c.g.ints([0, 0, E])]);
  const outBias = c.arg<Tensor | null>(12);
  let out = linearOf(c, merged, c.in(11), outBias ? c.in(12) : null);
  if (!batched) out = squeezeAxes(c, out, [1]);
  if (c.call.outputs.length === 1) return out;
  let w = weights;
  if (o.averageAttnWeights ?? true) w = c.g.op("Div", [reduce(c, "ReduceSum", w, [1], false), scalarOf(c, numHeads, dt)]);
  if (!batched) w = squeezeAxes(c, w, [0]);
  return [out, w];
};

/** F.scaledDotProductAttention: softmax(Q K^T * scale + mask) V, the scale split over Q and K as kindling computes it. */
const sdpaMapping: Mapping = (c) => {
  const q = c.arg<Tensor>(0);
  const k = c.arg<Tensor>(1);
  const o = c.arg<Record<string, any>>(3) ?? {};
  if ((o.dropoutP ?? 0) > 0) c.fail("scaled_dot_product_attention with dropoutP > 0 draws random masks and cannot be exported");
  const dt = c.out().dtype;
  const E = q.shape[q.dim() - 1];
  const scale: number = o.scale ?? 1 / Math.sqrt(E);
  const factor = Math.sqrt(Math.abs(scale));
  const perm = [...Array(k.dim()).keys()];
  [perm[k.dim() - 2], perm[k.dim() - 1]] = [perm[k.dim() - 1], perm[k.dim() - 2]];
  const qs = c.g.op("Mul", [c.in(0), scalarOf(c, scale < 0 ? -factor : factor, dt)]);
  const kt = c.g.op("Mul", [c.g.op("Transpose", [c.in(1)], { perm }), scalarOf(c, factor, dt)]);
  let scores = c.g.op("MatMul", [qs, kt]);
  const attnMask = o.attnMask as Tensor | null | undefined;
  if (o.isCausal) {
    const L = q.shape[q.dim() - 2];
    const S = k.shape[k.dim() - 2];
    const dynamic = c.g.isDynamicDim(c.in(0), q.dim() - 2) || c.g.isDynamicDim(c.in(1), k.dim() - 2);
    // the scores [..., L, S] carry both sizes
    const lower = triangleKept(c, scores, Math.max(q.dim(), k.dim()), L, S, 0, 0, dynamic);
    scores = c.g.op("Add", [scores, additiveMask(c, bool, lower, "false")]);
  } else if (attnMask) {
    scores = c.g.op("Add", [scores, additiveMask(c, attnMask.dtype, c.g.value(attnMask), "false")]);
  }
  return c.g.op("MatMul", [c.g.op("Softmax", [scores], { axis: -1 }), c.in(2)]);
};

/** F.interpolate as Resize; "area" as adaptive average pooling. */
const interpolateMapping: Mapping = (c) => {
  const x = c.arg<Tensor>(0);
  const o = c.arg<Record<string, any>>(1);
  const mode: string = o.mode ?? "nearest";
  const nd = x.dim() - 2;
  const inSize = x.shape.slice(2);
  const outSize = c.out().shape.slice(2);
  const v = c.in(0);
  const dynamicSpatial = inSize.some((_, i) => c.g.isDynamicDim(v, 2 + i));
  if (mode === "area") return adaptiveAvg(c, v, inSize, outSize, dynamicSpatial);
  const attrs: Record<string, AttrValue> = {};
  if (mode === "nearest") Object.assign(attrs, { mode: "nearest", coordinate_transformation_mode: "asymmetric", nearest_mode: "floor" });
  else if (mode === "nearest-exact") Object.assign(attrs, { mode: "nearest", coordinate_transformation_mode: "half_pixel", nearest_mode: "round_prefer_ceil" });
  else if (mode === "linear" || mode === "bilinear" || mode === "bicubic") {
    Object.assign(attrs, { mode: mode === "bicubic" ? "cubic" : "linear", coordinate_transformation_mode: o.alignCorners ? "align_corners" : "half_pixel" });
    if (mode === "bicubic") attrs.cubic_coeff_a = { float: -0.75 };
  } else c.fail(`interpolate mode '${mode}' has no ONNX mapping`);
  // A scale factor as given (not recomputed) sets PyTorch's source positions: pass it as Resize's
  // scales. A size (or a recomputed scale) fixes the output: pass the sizes.
  const scaleGiven = o.scaleFactor !== undefined && o.scaleFactor !== null && !o.recomputeScaleFactor && o.size == null;
  if (scaleGiven) {
    const sf = tuple(o.scaleFactor, nd, 1);
    const scales = Tensor.make([nd + 2], float32);
    scales.storage.data.set([1, 1, ...sf]);
    return c.g.op("Resize", [v, "", c.g.constant(scales)], attrs);
  }
  if (dynamicSpatial) c.fail("interpolate to a fixed size from a dynamic spatial size: export the spatial dims as static");
  return c.g.op("Resize", [v, "", "", c.g.shapeValue(c.out().shape, c.outShape2())], attrs);
};

/**
 * Where triu (upper) / tril keeps x's last two dims: a constant when they are static, else built
 * from Range over their sizes (Trilu is opset 14; this works at 13).
 */
function triangleKept(c: MappingContext, v: string, nd: number, r: number, n: number, upper: 0 | 1, k: number, dynamic: boolean): string {
  if (!dynamic) {
    const mask = Tensor.make([r, n], bool);
    for (let i = 0; i < r; i++) for (let j = 0; j < n; j++) mask.storage.data[i * n + j] = (upper ? j - i >= k : j - i <= k) ? 1 : 0;
    return c.g.constant(mask);
  }
  const shape = c.g.op("Shape", [v]);
  const size = (d: number) => c.g.op("Gather", [shape, c.g.scalar(d, int64)], { axis: 0 });
  const range = (d: number) => c.g.op("Range", [c.g.scalar(0, int64), size(d), c.g.scalar(1, int64)]);
  const diff = c.g.op("Sub", [unsqueeze(c, range(nd - 1), [0]), unsqueeze(c, range(nd - 2), [1])]); // j - i
  return c.g.op(upper ? "GreaterOrEqual" : "LessOrEqual", [diff, c.g.scalar(k, int64)]);
}

/** triu / tril: Trilu from opset 14; before, a Where on the kept triangle. */
function trilu(c: MappingContext, upper: 0 | 1): string {
  const x = c.arg<Tensor>(0);
  const k: number = c.arg(1) ?? 0;
  if (c.opset >= 14) return c.g.op("Trilu", [c.in(0), c.g.scalar(k, int64)], { upper });
  const [r, n] = x.shape.slice(-2);
  const v = c.in(0);
  const dynamic = c.g.isDynamicDim(v, x.dim() - 1) || c.g.isDynamicDim(v, x.dim() - 2);
  return c.g.op("Where", [triangleKept(c, v, x.dim(), r, n, upper, k, dynamic), v, c.g.scalar(0, x.dtype)]);
}

// ---------------------------------------------------------------- the table

export const mappings: Record<string, Mapping> = {
  // linear algebra
  linear: (c) => {
    const x = c.arg<Tensor>(0);
    const bias = c.arg<Tensor | null | undefined>(2);
    if (x.dim() === 2) return c.g.op("Gemm", [c.in(0), c.in(1), ...(bias ? [c.in(2)] : [])], { transB: 1 });
    const wt = c.g.op("Transpose", [c.in(1)], { perm: [1, 0] });
    const y = c.g.op("MatMul", [c.in(0), wt]);
    return bias ? c.g.op("Add", [y, c.in(2)]) : y;
  },
  addmm: (c) => {
    const o = c.arg<{ beta?: number; alpha?: number } | undefined>(3) ?? {};
    return c.g.op("Gemm", [c.in(1), c.in(2), c.in(0)], { alpha: { float: o.alpha ?? 1 }, beta: { float: o.beta ?? 1 } });
  },
  mm: (c) => c.g.op("MatMul", [c.in(0), c.in(1)]),
  bmm: (c) => c.g.op("MatMul", [c.in(0), c.in(1)]),
  matmul: (c) => c.g.op("MatMul", [c.in(0), c.in(1)]),
  mv: (c) => c.g.op("MatMul", [c.in(0), c.in(1)]),
  dot: (c) => c.g.op("MatMul", [c.in(0), c.in(1)]),
  outer: (c) => c.g.op("Mul", [unsqueeze(c, c.in(0), [1]), unsqueeze(c, c.in(1), [0])]),

  // activations
  relu: unary("Relu"),
  sigmoid: unary("Sigmoid"),
  tanh: unary("Tanh"),
  leakyRelu: (c) => c.g.op("LeakyRelu", [c.in(0)], { alpha: { float: c.arg(1) ?? 0.01 } }),
  hardtanh: (c) => {
    const dt = c.out().dtype;
    return c.g.op("Clip", [c.in(0), scalarOf(c, c.arg(1) ?? -1, dt), scalarOf(c, c.arg(2) ?? 1, dt)]);
  },
  threshold: (c) => {
    const dt = c.out().dtype;
    const x = c.in(0);
    return c.g.op("Where", [c.g.op("Greater", [x, scalarOf(c, c.arg(1), dt)]), x, scalarOf(c, c.arg(2), dt)]);
  },
  elu: (c) => eluOf(c, c.in(0), c.arg(1) ?? 1, c.arg(2) ?? 1, c.arg(3) ?? 1),
  gelu: (c) => {
    const dt = c.out().dtype;
    const x = c.in(0);
    if ((c.arg(1) ?? "none") === "none") {
      // x * 0.5 * (1 + erf(x / sqrt(2)))
      const e = c.g.op("Erf", [c.g.op("Mul", [x, scalarOf(c, Math.SQRT1_2, dt)])]);
      return c.g.op("Mul", [c.g.op("Mul", [x, scalarOf(c, 0.5, dt)]), c.g.op("Add", [e, scalarOf(c, 1, dt)])]);
    }
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    const x3 = c.g.op("Mul", [c.g.op("Mul", [x, x]), x]);
    const inner = c.g.op("Mul", [c.g.op("Add", [x, c.g.op("Mul", [x3, scalarOf(c, 0.044715, dt)])]), scalarOf(c, Math.sqrt(2 / Math.PI), dt)]);
    return c.g.op("Mul", [c.g.op("Mul", [x, scalarOf(c, 0.5, dt)]), c.g.op("Add", [c.g.op("Tanh", [inner]), scalarOf(c, 1, dt)])]);
  },
  silu: (c) => c.g.op("Mul", [c.in(0), c.g.op("Sigmoid", [c.in(0)])]),
  mish: (c) => c.g.op("Mul", [c.in(0), c.g.op("Tanh", [c.g.op("Softplus", [c.in(0)])])]),
  softplus: (c) => {
    const beta: number = c.arg(1) ?? 1;
    const th: number = c.arg(2) ?? 20;
    const dt = c.out().dtype;
    const x = c.in(0);
    const bx = beta === 1 ? x : c.g.op("Mul", [x, scalarOf(c, beta, dt)]);
    const sp = c.g.op("Softplus", [bx]);
    const soft = beta === 1 ? sp : c.g.op("Div", [sp, scalarOf(c, beta, dt)]);
    return c.g.op("Where", [c.g.op("Greater", [bx, scalarOf(c, th, dt)]), x, soft]);
  },
  softsign: unary("Softsign"),
  hardsigmoid: (c) => c.g.op("HardSigmoid", [c.in(0)], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } }),
  hardswish: (c) =>
    c.opset >= 14 ? c.g.op("HardSwish", [c.in(0)]) : c.g.op("Mul", [c.in(0), c.g.op("HardSigmoid", [c.in(0)], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } })]),
  logsigmoid: (c) => c.g.op("Neg", [c.g.op("Softplus", [c.g.op("Neg", [c.in(0)])])]),
  tanhshrink: (c) => c.g.op("Sub", [c.in(0), c.g.op("Tanh", [c.in(0)])]),
  hardshrink: (c) => c.g.op("Shrink", [c.in(0)], { lambd: { float: c.arg(1) ?? 0.5 }, bias: { float: 0 } }),
  softshrink: (c) => {
    const l: number = c.arg(1) ?? 0.5;
    return c.g.op("Shrink", [c.in(0)], { lambd: { float: l }, bias: { float: l } });
  },
  prelu: (c) => {
    const x = c.arg<Tensor>(0);
    const w = c.arg<Tensor>(1);
    let slope = c.in(1);
    // PyTorch's weight has one value per channel (dim 1); ONNX broadcasts from the right.
    if (w.numel() > 1 && x.dim() > 2) slope = c.g.op("Reshape", [slope, c.g.ints([w.numel(), ...Array(x.dim() - 2).fill(1)])]);
    return c.g.op("PRelu", [c.in(0), slope]);
  },
  softmax: softmaxLike("Softmax"),
  logSoftmax: softmaxLike("LogSoftmax"),
  softmin: softmaxLike("Softmax", true),

  // unary math (names as reported: the kernel names)
  neg: unary("Neg"),
  abs: unary("Abs"),
  sign: unary("Sign"),
  exp: unary("Exp"),
  log: unary("Log"),
  sqrt: unary("Sqrt"),
  reciprocal: unary("Reciprocal"),
  rsqrt: (c) => c.g.op("Reciprocal", [c.g.op("Sqrt", [c.in(0)])]),
  sin: unary("Sin"),
  cos: unary("Cos"),
  tan: unary("Tan"),
  asin: unary("Asin"),
  acos: unary("Acos"),
  atan: unary("Atan"),
  sinh: unary("Sinh"),
  cosh: unary("Cosh"),
  asinh: unary("Asinh"),
  acosh: unary("Acosh"),
  atanh: unary("Atanh"),
  erf: unary("Erf"),
  floor: unary("Floor"),
  ceil: unary("Ceil"),
  round: unary("Round"),
  isnan: unary("IsNaN"),
  isinf: unary("IsInf"),
  isfinite: (c) => c.g.op("Not", [c.g.op("Or", [c.g.op("IsNaN", [c.in(0)]), c.g.op("IsInf", [c.in(0)])])]),
  logical_not: (c) => c.g.op("Not", [c.g.cast(c.in(0), c.arg<Tensor>(0).dtype, bool)]),
  square: (c) => c.g.op("Mul", [c.in(0), c.in(0)]),
  exp2: (c) => c.g.op("Pow", [scalarOf(c, 2), c.in(0)]),
  expm1: (c) => c.g.op("Sub", [c.g.op("Exp", [c.in(0)]), scalarOf(c, 1)]),
  log2: (c) => c.g.op("Div", [c.g.op("Log", [c.in(0)]), scalarOf(c, Math.LN2)]),
  log10: (c) => c.g.op("Div", [c.g.op("Log", [c.in(0)]), scalarOf(c, Math.LN10)]),
  log1p: (c) => c.g.op("Log", [c.g.op("Add", [c.in(0), scalarOf(c, 1)])]),
  trunc: (c) => c.g.op("Sub", [c.in(0), c.g.op("Mod", [c.in(0), scalarOf(c, 1)], { fmod: 1 })]),
  frac: (c) => c.g.op("Mod", [c.in(0), scalarOf(c, 1)], { fmod: 1 }),
  clamp: (c) => {
    const dt = c.out().dtype;
    const lo = c.arg<number | null | undefined>(1);
    const hi = c.arg<number | null | undefined>(2);
    return c.g.op("Clip", [c.in(0), lo == null ? "" : scalarOf(c, lo, dt), hi == null ? "" : scalarOf(c, hi, dt)]);
  },
  clampMin: (c) => c.g.op("Clip", [c.in(0), scalarOf(c, c.arg(1))]),
  clampMax: (c) => c.g.op("Clip", [c.in(0), "", scalarOf(c, c.arg(1))]),
  toDtype: (c) => c.g.op("Cast", [c.in(0)], { to: onnxType(c.arg<DType>(1)) }),

  // arithmetic
  add: (c) => {
    const alpha = c.arg<{ alpha?: number } | undefined>(2)?.alpha ?? 1;
    const dt = c.out().dtype;
    const b = c.operand(1, dt);
    return c.g.op("Add", [c.operand(0, dt), alpha === 1 ? b : c.g.op("Mul", [b, scalarOf(c, alpha, dt)])]);
  },
  sub: (c) => {
    const alpha = c.arg<{ alpha?: number } | undefined>(2)?.alpha ?? 1;
    const dt = c.out().dtype;
    const b = c.operand(1, dt);
    return c.g.op("Sub", [c.operand(0, dt), alpha === 1 ? b : c.g.op("Mul", [b, scalarOf(c, alpha, dt)])]);
  },
  mul: binary("Mul"),
  div: (c) => {
    const mode = c.arg<{ roundingMode?: string | null } | undefined>(2)?.roundingMode ?? null;
    const dt = c.out().dtype;
    if (mode === null || !dt.isFloatingPoint) {
      if (mode !== null && mode !== "trunc") {
        // floor division of integers: ONNX Div truncates, so compute in float and floor.
        const q = c.g.op("Floor", [c.g.op("Div", [c.operand(0, float32), c.operand(1, float32)])]);
        return c.g.cast(q, float32, dt);
      }
      return c.g.op("Div", [c.operand(0, dt), c.operand(1, dt)]);
    }
    const q = c.g.op("Div", [c.operand(0, dt), c.operand(1, dt)]);
    return mode === "floor" ? c.g.op("Floor", [q]) : c.g.op("Sub", [q, c.g.op("Mod", [q, scalarOf(c, 1, dt)], { fmod: 1 })]);
  },
  floorDivide: (c) => {
    const dt = c.out().dtype;
    if (dt.isFloatingPoint) return c.g.op("Floor", [c.g.op("Div", [c.operand(0, dt), c.operand(1, dt)])]);
    return c.g.cast(c.g.op("Floor", [c.g.op("Div", [c.operand(0, float32), c.operand(1, float32)])]), float32, dt);
  },
  pow: (c) => {
    const dt = c.out().dtype;
    if (typeof c.arg(1) === "number" && c.arg(1) === 2) return c.g.op("Mul", [c.operand(0, dt), c.operand(0, dt)]);
    return c.g.op("Pow", [c.operand(0, dt), c.operand(1, dt)]);
  },
  maximum: binary("Max"),
  minimum: binary("Min"),
  fmod: (c) => c.g.op("Mod", [c.operand(0, c.out().dtype), c.operand(1, c.out().dtype)], { fmod: c.out().dtype.isFloatingPoint ? 1 : 0 }),
  remainder: (c) => {
    const dt = c.out().dtype;
    if (!dt.isFloatingPoint) return c.g.op("Mod", [c.operand(0, dt), c.operand(1, dt)], { fmod: 0 });
    const a = c.operand(0, dt);
    const b = c.operand(1, dt);
    return c.g.op("Sub", [a, c.g.op("Mul", [c.g.op("Floor", [c.g.op("Div", [a, b])]), b])]);
  },
  atan2: (c) => c.fail("atan2 has no ONNX operator"),
  eq: compare("Equal"),
  ne: compare("Equal", true),
  lt: compare("Less"),
  le: compare("LessOrEqual"),
  gt: compare("Greater"),
  ge: compare("GreaterOrEqual"),
  logicalAnd: logical("And"),
  logicalOr: logical("Or"),
  logicalXor: logical("Xor"),
  heaviside: (c) => {
    const dt = c.out().dtype;
    const x = c.in(0);
    const zero = scalarOf(c, 0, dt);
    const step = c.g.cast(c.g.op("Greater", [x, zero]), bool, dt);
    return c.g.op("Where", [c.g.op("Equal", [x, zero]), c.g.cast(c.in(1), c.arg<Tensor>(1).dtype, dt), step]);
  },
  where: (c) => {
    const dt = c.out().dtype;
    return c.g.op("Where", [c.g.cast(c.in(0), c.arg<Tensor>(0).dtype, bool), c.operand(1, dt), c.operand(2, dt)]);
  },
  maskedFill: (c) => {
    const dt = c.out().dtype;
    return c.g.op("Where", [c.in(1), c.operand(2, dt), c.in(0)]);
  },

  // reductions
  sum: reduction("ReduceSum", "sum"),
  mean: reduction("ReduceMean", "mean", true),
  prod: reduction("ReduceProd", "prod"),
  amax: reduction("ReduceMax", "amax"),
  amin: reduction("ReduceMin", "amin"),
  max: extreme("Max"),
  min: extreme("Min"),
  argmax: argExtreme("Max"),
  argmin: argExtreme("Min"),
  variance: (c) => varianceOf(c, false),
  std: (c) => varianceOf(c, true),
  logsumexp: (c) => {
    const x = c.arg<Tensor>(0);
    const dims = resolveDims(x, c.arg(1), "logsumexp");
    return reduce(c, "ReduceLogSumExp", c.g.cast(c.in(0), x.dtype, c.out().dtype), dims, c.arg<{ keepdim?: boolean } | undefined>(2)?.keepdim ?? false);
  },
  norm: (c) => {
    const x = c.arg<Tensor>(0);
    const p = c.arg<number | "fro" | undefined>(1) ?? 2;
    const dims = resolveDims(x, c.arg(2), "norm");
    const keepdim = c.arg<{ keepdim?: boolean } | undefined>(3)?.keepdim ?? false;
    if (p === 2 || p === "fro") return reduce(c, "ReduceL2", c.in(0), dims, keepdim);
    if (p === 1) return reduce(c, "ReduceL1", c.in(0), dims, keepdim);
    if (p === Number.POSITIVE_INFINITY) return reduce(c, "ReduceMax", c.g.op("Abs", [c.in(0)]), dims, keepdim);
    return c.fail(`norm with p=${p} has no mapping`);
  },
  all: (c) => {
    const x = c.arg<Tensor>(0);
    const dim = c.arg<number | null | undefined>(1);
    const dims = dim === undefined || dim === null ? [...Array(x.dim()).keys()] : [dimOf(c, dim)];
    const v = c.g.cast(c.g.cast(c.in(0), x.dtype, bool), bool, int64);
    return c.g.cast(reduce(c, "ReduceMin", v, dims, c.arg<{ keepdim?: boolean } | undefined>(2)?.keepdim ?? false), int64, bool);
  },
  any: (c) => {
    const x = c.arg<Tensor>(0);
    const dim = c.arg<number | null | undefined>(1);
    const dims = dim === undefined || dim === null ? [...Array(x.dim()).keys()] : [dimOf(c, dim)];
    const v = c.g.cast(c.g.cast(c.in(0), x.dtype, bool), bool, int64);
    return c.g.cast(reduce(c, "ReduceMax", v, dims, c.arg<{ keepdim?: boolean } | undefined>(2)?.keepdim ?? false), int64, bool);
  },
  cumsum: (c) => {
    const x = c.arg<Tensor>(0);
    return c.g.op("CumSum", [c.g.cast(c.in(0), x.dtype, c.out().dtype), c.g.ints([dimOf(c, c.arg(1))])]);
  },

  // shapes and views
  view: asReshape,
  reshape: asReshape,
  flatten: asReshape,
  unflatten: asReshape,
  squeeze: asReshape,
  unsqueeze: asReshape,
  contiguous: identity,
  clone: identity,
  detach: identity,
  transpose: (c) => {
    const nd = c.arg<Tensor>(0).dim();
    if (nd < 2) return identity(c);
    const perm = [...Array(nd).keys()];
    const a = dimOf(c, c.arg(1));
    const b = dimOf(c, c.arg(2));
    [perm[a], perm[b]] = [perm[b], perm[a]];
    return c.g.op("Transpose", [c.in(0)], { perm });
  },
  t: (c) => (c.arg<Tensor>(0).dim() < 2 ? identity(c) : c.g.op("Transpose", [c.in(0)], { perm: [1, 0] })),
  permute: (c) => {
    const x = c.arg<Tensor>(0);
    const raw = c.call.args.slice(1);
    const dims = (raw.length === 1 && Array.isArray(raw[0]) ? raw[0] : raw) as number[];
    return c.g.op("Transpose", [c.in(0)], { perm: dims.map((d) => normalizeDim(d, x.dim(), "permute")) });
  },
  expand: (c) => c.g.op("Expand", [c.in(0), c.g.shapeValue(c.out().shape, c.outShape2())]),
  slice: (c) => {
    const x = c.arg<Tensor>(0);
    const d = dimOf(c, c.arg(1));
    const size = x.shape[d];
    let start: number = c.arg(2) ?? 0;
    let end: number | undefined = c.arg(3);
    const step: number = c.arg(4) ?? 1;
    const dynamic = c.g.isDynamicDim(c.in(0), d);
    if (!dynamic) {
      if (start < 0) start = Math.max(start + size, 0);
      end = end === undefined ? size : end < 0 ? Math.max(end + size, 0) : Math.min(end, size);
    } else end ??= Number.MAX_SAFE_INTEGER;
    return sliceOf(c, c.in(0), d, start, end, step);
  },
  narrow: (c) => {
    const d = dimOf(c, c.arg(1));
    let start: number = c.arg(2);
    const length: number = c.arg(3);
    if (start < 0 && c.g.isDynamicDim(c.in(0), d)) return sliceOf(c, c.in(0), d, start, start + length === 0 ? Number.MAX_SAFE_INTEGER : start + length, 1);
    if (start < 0) start += c.arg<Tensor>(0).shape[d];
    return sliceOf(c, c.in(0), d, start, start + length, 1);
  },
  select: (c) => {
    const x = c.arg<Tensor>(0);
    const d = dimOf(c, c.arg(1));
    let i: number = c.arg(2);
    if (i < 0 && !c.g.isDynamicDim(c.in(0), d)) i += x.shape[d];
    return c.g.op("Gather", [c.in(0), c.g.scalar(i, int64)], { axis: d });
  },
  split: (c) => {
    const x = c.arg<Tensor>(0);
    const d = dimOf(c, c.arg(2) ?? 0);
    return splitOutputs(c, d, c.call.outputs.map((o) => o.shape[d] ?? x.shape[d]));
  },
  unbind: (c) => {
    const x = c.arg<Tensor>(0);
    const d = dimOf(c, c.arg(1) ?? 0);
    const parts = splitOutputs(c, d, Array(x.shape[d]).fill(1));
    return parts.map((p) => squeezeAxes(c, p, [d]));
  },
  flip: (c) => {
    const x = c.arg<Tensor>(0);
    const dims = c.arg<number[]>(1).map((d) => normalizeDim(d, x.dim(), "flip"));
    const big = Number.MAX_SAFE_INTEGER;
    return c.g.op("Slice", [c.in(0), c.g.ints(dims.map(() => -1)), c.g.ints(dims.map(() => -big)), c.g.ints(dims), c.g.ints(dims.map(() => -1))]);
  },
  cat: (c) => {
    const ts = c.arg<Tensor[]>(0).filter((t) => !(t.dim() === 1 && t.shape[0] === 0));
    const dt = c.out().dtype;
    const d = normalizeDim(c.arg(1) ?? 0, c.out().dim(), "cat");
    const names = ts.map((t) => c.g.cast(c.g.value(t), t.dtype, dt));
    return names.length === 1 ? c.g.op("Identity", names) : c.g.op("Concat", names, { axis: d });
  },
  stack: (c) => {
    const ts = c.arg<Tensor[]>(0);
    const dt = c.out().dtype;
    const d = normalizeDim(c.arg(1) ?? 0, c.out().dim(), "stack");
    const names = ts.map((t) => unsqueeze(c, c.g.cast(c.g.value(t), t.dtype, dt), [d]));
    return names.length === 1 ? c.g.op("Identity", names) : c.g.op("Concat", names, { axis: d });
  },

  // indexing
  gather: (c) => c.g.op("GatherElements", [c.in(0), c.in(2)], { axis: dimOf(c, c.arg(1)) }),
  indexSelect: (c) => c.g.op("Gather", [c.in(0), c.in(2)], { axis: dimOf(c, c.arg(1)) }),
  scatter: (c) => {
    const dt = c.out().dtype;
    const src = c.arg(3);
    const updates = src instanceof Tensor ? c.g.cast(c.in(3), src.dtype, dt) : c.g.op("Expand", [scalarOf(c, Number(src), dt), c.g.op("Shape", [c.in(2)])]);
    return c.g.op("ScatterElements", [c.in(0), c.in(2), updates], { axis: dimOf(c, c.arg(1)) });
  },
  scatterAdd: (c) => c.g.op("ScatterElements", [c.in(0), c.in(2), c.in(3)], { axis: dimOf(c, c.arg(1)), reduction: "add" }),
  sort: (c) => {
    const x = c.arg<Tensor>(0);
    const a1 = c.arg(1);
    const o = { ...(typeof a1 === "object" ? a1 : {}), ...(c.arg(2) ?? {}) };
    const d = dimOf(c, typeof a1 === "number" ? a1 : (o.dim ?? -1));
    if (c.g.isDynamicDim(c.in(0), d)) c.fail("cannot sort along a dynamic axis");
    return c.g.node("TopK", [c.in(0), c.g.ints([x.shape[d]])], { axis: d, largest: o.descending ? 1 : 0, sorted: 1 }, 2);
  },
  argsort: (c) => {
    const x = c.arg<Tensor>(0);
    const a1 = c.arg(1);
    const o = { ...(typeof a1 === "object" ? a1 : {}), ...(c.arg(2) ?? {}) };
    const d = dimOf(c, typeof a1 === "number" ? a1 : (o.dim ?? -1));
    return c.g.node("TopK", [c.in(0), c.g.ints([x.shape[d]])], { axis: d, largest: o.descending ? 1 : 0, sorted: 1 }, 2)[1];
  },
  topk: (c) => {
    const a2 = c.arg(2);
    const o = { ...(typeof a2 === "object" ? a2 : {}), ...(c.arg(3) ?? {}) };
    const d = dimOf(c, typeof a2 === "number" ? a2 : (o.dim ?? -1));
    return c.g.node("TopK", [c.in(0), c.g.ints([c.arg<number>(1)])], { axis: d, largest: (o.largest ?? true) ? 1 : 0, sorted: 1 }, 2);
  },

  // creation (the folding pass turns them into constants unless their shape follows a dynamic axis)
  zeros: (c) => c.g.op("ConstantOfShape", [c.g.shapeValue(c.out().shape, c.outShape2())], { value: { tensor: fillTensor(c, 0) } }),
  ones: (c) => c.g.op("ConstantOfShape", [c.g.shapeValue(c.out().shape, c.outShape2())], { value: { tensor: fillTensor(c, 1) } }),
  full: (c) => c.g.op("ConstantOfShape", [c.g.shapeValue(c.out().shape, c.outShape2())], { value: { tensor: fillTensor(c, Number(c.arg(1))) } }),
  zerosLike: (c) => c.g.op("ConstantOfShape", [c.g.op("Shape", [c.in(0)])], { value: { tensor: fillTensor(c, 0) } }),
  onesLike: (c) => c.g.op("ConstantOfShape", [c.g.op("Shape", [c.in(0)])], { value: { tensor: fillTensor(c, 1) } }),
  fullLike: (c) => c.g.op("ConstantOfShape", [c.g.op("Shape", [c.in(0)])], { value: { tensor: fillTensor(c, Number(c.arg(1))) } }),

  // convolution and pooling (see above)
  conv1d: conv(1),
  conv2d: conv(2),
  maxPool1d: maxPool(1),
  maxPool2d: maxPool(2),
  avgPool1d: avgPool(1),
  avgPool2d: avgPool(2),
  adaptiveAvgPool1d: adaptiveAvgPool(1),
  adaptiveAvgPool2d: adaptiveAvgPool(2),
  convTranspose1d: convTranspose(1),
  convTranspose2d: convTranspose(2),
  interpolate: interpolateMapping,
  rnn: rnnMapping,
  multiHeadAttentionForward: mhaMapping,
  scaledDotProductAttention: sdpaMapping,

  // masks and tiling (torch.triu(x, diagonal?), torch.tril, x.repeat(...sizes))
  triu: (c) => trilu(c, 1),
  tril: (c) => trilu(c, 0),
  repeat: (c) => {
    const x = c.arg<Tensor>(0);
    const raw = c.call.args.slice(1);
    const reps = (raw.length === 1 && Array.isArray(raw[0]) ? raw[0] : raw) as number[];
    let v = c.in(0);
    // repeat may add leading dims: give the input those dims (of size 1) first.
    if (reps.length > x.dim()) v = unsqueeze(c, v, Array.from({ length: reps.length - x.dim() }, (_, i) => i));
    return c.g.op("Tile", [v, c.g.ints(reps)]);
  },

  // nn.functional
  dropout: (c) => {
    if (c.out() !== c.arg(0)) c.fail("dropout in training mode cannot be exported; call model.eval() (export does) or pass training: false");
    return identity(c);
  },
  layerNorm: (c) => {
    const x = c.arg<Tensor>(0);
    const ns = c.arg<number | number[]>(1);
    const k = typeof ns === "number" ? 1 : ns.length;
    const axis = x.dim() - k;
    const w = c.arg<Tensor | null | undefined>(2);
    const b = c.arg<Tensor | null | undefined>(3);
    const eps: number = c.arg(4) ?? 1e-5;
    const dt = c.out().dtype;
    if (c.opset < 17) {
      const axes = Array.from({ length: k }, (_, i) => axis + i);
      return layerNormDecomposed(c, c.in(0), axes, w ? c.in(2) : null, b ? c.in(3) : null, eps);
    }
    const normShape = x.shape.slice(axis);
    const scale = w ? c.in(2) : c.g.constant(filled(normShape, 1, dt));
    const inputs = [c.in(0), scale, ...(b ? [c.in(3)] : [])];
    return c.g.op("LayerNormalization", inputs, { axis, epsilon: { float: eps } });
  },
  batchNorm: (c) => {
    const x = c.arg<Tensor>(0);
    const o = c.arg<{ training?: boolean; eps?: number; weight?: Tensor | null; bias?: Tensor | null; momentum?: number } | undefined>(3) ?? {};
    if (o.training) c.fail("batch norm in training mode cannot be exported; call model.eval() (export does)");
    const mean = c.arg<Tensor | null>(1);
    const variance = c.arg<Tensor | null>(2);
    if (!mean || !variance) c.fail("batch norm without running statistics cannot be exported in eval mode");
    const n = x.shape[1];
    const dt = c.out().dtype;
    const scale = o.weight ? c.g.value(o.weight) : c.g.constant(filled([n], 1, dt));
    const bias = o.bias ? c.g.value(o.bias) : c.g.constant(filled([n], 0, dt));
    return c.g.op("BatchNormalization", [c.in(0), scale, bias, c.in(1), c.in(2)], { epsilon: { float: o.eps ?? 1e-5 }, momentum: { float: 1 - (o.momentum ?? 0.1) } });
  },
  groupNorm: (c) => {
    const o = c.arg<{ weight?: Tensor | null; bias?: Tensor | null; eps?: number }>(2);
    return groupNormOf(c, c.arg(1), o.weight, o.bias, o.eps ?? 1e-5);
  },
  instanceNorm: (c) => {
    const x = c.arg<Tensor>(0);
    const o = c.arg<{ runningMean?: Tensor | null; runningVar?: Tensor | null; weight?: Tensor | null; bias?: Tensor | null; useInputStats?: boolean; eps?: number }>(1);
    const eps = o.eps ?? 1e-5;
    const dt = c.out().dtype;
    const n = x.shape[1];
    const scale = o.weight ? c.g.value(o.weight) : c.g.constant(filled([n], 1, dt));
    const bias = o.bias ? c.g.value(o.bias) : c.g.constant(filled([n], 0, dt));
    if (o.useInputStats ?? true) return c.g.op("InstanceNormalization", [c.in(0), scale, bias], { epsilon: { float: eps } });
    // trackRunningStats in eval mode: the running statistics, as batch norm uses them
    const mean = o.runningMean;
    const variance = o.runningVar;
    if (!mean || !variance) return c.fail("instance norm without input statistics needs running statistics");
    return c.g.op("BatchNormalization", [c.in(0), scale, bias, c.g.value(mean), c.g.value(variance)], { epsilon: { float: eps } });
  },
  embedding: (c) => {
    const o = c.arg<{ paddingIdx?: number | null; maxNorm?: number | null } | undefined>(2) ?? {};
    if (o.maxNorm !== undefined && o.maxNorm !== null) c.fail("embedding with maxNorm cannot be exported");
    return c.g.op("Gather", [c.in(1), c.in(0)], { axis: 0 });
  },
  pad: (c) => {
    const x = c.arg<Tensor>(0);
    const padding = c.arg<number[]>(1);
    const o = c.arg<{ value?: number; mode?: string } | undefined>(2) ?? {};
    const value = o.value ?? 0;
    const nd = x.dim();
    if (o.mode === "circular") {
      // ONNX's Pad has no wrap mode before opset 19: each dim is wrapped by concatenating its ends.
      let v = c.in(0);
      for (let i = 0; i < padding.length / 2; i++) {
        const axis = nd - 1 - i;
        const [l, r] = [padding[2 * i], padding[2 * i + 1]];
        if (l < 0 || r < 0) c.fail("circular padding by a negative amount has no ONNX mapping");
        if (l === 0 && r === 0) continue;
        if (c.g.isDynamicDim(c.in(0), axis)) c.fail("circular padding along a dynamic axis has no ONNX mapping");
        const size = x.shape[axis];
        const parts = [...(l > 0 ? [sliceOf(c, v, axis, size - l, size, 1)] : []), v, ...(r > 0 ? [sliceOf(c, v, axis, 0, r, 1)] : [])];
        v = c.g.op("Concat", parts, { axis });
      }
      return c.g.op("Identity", [v]);
    }
    const mode = { constant: "constant", reflect: "reflect", replicate: "edge" }[o.mode ?? "constant"];
    if (!mode) c.fail(`padding mode '${o.mode}' has no ONNX mapping`);
    const begins = Array(nd).fill(0);
    const ends = Array(nd).fill(0);
    for (let i = 0; i < padding.length / 2; i++) {
      begins[nd - 1 - i] = padding[2 * i];
      ends[nd - 1 - i] = padding[2 * i + 1];
    }
    return c.g.op("Pad", [c.in(0), c.g.ints([...begins, ...ends]), ...(mode === "constant" ? [scalarOf(c, value)] : [])], { mode });
  },

  // an in-place write: self now holds value (broadcast and cast to self's shape and dtype)
  assign_: (c) => {
    const self = c.arg<Tensor>(0);
    const value = c.arg<Tensor>(1);
    if (c.call.snapshot) return c.g.constant(c.call.snapshot);
    let v = c.g.cast(c.g.value(value, 1), value.dtype, self.dtype);
    if (value.dim() !== self.dim() || value.shape.some((s, i) => s !== self.shape[i])) {
      v = c.g.op("Expand", [v, c.g.shapeValue(self.shape, c.outShape2())]);
    }
    return c.g.op("Identity", [v]);
  },
};

function filled(shape: number[], v: number, dtype: DType): Tensor {
  const t = Tensor.make(shape.slice(), dtype);
  t.storage.data.fill(v);
  return t;
}
function fillTensor(c: MappingContext, v: number) {
  const dt = c.out().dtype;
  const t = Tensor.make([1], dt);
  t.storage.data[0] = v;
  return tensorProtoOf(t);
}
