// torch.roll: elements shifted along dims with wrap-around (the cyclic shift of a Swin
// Transformer's shifted windows). Without dims the tensor is rolled as if flattened.
import { normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { needsGrad, record, withGradMode } from "./node.js";
import { tracer } from "./trace.js";
import { cat, narrow } from "./view.js";

function rollDim(x: Tensor, shift: number, d: number): Tensor {
  const n = x.shape[d];
  if (n === 0) return x;
  const s = ((shift % n) + n) % n;
  if (s === 0) return x;
  return cat([narrow(x, d, n - s, s), narrow(x, d, 0, n - s)], d);
}

/** torch.roll(x, shifts, dims?): shifts and dims a number or equal-length arrays. */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("roll", roll, [x, shifts, dims]);
  const sh = typeof shifts === "number" ? [shifts] : [...shifts];
  const ds = dims === undefined || dims === null ? [] : typeof dims === "number" ? [dims] : [...dims];
  if (ds.length === 0 ? sh.length !== 1 : sh.length !== ds.length) {
    throw new RangeError(`shifts and dimensions must align. shifts: ${sh.length}, dims:${ds.length}`);
  }
  for (const s of sh) if (!Number.isInteger(s)) throw new TypeError(`roll(): argument 'shifts' must be tuple of ints, but found element of type float`);
  const out = withGradMode(false, () => {
    if (ds.length === 0) return rollDim(x.flatten(), sh[0], 0).reshape(x.shape).contiguous();
    let y = x;
    ds.forEach((dim, i) => {
      y = rollDim(y, sh[i], normalizeDim(dim, x.dim(), "roll"));
    });
    return y === x ? x.clone() : y;
  });
  if (needsGrad(x)) {
    const back = sh.map((s) => -s);
    record("RollBackward0", [x], out, (gy) => [roll(gy, back, ds.length === 0 ? null : ds)]);
  }
  return out;
}
