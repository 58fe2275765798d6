// Bernoulli draws: Tensor.bernoulli_(p), torch.bernoulli(probs), and the dropout mask built from them.

import type { DTypeName, TypedArray } from "../tensor/dtype.js";
import type { Generator } from "./generator.js";

const TWO_POW_MINUS_24 = 2 ** -24;

function checkP(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
}

/**
 * Fills `out` as Tensor.bernoulli_(p) with a scalar p (the default, non-MKL CPU kernel):
 * per element a double uniform u (2 words), value = u < p ? 1 : 0.
 */
export function bernoulli_(gen: Generator, out: TypedArray, _dtype: DTypeName, p: number): TypedArray {
  checkP(p);
  const eng = gen.engine;
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = eng.randomDouble() < p ? 1 : 0;
  return out;
}

/**
 * Fills `out` as Tensor.bernoulli_(probs) / torch.bernoulli(probs), probs already broadcast to
 * out.length. float64 probabilities compare against a double uniform (2 words); float32 ones against
 * a float uniform (1 word), as bernoulli_distribution<float> does.
 */
export function bernoulliTensor_(
  gen: Generator,
  out: TypedArray,
  _dtype: DTypeName,
  probs: ArrayLike<number>,
  probsDtype: "float32" | "float64",
): TypedArray {
  const n = out.length;
  if (probs.length < n) throw new RangeError(`bernoulli_: ${probs.length} probabilities for ${n} elements`);
  for (let i = 0; i < n; i++) {
    const p = probs[i];
    if (!(p >= 0 && p <= 1)) throw new RangeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.");
  }
  const eng = gen.engine;
  if (probsDtype === "float64") {
    for (let i = 0; i < n; i++) out[i] = eng.randomDouble() < probs[i] ? 1 : 0;
  } else {
    for (let i = 0; i < n; i++) out[i] = (eng.random() & 0xffffff) * TWO_POW_MINUS_24 < probs[i] ? 1 : 0;
  }
  return out;
}

/**
 * The noise F.dropout(x, p, training=True) multiplies x by on the CPU (ATen's _dropout):
 * noise.bernoulli_(1 - p) (a double uniform per element, 2 words, kept when u < 1 - p), then
 * noise.div_(1 - p), so kept elements hold 1 / (1 - p) rounded in the dtype (float32: f32(1 / f32(1 - p))).
 * The output is then f32(x * noise). p = 0 and p = 1 draw nothing (PyTorch returns x, or x * 0).
 */
export function dropoutMask_(gen: Generator, out: Float32Array | Float64Array, dtype: "float32" | "float64", p: number): Float32Array | Float64Array {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  const n = out.length;
  if (p === 0 || p === 1) {
    out.fill(p === 0 ? 1 : 0);
    return out;
  }
  const q = 1 - p;
  const scale = dtype === "float32" ? Math.fround(1 / Math.fround(q)) : 1 / q;
  const eng = gen.engine;
  for (let i = 0; i < n; i++) out[i] = eng.randomDouble() < q ? scale : 0;
  return out;
}
