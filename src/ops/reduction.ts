// Reductions with PyTorch's dim/keepdim conventions, and their derivatives.
import { bool, type DType, float64, int64 } from "../tensor/dtype.js";
import { formatShape, normalizeDim, numelOf } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { needsGrad, record, withGradMode } from "./node.js";
import { kernels, where } from "./arithmetic.js";
import { backendOf, castTo } from "./util.js";
import { tracer } from "./trace.js";

export type Dims = number | readonly number[] | null | undefined;
export interface ReduceOptions {
  dim?: Dims;
  keepdim?: boolean;
  dtype?: DType;
  /** NumPy's name for dim, which PyTorch's keyword parser also accepts (`x.argmax(axis=1)`). */
  axis?: Dims;
  /** NumPy's name for keepdim, accepted as PyTorch does. */
  keepdims?: boolean;
}

/** The keyword aliases PyTorch's argument parser maps (axis -> dim, keepdims -> keepdim). */
function unalias<O extends { dim?: unknown; keepdim?: boolean; axis?: unknown; keepdims?: boolean }>(o: O): O {
  if (o.axis === undefined && o.keepdims === undefined) return o;
  const { axis, keepdims, ...rest } = o;
  return { ...rest, dim: rest.dim ?? axis, keepdim: rest.keepdim ?? keepdims } as O;
}

function isOptionsObject(v: unknown): v is object {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Tensor);
}

/** Accepts sum(), sum(1), sum([0, 1]), sum(1, { keepdim }), sum({ dim, keepdim }). */
export function reduceArgs(dimOrOpts?: Dims | ReduceOptions, opts?: ReduceOptions | boolean): ReduceOptions {
  if (isOptionsObject(dimOrOpts)) return unalias(dimOrOpts as ReduceOptions);
  // x.sum(1, True): keepdim positional, as PyTorch's sum(dim, keepdim=False, *, dtype)
  const o: ReduceOptions | undefined = typeof opts === "boolean" ? { keepdim: opts } : opts;
  return unalias({ ...o, dim: (dimOrOpts as Dims) ?? o?.dim });
}

/** dim and keepdim of the single-dim reductions (max, argmax, all, ...), as a number or an options object. */
export interface DimOptions {
  dim?: number | null;
  keepdim?: boolean;
  axis?: number | null;
  keepdims?: boolean;
}

function dimArgs(dimOrOpts?: number | null | DimOptions, opts?: DimOptions | boolean): { dim: number | null | undefined; keepdim: boolean } {
  const given: DimOptions | undefined = typeof opts === "boolean" ? { keepdim: opts } : opts;
  const o = unalias(isOptionsObject(dimOrOpts) ? (dimOrOpts as DimOptions) : { ...given, dim: (dimOrOpts as number | null | undefined) ?? given?.dim });
  return { dim: o.dim, keepdim: o.keepdim ?? false };
}

/** Sorted distinct dims; all dims when none are given (or an empty list, as PyTorch). */
export function resolveDims(x: Tensor, dim: Dims, op: string): number[] {
  const nd = x.dim();
  if (dim === undefined || dim === null) return allDims(nd);
  // One dim (a bias gradient's sum over the batch) needs no set, map or sort: every step has one.
  if (typeof dim === "number") {
    const d = normalizeDim(dim, nd, op);
    return nd === 0 ? [] : [d];
  }
  const list = dim;
  if (list.length === 0) return allDims(nd);
  const out = [...new Set(list.map((d) => normalizeDim(d, nd, op)))].sort((a, b) => a - b);
  if (out.length !== list.length) throw new RangeError(`${op}: dim ${list.find((d, i) => list.indexOf(d) !== i)} appears multiple times in the list of dims`);
  return nd === 0 ? [] : out;
}

function allDims(nd: number): number[] {
  const out = new Array<number>(nd);
  for (let d = 0; d < nd; d++) out[d] = d;
  return out;
}

/** The reduced shape: dims kept as 1 or dropped. */
function reducedShape(shape: readonly number[], dims: number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (dims.includes(d)) {
      if (keepdim) out.push(1);
    } else out.push(shape[d]);
  }
  return out;
}

function rawReduce(x: Tensor, dims: number[], kind: "sum" | "prod" | "max" | "min", keepdim: boolean, withIndices = false) {
  if (dims.length === 0) {
    // A 0-d tensor reduces to itself; a sum adds it to PyTorch's starting 0, so -0 sums to +0.
    const v = kind === "sum" ? backendOf(x).binary(x, 0, kernels.add, x.dtype, []) : backendOf(x).copy(x, x.dtype);
    return { values: v, indices: withIndices ? Tensor.make(x.shape.slice(), int64) : null };
  }
  const r = backendOf(x).reduce(x, dims, kind, withIndices);
  const shape = reducedShape(x.shape, dims, keepdim);
  const values = keepdim ? r.values : Tensor.make(shape, r.values.dtype, r.values.storage.data, x.device);
  const indices = r.indices && (keepdim ? r.indices : Tensor.make(shape.slice(), int64, r.indices.storage.data, x.device));
  return { values, indices };
}

/** Puts the reduced dims back (as size 1) so a gradient broadcasts against the input. */
function unreduce(g: Tensor, x: Tensor, dims: number[], keepdim: boolean): Tensor {
  if (keepdim || dims.length === 0) return g;
  return g.reshape(reducedShape(x.shape, dims, true));
}

/** Integer and bool tensors sum in int64, as PyTorch. */
function sumDtype(x: Tensor, dtype?: DType): DType {
  if (dtype) return dtype;
  return x.dtype.isFloatingPoint ? x.dtype : int64;
}

export function sum(x: Tensor, dimOrOpts?: Dims | ReduceOptions, o?: ReduceOptions | boolean): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("sum", sum, [x, dimOrOpts, o]);
  const opts = reduceArgs(dimOrOpts, o);
  const dims = resolveDims(x, opts.dim, "sum");
  const keepdim = opts.keepdim ?? false;
  const xc = castTo(x, sumDtype(x, opts.dtype));
  const y = rawReduce(xc, dims, "sum", keepdim).values;
  if (needsGrad(x)) record(`SumBackward${opts.dim == null ? "0" : "1"}`, [x], y, (gy) => [unreduce(gy, x, dims, keepdim).expand(x.shape)]);
  return y;
}

export function mean(x: Tensor, dimOrOpts?: Dims | ReduceOptions, o?: ReduceOptions | boolean): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("mean", mean, [x, dimOrOpts, o]);
  // x.mean() of a float tensor with nothing to record (a loss's own reduction, every training
  // step): the backend's sum and division at once, without the option parsing and the reshape
  // below. The one-element sum (dims kept as 1) divides into a 0-d result, as the path below.
  if (dimOrOpts === undefined && o === undefined && tracer === null && x.dim() > 0 && x.dtype.isFloatingPoint && !needsGrad(x)) {
    const s = backendOf(x).reduce(x, allDims(x.dim()), "sum", false).values;
    // The sum (x's shape with every dim 1) is fresh and seen by nobody yet: divided in place on
    // the CPU, with the division kernel's bits (the quotient of the stored values, rounded once
    // when stored), and returned 0-d without a second array for a loss's every step.
    const d = s.storage.data;
    if (s.device === "cpu" && s.numel() === 1 && (d instanceof Float32Array || d instanceof Float64Array)) {
      d[s.offset] = d[s.offset] / x.numel();
      return new Tensor(s.storage, [], [], s.offset, s.dtype);
    }
    return backendOf(s).binary(s, x.numel(), kernels.div, x.dtype, []);
  }
  const opts = reduceArgs(dimOrOpts, o);
  const dt = opts.dtype ?? x.dtype;
  if (!dt.isFloatingPoint) {
    throw new TypeError(`mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${x.dtype}`);
  }
  const dims = resolveDims(x, opts.dim, "mean");
  const keepdim = opts.keepdim ?? false;
  const n = dims.reduce((acc, d) => acc * x.shape[d], 1);
  const s = rawReduce(castTo(x, dt), dims, "sum", keepdim).values;
  const y = backendOf(s).binary(s, n, kernels.div, dt, s.shape.slice());
  if (needsGrad(x)) record(`MeanBackward${opts.dim == null ? "0" : "1"}`, [x], y, (gy) => [unreduce(gy, x, dims, keepdim).expand(x.shape).div(n)]);
  return y;
}

export function prod(x: Tensor, dimOrOpts?: Dims | ReduceOptions, o?: ReduceOptions | boolean): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("prod", prod, [x, dimOrOpts, o]);
  const opts = reduceArgs(dimOrOpts, o);
  const dims = resolveDims(x, opts.dim, "prod");
  if (opts.dim != null && typeof opts.dim !== "number") throw new TypeError("prod: dim must be a single integer");
  const keepdim = opts.keepdim ?? false;
  const y = rawReduce(castTo(x, sumDtype(x, opts.dtype)), dims, "prod", keepdim).values;
  if (needsGrad(x)) {
    record(`ProdBackward${opts.dim == null ? "0" : "1"}`, [x], y, (gy) => {
      const g = unreduce(gy, x, dims, keepdim);
      const p = unreduce(y, x, dims, keepdim);
      // Where x has no zeros, d prod / dx_i = prod / x_i; otherwise multiply the others explicitly.
      if (!x.eq(0).any().item()) return [g.mul(p).div(x)];
      return [g.mul(productOfOthers(x, dims))];
    }, [x, y]);
  }
  return y;
}

// For each element, the product of the other elements in its reduction group (handles zeros).
function productOfOthers(x: Tensor, dims: number[]): Tensor {
  const perm = [...x.shape.keys()].filter((d) => !dims.includes(d)).concat(dims);
  const xp = x.detach().permute(perm).contiguous();
  const inner = dims.reduce((a, d) => a * x.shape[d], 1);
  const vals = xp.values();
  const out = new Float64Array(vals.length);
  for (let o = 0; o < vals.length; o += inner) {
    for (let i = 0; i < inner; i++) {
      let p = 1;
      for (let j = 0; j < inner; j++) if (j !== i) p *= vals[o + j];
      out[o + i] = p;
    }
  }
  const inv = perm.map((_, i) => perm.indexOf(i));
  return Tensor.make(xp.shape.slice(), x.dtype, new x.dtype.ArrayType(out), x.device).permute(inv);
}

/** The result of max(dim), sort, topk: fields by name, and destructuring as [values, indices]. */
export type ValuesIndices = [Tensor, Tensor] & { values: Tensor; indices: Tensor };
export function valuesIndices(values: Tensor, indices: Tensor, op = "max"): ValuesIndices {
  const r = Object.assign([values, indices] as [Tensor, Tensor], { values, indices });
  // Printed as PyTorch prints its named tuple, torch.return_types.max(values=..., indices=...).
  Object.defineProperty(r, "toString", {
    value: () => `torch.return_types.${op}(\nvalues=${values.toString()},\nindices=${indices.toString()})`,
    enumerable: false,
  });
  return r;
}

function extremeAll(x: Tensor, kind: "max" | "min", node: string): Tensor {
  if (x.numel() === 0) {
    throw new RangeError(`${kind}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
  }
  const y = rawReduce(x, resolveDims(x, null, kind), kind, false).values;
  if (needsGrad(x)) {
    record(node, [x], y, (gy) => {
      // Ties share the gradient evenly.
      const mask = x.eq(y).to(gy.dtype);
      return [mask.mul(gy).div(mask.sum())];
    }, [x, y]);
  }
  return y;
}

function extremeDim(x: Tensor, dim: number, keepdim: boolean, kind: "max" | "min"): ValuesIndices {
  const d = normalizeDim(dim, x.dim(), kind);
  const dims = x.dim() === 0 ? [] : [d];
  if (dims.length && x.shape[d] === 0) {
    throw new RangeError(`${kind}(): Expected reduction dim ${d} to have non-zero size. (input shape ${formatShape(x.shape)})`);
  }
  const { values, indices } = rawReduce(x, dims, kind, keepdim, true);
  if (needsGrad(x)) {
    record(kind === "max" ? "MaxBackward0" : "MinBackward0", [x], values, (gy) => {
      const idx = unreduce(indices!, x, dims, keepdim);
      const g = unreduce(gy, x, dims, keepdim);
      return [x.dim() === 0 ? g : backendOf(g).scatter(Tensor.make(x.shape.slice(), gy.dtype, undefined, x.device), d, idx, g, true)];
    }, []);
  }
  return valuesIndices(values, indices!, kind);
}

export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number | (DimOptions & ({ dim: number } | { axis: number })), keepdim?: DimOptions | boolean): ValuesIndices;
export function max(x: Tensor, dimOrOpts?: number | DimOptions, opts?: DimOptions | boolean): Tensor | ValuesIndices {
  const { dim, keepdim } = dimArgs(dimOrOpts, opts);
  // the ONNX mappings read (x, dim, { keepdim }), whichever form the caller used
  if (tracer !== null && tracer.depth === 0) return tracer.call("max", max, dim === undefined || dim === null ? [x] : [x, dim, { keepdim }]);
  return dim === undefined || dim === null ? extremeAll(x, "max", "MaxBackward1") : extremeDim(x, dim, keepdim, "max");
}
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number | (DimOptions & ({ dim: number } | { axis: number })), keepdim?: DimOptions | boolean): ValuesIndices;
export function min(x: Tensor, dimOrOpts?: number | DimOptions, opts?: DimOptions | boolean): Tensor | ValuesIndices {
  const { dim, keepdim } = dimArgs(dimOrOpts, opts);
  // the ONNX mappings read (x, dim, { keepdim }), whichever form the caller used
  if (tracer !== null && tracer.depth === 0) return tracer.call("min", min, dim === undefined || dim === null ? [x] : [x, dim, { keepdim }]);
  return dim === undefined || dim === null ? extremeAll(x, "min", "MinBackward1") : extremeDim(x, dim, keepdim, "min");
}

function amaxmin(kind: "max" | "min") {
  const op = (x: Tensor, dimOrOpts?: Dims | ReduceOptions, o?: ReduceOptions | boolean): Tensor => {
    if (tracer !== null && tracer.depth === 0) return tracer.call(`a${kind}`, op, [x, reduceArgs(dimOrOpts, o)]);
    const opts = reduceArgs(dimOrOpts, o);
    const dims = resolveDims(x, opts.dim, `a${kind}`);
    const keepdim = opts.keepdim ?? false;
    const y = rawReduce(x, dims, kind, keepdim).values;
    if (needsGrad(x)) {
      record(kind === "max" ? "AmaxBackward0" : "AminBackward0", [x], y, (gy) => {
        const mask = x.eq(unreduce(y, x, dims, keepdim)).to(gy.dtype);
        const count = mask.sum(dims, { keepdim: true });
        return [mask.mul(unreduce(gy, x, dims, keepdim)).div(count)];
      }, [x, y]);
    }
    return y;
  };
  return op;
}
export const amax = amaxmin("max");
export const amin = amaxmin("min");

function argExtreme(kind: "max" | "min") {
  const op = (x: Tensor, dimOrOpts?: number | null | DimOptions, o?: DimOptions | boolean): Tensor => {
    const { dim, keepdim } = dimArgs(dimOrOpts, o);
    if (tracer !== null && tracer.depth === 0) return tracer.call(`arg${kind}`, op, [x, dim, { keepdim }]);
    if (dim === undefined || dim === null) {
      const flat = x.reshape([-1]);
      const r = rawReduce(flat, [0], kind, false, true).indices!;
      return keepdim ? r.reshape(x.shape.map(() => 1)) : r;
    }
    const d = normalizeDim(dim, x.dim(), `arg${kind}`);
    return rawReduce(x, x.dim() ? [d] : [], kind, keepdim, true).indices!;
  };
  return op;
}
export const argmax = argExtreme("max");
export const argmin = argExtreme("min");

export interface VarOptions extends ReduceOptions {
  /** Bessel's correction: 1 (default) for the sample variance, 0 for the population one. */
  correction?: number;
  unbiased?: boolean;
}

/** var/std's arguments: (dim, unbiased?, keepdim?) positionally, as PyTorch's var(dim, unbiased, keepdim), or options. */
function varArgs(dimOrOpts?: Dims | VarOptions, o?: VarOptions | boolean, keepdim?: boolean): VarOptions {
  if (typeof o === "boolean") return reduceArgs(dimOrOpts, { unbiased: o, keepdim } as VarOptions) as VarOptions;
  return reduceArgs(dimOrOpts, o) as VarOptions;
}

function varianceParts(x: Tensor, dimOrOpts?: Dims | VarOptions, o?: VarOptions | boolean, k?: boolean) {
  const opts = varArgs(dimOrOpts, o, k);
  if (!x.dtype.isFloatingPoint) throw new TypeError(`std and var only support floating point and complex dtypes (got ${x.dtype})`);
  const dims = resolveDims(x, opts.dim, "var");
  const keepdim = opts.keepdim ?? false;
  const correction = opts.correction ?? (opts.unbiased === false ? 0 : 1);
  const n = dims.reduce((acc, d) => acc * x.shape[d], 1);
  return { dims, keepdim, correction, n };
}

/** variance(x, dim?, unbiased?, keepdim?) positionally, as PyTorch's var(dim, unbiased, keepdim), or (dim?, options). */
export function variance(x: Tensor, dimOrOpts?: Dims | VarOptions, o?: VarOptions | boolean, keepdimArg?: boolean): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("variance", variance, [x, varArgs(dimOrOpts, o, keepdimArg)]);
  const { dims, keepdim, correction, n } = varianceParts(x, dimOrOpts, o, keepdimArg);
  const y = varianceRaw(x, dims, keepdim, correction, n);
  if (needsGrad(x)) record("VarBackward0", [x], y, (gy) => [varBackward(gy, x, dims, keepdim, correction, n)], [x]);
  return y;
}

/** PyTorch's var_backward: (2 / dof) * grad * (x - mean), with its NaN / inf where dof <= 0 over all dims. */
function varBackward(gy: Tensor, x: Tensor, dims: number[], keepdim: boolean, correction: number, n: number): Tensor {
  const dof = n - correction;
  if (dims.length === x.dim() && dof <= 0) {
    const g = unreduce(gy, x, dims, keepdim);
    return g.mul(where(x.eq(x.mean(dims, { keepdim: true })), Number.NaN, Number.POSITIVE_INFINITY));
  }
  return unreduce(gy, x, dims, keepdim).mul(2 / dof).mul(x.sub(x.mean(dims, { keepdim: true })));
}

function varianceRaw(x: Tensor, dims: number[], keepdim: boolean, correction: number, n: number, takeSqrt = false): Tensor {
  // Two passes (mean, then squared deviations) in float64, as PyTorch's Welford accumulates in
  // double; the square root of std is taken in double too, and only the result is rounded.
  const xd = x.detach();
  const x64 = castTo(xd, float64);
  const mu = rawReduce(x64, dims, "sum", true).values;
  const muVals = backendOf(mu).unary(mu, { name: "div_n", fn: (v) => v / n }, mu.dtype);
  const dev = backendOf(x64).binary(x64, muVals, { name: "sqdev", fn: (a, b) => (a - b) * (a - b) }, x64.dtype, x64.shape.slice());
  const ss = rawReduce(dev, dims, "sum", keepdim).values;
  const denom = Math.max(0, n - correction);
  const fn = takeSqrt ? (v: number) => Math.sqrt(v / denom) : (v: number) => v / denom;
  return backendOf(ss).unary(ss, { name: takeSqrt ? "sqrt_div_n" : "div_n", fn }, x.dtype);
}

/** std(x, dim?, unbiased?, keepdim?) positionally, as PyTorch's std(dim, unbiased, keepdim), or (dim?, options). */
export function std(x: Tensor, dimOrOpts?: Dims | VarOptions, o?: VarOptions | boolean, keepdimArg?: boolean): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("std", std, [x, varArgs(dimOrOpts, o, keepdimArg)]);
  const { dims, keepdim, correction, n } = varianceParts(x, dimOrOpts, o, keepdimArg);
  const y = varianceRaw(x, dims, keepdim, correction, n, true);
  if (needsGrad(x)) {
    // PyTorch's std_backward: var_backward of grad / (2 std), zero where std is 0.
    record("StdBackward0", [x], y, (gy) => [varBackward(gy.div(y.mul(2)).maskedFill(y.eq(0), 0), x, dims, keepdim, correction, n)], [x, y]);
  }
  return y;
}

export function logsumexp(x: Tensor, dimOrOpts: Dims | { dim: Dims; keepdim?: boolean }, opts?: { keepdim?: boolean } | boolean): Tensor {
  const o = reduceArgs(dimOrOpts as Dims | ReduceOptions, opts);
  if (tracer !== null && tracer.depth === 0) return tracer.call("logsumexp", logsumexp, [x, o.dim, { keepdim: o.keepdim }]);
  const dim = o.dim;
  const dims = resolveDims(x, dim, "logsumexp");
  const keepdim = o.keepdim ?? false;
  const xd = x.dtype.isFloatingPoint ? x : x.float();
  const m = rawReduce(xd.detach(), dims, "max", true).values;
  // A row of -inf (or +inf) must not produce NaN from inf - inf.
  const shift = backendOf(m).unary(m, { name: "finite_or_zero", fn: (v) => (Number.isFinite(v) ? v : 0) }, m.dtype);
  const y = withGradMode(false, () => xd.detach().sub(shift).exp().sum(dims, { keepdim: true }).log().add(shift));
  const out = keepdim ? y : y.reshape(reducedShape(x.shape, dims, false));
  if (needsGrad(x)) {
    record("LogsumexpBackward0", [x], out, (gy) => [unreduce(gy, x, dims, keepdim).mul(x.sub(unreduce(out, x, dims, keepdim)).exp())], [x, out]);
  }
  return out;
}

// all/any count the zeros / non-zeros, so an empty reduction gives True / False as in PyTorch.
export function all(x: Tensor, dimOrOpts?: number | null | DimOptions, opts?: DimOptions | boolean): Tensor {
  const { dim, keepdim } = dimArgs(dimOrOpts, opts);
  if (tracer !== null && tracer.depth === 0) return tracer.call("all", all, [x, dim, { keepdim }]);
  const zeros = castTo(x.detach(), bool).logicalNot();
  const dims = resolveDims(zeros, dim, "all");
  return rawReduce(castTo(zeros, int64), dims, "sum", keepdim).values.eq(0);
}
export function any(x: Tensor, dimOrOpts?: number | null | DimOptions, opts?: DimOptions | boolean): Tensor {
  const { dim, keepdim } = dimArgs(dimOrOpts, opts);
  if (tracer !== null && tracer.depth === 0) return tracer.call("any", any, [x, dim, { keepdim }]);
  const nonzero = castTo(x.detach(), bool);
  const dims = resolveDims(nonzero, dim, "any");
  return rawReduce(castTo(nonzero, int64), dims, "sum", keepdim).values.ne(0);
}

/**
 * The p-norm over dims (default: the 2-norm of all elements), one NormBackward1 node whatever p
 * is, with the derivative of PyTorch's norm_backward.
 */
export function norm(x: Tensor, p: number | "fro" = 2, dim?: Dims, keepdimOrOpts?: { keepdim?: boolean } | boolean): Tensor {
  const opts = typeof keepdimOrOpts === "boolean" ? { keepdim: keepdimOrOpts } : keepdimOrOpts;
  if (tracer !== null && tracer.depth === 0) return tracer.call("norm", norm, [x, p, dim, opts]);
  const pp = p === "fro" ? 2 : p;
  const keepdim = opts?.keepdim ?? false;
  if (!x.dtype.isFloatingPoint) throw new TypeError(`norm(): input dtype should be either floating point or complex. Got ${x.dtype} instead.`);
  const dims = resolveDims(x, dim, "norm");
  const xd = x.detach();
  const y = withGradMode(false, () => {
    if (pp === Number.POSITIVE_INFINITY) return xd.abs().amax(dims, { keepdim });
    if (pp === Number.NEGATIVE_INFINITY) return xd.abs().amin(dims, { keepdim });
    if (pp === 0) return xd.ne(0).to(x.dtype).sum(dims, { keepdim });
    if (pp === 1) return xd.abs().sum(dims, { keepdim });
    if (pp === 2) return xd.square().sum(dims, { keepdim }).sqrt();
    return xd.abs().pow(pp).sum(dims, { keepdim }).pow(1 / pp);
  });
  if (needsGrad(x)) {
    record("NormBackward1", [x], y, (gy) => {
      const g = unreduce(gy, x, dims, keepdim);
      const n = unreduce(y, x, dims, keepdim);
      if (pp === 0) return [x.mul(0)];
      if (pp === 1) return [x.sign().mul(g)];
      if (pp === 2) return [g.mul(x.div(n).maskedFill(n.eq(0), 0))];
      if (!Number.isFinite(pp)) {
        // Gradient shared among the elements that attain the norm (or are NaN).
        const ax = x.abs();
        const mask = ax.eq(n).logicalOr(ax.isnan());
        const count = mask.sum(dims, { keepdim: true });
        return [x.sign().mul(g.div(count).mul(mask))];
      }
      if (pp < 1) return [x.sign().mul(x.abs().pow(pp - 1).maskedFill(x.eq(0), 0)).mul(g).mul(n.pow(1 - pp))];
      if (pp < 2) return [x.sign().mul(x.abs().pow(pp - 1)).mul(g.div(n.pow(pp - 1)).maskedFill(n.eq(0), 0))];
      return [x.mul(x.abs().pow(pp - 2)).mul(g.div(n.pow(pp - 1)).maskedFill(n.eq(0), 0))];
    }, [x, y]);
  }
  return y;
}


export function cumsum(x: Tensor, dim: number): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("cumsum", cumsum, [x, dim]);
  const d = normalizeDim(dim, x.dim(), "cumsum");
  const dt = x.dtype.isFloatingPoint ? x.dtype : int64;
  const src = castTo(x.detach(), dt).contiguous();
  const out = Tensor.make(x.shape.slice(), dt, undefined, x.device);
  const [outer, size, inner] = [numelOf(x.shape.slice(0, d)), x.dim() ? x.shape[d] : 1, numelOf(x.shape.slice(d + 1))];
  const s = src.values();
  const o = out.storage.data;
  for (let a = 0; a < outer; a++) {
    for (let c = 0; c < inner; c++) {
      let acc = 0;
      for (let b = 0; b < size; b++) {
        const i = (a * size + b) * inner + c;
        acc += s[i];
        o[i] = acc;
      }
    }
  }
  if (needsGrad(x)) record("CumsumBackward0", [x], out, (gy) => [gy.flip([d]).cumsum(d).flip([d])]);
  return out;
}
