// The memory behind tensors. Views share one Storage, and with it the version counter that lets
// autograd notice an in-place change to a value it saved for backward.
import type { TypedArray } from "./dtype.js";

/** A device name as PyTorch prints it: "cpu", "cuda", "cuda:0", "webgpu". */
export type Device = string;

export class Storage {
  /** Bumped by every in-place write, for every view of this memory at once. */
  version = 0;
  constructor(
    public data: TypedArray,
    readonly device: Device = "cpu",
  ) {}
}
