// Shape and stride arithmetic shared by every layer: no data is touched here.

export type Shape = readonly number[];

export function numelOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] === 1) continue; // a size-1 dimension's stride never matters, as in PyTorch
    if (strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

export function shapeEquals(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** PyTorch writes shapes as [2, 3] in messages. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** Wraps a possibly negative dimension index, with PyTorch's error for one out of range. */
export function normalizeDim(dim: number, ndim: number, op?: string): number {
  const n = Math.max(ndim, 1); // a 0-d tensor accepts dim 0 and -1
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new RangeError(
      `${op ? `${op}: ` : ""}Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`,
    );
  }
  return dim < 0 ? dim + n : dim;
}

/** Broadcasts two shapes by NumPy's rules; the error names the op and both shapes. */
export function broadcastShapes(a: Shape, b: Shape, op = "broadcast"): number[] {
  if (shapeEquals(a, b)) return a as number[];
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  // From the last dimension back, as PyTorch's infer_size: the first mismatch it reports is the rightmost.
  for (let i = n - 1; i >= 0; i--) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `${op}: The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i} ` +
          `(shapes ${formatShape(a)} and ${formatShape(b)})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read a tensor of `shape`/`strides` as if it had `target` shape (0 where broadcast). */
export function broadcastStrides(shape: Shape, strides: readonly number[], target: Shape): number[] {
  const out = new Array<number>(target.length).fill(0);
  const off = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[i + off] = shape[i] === 1 ? 0 : strides[i];
  return out;
}

/** Resolves one -1 in a requested shape, checking the element count like view/reshape. */
export function inferShape(shape: readonly number[], numel: number, op = "view", inputShape?: Shape): number[] {
  const input = inputShape ? ` (input shape ${formatShape(inputShape)})` : "";
  let infer = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const s = shape[i];
    if (s === -1) {
      if (infer >= 0) throw new RangeError(`${op}: only one dimension can be inferred`);
      infer = i;
    } else if (!Number.isInteger(s) || s < 0) {
      throw new RangeError(`${op}: invalid shape dimension ${s}`);
    } else known *= s;
  }
  const out = shape.slice();
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0) {
      throw new RangeError(`${op}: shape '${formatShape(shape)}' is invalid for input of size ${numel}${input}`);
    }
    out[infer] = numel / known;
  } else if (known !== numel) {
    throw new RangeError(`${op}: shape '${formatShape(shape)}' is invalid for input of size ${numel}${input}`);
  }
  return out;
}

/** Normalises the shape arguments of zeros(2, 3) / zeros([2, 3]) alike. */
export function shapeArgs(args: ReadonlyArray<number | readonly number[]>): number[] {
  const flat = args.length === 1 && Array.isArray(args[0]) ? (args[0] as number[]) : (args as number[]);
  for (const s of flat) {
    if (typeof s !== "number" || !Number.isInteger(s) || s < 0) {
      throw new TypeError(`expected a shape of non-negative integers, got ${JSON.stringify(flat)}`);
    }
  }
  return flat.slice();
}

// The strides a view must have to show `oldShape`/`oldStrides` as `newShape` without copying,
// or null where that is impossible (PyTorch's computeStride, used by view and reshape).
export function viewStrides(oldShape: Shape, oldStrides: readonly number[], newShape: Shape): number[] | null {
  // a 0-D tensor's one element views as any all-ones shape (x.view(1), loss.view(1, 1)); ATen's
  // computeStride answers stride 1 for every dim
  if (oldShape.length === 0) return newShape.every((s) => s === 1) ? new Array<number>(newShape.length).fill(1) : null;
  const numel = numelOf(oldShape);
  if (numel === 0) return contiguousStrides(newShape);
  const newStrides = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBaseStride = oldStrides.length ? oldStrides[oldStrides.length - 1] : 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let tensorD = oldShape.length - 1; tensorD >= 0; tensorD--) {
    tensorNumel *= oldShape[tensorD];
    if (tensorD === 0 || (oldShape[tensorD - 1] !== 1 && oldStrides[tensorD - 1] !== tensorNumel * chunkBaseStride)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBaseStride;
        viewNumel *= newShape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (tensorD > 0) {
        chunkBaseStride = oldStrides[tensorD - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return newStrides;
}
