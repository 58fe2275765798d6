// Upsample, PixelShuffle, PixelUnshuffle and the channel dropouts Dropout1d / Dropout2d.
import type { Tensor } from "../../tensor/tensor.js";
import { pySize } from "../functional/args.js";
import { dropout1d, dropout2d, type InterpolateMode, interpolate, pixelShuffle, pixelUnshuffle } from "../functional/vision.js";
import { Module, pyBool, pyFloat } from "../module.js";
import { type PositionalOr, trailing } from "../functional/args.js";

export interface UpsampleOptions {
  size?: number | readonly number[] | null;
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
}

/** F.interpolate as a layer: a target size or a scale factor (stored as floats, as PyTorch does). */
export class Upsample extends Module {
  size: number | number[] | null;
  scaleFactor: number | number[] | null;
  mode: InterpolateMode;
  alignCorners: boolean | null;
  recomputeScaleFactor: boolean | null;
  /** new Upsample(size?, scaleFactor?, mode?, alignCorners?, recomputeScaleFactor?), any trailing run as one options object. */
  constructor(
    ...rest: PositionalOr<[number | number[] | null, number | number[] | null, InterpolateMode, boolean | null, boolean | null], UpsampleOptions>
  ) {
    super();
    const opts = trailing<UpsampleOptions>(["size", "scaleFactor", "mode", "alignCorners", "recomputeScaleFactor"], rest);
    this.size = opts.size === undefined || opts.size === null ? null : typeof opts.size === "number" ? opts.size : opts.size.slice();
    const s = opts.scaleFactor;
    this.scaleFactor = s === undefined || s === null || s === 0 ? null : typeof s === "number" ? s : s.slice();
    this.mode = opts.mode ?? "nearest";
    this.alignCorners = opts.alignCorners ?? null;
    this.recomputeScaleFactor = opts.recomputeScaleFactor ?? null;
  }
  override forward(input: Tensor): Tensor {
    return interpolate(input, {
      size: this.size,
      scaleFactor: this.scaleFactor,
      mode: this.mode,
      alignCorners: this.alignCorners,
      recomputeScaleFactor: this.recomputeScaleFactor,
    });
  }
  override extraRepr(): string {
    const s = this.scaleFactor;
    const info = s !== null ? `scale_factor=${typeof s === "number" ? pyFloat(s) : `(${s.map(pyFloat).join(", ")}${s.length === 1 ? "," : ""})`}` : `size=${pySize(this.size)}`;
    return `${info}, mode=${this.mode}`;
  }
}

export class PixelShuffle extends Module {
  upscaleFactor: number;
  constructor(upscaleFactor: number) {
    super();
    this.upscaleFactor = upscaleFactor;
  }
  override forward(input: Tensor): Tensor {
    return pixelShuffle(input, this.upscaleFactor);
  }
  override extraRepr(): string {
    return `upscale_factor=${this.upscaleFactor}`;
  }
}

export class PixelUnshuffle extends Module {
  downscaleFactor: number;
  constructor(downscaleFactor: number) {
    super();
    this.downscaleFactor = downscaleFactor;
  }
  override forward(input: Tensor): Tensor {
    return pixelUnshuffle(input, this.downscaleFactor);
  }
  override extraRepr(): string {
    return `downscale_factor=${this.downscaleFactor}`;
  }
}

abstract class FeatureDropout extends Module {
  p: number;
  inplace: boolean;
  constructor(p: number | { p?: number; inplace?: boolean } = 0.5, inplace = false) {
    super();
    const o = typeof p === "number" ? { p, inplace } : p;
    this.p = o.p ?? 0.5;
    this.inplace = o.inplace ?? false;
    if (this.p < 0 || this.p > 1) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${this.p}`);
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

/** Zeroes whole channels of [N, C, L] (or [C, L]) with probability p in training. */
export class Dropout1d extends FeatureDropout {
  override forward(input: Tensor): Tensor {
    return dropout1d(input, this.p, this.training, this.inplace);
  }
}

/** Zeroes whole channels of [N, C, H, W] with probability p in training. */
export class Dropout2d extends FeatureDropout {
  override forward(input: Tensor): Tensor {
    return dropout2d(input, this.p, this.training, this.inplace);
  }
}
