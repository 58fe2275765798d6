// F.conv1d, F.conv2d, F.convTranspose1d/2d, F.unfold, F.fold (their forward and backward live in
// src/ops/convolution.ts); F.pad is in functional.ts, which hands its non-constant modes there.
export { conv1d, conv2d, convTranspose1d, convTranspose2d, fold, unfold } from "../../ops/convolution.js";
export type { ConvOptions, ConvTransposeOptions, PaddingArg, PadMode, SizeArg, UnfoldOptions } from "../../ops/convolution.js";
