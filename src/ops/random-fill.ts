// Writing random draws into an existing tensor: straight into its memory when contiguous,
// otherwise through a buffer, with the in-place checks and version bump of any in-place op.
import type { TypedArray } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkInplace } from "./inplace.js";
import { backendOf } from "./util.js";

export function inplaceFill(t: Tensor, draw: (buf: TypedArray) => void): Tensor {
  checkInplace(t);
  if (t.isContiguous()) {
    draw(t.storage.data.subarray(t.offset, t.offset + t.numel()));
  } else {
    const tmp = backendOf(t).copy(t, t.dtype);
    draw(tmp.storage.data);
    backendOf(t).assign(t, tmp);
  }
  t.storage.version++;
  return t;
}
