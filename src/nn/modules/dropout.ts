// Dropout, Flatten and Unflatten.
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional.js";
import { Module, pyBool, pyFloat } from "../module.js";

/** In training, zeroes elements with probability p and scales the rest by 1 / (1 - p); the identity in eval mode. */
export class Dropout extends Module {
  p: number;
  inplace: boolean;
  constructor(p: number | { p?: number; inplace?: boolean } = 0.5, inplace = false) {
    super();
    const o = typeof p === "number" ? { p, inplace } : p;
    this.p = o.p ?? 0.5;
    this.inplace = o.inplace ?? false;
    if (this.p < 0 || this.p > 1) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${this.p}`);
  }
  override forward(input: Tensor): Tensor {
    return F.dropout(input, { p: this.p, training: this.training, inplace: this.inplace });
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

/** Flattens dims startDim..endDim (default 1..-1, keeping the batch dim). */
export class Flatten extends Module {
  startDim: number;
  endDim: number;
  constructor(startDim: number | { startDim?: number; endDim?: number } = 1, endDim = -1) {
    super();
    const o = typeof startDim === "number" ? { startDim, endDim } : startDim;
    this.startDim = o.startDim ?? 1;
    this.endDim = o.endDim ?? -1;
  }
  override forward(input: Tensor): Tensor {
    return input.flatten(this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/** Splits dim into unflattenedSize. */
export class Unflatten extends Module {
  dim: number;
  unflattenedSize: number[];
  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    this.dim = dim;
    this.unflattenedSize = unflattenedSize.slice();
  }
  override forward(input: Tensor): Tensor {
    return input.unflatten(this.dim, this.unflattenedSize);
  }
  override extraRepr(): string {
    const s = this.unflattenedSize;
    return `dim=${this.dim}, unflattened_size=(${s.join(", ")}${s.length === 1 ? "," : ""})`;
  }
}
