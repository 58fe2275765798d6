// torch.randperm: a Fisher-Yates shuffle driven by 32-bit words.

import type { TypedArray } from "../tensor/dtype.js";
import type { Generator } from "./generator.js";

/** n from which PyTorch 2.6+ switches to its 64-bit algorithm: floor((2**32 - 1) / 20). */
export const RANDPERM_LARGE_N = 214748364;

export interface RandpermOptions {
  /**
   * Which PyTorch to follow for n >= 214748364. "1.13" (the default, and every version up to 2.5)
   * keeps the 32-bit shuffle; "2.6" uses the inside-out shuffle with random64() that later versions
   * adopted for large n. Below that size both are the same.
   */
  largeN?: "1.13" | "2.6";
}

/**
 * Writes a random permutation of 0..n-1 into out[0..n-1] (n = out.length by default), as
 * randperm_cpu does: r = [0..n-1]; for i in 0..n-2: z = random() mod (n - i); swap r[i], r[i + z].
 * Uses n - 1 words (none for n <= 1).
 */
export function randpermInto(gen: Generator, out: TypedArray, n: number = out.length, options: RandpermOptions = {}): TypedArray {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be non-negative, got ${n}`);
  if (n > out.length) throw new RangeError(`randperm: output holds ${out.length} elements, fewer than n=${n}`);
  const eng = gen.engine;
  if (n >= RANDPERM_LARGE_N && options.largeN === "2.6") {
    // Inside-out Fisher-Yates: r[i] = r[z]; r[z] = i with z = random64() mod (i + 1).
    for (let i = 0; i < n; i++) {
      const hi = eng.random();
      const lo = eng.random();
      const z = Number(((BigInt(hi) << 32n) | BigInt(lo)) % BigInt(i + 1));
      out[i] = out[z];
      out[z] = i;
    }
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = 0; i < n - 1; i++) {
    // w mod d without %: a word above 2**31 is a double in V8, and % on doubles is a slow fmod
    // call (a DataLoader shuffles every epoch). floor(w / d) is exact: w / d sits at least 1 / w
    // (>= 2**-32) below the next integer, far more than a double's rounding error.
    const w = eng.random();
    const d = n - i;
    const z = w - Math.floor(w / d) * d;
    const sav = out[i];
    out[i] = out[i + z];
    out[i + z] = sav;
  }
  return out;
}

/** torch.randperm(n, generator=gen) as int64 values in a Float64Array (kindling's int64 storage). */
export function randperm(gen: Generator, n: number, options: RandpermOptions = {}): Float64Array {
  const out = new Float64Array(n);
  randpermInto(gen, out, n, options);
  return out;
}
