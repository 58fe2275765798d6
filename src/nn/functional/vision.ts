// Functional image helpers: F.interpolate (nearest, nearest-exact, linear, bilinear, bicubic,
// area), F.pixelShuffle / F.pixelUnshuffle and the channel dropouts F.dropout1d / F.dropout2d.
import { commit } from "../../ops/inplace.js";
import { zeros } from "../../ops/creation.js";
import { dropoutMask } from "../../ops/random.js";
import { adaptiveAvgPool2d } from "../../ops/pooling.js";
import { type InterpMode, pixelShuffle as shuffleOp, pixelUnshuffle as unshuffleOp, upsample } from "../../ops/upsample.js";
import { tracer } from "../../ops/trace.js";
import { squeeze, unsqueeze } from "../../ops/view.js";
import type { Tensor } from "../../tensor/tensor.js";
import { pySize, trailing } from "./args.js";

export type InterpolateMode = InterpMode | "area";

export interface InterpolateOptions {
  size?: number | readonly number[] | null;
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
}

/**
 * F.interpolate(input, size?, scaleFactor?, mode="nearest", alignCorners?, recomputeScaleFactor?):
 * resamples the spatial dims of a 3-D (linear, nearest) or 4-D (bilinear, bicubic, nearest) input,
 * with PyTorch 1.13's sizes (floor(in * scale)) and source positions (from the scale as given
 * unless recomputeScaleFactor, else from in / out).
 */
export function interpolate(
  input: Tensor,
  ...rest: [
    (number | readonly number[] | null | InterpolateOptions)?,
    (number | readonly number[] | null | InterpolateOptions)?,
    (InterpolateMode | InterpolateOptions)?,
    (boolean | null | InterpolateOptions)?,
    (boolean | null | InterpolateOptions)?,
  ]
): Tensor {
  const o = trailing<InterpolateOptions>(["size", "scaleFactor", "mode", "alignCorners", "recomputeScaleFactor"], rest);
  if (tracer !== null && tracer.depth === 0) return tracer.call("interpolate", interpolate, [input, o]);
  const mode = o.mode ?? "nearest";
  let alignCorners = o.alignCorners ?? null;
  if (mode === "nearest" || mode === "area" || mode === "nearest-exact") {
    if (alignCorners !== null) {
      throw new RangeError("align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear");
    }
  } else if (alignCorners === null) alignCorners = false;
  const dim = input.dim() - 2;
  const spatial = input.shape.slice(2);
  const size = o.size ?? null;
  const scaleFactor = o.scaleFactor ?? null;
  let outputSize: number[] | null = null;
  let scales: number[] | null = null;
  if (size !== null && scaleFactor !== null) throw new RangeError("only one of size or scale_factor should be defined");
  if (size !== null) {
    if (typeof size !== "number") {
      if (size.length !== dim) {
        throw new RangeError(
          `Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of ${JSON.stringify(spatial).replaceAll(",", ", ")} and output size of ${pySize(size)}. ` +
            "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.",
        );
      }
      outputSize = size.slice();
    } else outputSize = Array(Math.max(dim, 0)).fill(size);
  } else if (scaleFactor !== null) {
    if (typeof scaleFactor !== "number") {
      if (scaleFactor.length !== dim) {
        throw new RangeError(
          `Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of ${JSON.stringify(spatial).replaceAll(",", ", ")} and scale_factor of shape ${pySize(scaleFactor)}. ` +
            "Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.",
        );
      }
      scales = scaleFactor.slice();
    } else scales = Array(Math.max(dim, 0)).fill(scaleFactor);
  } else throw new RangeError("either size or scale_factor should be defined");
  let recompute = o.recomputeScaleFactor ?? null;
  if (recompute && size !== null) throw new RangeError("recompute_scale_factor is not meaningful with an explicit size.");
  if (mode === "area" && outputSize === null) recompute = true;
  if (recompute && scales) {
    outputSize = scales.map((s, i) => Math.floor(spatial[i] * s));
    scales = null;
  }
  const nd = input.dim();
  const finalSize = outputSize ?? scales!.map((s, i) => Math.trunc(spatial[i] * s));
  const perDim: Array<number | null> = scales ?? finalSize.map(() => null);
  const wrong = (want: number) => {
    throw new RangeError(`Got ${nd}D input, but ${mode} mode needs ${want}D input`);
  };
  if (mode === "nearest" || mode === "nearest-exact") {
    if (nd === 3 || nd === 4) return upsample(input, mode, finalSize, perDim, false);
  } else if (mode === "area") {
    if (nd === 3) return squeeze(adaptiveAvgPool2d(unsqueeze(input, -2), [1, finalSize[0]]), -2);
    if (nd === 4) return adaptiveAvgPool2d(input, [finalSize[0], finalSize[1]]);
  } else if (mode === "linear") {
    if (nd !== 3) wrong(3);
    return upsample(input, mode, finalSize, perDim, alignCorners!);
  } else if (mode === "bilinear" || mode === "bicubic") {
    if (nd !== 4) wrong(4);
    return upsample(input, mode, finalSize, perDim, alignCorners!);
  }
  throw new RangeError(
    `Input Error: Only 3D, 4D and 5D input Tensors supported (got ${nd}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${mode})`,
  );
}

/** F.pixel_shuffle(input, upscaleFactor): [*, C r^2, H, W] -> [*, C, H r, W r]. */
export function pixelShuffle(input: Tensor, upscaleFactor: number): Tensor {
  return shuffleOp(input, upscaleFactor);
}

/** F.pixel_unshuffle(input, downscaleFactor): [*, C, H r, W r] -> [*, C r^2, H, W]. */
export function pixelUnshuffle(input: Tensor, downscaleFactor: number): Tensor {
  return unshuffleOp(input, downscaleFactor);
}

export interface FeatureDropoutOptions {
  p?: number;
  training?: boolean;
  inplace?: boolean;
}

/** ATen's feature dropout: one mask entry per (sample, channel), drawn as bernoulli_(1 - p) on [N, C, 1, ...] and divided by 1 - p. */
function featureDropout(input: Tensor, p: number, training: boolean, inplace: boolean): Tensor {
  if (input.dim() < 2) throw new RangeError("Feature dropout requires at least 2 dimensions in the input");
  if (p === 0 || !training || input.numel() === 0) return input;
  const out = p === 1 ? input.mul(zeros([], { dtype: input.dtype, device: input.device })) : input.mul(dropoutMask(zeros([input.shape[0], input.shape[1], ...Array(input.dim() - 2).fill(1)], { dtype: input.dtype, device: input.device }), p));
  return inplace ? commit(input, out) : out;
}

function dropoutArgs(rest: readonly unknown[]): { p: number; training: boolean; inplace: boolean } {
  const o = trailing<FeatureDropoutOptions>(["p", "training", "inplace"], rest);
  const p = o.p ?? 0.5;
  if (p < 0 || p > 1) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  return { p, training: o.training ?? true, inplace: o.inplace ?? false };
}

/** F.dropout1d(input, p=0.5, training=true, inplace=false): zeroes whole channels of [N, C, L] (or [C, L]). */
export function dropout1d(input: Tensor, ...rest: [(number | FeatureDropoutOptions)?, (boolean | FeatureDropoutOptions)?, (boolean | FeatureDropoutOptions)?]): Tensor {
  const { p, training, inplace } = dropoutArgs(rest);
  const nd = input.dim();
  if (nd !== 2 && nd !== 3) {
    throw new RangeError(
      `dropout1d: Expected 2D or 3D input, but received a ${nd}D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).`,
    );
  }
  if (nd === 3) return featureDropout(input, p, training, inplace);
  const out = squeeze(featureDropout(unsqueeze(input, 0), p, training, false), 0);
  return inplace ? commit(input, out) : out;
}

/**
 * F.dropout2d(input, p=0.5, training=true, inplace=false): zeroes whole channels of [N, C, H, W].
 * A 3-D input is read as [N, C, L] (1-D channel dropout), as PyTorch 1.13 does.
 */
export function dropout2d(input: Tensor, ...rest: [(number | FeatureDropoutOptions)?, (boolean | FeatureDropoutOptions)?, (boolean | FeatureDropoutOptions)?]): Tensor {
  const { p, training, inplace } = dropoutArgs(rest);
  return featureDropout(input, p, training, inplace);
}
