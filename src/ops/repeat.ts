// Tensor.repeat (tiling) and torch.repeat_interleave (each element repeated in place).
import { int64 } from "../tensor/dtype.js";
import { formatShape, normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { indexSelect } from "./indexing.js";
import { needsGrad, record, withGradMode } from "./node.js";
import { tracer } from "./trace.js";

type ShapeArg = number | readonly number[];

function flatSizes(sizes: ShapeArg[]): number[] {
  if (sizes.length === 1 && Array.isArray(sizes[0])) return (sizes[0] as number[]).slice();
  return sizes as number[];
}

/**
 * x.repeat(r0, r1, ...): x tiled r_d times along each dim. With more sizes than dims, x is
 * first viewed with leading ones, as PyTorch does.
 */
export function repeat(x: Tensor, ...sizes: ShapeArg[]): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("repeat", repeat, [x, ...sizes]);
  const reps = flatSizes(sizes);
  if (reps.length < x.dim()) throw new RangeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
  for (const r of reps) {
    if (!Number.isInteger(r) || r < 0) throw new RangeError(`Trying to create tensor with negative dimension ${r}: ${formatShape(reps)}`);
  }
  const padded = [...Array(reps.length - x.dim()).fill(1), ...x.shape];
  const outShape = padded.map((s, i) => s * reps[i]);
  // [r0, s0, r1, s1, ...] read as [r0 * s0, r1 * s1, ...]: out[a * s + b] = x[b].
  const interleaved: number[] = [];
  const viewShape: number[] = [];
  for (let i = 0; i < reps.length; i++) {
    interleaved.push(reps[i], padded[i]);
    viewShape.push(1, padded[i]);
  }
  const out = withGradMode(false, () => x.reshape(viewShape).expand(interleaved).contiguous().reshape(outShape));
  if (needsGrad(x)) {
    record("RepeatBackward0", [x], out, (gy) => {
      const sumDims = reps.map((_, i) => 2 * i);
      return [gy.reshape(interleaved).sum(sumDims).reshape(x.shape)];
    });
  }
  return out;
}

/**
 * torch.repeat_interleave(x, repeats, dim): each slice along dim repeated `repeats` times (a
 * number, or a 1-D int64 tensor with one count per slice). Without dim, x is flattened first.
 * Built on index_select, as PyTorch's (so the grad_fn is IndexSelectBackward0).
 */
export function repeatInterleave(x: Tensor, repeats: number | Tensor, dim?: number | null, opts: { outputSize?: number } = {}): Tensor {
  let input = x;
  let d: number;
  if (dim === undefined || dim === null) {
    input = x.flatten();
    d = 0;
  } else {
    d = normalizeDim(dim, x.dim(), "repeat_interleave");
  }
  const n = input.dim() === 0 ? 1 : input.shape[d];
  let counts: number[];
  if (repeats instanceof Tensor) {
    if (repeats.dim() > 1) throw new RangeError("repeat_interleave: repeats must be 0-dim or 1-dim tensor");
    if (repeats.dtype.isFloatingPoint || repeats.dtype.name === "bool") throw new TypeError(`repeat_interleave: repeats has to be Long or Int tensor, got ${repeats.dtype}`);
    const vals = Array.from(repeats.contiguous().values(), Number);
    counts = repeats.dim() === 0 ? Array(n).fill(vals[0]) : vals;
    if (repeats.dim() === 1 && counts.length !== n && counts.length !== 1) {
      throw new RangeError(`repeats must have the same size as input along dim, but got repeats.size(0) = ${counts.length} and input.size(${d}) = ${n}`);
    }
    if (counts.length === 1 && n !== 1) counts = Array(n).fill(counts[0]);
  } else {
    if (!Number.isInteger(repeats)) throw new TypeError(`repeat_interleave(): argument 'repeats' must be int or Tensor, not ${repeats}`);
    counts = Array(n).fill(repeats);
  }
  if (counts.some((c) => c < 0)) throw new RangeError("repeats can not be negative");
  const idx: number[] = [];
  counts.forEach((c, i) => {
    for (let k = 0; k < c; k++) idx.push(i);
  });
  if (opts.outputSize !== undefined && opts.outputSize !== idx.length) {
    throw new RangeError(`repeat_interleave: output_size ${opts.outputSize} does not match the total number of repeats ${idx.length}`);
  }
  const index = Tensor.make([idx.length], int64, new Float64Array(idx), x.device);
  if (input.dim() === 0) input = input.reshape([1]);
  return indexSelect(input, d, index);
}
