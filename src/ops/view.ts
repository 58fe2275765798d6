// Views: tensors that share memory with their input (PyTorch's view semantics), and the copies
// (contiguous, clone, reshape when a view is impossible). Each view's backward maps the gradient
// back onto the input's shape.
import { warn } from "../optim/warn.js";
import { type DType, promoteTypes } from "../tensor/dtype.js";
import { broadcastShapes, contiguousStrides, formatShape, inferShape, normalizeDim, viewStrides } from "../tensor/shape.js";
import { Storage } from "../tensor/storage.js";
import { Tensor } from "../tensor/tensor.js";
import { anyNeedsGrad, needsGrad, record, recordMulti, withGradMode } from "./node.js";
import { backendOf } from "./util.js";
import { tracer } from "./trace.js";

/** A view of x with its own geometry, sharing memory (and the version counter). */
export function rawView(x: Tensor, shape: number[], strides: number[], offset: number): Tensor {
  const v = new Tensor(x.storage, shape, strides, offset, x.dtype);
  v.base = x.base ?? x;
  return v;
}

/** x with its values written into a zero tensor of `shape` through `place` (the backward of a slice). */
function embed(g: Tensor, shape: number[], place: (z: Tensor) => Tensor): Tensor {
  const z = Tensor.make(shape.slice(), g.dtype, undefined, g.device);
  backendOf(z).assign(place(z), g);
  return z;
}

type ShapeArg = number | readonly number[];

export function view(x: Tensor, ...shape: ShapeArg[]): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("view", view, [x, ...shape]);
  const target = inferShape(flatShape(shape), x.numel(), "view", x.shape);
  const strides = viewStrides(x.shape, x.strides, target);
  if (!strides) {
    throw new RangeError(
      `view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead. (input ${formatShape(x.shape)}, requested ${formatShape(target)})`,
    );
  }
  const out = rawView(x, target, strides, x.offset);
  if (needsGrad(x)) record("ViewBackward0", [x], out, (gy) => [gy.reshape(x.shape)]);
  return out;
}

export function reshape(x: Tensor, ...shape: ShapeArg[]): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("reshape", reshape, [x, ...shape]);
  const target = inferShape(flatShape(shape), x.numel(), "reshape", x.shape);
  const strides = viewStrides(x.shape, x.strides, target);
  if (strides) {
    // PyTorch 1.13 makes this view with _reshape_alias, hence the node's name.
    const out = rawView(x, target, strides, x.offset);
    if (needsGrad(x)) record("ReshapeAliasBackward0", [x], out, (gy) => [gy.reshape(x.shape)]);
    return out;
  }
  const c = backendOf(x).copy(x, x.dtype);
  const out = new Tensor(c.storage, target, contiguousStrides(target), 0, x.dtype);
  if (needsGrad(x)) record("UnsafeViewBackward0", [x], out, (gy) => [gy.reshape(x.shape)]);
  return out;
}

function flatShape(shape: ShapeArg[]): number[] {
  if (shape.length === 1 && Array.isArray(shape[0])) return (shape[0] as number[]).slice();
  return shape as number[];
}

export function viewAs(x: Tensor, other: Tensor): Tensor {
  return view(x, other.shape);
}

export function contiguous(x: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("contiguous", contiguous, [x]);
  if (x.isContiguous()) return x;
  return clone(x);
}

export function clone(x: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("clone", clone, [x]);
  const out = backendOf(x).copy(x, x.dtype);
  if (needsGrad(x)) record("CloneBackward0", [x], out, (gy) => [gy]);
  return out;
}

/** A tensor sharing x's memory and version counter, cut from the graph. */
export function detach(x: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("detach", detach, [x]);
  const out = new Tensor(x.storage, x.shape, x.strides, x.offset, x.dtype);
  return out;
}

/** `.data`: the same memory without history, and (as PyTorch) without version tracking. */
export function dataOf(x: Tensor): Tensor {
  return new Tensor(new Storage(x.storage.data, x.storage.device), x.shape, x.strides, x.offset, x.dtype);
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("transpose", transpose, [x, dim0, dim1]);
  const nd = x.dim();
  const a = normalizeDim(dim0, nd, "transpose");
  const b = normalizeDim(dim1, nd, "transpose");
  if (nd === 0) return aliasOf(x, "AliasBackward0");
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  [shape[a], shape[b]] = [shape[b], shape[a]];
  [strides[a], strides[b]] = [strides[b], strides[a]];
  const out = rawView(x, shape, strides, x.offset);
  if (needsGrad(x)) record("TransposeBackward0", [x], out, (gy) => [gy.transpose(a, b)]);
  return out;
}

function aliasOf(x: Tensor, name: string): Tensor {
  const out = rawView(x, x.shape.slice(), x.strides.slice(), x.offset);
  if (needsGrad(x)) record(name, [x], out, (gy) => [gy]);
  return out;
}

/** t(): transpose of a matrix, or the tensor itself for fewer than 2 dims. */
export function t(x: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("t", t, [x]);
  if (x.dim() > 2) throw new RangeError(`t() expects a tensor with <= 2 dimensions, but self is ${x.dim()}D`);
  if (x.dim() < 2) return aliasOf(x, "TBackward0");
  const out = rawView(x, [x.shape[1], x.shape[0]], [x.strides[1], x.strides[0]], x.offset);
  if (needsGrad(x)) record("TBackward0", [x], out, (gy) => [gy.t()]);
  return out;
}

export function permute(x: Tensor, ...dims: ShapeArg[]): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("permute", permute, [x, ...dims]);
  const order = flatShape(dims).map((d) => normalizeDim(d, x.dim(), "permute"));
  if (order.length === x.dim() && new Set(order).size !== order.length) throw new RangeError("permute(): duplicate dims are not allowed.");
  if (order.length !== x.dim()) {
    throw new RangeError(`permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${x.dim()} is not equal to len(dims) = ${order.length}`);
  }
  const out = rawView(x, order.map((d) => x.shape[d]), order.map((d) => x.strides[d]), x.offset);
  if (needsGrad(x)) {
    const inverse = order.map((_, i) => order.indexOf(i));
    record("PermuteBackward0", [x], out, (gy) => [gy.permute(inverse)]);
  }
  return out;
}

export function movedim(x: Tensor, source: number, destination: number): Tensor {
  const nd = x.dim();
  const s = normalizeDim(source, nd, "movedim");
  const d = normalizeDim(destination, nd, "movedim");
  const order = [...Array(nd).keys()].filter((i) => i !== s);
  order.splice(d, 0, s);
  return permute(x, order);
}

export function expand(x: Tensor, ...sizes: ShapeArg[]): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("expand", expand, [x, ...sizes]);
  const target = flatShape(sizes);
  if (target.length < x.dim()) {
    throw new RangeError(`expand: the number of sizes provided (${target.length}) must be greater or equal to the number of dimensions in the tensor (${x.dim()})`);
  }
  const lead = target.length - x.dim();
  const shape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < target.length; i++) {
    const src = i - lead;
    const want = target[i];
    if (src < 0) {
      if (want < 0) throw new RangeError(`expand: -1 is not allowed in a leading, non-existing dimension ${i}`);
      shape.push(want);
      strides.push(0);
    } else {
      const have = x.shape[src];
      const size = want === -1 ? have : want;
      if (have !== size && have !== 1) {
        throw new RangeError(
          `expand: The expanded size of the tensor (${size}) must match the existing size (${have}) at non-singleton dimension ${i}.  Target sizes: ${formatShape(target)}.  Tensor sizes: ${formatShape(x.shape)}`,
        );
      }
      shape.push(size);
      strides.push(have === size ? x.strides[src] : 0);
    }
  }
  const out = rawView(x, shape, strides, x.offset);
  if (needsGrad(x)) record("ExpandBackward0", [x], out, (gy) => [gy]);
  return out;
}

export function expandAs(x: Tensor, other: Tensor): Tensor {
  return expand(x, other.shape);
}

export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  return expand(x, broadcastShapes(x.shape, shape, "broadcast_to"));
}

export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("squeeze", squeeze, [x, dim]);
  const nd = x.dim();
  const dims = dim === undefined ? [...Array(nd).keys()] : (typeof dim === "number" ? [dim] : dim).map((d) => normalizeDim(d, nd, "squeeze"));
  const shape: number[] = [];
  const strides: number[] = [];
  for (let d = 0; d < nd; d++) {
    if (dims.includes(d) && x.shape[d] === 1) continue;
    shape.push(x.shape[d]);
    strides.push(x.strides[d]);
  }
  const out = rawView(x, shape, strides, x.offset);
  if (needsGrad(x)) record(dim === undefined ? "SqueezeBackward0" : "SqueezeBackward1", [x], out, (gy) => [gy.reshape(x.shape)]);
  return out;
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("unsqueeze", unsqueeze, [x, dim]);
  const d = normalizeDim(dim, x.dim() + 1, "unsqueeze");
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  shape.splice(d, 0, 1);
  strides.splice(d, 0, d < x.dim() ? x.strides[d] * x.shape[d] : 1);
  const out = rawView(x, shape, strides, x.offset);
  if (needsGrad(x)) record("UnsqueezeBackward0", [x], out, (gy) => [gy.squeeze(d)]);
  return out;
}

/** flatten(x, startDim?, endDim?), or flatten(x, { startDim, endDim }) for PyTorch's keywords. */
export function flatten(x: Tensor, startOrOpts: number | { startDim?: number; endDim?: number } = 0, endDim = -1): Tensor {
  let startDim: number;
  if (typeof startOrOpts === "object" && startOrOpts !== null) {
    startDim = startOrOpts.startDim ?? 0;
    endDim = startOrOpts.endDim ?? endDim;
  } else startDim = startOrOpts;
  if (tracer !== null && tracer.depth === 0) return tracer.call("flatten", flatten, [x, startDim, endDim]);
  if (x.dim() === 0) return reshape(x, [1]);
  const s = normalizeDim(startDim, x.dim(), "flatten");
  const e = normalizeDim(endDim, x.dim(), "flatten");
  if (s > e) throw new RangeError("flatten() has invalid args: start_dim cannot come after end_dim");
  if (s === e) return x;
  const shape = [...x.shape.slice(0, s), x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("unflatten", unflatten, [x, dim, sizes]);
  const d = normalizeDim(dim, x.dim(), "unflatten");
  const inner = inferShape(sizes, x.shape[d], "unflatten");
  return view(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

/** x[..., start:end:step, ...] along dim: a view. */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("slice", slice, [x, dim, start, end, step]);
  const d = normalizeDim(dim, x.dim(), "slice");
  if (step <= 0) throw new RangeError("slice step must be positive");
  const size = x.shape[d];
  let s = start < 0 ? start + size : start;
  let e = end === undefined ? size : end < 0 ? end + size : end;
  s = Math.min(Math.max(s, 0), size);
  e = Math.min(Math.max(e, s), size);
  const len = Math.ceil((e - s) / step);
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  shape[d] = len;
  strides[d] = x.strides[d] * step;
  const out = rawView(x, shape, strides, x.offset + s * x.strides[d]);
  if (needsGrad(x)) record("SliceBackward0", [x], out, (gy) => [embed(gy, x.shape, (z) => slice(z, d, s, e, step))]);
  return out;
}

export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("narrow", narrow, [x, dim, start, length]);
  const d = normalizeDim(dim, x.dim(), "narrow");
  const size = x.shape[d];
  const s = start < 0 ? start + size : start;
  if (s < 0 || length < 0 || s + length > size) {
    throw new RangeError(`narrow: start (${start}) + length (${length}) exceeds dimension size (${size}). (input shape ${formatShape(x.shape)})`);
  }
  return slice(x, d, s, s + length);
}

export function select(x: Tensor, dim: number, index: number): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("select", select, [x, dim, index]);
  const d = normalizeDim(dim, x.dim(), "select");
  const size = x.shape[d];
  if (index < -size || index >= size) {
    throw new RangeError(`select(): index ${index} out of range for tensor of size ${formatShape(x.shape)} at dimension ${d}`);
  }
  const i = index < 0 ? index + size : index;
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  shape.splice(d, 1);
  strides.splice(d, 1);
  const out = rawView(x, shape, strides, x.offset + i * x.strides[d]);
  if (needsGrad(x)) record("SelectBackward0", [x], out, (gy) => [embed(gy, x.shape, (z) => select(z, d, i))]);
  return out;
}

function splitAt(x: Tensor, d: number, sizes: number[], name: string): Tensor[] {
  const outs: Tensor[] = [];
  let start = 0;
  for (const n of sizes) {
    const shape = x.shape.slice();
    shape[d] = n;
    outs.push(rawView(x, shape, x.strides.slice(), x.offset + start * x.strides[d]));
    start += n;
  }
  if (needsGrad(x)) {
    recordMulti(name, [x], outs, (grads) => [
      embed(cat(grads.map((g, i) => g ?? Tensor.make(outs[i].shape.slice(), x.dtype, undefined, x.device)), d), x.shape, (z) => z),
    ]);
  }
  return outs;
}

export function split(x: Tensor, sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  if (tracer !== null && tracer.depth === 0) return tracer.call("split", split, [x, sizeOrSections, dim]);
  const d = normalizeDim(dim, x.dim(), "split");
  const size = x.shape[d];
  let sizes: number[];
  if (typeof sizeOrSections === "number") {
    if (sizeOrSections <= 0) throw new RangeError(`split expects split_size be non-negative, but got split_size=${sizeOrSections}`);
    sizes = [];
    for (let s = 0; s < size; s += sizeOrSections) sizes.push(Math.min(sizeOrSections, size - s));
    if (size === 0) sizes = [0];
  } else {
    sizes = sizeOrSections.slice();
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== size) {
      throw new RangeError(`split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), but got split_sizes=${formatShape(sizes)} (input shape ${formatShape(x.shape)})`);
    }
  }
  return splitAt(x, d, sizes, typeof sizeOrSections === "number" ? "SplitBackward0" : "SplitWithSizesBackward0");
}

export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new RangeError(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const d = normalizeDim(dim, x.dim(), "chunk");
  const each = Math.ceil(x.shape[d] / chunks);
  return split(x, Math.max(each, 1), d);
}

export function unbind(x: Tensor, dim = 0): Tensor[] {
  if (tracer !== null && tracer.depth === 0) return tracer.call("unbind", unbind, [x, dim]);
  const d = normalizeDim(dim, x.dim(), "unbind");
  const n = x.shape[d];
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  shape.splice(d, 1);
  strides.splice(d, 1);
  const outs = Array.from({ length: n }, (_, i) => rawView(x, shape.slice(), strides.slice(), x.offset + i * x.strides[d]));
  if (needsGrad(x)) {
    recordMulti("UnbindBackward0", [x], outs, (grads) => [
      stack(grads.map((g, i) => g ?? Tensor.make(outs[i].shape.slice(), x.dtype, undefined, x.device)), d),
    ]);
  }
  return outs;
}

/** Reverses the order along dims (a copy, as torch.flip). */
export function flip(x: Tensor, dims: readonly number[]): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("flip", flip, [x, dims]);
  const ds = dims.map((d) => normalizeDim(d, x.dim(), "flip"));
  let offset = x.offset;
  const strides = x.strides.slice();
  for (const d of ds) {
    if (x.shape[d] > 0) offset += (x.shape[d] - 1) * x.strides[d];
    strides[d] = -strides[d];
  }
  const reversed = new Tensor(x.storage, x.shape.slice(), strides, offset, x.dtype);
  const out = backendOf(x).copy(reversed, x.dtype);
  if (needsGrad(x)) record("FlipBackward0", [x], out, (gy) => [gy.flip(ds)]);
  return out;
}

/** The dim of cat/stack: a number, or { dim } (NumPy's { axis } too, as PyTorch's keyword parser accepts). */
export type CatDim = number | { dim?: number; axis?: number };

function catDim(d: CatDim): number {
  return typeof d === "number" ? d : (d.dim ?? d.axis ?? 0);
}

export function cat(tensors: readonly Tensor[], dimOrOpts: CatDim = 0): Tensor {
  const dim = catDim(dimOrOpts);
  if (tracer !== null && tracer.depth === 0) return tracer.call("cat", cat, [tensors, dim]);
  if (tensors.length === 0) throw new RangeError("torch.cat(): expected a non-empty list of Tensors");
  // Legacy rule kept by PyTorch: 1-D empty tensors are skipped (their gradient is empty).
  const skipped = (t: Tensor) => t.dim() === 1 && t.shape[0] === 0;
  const parts = tensors.filter((t) => !skipped(t));
  if (parts.length === 0) return tensors[0].clone();
  const ref = parts[0];
  if (ref.dim() === 0) throw new RangeError("zero-dimensional tensor (at position 0) cannot be concatenated");
  const d = normalizeDim(dim, ref.dim(), "cat");
  let dtype: DType = ref.dtype;
  for (const [i, p] of parts.entries()) {
    if (p.dim() !== ref.dim()) {
      throw new RangeError(`torch.cat(): Tensors must have same number of dimensions: got ${ref.dim()} and ${p.dim()} (shapes ${formatShape(ref.shape)} and ${formatShape(p.shape)})`);
    }
    for (let k = 0; k < ref.dim(); k++) {
      if (k !== d && p.shape[k] !== ref.shape[k]) {
        throw new RangeError(
          `torch.cat(): Sizes of tensors must match except in dimension ${d}. Expected size ${ref.shape[k]} but got size ${p.shape[k]} for tensor number ${i} in the list (shapes ${formatShape(ref.shape)} and ${formatShape(p.shape)}).`,
        );
      }
    }
    if (p.device !== ref.device) throw new Error(`torch.cat(): all input tensors must be on the same device. Received ${ref.device} and ${p.device}`);
    dtype = promoteTypes(dtype, p.dtype);
  }
  const shape = ref.shape.slice();
  shape[d] = parts.reduce((a, p) => a + p.shape[d], 0);
  const out = Tensor.make(shape, dtype, undefined, ref.device);
  let start = 0;
  const b = backendOf(out);
  for (const p of parts) {
    const sh = shape.slice();
    sh[d] = p.shape[d];
    b.assign(new Tensor(out.storage, sh, out.strides, start * out.strides[d], dtype), p);
    start += p.shape[d];
  }
  if (anyNeedsGrad(tensors)) {
    const sizes = parts.map((p) => p.shape[d]);
    record("CatBackward0", tensors, out, (gy) => {
      const pieces = gy.split(sizes, d);
      let k = 0;
      return tensors.map((t) => (skipped(t) ? Tensor.make([0], gy.dtype, undefined, gy.device) : pieces[k++]));
    });
  }
  return out;
}

export function stack(tensors: readonly Tensor[], dimOrOpts: CatDim = 0): Tensor {
  const dim = catDim(dimOrOpts);
  if (tracer !== null && tracer.depth === 0) return tracer.call("stack", stack, [tensors, dim]);
  if (tensors.length === 0) throw new RangeError("stack expects a non-empty TensorList");
  const ref = tensors[0];
  for (const [i, p] of tensors.entries()) {
    if (p.dim() !== ref.dim() || p.shape.some((s, k) => s !== ref.shape[k])) {
      throw new RangeError(`stack expects each tensor to be equal size, but got ${formatShape(ref.shape)} at entry 0 and ${formatShape(p.shape)} at entry ${i}`);
    }
  }
  const d = normalizeDim(dim, ref.dim() + 1, "stack");
  const out = withGradMode(false, () => cat(tensors.map((t) => unsqueeze(t, d)), d));
  if (anyNeedsGrad(tensors)) record("StackBackward0", tensors, out, (gy) => gy.unbind(d));
  return out;
}

export interface MeshgridOptions {
  /** "ij": output i varies along dim i; "xy": the first two dims swapped (Cartesian, as NumPy's default). */
  indexing?: "ij" | "xy";
}

/**
 * torch.meshgrid(a, b, ..., { indexing }) or meshgrid([a, b, ...], { indexing }): for N 0-D or
 * 1-D tensors, N grids of the shape [n1, ..., nN] (first two swapped for "xy"), each an expanded
 * view of its input, so the gradient sums back over the broadcast dims. Without indexing it warns
 * and uses "ij", as PyTorch 1.13.
 */
export function meshgrid(...args: Array<Tensor | readonly Tensor[] | MeshgridOptions>): Tensor[] {
  const tensors: Tensor[] = [];
  let indexing: MeshgridOptions["indexing"];
  for (const a of args) {
    if (a instanceof Tensor) tensors.push(a);
    else if (Array.isArray(a)) tensors.push(...(a as readonly Tensor[]));
    else indexing = (a as MeshgridOptions).indexing;
  }
  if (indexing === undefined) {
    warn(
      "torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument. (Triggered internally at  ./aten/src/ATen/native/TensorShape.cpp:3190.)",
    );
    indexing = "ij";
  }
  if (indexing !== "ij" && indexing !== "xy") throw new RangeError(`torch.meshgrid: indexing must be one of "xy" or "ij", but received: ${indexing}`);
  if (tensors.length === 0) throw new RangeError("meshgrid expects a non-empty TensorList");
  for (const t of tensors.slice(1)) {
    if (t.dtype !== tensors[0].dtype) throw new Error("meshgrid expects all tensors to have the same dtype");
    if (t.device !== tensors[0].device) throw new Error("meshgrid expects all tensors to have the same device");
  }
  for (const t of tensors) {
    if (t.dim() > 1) throw new RangeError(`torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: ${t.toString()}`);
  }
  // PyTorch's order of work: swap the first two inputs for "xy", build "ij" grids, swap them back.
  const swap = indexing === "xy" && tensors.length >= 2;
  const refs = tensors.slice();
  if (swap) [refs[0], refs[1]] = [refs[1], refs[0]];
  const shape = refs.map((t) => t.numel());
  const grids = refs.map((t, i) => {
    const viewShape = shape.map((_, k) => (k === i ? -1 : 1));
    return expand(view(t, viewShape), shape);
  });
  if (swap) [grids[0], grids[1]] = [grids[1], grids[0]];
  return grids;
}
