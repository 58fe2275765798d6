// torch.multinomial on the CPU (ATen/native/Distributions.cpp and cpu/MultinomialKernel.cpp, 1.13).
//
// Without replacement PyTorch 1.13 uses the exponential race (later versions also take it for a
// single sample with replacement; 1.13 does not):
// q = Exp(1) samples for every probability (in memory order, rounded to the dtype), then
// argmax / topk of p / q per row. With replacement and more than one sample it walks a normalised
// cumulative distribution with one double uniform (2 words) per sample, row by row.
// Verified against torch 1.13: multinomial(p, 1, replacement=True) draws 2 words per row.

import type { DTypeName } from "../tensor/dtype.js";
import { exponentialSample } from "./exponential.js";
import type { Generator } from "./generator.js";
import { requireFloating } from "./scalar-type.js";

/**
 * Samples category indices. `probs` is row-major [nDist, nCategories] (nDist = 1 for a 1-D input).
 * Returns int64 indices as a Float64Array, row-major [nDist, numSamples].
 */
export function multinomial(
  gen: Generator,
  probs: ArrayLike<number>,
  dtype: DTypeName,
  nDist: number,
  nCategories: number,
  numSamples: number,
  replacement = false,
): Float64Array {
  requireFloating(dtype, "multinomial");
  if (!(numSamples > 0)) throw new RangeError("cannot sample n_sample <= 0 samples");
  if (!replacement && numSamples > nCategories) {
    throw new RangeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement");
  }
  if (nCategories > 16777216) throw new RangeError("number of categories cannot exceed 2^24");
  const total = nDist * nCategories;
  if (probs.length < total) throw new RangeError(`multinomial: ${probs.length} probabilities for ${nDist}x${nCategories}`);
  const round = dtype === "float32" ? Math.fround : (x: number) => x;
  const result = new Float64Array(nDist * numSamples);

  if (!replacement) {
    for (let i = 0; i < total; i++) {
      const p = probs[i];
      if (!(p >= 0 && p < Infinity)) throw new RangeError("probability tensor contains either `inf`, `nan` or element < 0");
    }
    for (let r = 0; r < nDist; r++) {
      let s = 0;
      for (let j = 0; j < nCategories; j++) s += probs[r * nCategories + j];
      if (s === 0) throw new RangeError("invalid multinomial distribution (sum of probabilities <= 0)");
    }
    const q = dtype === "float32" ? new Float32Array(total) : new Float64Array(total);
    for (let i = 0; i < total; i++) q[i] = exponentialSample(gen, 1);
    for (let i = 0; i < total; i++) q[i] = round(probs[i] / q[i]);
    const order = new Int32Array(nCategories);
    for (let r = 0; r < nDist; r++) {
      const base = r * nCategories;
      if (numSamples === 1) {
        let best = 0;
        for (let j = 1; j < nCategories; j++) if (q[base + j] > q[base + best]) best = j;
        result[r] = best;
        continue;
      }
      // topk(numSamples), largest first; equal values keep index order.
      for (let j = 0; j < nCategories; j++) order[j] = j;
      order.sort((a, b) => q[base + b] - q[base + a] || a - b);
      for (let k = 0; k < numSamples; k++) result[r * numSamples + k] = order[k];
    }
    return result;
  }

  const eng = gen.engine;
  const cum = dtype === "float32" ? new Float32Array(nCategories) : new Float64Array(nCategories);
  for (let r = 0; r < nDist; r++) {
    const base = r * nCategories;
    let sum = 0;
    for (let j = 0; j < nCategories; j++) {
      const v = probs[base + j];
      if (!(v >= 0)) throw new RangeError("invalid multinomial distribution (encountering probability entry < 0)");
      if (!Number.isFinite(v)) {
        throw new RangeError("invalid multinomial distribution (encountering probability entry = infinity or NaN)");
      }
      sum = round(sum + v);
      cum[j] = sum;
    }
    if (!(sum > 0)) throw new RangeError("invalid multinomial distribution (sum of probabilities <= 0)");
    for (let j = 0; j < nCategories; j++) cum[j] = round(cum[j] / sum);
    cum[nCategories - 1] = 1;
    for (let k = 0; k < numSamples; k++) {
      const u = eng.randomDouble();
      let left = 0;
      let right = nCategories;
      while (right - left > 0) {
        const mid = left + ((right - left) >> 1);
        if (cum[mid] < u) left = mid + 1;
        else right = mid;
      }
      result[r * numSamples + k] = left;
    }
  }
  return result;
}
