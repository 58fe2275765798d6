// Index-driven ops: gather, scatter, index_select, masked_fill, masked_select, and
// integer/slice indexing (Python's x[0, :, 1:3]).
import { bool, int64 } from "../tensor/dtype.js";
import { broadcastShapes, formatShape, normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { needsGrad, record } from "./node.js";
import { backendOf, castTo, checkDevices, checkIndexTensor, sumTo, type TensorOrScalar } from "./util.js";
import { select, slice } from "./view.js";
import { tracer } from "./trace.js";

export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("gather", gather, [x, dim, index]);
  checkIndexTensor("gather", index);
  checkDevices("gather", x, index);
  const d = normalizeDim(dim, x.dim(), "gather");
  const out = backendOf(x).gather(x, d, index);
  if (needsGrad(x)) {
    record("GatherBackward0", [x], out, (gy) => [backendOf(gy).scatter(Tensor.make(x.shape.slice(), gy.dtype, undefined, x.device), d, index, gy, true)], []);
  }
  return out;
}

export function scatter(x: Tensor, dim: number, index: Tensor, src: TensorOrScalar): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("scatter", scatter, [x, dim, index, src]);
  checkIndexTensor("scatter", index);
  checkDevices("scatter", x, index);
  if (src instanceof Tensor) checkDevices("scatter", x, src);
  const d = normalizeDim(dim, x.dim(), "scatter");
  const s = src instanceof Tensor ? castTo(src, x.dtype) : Number(src);
  const out = backendOf(x).scatter(x, d, index, s, false);
  const ts = src instanceof Tensor ? src : null;
  if (needsGrad(x, ts)) {
    // PyTorch names scatter.src's node ScatterBackward0 and scatter.value's ScatterBackward1.
    record(ts ? "ScatterBackward0" : "ScatterBackward1", [x, ts], out, (gy) => [
      x.requiresGrad ? backendOf(gy).scatter(gy, d, index, 0, false) : null,
      ts?.requiresGrad ? backendOf(gy).gather(gy, d, index) : null,
    ]);
  }
  return out;
}

export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("scatterAdd", scatterAdd, [x, dim, index, src]);
  checkIndexTensor("scatter_add", index);
  checkDevices("scatter_add", x, index);
  checkDevices("scatter_add", x, src);
  const d = normalizeDim(dim, x.dim(), "scatter_add");
  const out = backendOf(x).scatter(x, d, index, castTo(src, x.dtype), true);
  if (needsGrad(x, src)) {
    record("ScatterAddBackward0", [x, src], out, (gy) => [gy, src.requiresGrad ? backendOf(gy).gather(gy, d, index) : null]);
  }
  return out;
}

export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("indexSelect", indexSelect, [x, dim, index]);
  checkIndexTensor("index_select", index);
  checkDevices("index_select", x, index);
  if (index.dim() > 1) throw new RangeError(`index_select(): Index is supposed to be a vector, got shape ${formatShape(index.shape)}`);
  const d = x.dim() === 0 ? 0 : normalizeDim(dim, x.dim(), "index_select");
  const out = backendOf(x).indexSelect(x, d, index.reshape([-1]));
  if (needsGrad(x)) {
    record("IndexSelectBackward0", [x], out, (gy) => [backendOf(gy).indexAdd(Tensor.make(x.shape.slice(), gy.dtype, undefined, x.device), d, index.reshape([-1]), gy)]);
  }
  return out;
}

/**
 * x.maskedFill(mask, value): value where mask is true. As PyTorch's out-of-place masked_fill, x and
 * mask broadcast against each other (a [B, 1, S] mask over a [1, L, S] input gives [B, L, S]);
 * `inplace` (masked_fill_) requires the mask to broadcast to x's own shape.
 */
export function maskedFill(x: Tensor, mask: Tensor, value: TensorOrScalar, inplace = false): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("maskedFill", maskedFill, [x, mask, value, inplace]);
  if (mask.dtype !== bool) throw new TypeError(`masked_fill_ only supports boolean masks, but got mask with dtype ${mask.dtype}`);
  checkDevices("masked_fill", x, mask);
  const v = value instanceof Tensor ? value : null;
  if (v && v.dim() !== 0) throw new RangeError(`masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${v.dim()} dimension(s).`);
  const shape = broadcastShapes(x.shape, mask.shape, "masked_fill");
  const same = shape.length === x.dim() && shape.every((s, i) => s === x.shape[i]);
  if (inplace && !same) {
    throw new RangeError(`masked_fill_: the mask ${formatShape(mask.shape)} must be broadcastable to the input ${formatShape(x.shape)}`);
  }
  const fill = v ? v.item() : Number(value);
  const m = mask.expand(shape).contiguous().values();
  const out = backendOf(x).copy(same ? x : x.detach().expand(shape), x.dtype);
  const o = out.storage.data;
  const cast = x.dtype === bool ? (fill ? 1 : 0) : x.dtype.isFloatingPoint ? fill : Math.trunc(fill);
  for (let i = 0; i < o.length; i++) if (m[i]) o[i] = cast;
  if (needsGrad(x, v)) {
    record(v ? "MaskedFillBackward1" : "MaskedFillBackward0", [x, v], out, (gy) => [
      x.requiresGrad ? sumTo(gy.maskedFill(mask, 0), x.shape) : null,
      v?.requiresGrad ? gy.where(mask, 0).sum() : null,
    ]);
  }
  return out;
}

export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("maskedSelect", maskedSelect, [x, mask]);
  if (mask.dtype !== bool) throw new TypeError(`masked_select: expected BoolTensor for mask, got ${mask.dtype}`);
  checkDevices("masked_select", x, mask);
  // PyTorch broadcasts (mask, self): its message calls the mask tensor a.
  const shape = broadcastShapes(mask.shape, x.shape, "masked_select");
  const xs = x.expand(shape).contiguous().detach().values();
  const m = mask.expand(shape).contiguous().values();
  const picked: number[] = [];
  for (let i = 0; i < m.length; i++) if (m[i]) picked.push(xs[i]);
  const out = Tensor.make([picked.length], x.dtype, new x.dtype.ArrayType(picked), x.device);
  if (needsGrad(x)) {
    record("MaskedSelectBackward0", [x], out, (gy) => {
      const full = Tensor.make(shape.slice(), gy.dtype, undefined, x.device);
      const g = gy.contiguous().values();
      const f = full.storage.data;
      let j = 0;
      for (let i = 0; i < m.length; i++) if (m[i]) f[i] = g[j++];
      return [full];
    });
  }
  return out;
}

/** One position of an index expression: a number, a [start, end, step?] slice, null for ':' or a tensor. */
export type IndexItem = number | null | "..." | { start?: number; end?: number; step?: number } | Tensor;

/**
 * Basic indexing, x[0, :, 1:3] -> x.index([0, null, { start: 1, end: 3 }]). Integers select (drop
 * the dim), slices and null keep it, "..." fills the rest, and one int64/bool tensor indexes
 * along its dimension (advanced indexing for a single tensor).
 */
export function index(x: Tensor, items: readonly IndexItem[]): Tensor {
  const ellipsis = items.indexOf("...");
  let expanded = items.slice();
  if (ellipsis >= 0) {
    const used = items.filter((it) => it !== "...").length;
    expanded = [...items.slice(0, ellipsis), ...Array(Math.max(0, x.dim() - used)).fill(null), ...items.slice(ellipsis + 1)];
  }
  const tensorItems = expanded.filter((it): it is Tensor => it instanceof Tensor);
  if (tensorItems.length > 1) {
    // a k-dim bool mask indexes k dims
    const covered = expanded.reduce<number>((acc, it) => acc + (it instanceof Tensor && it.dtype === bool ? Math.max(it.dim(), 1) : 1), 0);
    if (covered > x.dim()) throw new RangeError(`too many indices for tensor of dimension ${x.dim()}`);
    return advancedIndex(x, expanded);
  }
  if (expanded.length > x.dim()) throw new RangeError(`too many indices for tensor of dimension ${x.dim()}`);
  let out = x;
  let d = 0;
  for (const it of expanded) {
    if (it === null) d++;
    else if (typeof it === "number") out = select(out, d, it);
    else if (it instanceof Tensor) {
      if (it.dtype === bool) {
        if (it.dim() !== 1 || expanded.length !== 1) out = maskedSelect(out, it);
        else out = indexSelect(out, d, it.nonzero().reshape([-1]));
      } else {
        checkIndexTensor("index", it);
        const flat = indexSelect(out, d, it.reshape([-1]));
        out = flat.reshape([...out.shape.slice(0, d), ...it.shape, ...out.shape.slice(d + 1)]);
        d += it.dim();
      }
    } else if (typeof it === "object") {
      out = slice(out, d, it.start ?? 0, it.end, it.step ?? 1);
      d++;
    }
  }
  return out;
}

/**
 * Indexing with several index tensors (x[rows, cols]): the tensors broadcast together and pick one
 * element per position, as PyTorch's advanced indexing, not one index_select per tensor (which
 * would take every combination). Integers and slices apply first; the picked dims take the
 * place of the first indexed dim when the indexed dims are adjacent, else they come first. A bool
 * tensor stands for the indices of its true elements.
 */
function advancedIndex(x: Tensor, items: readonly IndexItem[]): Tensor {
  let out = x;
  let d = 0;
  const dims: number[] = [];
  const indices: Tensor[] = [];
  for (const it of items) {
    if (it === null) d++;
    else if (typeof it === "number") out = select(out, d, it);
    else if (it instanceof Tensor) {
      if (it.dtype === bool) {
        const nz = it.nonzero();
        for (let k = 0; k < Math.max(it.dim(), 1); k++) {
          if (it.dim() > 0 && it.shape[k] !== out.shape[d]) {
            throw new RangeError(`The shape of the mask ${formatShape(it.shape)} at index ${k} does not match the shape of the indexed tensor ${formatShape(out.shape)} at index ${d}`);
          }
          dims.push(d++);
          indices.push(nz.select(1, k));
        }
      } else {
        checkIndexTensor("index", it);
        dims.push(d++);
        indices.push(it);
      }
    } else if (typeof it === "object") {
      out = slice(out, d, it.start ?? 0, it.end, it.step ?? 1);
      d++;
    }
  }
  let shape: number[];
  try {
    shape = indices.reduce<number[]>((acc, t) => broadcastShapes(acc, t.shape, "index"), []);
  } catch {
    throw new RangeError(`shape mismatch: indexing tensors could not be broadcast together with shapes ${indices.map((t) => `[${t.shape.join(", ")}]`).join(", ")}`);
  }
  const sizes = dims.map((k) => out.shape[k]);
  const n = shape.reduce((a, b) => a * b, 1);
  const linear = new Float64Array(n);
  let stride = 1;
  for (let k = indices.length - 1; k >= 0; k--) {
    const v = indices[k].expand(shape).contiguous().values();
    for (let i = 0; i < n; i++) {
      let j = Number(v[i]);
      if (j < -sizes[k] || j >= sizes[k]) throw new RangeError(`index ${j} is out of bounds for dimension ${dims[k]} with size ${sizes[k]}`);
      if (j < 0) j += sizes[k];
      linear[i] += j * stride;
    }
    stride *= sizes[k];
  }
  const rest = out.shape.map((_, k) => k).filter((k) => !dims.includes(k));
  const restShape = rest.map((k) => out.shape[k]);
  const flat = out.permute([...dims, ...rest]).reshape([stride, ...restShape]);
  let r = indexSelect(flat, 0, Tensor.make([n], int64, linear, x.device)).reshape([...shape, ...restShape]);
  const adjacent = dims.every((k, i) => i === 0 || k === dims[i - 1] + 1);
  if (adjacent && dims[0] > 0) {
    const b = shape.length;
    const before = Array.from({ length: dims[0] }, (_, i) => b + i);
    const picked = Array.from({ length: b }, (_, i) => i);
    const after = Array.from({ length: restShape.length - dims[0] }, (_, i) => b + dims[0] + i);
    r = r.permute([...before, ...picked, ...after]);
  }
  return r;
}

/** Indices of the non-zero elements, one row per element (torch.nonzero). */
export function nonzero(x: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("nonzero", nonzero, [x]);
  const v = x.contiguous().values();
  const nd = x.dim();
  const rows: number[] = [];
  const strides = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== 0) for (let d = 0; d < nd; d++) rows.push(Math.floor(i / strides[d]) % x.shape[d]);
  }
  const count = nd === 0 ? (v[0] !== 0 ? 1 : 0) : rows.length / nd;
  return Tensor.make([count, nd], int64, new Float64Array(rows), x.device);
}
