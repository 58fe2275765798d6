// Pooling layers: MaxPool1d/2d, MaxUnpool2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d and
// AdaptiveMaxPool1d/2d, with PyTorch 1.13's attributes and reprs (sizes print as they were given).
import type { Tensor } from "../../tensor/tensor.js";
import type { AdaptiveSize } from "../functional/pooling.js";
import * as P from "../functional/pooling.js";
import { type Size, pair, pySize, single } from "../functional/args.js";
import { Module, pyBool } from "../module.js";

export interface MaxPoolModuleOptions {
  stride?: Size | null;
  padding?: Size;
  dilation?: Size;
  returnIndices?: boolean;
  ceilMode?: boolean;
}

abstract class MaxPoolNd extends Module {
  kernelSize: Size;
  stride: Size;
  padding: Size;
  dilation: Size;
  returnIndices: boolean;
  ceilMode: boolean;
  constructor(kernelSize: Size, stride?: Size | null | MaxPoolModuleOptions, padding: Size = 0, dilation: Size = 1, returnIndices = false, ceilMode = false) {
    super();
    const o: MaxPoolModuleOptions =
      stride !== null && typeof stride === "object" && !Array.isArray(stride) ? (stride as MaxPoolModuleOptions) : { stride: stride as Size | null | undefined, padding, dilation, returnIndices, ceilMode };
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.returnIndices = o.returnIndices ?? false;
    this.ceilMode = o.ceilMode ?? false;
  }
  override extraRepr(): string {
    return `kernel_size=${pySize(this.kernelSize)}, stride=${pySize(this.stride)}, padding=${pySize(this.padding)}, dilation=${pySize(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/** Max pooling over [N, C, L] (or [C, L]); with returnIndices the forward returns [output, indices]. */
export class MaxPool1d extends MaxPoolNd {
  override forward(input: Tensor): Tensor {
    const opts = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
    return (this.returnIndices ? P.maxPool1dWithIndices(input, this.kernelSize, opts) : P.maxPool1d(input, this.kernelSize, opts)) as Tensor;
  }
}

/** Max pooling over [N, C, H, W] (or [C, H, W]); with returnIndices the forward returns [output, indices]. */
export class MaxPool2d extends MaxPoolNd {
  override forward(input: Tensor): Tensor {
    const opts = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
    return (this.returnIndices ? P.maxPool2dWithIndices(input, this.kernelSize, opts) : P.maxPool2d(input, this.kernelSize, opts)) as Tensor;
  }
}

/** The partial inverse of MaxPool2d: values written back at their indices, zeros elsewhere. */
export class MaxUnpool2d extends Module {
  kernelSize: [number, number];
  stride: [number, number];
  padding: [number, number];
  constructor(kernelSize: Size, stride?: Size | null | { stride?: Size | null; padding?: Size }, padding: Size = 0) {
    super();
    const o = stride !== null && typeof stride === "object" && !Array.isArray(stride) ? (stride as { stride?: Size | null; padding?: Size }) : { stride: stride as Size | null | undefined, padding };
    this.kernelSize = pair(kernelSize, "MaxUnpool2d", "kernel_size");
    this.stride = pair(o.stride ?? kernelSize, "MaxUnpool2d", "stride");
    this.padding = pair(o.padding ?? 0, "MaxUnpool2d", "padding");
  }
  override forward(input: Tensor, indices: Tensor, outputSize?: readonly number[] | null): Tensor {
    return P.maxUnpool2d(input, indices, this.kernelSize, this.stride, this.padding, outputSize ?? null);
  }
  override extraRepr(): string {
    return `kernel_size=${pySize(this.kernelSize)}, stride=${pySize(this.stride)}, padding=${pySize(this.padding)}`;
  }
}

export interface AvgPoolModuleOptions {
  stride?: Size | null;
  padding?: Size;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

function avgOptions(stride: Size | null | undefined | AvgPoolModuleOptions, rest: AvgPoolModuleOptions): AvgPoolModuleOptions {
  return stride !== null && typeof stride === "object" && !Array.isArray(stride) ? (stride as AvgPoolModuleOptions) : { ...rest, stride: stride as Size | null | undefined };
}

/** Average pooling over [N, C, H, W] (or [C, H, W]). */
export class AvgPool2d extends Module {
  kernelSize: Size;
  stride: Size;
  padding: Size;
  ceilMode: boolean;
  countIncludePad: boolean;
  divisorOverride: number | null;
  constructor(kernelSize: Size, stride?: Size | null | AvgPoolModuleOptions, padding: Size = 0, ceilMode = false, countIncludePad = true, divisorOverride: number | null = null) {
    super();
    const o = avgOptions(stride, { padding, ceilMode, countIncludePad, divisorOverride });
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
    this.divisorOverride = o.divisorOverride ?? null;
  }
  override forward(input: Tensor): Tensor {
    return P.avgPool2d(input, this.kernelSize, this.stride, this.padding, this.ceilMode, this.countIncludePad, this.divisorOverride);
  }
  override extraRepr(): string {
    return `kernel_size=${pySize(this.kernelSize)}, stride=${pySize(this.stride)}, padding=${pySize(this.padding)}`;
  }
}

/** Average pooling over [N, C, L] (or [C, L]); sizes are kept as one-element tuples, as PyTorch's _single. */
export class AvgPool1d extends Module {
  kernelSize: [number];
  stride: [number];
  padding: [number];
  ceilMode: boolean;
  countIncludePad: boolean;
  constructor(kernelSize: Size, stride?: Size | null | AvgPoolModuleOptions, padding: Size = 0, ceilMode = false, countIncludePad = true) {
    super();
    const o = avgOptions(stride, { padding, ceilMode, countIncludePad });
    this.kernelSize = [single(kernelSize, "AvgPool1d", "kernel_size")];
    this.stride = [single(o.stride ?? kernelSize, "AvgPool1d", "stride")];
    this.padding = [single(o.padding ?? 0, "AvgPool1d", "padding")];
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
  }
  override forward(input: Tensor): Tensor {
    return P.avgPool1d(input, this.kernelSize, this.stride, this.padding, this.ceilMode, this.countIncludePad);
  }
  override extraRepr(): string {
    return `kernel_size=${pySize(this.kernelSize)}, stride=${pySize(this.stride)}, padding=${pySize(this.padding)}`;
  }
}

/** Average pooling to a fixed output size; null entries keep the input's size. */
export class AdaptiveAvgPool2d extends Module {
  outputSize: AdaptiveSize;
  constructor(outputSize: AdaptiveSize) {
    super();
    this.outputSize = typeof outputSize === "number" ? outputSize : outputSize.slice();
  }
  override forward(input: Tensor): Tensor {
    return P.adaptiveAvgPool2d(input, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize)}`;
  }
}

export class AdaptiveAvgPool1d extends Module {
  outputSize: number | number[];
  constructor(outputSize: number | readonly number[]) {
    super();
    this.outputSize = typeof outputSize === "number" ? outputSize : outputSize.slice();
  }
  override forward(input: Tensor): Tensor {
    return P.adaptiveAvgPool1d(input, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize)}`;
  }
}

/** Max pooling to a fixed output size; with returnIndices the forward returns [output, indices]. */
export class AdaptiveMaxPool2d extends Module {
  outputSize: AdaptiveSize;
  returnIndices: boolean;
  constructor(outputSize: AdaptiveSize, returnIndices: boolean | { returnIndices?: boolean } = false) {
    super();
    this.outputSize = typeof outputSize === "number" ? outputSize : outputSize.slice();
    this.returnIndices = typeof returnIndices === "object" ? (returnIndices.returnIndices ?? false) : returnIndices;
  }
  override forward(input: Tensor): Tensor {
    return P.adaptiveMaxPool2d(input, this.outputSize, this.returnIndices) as Tensor;
  }
  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize)}`;
  }
}

export class AdaptiveMaxPool1d extends Module {
  outputSize: number | number[];
  returnIndices: boolean;
  constructor(outputSize: number | readonly number[], returnIndices: boolean | { returnIndices?: boolean } = false) {
    super();
    this.outputSize = typeof outputSize === "number" ? outputSize : outputSize.slice();
    this.returnIndices = typeof returnIndices === "object" ? (returnIndices.returnIndices ?? false) : returnIndices;
  }
  override forward(input: Tensor): Tensor {
    return P.adaptiveMaxPool1d(input, this.outputSize, this.returnIndices) as Tensor;
  }
  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize)}`;
  }
}
