// Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, Unfold and Fold, initialised, printed and
// checked as PyTorch 1.13's torch.nn.modules.conv.
import { empty } from "../../ops/creation.js";
import {
  conv1d,
  conv2d,
  convTranspose1d,
  convTranspose2d,
  expandSize,
  fold,
  pad,
  type PaddingArg,
  type SizeArg,
  unfold,
} from "../../ops/convolution.js";
import type { Tensor } from "../../tensor/tensor.js";
import * as init from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import type { FactoryOptions } from "./linear.js";
import { type PositionalOr, trailing } from "../functional/args.js";

export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

export interface ConvModuleOptions extends FactoryOptions {
  stride?: SizeArg;
  padding?: PaddingArg;
  dilation?: SizeArg;
  groups?: number;
  bias?: boolean;
  paddingMode?: PaddingMode;
}

export interface ConvTransposeModuleOptions extends FactoryOptions {
  stride?: SizeArg;
  padding?: SizeArg;
  outputPadding?: SizeArg;
  groups?: number;
  bias?: boolean;
  dilation?: SizeArg;
  paddingMode?: PaddingMode;
}

// PyTorch's positional parameters after kernel_size; a layer written nn.Conv2d(3, 64, 3, 1, 1)
// must not read its stride and padding as absent.
type ConvArgs = PositionalOr<[SizeArg, PaddingArg, SizeArg, number, boolean, PaddingMode], ConvModuleOptions>;
type ConvTransposeArgs = PositionalOr<[SizeArg, SizeArg, SizeArg, number, boolean, SizeArg, PaddingMode], ConvTransposeModuleOptions>;

function convOptions(rest: readonly unknown[]): ConvModuleOptions {
  return trailing<ConvModuleOptions>(["stride", "padding", "dilation", "groups", "bias", "paddingMode"], rest);
}

function convTransposeOptions(rest: readonly unknown[]): ConvTransposeModuleOptions {
  return trailing<ConvTransposeModuleOptions>(["stride", "padding", "outputPadding", "groups", "bias", "dilation", "paddingMode"], rest);
}

/** A Python tuple's repr: (3,) or (3, 3). */
function pyTuple(v: readonly number[]): string {
  return v.length === 1 ? `(${v[0]},)` : `(${v.join(", ")})`;
}

const PADDING_MODES = new Set(["zeros", "reflect", "replicate", "circular"]);

/** What _ConvNd holds and checks; the forward is each subclass's. */
abstract class ConvNd extends Module {
  inChannels: number;
  outChannels: number;
  kernelSize: number[];
  stride: number[];
  /** Numbers per dim, or the string given ("same", "valid"). */
  padding: number[] | "same" | "valid";
  dilation: number[];
  transposed: boolean;
  outputPadding: number[];
  groups: number;
  paddingMode: PaddingMode;
  weight: Parameter;
  /** Typed as present for convenience; null at run time for a layer built with { bias: false }. */
  bias: Parameter;
  /** F.pad's argument for a non-zeros paddingMode: (left, right) per dim, last dim first. */
  protected reversedPaddingRepeatedTwice: number[];

  constructor(
    nd: number,
    inChannels: number,
    outChannels: number,
    kernelSize: SizeArg,
    stride: SizeArg,
    padding: PaddingArg,
    dilation: SizeArg,
    transposed: boolean,
    outputPadding: SizeArg,
    groups: number,
    bias: boolean,
    paddingMode: PaddingMode,
    factory: FactoryOptions,
  ) {
    super();
    if (groups <= 0) throw new RangeError("groups must be a positive integer");
    if (inChannels % groups !== 0) throw new RangeError("in_channels must be divisible by groups");
    if (outChannels % groups !== 0) throw new RangeError("out_channels must be divisible by groups");
    this.kernelSize = expandSize(kernelSize, nd, "kernel_size");
    this.stride = expandSize(stride, nd, "stride");
    this.dilation = expandSize(dilation, nd, "dilation");
    if (typeof padding === "string") {
      if (padding !== "same" && padding !== "valid") throw new RangeError(`Invalid padding string '${padding as string}', should be one of {'same', 'valid'}`);
      if (padding === "same" && this.stride.some((s) => s !== 1)) throw new RangeError("padding='same' is not supported for strided convolutions");
      this.padding = padding;
    } else {
      this.padding = expandSize(padding, nd, "padding");
    }
    if (!PADDING_MODES.has(paddingMode)) {
      throw new RangeError(`padding_mode must be one of {'circular', 'reflect', 'replicate', 'zeros'}, but got padding_mode='${paddingMode}'`);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.transposed = transposed;
    this.outputPadding = expandSize(outputPadding, nd, "output_padding");
    this.groups = groups;
    this.paddingMode = paddingMode;
    this.reversedPaddingRepeatedTwice = [];
    if (this.padding === "same") {
      for (let d = nd - 1; d >= 0; d--) {
        const total = this.dilation[d] * (this.kernelSize[d] - 1);
        const left = Math.floor(total / 2);
        this.reversedPaddingRepeatedTwice.push(left, total - left);
      }
    } else if (this.padding === "valid") {
      for (let d = 0; d < nd; d++) this.reversedPaddingRepeatedTwice.push(0, 0);
    } else {
      for (let d = nd - 1; d >= 0; d--) this.reversedPaddingRepeatedTwice.push(this.padding[d], this.padding[d]);
    }
    const shape = transposed ? [inChannels, outChannels / groups, ...this.kernelSize] : [outChannels, inChannels / groups, ...this.kernelSize];
    this.weight = new Parameter(empty(shape, { dtype: factory.dtype, device: factory.device }));
    this.bias = bias ? new Parameter(empty([outChannels], { dtype: factory.dtype, device: factory.device })) : (null as unknown as Parameter);
    this.resetParameters();
  }

  /** kaiming_uniform_(a = sqrt(5)) on the weight, then the bias uniform on +-1/sqrt(fan_in), as PyTorch. */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        init.uniform_(this.bias, -bound, bound);
      }
    }
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === "string") s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    if (this.paddingMode !== "zeros") s += `, padding_mode=${this.paddingMode}`;
    return s;
  }

  /** The convolution of input with the given weight and bias, padding by paddingMode first where it is not zeros. */
  protected convForward(input: Tensor, weight: Tensor, bias: Tensor | null, conv: typeof conv1d): Tensor {
    const opts = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode !== "zeros") {
      return conv(pad(input, this.reversedPaddingRepeatedTwice, { mode: this.paddingMode }), weight, bias, { ...opts, padding: 0 });
    }
    return conv(input, weight, bias, { ...opts, padding: this.padding });
  }
}

/** 1-D convolution over [N, C, L] (or unbatched [C, L]); weight [outChannels, inChannels/groups, k]. */
export class Conv1d extends ConvNd {
  /** new Conv1d(in, out, kernelSize, stride?, padding?, dilation?, groups?, bias?, paddingMode?), any trailing run as one options object. */
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, ...rest: ConvArgs) {
    const opts = convOptions(rest);
    super(1, inChannels, outChannels, kernelSize, opts.stride ?? 1, opts.padding ?? 0, opts.dilation ?? 1, false, 0, opts.groups ?? 1, opts.bias ?? true, opts.paddingMode ?? "zeros", opts);
  }
  override forward(input: Tensor): Tensor {
    return this.convForward(input, this.weight, this.bias, conv1d);
  }
}

/** 2-D convolution over [N, C, H, W] (or unbatched [C, H, W]); weight [outChannels, inChannels/groups, kh, kw]. */
export class Conv2d extends ConvNd {
  /** new Conv2d(in, out, kernelSize, stride?, padding?, dilation?, groups?, bias?, paddingMode?), any trailing run as one options object. */
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, ...rest: ConvArgs) {
    const opts = convOptions(rest);
    super(2, inChannels, outChannels, kernelSize, opts.stride ?? 1, opts.padding ?? 0, opts.dilation ?? 1, false, 0, opts.groups ?? 1, opts.bias ?? true, opts.paddingMode ?? "zeros", opts);
  }
  override forward(input: Tensor): Tensor {
    return this.convForward(input, this.weight, this.bias, conv2d);
  }
}

/** What _ConvTransposeNd adds: the output padding that makes an output of the requested size. */
abstract class ConvTransposeNd extends ConvNd {
  constructor(nd: number, inChannels: number, outChannels: number, kernelSize: SizeArg, opts: ConvTransposeModuleOptions) {
    const mode = opts.paddingMode ?? "zeros";
    if (mode !== "zeros") throw new RangeError(`Only "zeros" padding mode is supported for ${new.target.name}`);
    super(nd, inChannels, outChannels, kernelSize, opts.stride ?? 1, opts.padding ?? 0, opts.dilation ?? 1, true, opts.outputPadding ?? 0, opts.groups ?? 1, opts.bias ?? true, mode, opts);
  }

  /** PyTorch's _output_padding: outputPadding, or what gives outputSize. */
  protected outputPaddingFor(input: Tensor, outputSize: readonly number[] | undefined, nd: number): number[] {
    if (outputSize === undefined) return this.outputPadding;
    const hasBatch = input.dim() === nd + 2;
    const nonSpatial = hasBatch ? 2 : 1;
    let size = [...outputSize];
    if (size.length === nonSpatial + nd) size = size.slice(nonSpatial);
    if (size.length !== nd) {
      throw new RangeError(`ConvTranspose${nd}D: for ${input.dim()}D input, output_size must have ${nd} or ${nonSpatial + nd} elements (got ${outputSize.length})`);
    }
    const pad = this.padding as number[];
    const minSizes: number[] = [];
    const maxSizes: number[] = [];
    for (let d = 0; d < nd; d++) {
      const dimSize = (input.shape[d + nonSpatial] - 1) * this.stride[d] - 2 * pad[d] + this.dilation[d] * (this.kernelSize[d] - 1) + 1;
      minSizes.push(dimSize);
      maxSizes.push(dimSize + this.stride[d] - 1);
    }
    for (let d = 0; d < nd; d++) {
      if (size[d] < minSizes[d] || size[d] > maxSizes[d]) {
        throw new RangeError(
          `requested an output size of [${size.join(", ")}], but valid sizes range from [${minSizes.join(", ")}] to [${maxSizes.join(", ")}] (for an input of torch.Size([${input.shape.slice(nonSpatial).join(", ")}]))`,
        );
      }
    }
    return size.map((s, d) => s - minSizes[d]);
  }
}

/** 1-D transposed convolution; weight [inChannels, outChannels/groups, k]. */
export class ConvTranspose1d extends ConvTransposeNd {
  /** new ConvTranspose1d(in, out, kernelSize, stride?, padding?, outputPadding?, groups?, bias?, dilation?, paddingMode?), any trailing run as one options object. */
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, ...rest: ConvTransposeArgs) {
    super(1, inChannels, outChannels, kernelSize, convTransposeOptions(rest));
  }
  override forward(input: Tensor, outputSize?: readonly number[]): Tensor {
    const outputPadding = this.outputPaddingFor(input, outputSize, 1);
    return convTranspose1d(input, this.weight, this.bias, { stride: this.stride, padding: this.padding as number[], outputPadding, groups: this.groups, dilation: this.dilation });
  }
}

/** 2-D transposed convolution; weight [inChannels, outChannels/groups, kh, kw]. */
export class ConvTranspose2d extends ConvTransposeNd {
  /** new ConvTranspose2d(in, out, kernelSize, stride?, padding?, outputPadding?, groups?, bias?, dilation?, paddingMode?), any trailing run as one options object. */
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, ...rest: ConvTransposeArgs) {
    super(2, inChannels, outChannels, kernelSize, convTransposeOptions(rest));
  }
  override forward(input: Tensor, outputSize?: readonly number[]): Tensor {
    const outputPadding = this.outputPaddingFor(input, outputSize, 2);
    return convTranspose2d(input, this.weight, this.bias, { stride: this.stride, padding: this.padding as number[], outputPadding, groups: this.groups, dilation: this.dilation });
  }
}

export interface FoldOptions {
  dilation?: SizeArg;
  padding?: SizeArg;
  stride?: SizeArg;
}

function pyInt(v: SizeArg): string {
  return typeof v === "number" ? String(v) : pyTuple(v);
}

/** Extracts sliding local blocks (F.unfold). */
export class Unfold extends Module {
  kernelSize: SizeArg;
  dilation: SizeArg;
  padding: SizeArg;
  stride: SizeArg;
  constructor(kernelSize: SizeArg, opts: FoldOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.dilation = opts.dilation ?? 1;
    this.padding = opts.padding ?? 0;
    this.stride = opts.stride ?? 1;
  }
  override forward(input: Tensor): Tensor {
    return unfold(input, this.kernelSize, { dilation: this.dilation, padding: this.padding, stride: this.stride });
  }
  override extraRepr(): string {
    return `kernel_size=${pyInt(this.kernelSize)}, dilation=${pyInt(this.dilation)}, padding=${pyInt(this.padding)}, stride=${pyInt(this.stride)}`;
  }
}

/** Sums sliding local blocks into an image (F.fold). */
export class Fold extends Module {
  outputSize: SizeArg;
  kernelSize: SizeArg;
  dilation: SizeArg;
  padding: SizeArg;
  stride: SizeArg;
  constructor(outputSize: SizeArg, kernelSize: SizeArg, opts: FoldOptions = {}) {
    super();
    this.outputSize = outputSize;
    this.kernelSize = kernelSize;
    this.dilation = opts.dilation ?? 1;
    this.padding = opts.padding ?? 0;
    this.stride = opts.stride ?? 1;
  }
  override forward(input: Tensor): Tensor {
    return fold(input, this.outputSize, this.kernelSize, { dilation: this.dilation, padding: this.padding, stride: this.stride });
  }
  override extraRepr(): string {
    return `output_size=${pyInt(this.outputSize)}, kernel_size=${pyInt(this.kernelSize)}, dilation=${pyInt(this.dilation)}, padding=${pyInt(this.padding)}, stride=${pyInt(this.stride)}`;
  }
}
