// sort, argsort and topk: values with the indices they came from, differentiable through the
// values (the gradient goes back to the positions the indices name, as in PyTorch).
import { int64 } from "../tensor/dtype.js";
import { normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { needsGrad, record } from "./node.js";
import { type ValuesIndices, valuesIndices } from "./reduction.js";
import { backendOf } from "./util.js";
import { tracer } from "./trace.js";

// NaN sorts as the largest value, as PyTorch's sort and topk treat it.
function ascending(a: number, b: number): number {
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The first k of each row along dim, ordered; ties keep their original order (a stable sort). */
function ordered(x: Tensor, dim: number, descending: boolean, k: number, op: string, node: string): ValuesIndices {
  const nd = x.dim();
  const d = nd === 0 ? 0 : normalizeDim(dim, nd, op);
  // Rows along the last dim: read x with dim d moved last.
  const rowsView = nd === 0 ? x.detach().reshape([1]) : x.detach().movedim(d, -1).contiguous();
  const n = nd === 0 ? 1 : x.shape[d];
  if (k < 0 || k > n) throw new RangeError(`${op}: selected index k out of range (k = ${k}, size ${n})`);
  const src = rowsView.values();
  const rows = n === 0 ? 0 : src.length / n;
  const vals = new x.dtype.ArrayType(rows * k);
  const idx = new Float64Array(rows * k);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((i, j) => (descending ? ascending(src[base + j], src[base + i]) : ascending(src[base + i], src[base + j])) || i - j);
    for (let i = 0; i < k; i++) {
      vals[r * k + i] = src[base + order[i]];
      idx[r * k + i] = order[i];
    }
  }
  const movedShape = nd === 0 ? [] : [...rowsView.shape.slice(0, -1), k];
  const back = (t: Tensor) => (nd === 0 ? t : t.movedim(-1, d).contiguous());
  const values = back(Tensor.make(movedShape, x.dtype, vals, x.device));
  const indices = back(Tensor.make(movedShape.slice(), int64, idx, x.device));
  if (needsGrad(x)) {
    record(node, [x], values, (gy) => [
      nd === 0 ? gy : backendOf(gy).scatter(Tensor.make(x.shape.slice(), gy.dtype, undefined, x.device), d, indices, gy, true),
    ]);
  }
  return valuesIndices(values, indices, op);
}

export interface SortOptions {
  dim?: number;
  descending?: boolean;
  /** Accepted for PyTorch's signature: kindling's sort is always stable. */
  stable?: boolean;
}

/** torch.sort(x, dim=-1, descending=false): { values, indices }, also [values, indices]. */
/** sort(x, dim?, descending?), any trailing run as one options object ({ dim, descending, stable }). */
export function sort(x: Tensor, dim: number | SortOptions = -1, descending: boolean | SortOptions = {}, opts: SortOptions = {}): ValuesIndices {
  const o: SortOptions =
    typeof dim === "object" ? dim : typeof descending === "boolean" ? { ...opts, dim, descending } : { ...descending, dim };
  if (tracer !== null && tracer.depth === 0) return tracer.call("sort", sort, [x, o.dim ?? -1, o]);
  const d = o.dim ?? -1;
  return ordered(x, d, o.descending ?? false, x.dim() === 0 ? 1 : x.shape[normalizeDim(d, x.dim(), "sort")], "sort",
    // PyTorch names the overload: sort(stable=...) records SortBackward1.
    o.stable === undefined ? "SortBackward0" : "SortBackward1");
}

/** argsort(x, dim?, descending?), any trailing run as one options object. */
export function argsort(x: Tensor, dim: number | SortOptions = -1, descending: boolean | SortOptions = {}, opts: SortOptions = {}): Tensor {
  const o: SortOptions =
    typeof dim === "object" ? dim : typeof descending === "boolean" ? { ...opts, dim, descending } : { ...descending, dim };
  // the ONNX mapping reads (x, dim, { descending }), whichever form the caller used
  if (tracer !== null && tracer.depth === 0) return tracer.call("argsort", argsort, [x, o.dim ?? -1, o]);
  return sort(x, o).indices;
}

export interface TopkOptions {
  dim?: number;
  largest?: boolean;
  sorted?: boolean;
}

/** torch.topk(x, k, dim=-1, largest=true, sorted=true): the k largest (or smallest) along dim. */
/** topk(x, k, dim?, largest?, sorted?), any trailing run as one options object ({ dim, largest, sorted }). */
export function topk(
  x: Tensor,
  k: number,
  dim: number | TopkOptions = -1,
  largest: boolean | TopkOptions = {},
  sorted: boolean | TopkOptions = {},
  opts: TopkOptions = {},
): ValuesIndices {
  let o: TopkOptions;
  if (typeof dim === "object") o = dim;
  else if (typeof largest === "object") o = { ...largest, dim };
  else if (typeof sorted === "object") o = { ...sorted, dim, largest };
  else o = { ...opts, dim, largest, sorted };
  if (tracer !== null && tracer.depth === 0) return tracer.call("topk", topk, [x, k, o]);
  if (!Number.isInteger(k)) throw new TypeError(`topk: k must be an integer, got ${k}`);
  return ordered(x, o.dim ?? -1, o.largest ?? true, k, "topk", "TopkBackward0");
}
