// The Tensor methods of PyTorch's API, attached to the Tensor class. Each is a thin call into the
// op files (where forward and backward live); this file is the index of what a tensor can do.
import { DType, bool, dtypes, float32, float64, int32, int64, tensorTypeName } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import * as act from "./activation.js";
import * as ar from "./arithmetic.js";
import { checkDevice } from "./device.js";
import * as idx from "./indexing.js";
import * as inp from "./inplace.js";
import * as la from "./linalg.js";
import * as m from "./math.js";
import { needsGrad, record } from "./node.js";
import * as red from "./reduction.js";
import * as srt from "./sorting.js";
import { baddbmm } from "./baddbmm.js";
import { repeat, repeatInterleave } from "./repeat.js";
import { roll } from "./roll.js";
import { tril, triu } from "./triangular.js";
import type { DimOptions, Dims, ReduceOptions, ValuesIndices, VarOptions } from "./reduction.js";
import { tracer } from "./trace.js";
import { backendOf, castTo, type TensorOrScalar } from "./util.js";
import * as v from "./view.js";

type ShapeArg = number | readonly number[];
type ToArg = DType | string | Tensor;

declare module "../tensor/tensor.js" {
  interface Tensor {
    // arithmetic
    add(other: TensorOrScalar, opts?: { alpha?: number }): Tensor;
    sub(other: TensorOrScalar, opts?: { alpha?: number }): Tensor;
    rsub(other: TensorOrScalar, opts?: { alpha?: number }): Tensor;
    mul(other: TensorOrScalar): Tensor;
    div(other: TensorOrScalar, opts?: { roundingMode?: ar.RoundingMode }): Tensor;
    trueDivide(other: TensorOrScalar): Tensor;
    floorDivide(other: TensorOrScalar): Tensor;
    remainder(other: TensorOrScalar): Tensor;
    fmod(other: TensorOrScalar): Tensor;
    pow(exponent: TensorOrScalar): Tensor;
    maximum(other: Tensor): Tensor;
    minimum(other: Tensor): Tensor;
    atan2(other: Tensor): Tensor;
    // comparisons and logic
    eq(other: TensorOrScalar): Tensor;
    ne(other: TensorOrScalar): Tensor;
    lt(other: TensorOrScalar): Tensor;
    le(other: TensorOrScalar): Tensor;
    gt(other: TensorOrScalar): Tensor;
    ge(other: TensorOrScalar): Tensor;
    equal(other: Tensor): boolean;
    allclose(other: Tensor, opts?: { rtol?: number; atol?: number; equalNan?: boolean }): boolean;
    isclose(other: Tensor, opts?: { rtol?: number; atol?: number; equalNan?: boolean }): Tensor;
    logicalAnd(other: TensorOrScalar): Tensor;
    logicalOr(other: TensorOrScalar): Tensor;
    logicalXor(other: TensorOrScalar): Tensor;
    logicalNot(): Tensor;
    where(condition: Tensor, other: TensorOrScalar): Tensor;
    heaviside(values: Tensor): Tensor;
    // unary math
    neg(): Tensor;
    negative(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    exp(): Tensor;
    exp2(): Tensor;
    expm1(): Tensor;
    log(): Tensor;
    log2(): Tensor;
    log10(): Tensor;
    log1p(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    square(): Tensor;
    reciprocal(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tan(): Tensor;
    asin(): Tensor;
    acos(): Tensor;
    atan(): Tensor;
    sinh(): Tensor;
    cosh(): Tensor;
    asinh(): Tensor;
    acosh(): Tensor;
    atanh(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    erf(): Tensor;
    erfc(): Tensor;
    erfinv(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    round(): Tensor;
    trunc(): Tensor;
    frac(): Tensor;
    isnan(): Tensor;
    isinf(): Tensor;
    isfinite(): Tensor;
    clamp(min?: number | null | { min?: number | null; max?: number | null }, max?: number | null): Tensor;
    clip(min?: number | null | { min?: number | null; max?: number | null }, max?: number | null): Tensor;
    clampMin(min: number): Tensor;
    clampMax(max: number): Tensor;
    softmax(dim: number | { dim: number }): Tensor;
    logSoftmax(dim: number | { dim: number }): Tensor;
    // reductions
    sum(dim?: Dims | ReduceOptions, keepdim?: ReduceOptions | boolean): Tensor;
    mean(dim?: Dims | ReduceOptions, keepdim?: ReduceOptions | boolean): Tensor;
    prod(dim?: Dims | ReduceOptions, keepdim?: ReduceOptions | boolean): Tensor;
    max(): Tensor;
    max(dim: number | (DimOptions & ({ dim: number } | { axis: number })), keepdim?: DimOptions | boolean): ValuesIndices;
    max(other: Tensor): Tensor;
    min(): Tensor;
    min(dim: number | (DimOptions & ({ dim: number } | { axis: number })), keepdim?: DimOptions | boolean): ValuesIndices;
    min(other: Tensor): Tensor;
    amax(dim?: Dims | ReduceOptions, keepdim?: ReduceOptions | boolean): Tensor;
    amin(dim?: Dims | ReduceOptions, keepdim?: ReduceOptions | boolean): Tensor;
    argmax(dim?: number | null | DimOptions, keepdim?: DimOptions | boolean): Tensor;
    argmin(dim?: number | null | DimOptions, keepdim?: DimOptions | boolean): Tensor;
    /** var(dim?, unbiased?, keepdim?) as PyTorch's positional overload, or var(dim?, { unbiased, correction, keepdim }). */
    var(dim?: Dims | VarOptions, unbiased?: VarOptions | boolean, keepdim?: boolean): Tensor;
    std(dim?: Dims | VarOptions, unbiased?: VarOptions | boolean, keepdim?: boolean): Tensor;
    logsumexp(dim: Dims | { dim: Dims; keepdim?: boolean }, keepdim?: { keepdim?: boolean } | boolean): Tensor;
    all(dim?: number | null | DimOptions, keepdim?: DimOptions | boolean): Tensor;
    any(dim?: number | null | DimOptions, keepdim?: DimOptions | boolean): Tensor;
    /** norm(p?, dim?, { keepdim }), or norm({ p, dim, keepdim }) for PyTorch's keywords (x.norm(dim=-1, keepdim=True)). */
    norm(p?: number | "fro" | { p?: number | "fro"; dim?: Dims; keepdim?: boolean }, dim?: Dims, keepdim?: { keepdim?: boolean } | boolean): Tensor;
    cumsum(dim: number | { dim: number }): Tensor;
    // linear algebra
    matmul(other: Tensor): Tensor;
    mm(other: Tensor): Tensor;
    bmm(other: Tensor): Tensor;
    mv(other: Tensor): Tensor;
    dot(other: Tensor): Tensor;
    outer(other: Tensor): Tensor;
    // views and copies
    view(...shape: ShapeArg[]): Tensor;
    viewAs(other: Tensor): Tensor;
    reshape(...shape: ShapeArg[]): Tensor;
    reshapeAs(other: Tensor): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    t(): Tensor;
    readonly T: Tensor;
    readonly mT: Tensor;
    permute(...dims: ShapeArg[]): Tensor;
    movedim(source: number, destination: number): Tensor;
    expand(...sizes: ShapeArg[]): Tensor;
    expandAs(other: Tensor): Tensor;
    broadcastTo(shape: readonly number[]): Tensor;
    squeeze(dim?: number | readonly number[] | { dim?: number | readonly number[] }): Tensor;
    unsqueeze(dim: number | { dim: number }): Tensor;
    flatten(startDim?: number | { startDim?: number; endDim?: number }, endDim?: number): Tensor;
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    select(dim: number, index: number): Tensor;
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    index(...items: idx.IndexItem[]): Tensor;
    unbind(dim?: number | { dim?: number }): Tensor[];
    chunk(chunks: number, dim?: number | { dim?: number }): Tensor[];
    split(sizeOrSections: number | readonly number[], dim?: number | { dim?: number }): Tensor[];
    flip(dims: readonly number[]): Tensor;
    contiguous(): Tensor;
    clone(): Tensor;
    detach(): Tensor;
    detach_(): Tensor;
    data: Tensor;
    // indexing
    gather(dim: number, index: Tensor): Tensor;
    sort(dim?: number | srt.SortOptions, descending?: boolean | srt.SortOptions, opts?: srt.SortOptions): ValuesIndices;
    argsort(dim?: number | srt.SortOptions, descending?: boolean | srt.SortOptions, opts?: srt.SortOptions): Tensor;
    topk(k: number, dim?: number | srt.TopkOptions, largest?: boolean | srt.TopkOptions, sorted?: boolean | srt.TopkOptions, opts?: srt.TopkOptions): ValuesIndices;
    scatter(dim: number, index: Tensor, src: TensorOrScalar): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    maskedFill(mask: Tensor, value: TensorOrScalar): Tensor;
    maskedSelect(mask: Tensor): Tensor;
    nonzero(): Tensor;
    // conversion
    to(target: ToArg, dtype?: DType | { dtype?: DType }): Tensor;
    /** PyTorch's type name ("torch.FloatTensor"). */
    type(): string;
    /** A copy of another dtype: a DType, a legacy name ("torch.LongTensor") or constructor (torch.LongTensor). */
    type(dtype: DType | string | { name: string }): Tensor;
    float(): Tensor;
    double(): Tensor;
    long(): Tensor;
    int(): Tensor;
    bool(): Tensor;
    cpu(): Tensor;
    cuda(): Tensor;
    // in place
    add_(other: TensorOrScalar, opts?: { alpha?: number }): Tensor;
    sub_(other: TensorOrScalar, opts?: { alpha?: number }): Tensor;
    mul_(other: TensorOrScalar): Tensor;
    div_(other: TensorOrScalar, opts?: { roundingMode?: ar.RoundingMode }): Tensor;
    pow_(exponent: TensorOrScalar): Tensor;
    neg_(): Tensor;
    abs_(): Tensor;
    exp_(): Tensor;
    log_(): Tensor;
    sqrt_(): Tensor;
    sigmoid_(): Tensor;
    tanh_(): Tensor;
    relu_(): Tensor;
    clamp_(min?: number | null | { min?: number | null; max?: number | null }, max?: number | null): Tensor;
    clampMin_(min: number): Tensor;
    clampMax_(max: number): Tensor;
    addcmul_(t1: Tensor, t2: Tensor, opts?: { value?: number }): Tensor;
    addcdiv_(t1: Tensor, t2: Tensor, opts?: { value?: number }): Tensor;
    lerp_(end: Tensor, weight: number): Tensor;
    maximum_(other: Tensor): Tensor;
    maskedFill_(mask: Tensor, value: TensorOrScalar): Tensor;
    // attention helpers
    tril(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
    tril_(diagonal?: number): Tensor;
    triu_(diagonal?: number): Tensor;
    repeat(...sizes: ShapeArg[]): Tensor;
    repeatInterleave(repeats: number | Tensor, dim?: number | null, opts?: { outputSize?: number }): Tensor;
    roll(shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor;
    typeAs(other: Tensor): Tensor;
    baddbmm(batch1: Tensor, batch2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor;
    copy_(src: Tensor): Tensor;
    zero_(): Tensor;
    fill_(value: number | boolean): Tensor;
  }
}

const P = Tensor.prototype as any;
const def = (name: string, fn: (this: Tensor, ...args: any[]) => unknown) => {
  Object.defineProperty(P, name, { value: fn, writable: true, configurable: true });
};

// arithmetic
/**
 * A dim given as a number or by name ({ dim }), as the contract's keyword rule writes
 * qkv.chunk(3, dim=-1) or x.softmax(dim=-1).
 */
function dimOf<D>(d: D | { dim?: D }): D {
  return d !== null && typeof d === "object" && !Array.isArray(d) ? ((d as { dim?: D }).dim as D) : (d as D);
}

def("add", function (o, opts) { return ar.add(this, o, opts); });
def("sub", function (o, opts) { return ar.sub(this, o, opts); });
def("rsub", function (o, opts) { return ar.sub(o, this, opts); });
def("mul", function (o) { return ar.mul(this, o); });
def("div", function (o, opts) { return ar.div(this, o, opts); });
def("trueDivide", function (o) { return ar.div(this, o); });
def("floorDivide", function (o) { return ar.floorDivide(this, o); });
def("remainder", function (o) { return ar.remainder(this, o); });
def("fmod", function (o) { return ar.fmod(this, o); });
def("pow", function (e) { return ar.pow(this, e); });
def("maximum", function (o) { return ar.maximum(this, o); });
def("minimum", function (o) { return ar.minimum(this, o); });
def("atan2", function (o) { return ar.atan2(this, o); });
for (const name of ["eq", "ne", "lt", "le", "gt", "ge", "logicalAnd", "logicalOr", "logicalXor"] as const) {
  def(name, function (o) { return ar[name](this, o); });
}
def("equal", function (o: Tensor) { return ar.equal(this, o); });
def("isclose", function (o: Tensor, opts = {}) { return ar.isclose(this, o, opts); });
def("allclose", function (o: Tensor, opts) { return ar.allclose(this, o, opts); });
def("logicalNot", function () { return m.logicalNot(this); });
def("where", function (cond, other) { return ar.where(cond, this, other); });
def("heaviside", function (values) { return ar.heaviside(this, values); });
// unary math
for (const name of ["neg", "abs", "sign", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "square", "reciprocal",
  "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "tanh", "sigmoid", "erf", "erfc", "erfinv",
  "floor", "ceil", "round", "trunc", "frac", "isnan", "isinf", "isfinite"] as const) {
  const fn = m[name] as (x: Tensor) => Tensor;
  def(name, function () { return fn(this); });
}
def("negative", function () { return m.neg(this); });
def("relu", function () { return act.relu(this); });
def("clamp", function (lo, hi) { return m.clamp(this, lo, hi); });
def("clip", function (lo, hi) { return m.clamp(this, lo, hi); });
def("clampMin", function (lo) { return m.clampMin(this, lo); });
def("clampMax", function (hi) { return m.clampMax(this, hi); });
def("softmax", function (dim) { return act.softmax(this, dimOf(dim)); });
def("logSoftmax", function (dim) { return act.logSoftmax(this, dimOf(dim)); });
// reductions
def("sum", function (d, o) { return red.sum(this, d, o); });
def("mean", function (d, o) { return red.mean(this, d, o); });
def("prod", function (d, o) { return red.prod(this, d, o); });
def("max", function (d?: number | Tensor | red.DimOptions, o?) { return d instanceof Tensor ? ar.maximum(this, d) : d === undefined ? red.max(this) : red.max(this, d as number, o); });
def("min", function (d?: number | Tensor | red.DimOptions, o?) { return d instanceof Tensor ? ar.minimum(this, d) : d === undefined ? red.min(this) : red.min(this, d as number, o); });
def("amax", function (d, o) { return red.amax(this, d, o); });
def("amin", function (d, o) { return red.amin(this, d, o); });
def("argmax", function (d, o) { return red.argmax(this, d, o); });
def("argmin", function (d, o) { return red.argmin(this, d, o); });
def("var", function (d, o, k) { return red.variance(this, d, o, k); });
def("std", function (d, o, k) { return red.std(this, d, o, k); });
def("logsumexp", function (d, o) { return red.logsumexp(this, d, o); });
def("all", function (d, o) { return red.all(this, d, o); });
def("any", function (d, o) { return red.any(this, d, o); });
def("norm", function (p, d, o) {
  if (p !== null && typeof p === "object") return red.norm(this, p.p ?? 2, p.dim, { keepdim: p.keepdim });
  return red.norm(this, p, d, o);
});
def("cumsum", function (d) { return red.cumsum(this, dimOf(d)); });
// linear algebra
def("matmul", function (o) { return la.matmul(this, o); });
def("mm", function (o) { return la.mm(this, o); });
def("bmm", function (o) { return la.bmm(this, o); });
def("mv", function (o) { return la.mv(this, o); });
def("dot", function (o) { return la.dot(this, o); });
def("outer", function (o) { return la.outer(this, o); });
// views
def("view", function (...s) { return v.view(this, ...s); });
def("viewAs", function (o) { return v.viewAs(this, o); });
def("reshape", function (...s) { return v.reshape(this, ...s); });
def("reshapeAs", function (o) { return v.reshape(this, o.shape); });
def("transpose", function (a, b) { return v.transpose(this, a, b); });
def("t", function () { return v.t(this); });
Object.defineProperty(P, "T", { get(this: Tensor) { return v.permute(this, [...this.shape.keys()].reverse()); }, configurable: true });
Object.defineProperty(P, "mT", { get(this: Tensor) { return v.transpose(this, -2, -1); }, configurable: true });
def("permute", function (...d) { return v.permute(this, ...d); });
def("movedim", function (s, d) { return v.movedim(this, s, d); });
def("expand", function (...s) { return v.expand(this, ...s); });
def("expandAs", function (o) { return v.expandAs(this, o); });
def("broadcastTo", function (s) { return v.broadcastTo(this, s); });
def("squeeze", function (d) { return v.squeeze(this, dimOf(d)); });
def("unsqueeze", function (d) { return v.unsqueeze(this, dimOf(d)); });
def("flatten", function (s, e) { return v.flatten(this, s, e); });
def("unflatten", function (d, s) { return v.unflatten(this, d, s); });
def("narrow", function (d, s, l) { return v.narrow(this, d, s, l); });
def("select", function (d, i) { return v.select(this, d, i); });
def("slice", function (d, s, e, st) { return v.slice(this, d, s, e, st); });
def("index", function (...items) { return idx.index(this, items); });
def("unbind", function (d) { return v.unbind(this, dimOf(d)); });
def("chunk", function (c, d) { return v.chunk(this, c, dimOf(d)); });
def("split", function (s, d) { return v.split(this, s, dimOf(d)); });
def("flip", function (d) { return v.flip(this, d); });
def("contiguous", function () { return v.contiguous(this); });
def("clone", function () { return v.clone(this); });
def("detach", function () { return v.detach(this); });
def("detach_", function () {
  this.gradFn = null;
  this.setRequiresGradUnchecked(false);
  return this;
});
Object.defineProperty(P, "data", {
  get(this: Tensor) { return v.dataOf(this); },
  // Replaces this tensor's memory and geometry with src's, keeping its autograd identity (PyTorch's .data = src).
  set(this: Tensor, src: Tensor) {
    if (!(src instanceof Tensor)) throw new TypeError("data must be set to a Tensor");
    this.storage = src.storage;
    this.shape = src.shape.slice();
    this.strides = src.strides.slice();
    this.offset = src.offset;
    this.dtype = src.dtype;
  },
  configurable: true,
});
// indexing
def("gather", function (d, i) { return idx.gather(this, d, i); });
def("sort", function (d, desc, o) { return srt.sort(this, d, desc, o); });
def("argsort", function (d, desc, o) { return srt.argsort(this, d, desc, o); });
def("topk", function (k, d, l, s, o) { return srt.topk(this, k, d, l, s, o); });
def("scatter", function (d, i, s) { return idx.scatter(this, d, i, s); });
def("scatterAdd", function (d, i, s) { return idx.scatterAdd(this, d, i, s); });
def("indexSelect", function (d, i) { return idx.indexSelect(this, d, i); });
def("maskedFill", function (mask, value) { return idx.maskedFill(this, mask, value); });
def("maskedSelect", function (mask) { return idx.maskedSelect(this, mask); });
def("nonzero", function () { return idx.nonzero(this); });

// conversion
/** A copy in another dtype, differentiable (ToCopyBackward0) for float to float. */
/**
 * Tensor.type's argument: a dtype, or a legacy type as PyTorch takes it, by name
 * ("torch.LongTensor", x.type() of another tensor) or as the constructor (torch.LongTensor).
 */
function typeArg(d: DType | string | { name: string }): DType {
  if (typeof d === "object" && Object.values(dtypes).includes(d as DType)) return d as DType;
  const name = typeof d === "string" ? d : typeof d === "function" || typeof d === "object" ? d.name : String(d);
  const bare = name.startsWith("torch.") ? name.slice(6) : name;
  for (const dt of Object.values(dtypes)) if (tensorTypeName(dt) === bare) return dt;
  throw new TypeError(`invalid type: '${name}'`);
}

function toDtype(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  if (tracer !== null && tracer.depth === 0) return tracer.call("toDtype", toDtype, [x, dtype]);
  const out = castTo(x, dtype);
  if (x.requiresGrad && dtype.isFloatingPoint) {
    return recordCast(x, out);
  }
  return out;
}
function recordCast(x: Tensor, out: Tensor): Tensor {
  if (needsGrad(x)) record("ToCopyBackward0", [x], out, (gy) => [gy]);
  return out;
}
def("to", function (target: ToArg, dtypeOrOpts?: DType | { dtype?: DType }) {
  // x.to("cpu", torch.float64): PyTorch's to(device, dtype) passes the dtype positionally
  const opts = dtypeOrOpts instanceof DType ? { dtype: dtypeOrOpts } : dtypeOrOpts;
  let out: Tensor = this;
  if (target instanceof Tensor) return toDtype(out, target.dtype);
  if (typeof target === "string") {
    const device = checkDevice(target);
    if (device !== this.device) out = moveTo(this, device);
    if (opts?.dtype) out = toDtype(out, opts.dtype);
    return out;
  }
  return toDtype(out, target);
});
/** A copy on another device; differentiable (ToCopyBackward0), the gradient going back to x's device. */
function moveTo(x: Tensor, device: string): Tensor {
  const c = backendOf(x).copy(x, x.dtype);
  const out = Tensor.make(c.shape, c.dtype, c.storage.data, device);
  if (needsGrad(x)) record("ToCopyBackward0", [x], out, (gy) => [gy.device === x.device ? gy : moveTo(gy, x.device)]);
  return out;
}
def("type", function (d?: DType | string | { name: string }) {
  if (d === undefined) return `torch.${tensorTypeName(this.dtype)}`;
  return toDtype(this, typeArg(d));
});
def("float", function () { return toDtype(this, float32); });
def("double", function () { return toDtype(this, float64); });
def("long", function () { return toDtype(this, int64); });
def("int", function () { return toDtype(this, int32); });
def("bool", function () { return toDtype(this, bool); });
def("cpu", function () { return this; });
def("cuda", function () { return this.to("cuda"); });

// in place: compute, then commit into this tensor's memory
const inplace = (name: string, fn: (self: Tensor, ...a: any[]) => Tensor) =>
  def(name, function (...a) { return inp.commit(this, fn(inp.originalSelf(this, a), ...a)); });
// add_/sub_ of a tensor with nothing to record skip the temporary (inplace.ts's mulAddInto).
def("add_", function (o, opts) {
  return inp.mulAddInto(this, o, opts?.alpha ?? 1) ? this : inp.commit(this, ar.add(inp.originalSelf(this, [o, opts]), o, opts));
});
def("sub_", function (o, opts) {
  return inp.mulAddInto(this, o, -(opts?.alpha ?? 1)) ? this : inp.commit(this, ar.sub(inp.originalSelf(this, [o, opts]), o, opts));
});
inplace("mul_", (s, o) => ar.mul(s, o));
inplace("div_", (s, o, opts) => ar.div(s, o, opts));
inplace("pow_", (s, e) => ar.pow(s, e));
inplace("neg_", (s) => m.neg(s));
inplace("abs_", (s) => m.abs(s));
inplace("exp_", (s) => m.exp(s));
inplace("log_", (s) => m.log(s));
inplace("sqrt_", (s) => m.sqrt(s));
inplace("sigmoid_", (s) => m.sigmoid(s));
inplace("tanh_", (s) => m.tanh(s));
inplace("relu_", (s) => act.relu(s));
inplace("clamp_", (s, lo, hi) => m.clamp(s, lo, hi));
inplace("clampMin_", (s, lo) => m.clampMin(s, lo));
inplace("clampMax_", (s, hi) => m.clampMax(s, hi));
inplace("addcmul_", (s, t1, t2, opts) => ar.add(s, ar.mul(t1, t2), { alpha: opts?.value ?? 1 }));
inplace("addcdiv_", (s, t1, t2, opts) => ar.add(s, ar.div(t1, t2), { alpha: opts?.value ?? 1 }));
inplace("lerp_", (s, end, w) => ar.add(s, ar.sub(end, s), { alpha: w }));
inplace("maximum_", (s, o) => ar.maximum(s, o));
inplace("maskedFill_", (s, mask, value) => idx.maskedFill(s, mask, value, true));
def("copy_", function (src: Tensor) { return inp.copyInplace(this, src); });
def("zero_", function () { return inp.fillInplace(this, 0, "ZeroBackward0"); });
def("fill_", function (value) { return inp.fillInplace(this, value); });

// attention helpers
def("tril", function (d) { return tril(this, d); });
def("triu", function (d) { return triu(this, d); });
inplace("tril_", (s, d) => tril(s, d));
inplace("triu_", (s, d) => triu(s, d));
def("repeat", function (...r) { return repeat(this, ...r); });
def("repeatInterleave", function (r, d, o) { return repeatInterleave(this, r, d, o); });
def("roll", function (s, d) { return roll(this, s, d); });
def("typeAs", function (o: Tensor) { return toDtype(this, o.dtype); });
def("baddbmm", function (b1, b2, o) { return baddbmm(this, b1, b2, o); });
