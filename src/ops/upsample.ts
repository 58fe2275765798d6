// Interpolation (nearest, nearest-exact, linear, bilinear, bicubic) over one or two trailing
// spatial dims, and pixel shuffle. Each spatial dim gets a table of source taps (index, weight)
// per output position, computed in the element type as PyTorch 1.13's CPU kernels compute them;
// the forward sums the taps separably and the backward scatters the gradient through the same taps.
import { fma, fma32 } from "../random/fma.js";
import { Tensor } from "../tensor/tensor.js";
import { needsGrad, record, withGradMode } from "./node.js";
import { linearInGrad } from "./pooling.js";

export type InterpMode = "nearest" | "nearest-exact" | "linear" | "bilinear" | "bicubic";

interface Taps {
  /** Taps per output position. */
  t: number;
  idx: Int32Array;
  w: Float64Array;
}

const CUBIC_A = -0.75;

/**
 * The taps of one spatial dim. `scale` is the user's scale factor for this dim (null when the size
 * was given or recomputed); f rounds to the element type.
 */
function tapsFor(mode: InterpMode, inSize: number, outSize: number, scale: number | null, alignCorners: boolean, f: (v: number) => number): Taps {
  // compute_scales_value: 1 / scale when given, else in / out.
  const scalesValue = (round: (v: number) => number) => (scale !== null && scale > 0 ? round(1 / scale) : round(inSize / outSize));
  if (mode === "nearest" || mode === "nearest-exact") {
    const idx = new Int32Array(outSize);
    const s = scalesValue(Math.fround); // nearest_idx computes its scale as a float
    for (let o = 0; o < outSize; o++) {
      if (mode === "nearest") {
        if (outSize === inSize) idx[o] = o;
        else if (outSize === 2 * inSize) idx[o] = o >> 1;
        else idx[o] = Math.min(Math.floor(Math.fround(o * s)), inSize - 1);
      } else idx[o] = Math.min(Math.floor(Math.fround((o + 0.5) * s)), inSize - 1);
    }
    return { t: 1, idx, w: new Float64Array(outSize).fill(1) };
  }
  // area_pixel_compute_scale
  const areaScale = alignCorners ? (outSize > 1 ? f((inSize - 1) / (outSize - 1)) : 0) : scalesValue(f);
  const cubic = mode === "bicubic";
  const source = (o: number): number => {
    if (alignCorners) return f(areaScale * o);
    const s = f(fma(areaScale, o + 0.5, -0.5));
    return !cubic && s < 0 ? 0 : s;
  };
  if (!cubic) {
    const idx = new Int32Array(outSize * 2);
    const w = new Float64Array(outSize * 2);
    for (let o = 0; o < outSize; o++) {
      const real = source(o);
      const i0 = Math.min(Math.floor(real), inSize - 1);
      const lambda = Math.min(Math.max(f(real - i0), 0), 1);
      idx[2 * o] = i0;
      idx[2 * o + 1] = i0 + (i0 < inSize - 1 ? 1 : 0);
      w[2 * o] = f(1 - lambda);
      w[2 * o + 1] = lambda;
    }
    return { t: 2, idx, w };
  }
  const idx = new Int32Array(outSize * 4);
  const w = new Float64Array(outSize * 4);
  // The cubic convolution polynomials, FMA-contracted as PyTorch's build computes them.
  const fused = f === Math.fround ? fma32 : fma;
  const conv1 = (x: number) => fused(f(fused(CUBIC_A + 2, x, -(CUBIC_A + 3)) * x), x, 1);
  const conv2 = (x: number) => fused(fused(fused(CUBIC_A, x, -5 * CUBIC_A), x, 8 * CUBIC_A), x, -4 * CUBIC_A);
  for (let o = 0; o < outSize; o++) {
    const real = source(o);
    const i0 = Math.floor(real);
    const t = f(real - i0);
    const x2 = f(1 - t);
    const c = [conv2(f(t + 1)), conv1(t), conv1(x2), conv2(f(x2 + 1))];
    for (let j = 0; j < 4; j++) {
      idx[4 * o + j] = Math.max(Math.min(i0 - 1 + j, inSize - 1), 0);
      w[4 * o + j] = c[j];
    }
  }
  return { t: 4, idx, w };
}

/** Nearest resampling: one source element per output, by row and column tables. */
function gatherPlanes(
  src: ArrayLike<number>,
  out: { [i: number]: number },
  n: number,
  inPlane: number,
  outPlane: number,
  inW: number,
  hIdx: Int32Array,
  wIdx: Int32Array,
  oH: number,
  oW: number,
): void {
  for (let b = 0; b < n; b++) {
    const base = b * inPlane;
    let o = b * outPlane;
    for (let oh = 0; oh < oH; oh++) {
      const row = base + hIdx[oh] * inW;
      for (let ow = 0; ow < oW; ow++, o++) out[o] = src[row + wIdx[ow]];
    }
  }
}

/** fma32 with its common case inline: a * b + c rounded once to float32. */
function fmaf(a: number, b: number, c: number): number {
  const sum = a * b + c;
  const r = Math.fround(sum);
  if (r === sum) return r;
  const d = sum - r;
  const m = sum + d;
  return Math.fround(m) !== m ? r : fma32(a, b, c);
}

/** Linear and bilinear float32 resampling: fma(x0, w0, x1 * w1) along each dim. */
function linearPlanes32(
  src: ArrayLike<number>,
  out: Float32Array,
  n: number,
  inPlane: number,
  outPlane: number,
  inW: number,
  th: Taps,
  tw: Taps,
  oH: number,
  oW: number,
): void {
  const two = th.t === 2;
  const hi = th.idx;
  const hw = th.w;
  const wi = tw.idx;
  const ww = tw.w;
  for (let b = 0; b < n; b++) {
    const base = b * inPlane;
    let o = b * outPlane;
    for (let oh = 0; oh < oH; oh++) {
      const r0 = base + hi[two ? 2 * oh : oh] * inW;
      const r1 = two ? base + hi[2 * oh + 1] * inW : r0;
      const h0 = two ? hw[2 * oh] : 1;
      const h1 = two ? hw[2 * oh + 1] : 0;
      for (let ow = 0; ow < oW; ow++, o++) {
        const c0 = wi[2 * ow];
        const c1 = wi[2 * ow + 1];
        const w0 = ww[2 * ow];
        const w1 = ww[2 * ow + 1];
        const t0 = fmaf(src[r0 + c0], w0, Math.fround(src[r0 + c1] * w1));
        if (!two) {
          out[o] = t0;
          continue;
        }
        const t1 = fmaf(src[r1 + c0], w0, Math.fround(src[r1 + c1] * w1));
        out[o] = fmaf(t0, h0, Math.fround(t1 * h1));
      }
    }
  }
}

const NODE_NAMES: Record<InterpMode, [string, string]> = {
  nearest: ["UpsampleNearest1DBackward1", "UpsampleNearest2DBackward1"],
  "nearest-exact": ["UpsampleNearestExact1DBackward1", "UpsampleNearestExact2DBackward1"],
  linear: ["UpsampleLinear1DBackward1", ""],
  bilinear: ["", "UpsampleBilinear2DBackward1"],
  bicubic: ["", "UpsampleBicubic2DBackward1"],
};

/**
 * Resamples the last one (3-D input) or two (4-D input) dims of x to outSize. scales holds the
 * user's scale factor per dim, or null where the kernel should use in / out.
 */
export function upsample(x: Tensor, mode: InterpMode, outSize: number[], scales: Array<number | null>, alignCorners: boolean): Tensor {
  const spatial = outSize.length;
  const nd = x.dim();
  const f = x.dtype.name === "float32" ? Math.fround : (v: number) => v;
  const fused = x.dtype.name === "float32" ? fma32 : fma;
  const inH = spatial === 2 ? x.shape[nd - 2] : 1;
  const inW = x.shape[nd - 1];
  const oH = spatial === 2 ? outSize[0] : 1;
  const oW = outSize[spatial - 1];
  for (const s of outSize) {
    if (!(s > 0)) {
      throw new RangeError(
        `Input and output sizes should be greater than 0, but got input (${spatial === 2 ? `H: ${inH}, ` : ""}W: ${inW}) output (${spatial === 2 ? `H: ${oH}, ` : ""}W: ${oW})`,
      );
    }
  }
  const th = spatial === 2 ? tapsFor(mode, inH, oH, scales[0], alignCorners, f) : { t: 1, idx: new Int32Array(1), w: new Float64Array([1]) };
  const tw = tapsFor(mode, inW, oW, scales[spatial - 1], alignCorners, f);
  const inPlane = inH * inW;
  const outPlane = oH * oW;
  const n = inPlane === 0 ? 0 : x.numel() / inPlane;
  const src = x.detach().contiguous().values();
  const out = new x.dtype.ArrayType(n * outPlane);
  const TH = th.t;
  const TW = tw.t;
  if (TH === 1 && TW === 1) gatherPlanes(src, out, n, inPlane, outPlane, inW, th.idx, tw.idx, oH, oW);
  else if (x.dtype.name === "float32" && TW === 2 && TH <= 2) linearPlanes32(src, out as Float32Array, n, inPlane, outPlane, inW, th, tw, oH, oW);
  else {
    for (let b = 0; b < n; b++) {
      const base = b * inPlane;
      let o = b * outPlane;
      for (let oh = 0; oh < oH; oh++) {
        for (let ow = 0; ow < oW; ow++, o++) {
          // Each dim's taps combine as x0 * w0 + x1 * w1 + ..., FMA-contracted as PyTorch's build
          // computes them: fma(x0, w0, x1 * w1), then one fused add per further tap.
          let acc = 0;
          let first = 0;
          for (let i = 0; i < TH; i++) {
            const row = base + th.idx[oh * TH + i] * inW;
            const wo = ow * TW;
            let inner: number;
            if (TW === 1) inner = src[row + tw.idx[wo]];
            else {
              inner = fused(src[row + tw.idx[wo]], tw.w[wo], f(src[row + tw.idx[wo + 1]] * tw.w[wo + 1]));
              for (let j = 2; j < TW; j++) inner = fused(src[row + tw.idx[wo + j]], tw.w[wo + j], inner);
            }
            if (TH === 1) acc = inner;
            else if (i === 0) first = inner;
            else if (i === 1) acc = fused(first, th.w[oh * TH], f(inner * th.w[oh * TH + 1]));
            else acc = fused(inner, th.w[oh * TH + i], acc);
          }
          out[o] = acc;
        }
      }
    }
  }
  const shape = [...x.shape.slice(0, nd - spatial), ...outSize];
  const y = Tensor.make(shape, x.dtype, out, x.device);
  if (needsGrad(x)) {
    record(NODE_NAMES[mode][spatial - 1], [x], y, (gy) => {
      const g = gy.contiguous().values();
      const gx = new Float64Array(n * inPlane);
      for (let b = 0; b < n; b++) {
        const base = b * inPlane;
        let o = b * outPlane;
        for (let oh = 0; oh < oH; oh++) {
          for (let ow = 0; ow < oW; ow++, o++) {
            const v = g[o];
            for (let i = 0; i < TH; i++) {
              const row = base + th.idx[oh * TH + i] * inW;
              const vh = v * th.w[oh * TH + i];
              for (let j = 0; j < TW; j++) gx[row + tw.idx[ow * TW + j]] += vh * tw.w[ow * TW + j];
            }
          }
        }
      }
      const out = Tensor.make(x.shape.slice(), gy.dtype, gy.dtype.name === "float64" ? gx : new gy.dtype.ArrayType(gx), gy.device);
      return [linearInGrad(`${NODE_NAMES[mode][spatial - 1]}Backward`, gy, out, (gg) => upsample(gg, mode, outSize, scales, alignCorners))];
    });
  }
  return y;
}

// ---------------------------------------------------------------- pixel shuffle

function shuffle(x: Tensor, r: number, op: "pixel_shuffle" | "pixel_unshuffle"): Tensor {
  const nd = x.dim();
  if (nd < 3) throw new RangeError(`${op} expects input to have at least 3 dimensions, but got input with ${nd} dimension(s)`);
  const lead = x.shape.slice(0, nd - 3);
  const [c, h, w] = x.shape.slice(nd - 3);
  const l = lead.length;
  if (op === "pixel_shuffle") {
    if (r <= 0) throw new RangeError(`pixel_shuffle expects a positive upscale_factor, but got ${r}`);
    if (c % (r * r) !== 0) {
      throw new RangeError(`pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${c} is not divisible by ${r * r}`);
    }
    const oc = c / (r * r);
    const perm = [...lead.keys(), l, l + 3, l + 1, l + 4, l + 2];
    return x.reshape([...lead, oc, r, r, h, w]).permute(perm).reshape([...lead, oc, h * r, w * r]);
  }
  if (r <= 0) throw new RangeError(`pixel_unshuffle expects a positive downscale_factor, but got ${r}`);
  if (h % r !== 0) throw new RangeError(`pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=${h} is not divisible by ${r}`);
  if (w % r !== 0) throw new RangeError(`pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)=${w} is not divisible by ${r}`);
  const perm = [...lead.keys(), l, l + 2, l + 4, l + 1, l + 3];
  return x.reshape([...lead, c, h / r, r, w / r, r]).permute(perm).reshape([...lead, c * r * r, h / r, w / r]);
}

/** A contiguous result that never shares x's memory. */
function fresh(x: Tensor, y: Tensor): Tensor {
  const c = y.contiguous();
  return c.storage === x.storage ? c.clone() : c;
}

/** [*, C r^2, H, W] -> [*, C, H r, W r] (PixelShuffleBackward0). */
export function pixelShuffle(x: Tensor, upscaleFactor: number): Tensor {
  const y = withGradMode(false, () => fresh(x, shuffle(x.detach(), upscaleFactor, "pixel_shuffle")));
  if (needsGrad(x)) record("PixelShuffleBackward0", [x], y, (gy) => [pixelUnshuffle(gy, upscaleFactor)]);
  return y;
}

/** [*, C, H r, W r] -> [*, C r^2, H, W] (PixelUnshuffleBackward0). */
export function pixelUnshuffle(x: Tensor, downscaleFactor: number): Tensor {
  const y = withGradMode(false, () => fresh(x, shuffle(x.detach(), downscaleFactor, "pixel_unshuffle")));
  if (needsGrad(x)) record("PixelUnshuffleBackward0", [x], y, (gy) => [pixelShuffle(gy, downscaleFactor)]);
  return y;
}
