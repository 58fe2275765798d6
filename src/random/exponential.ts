// Exponential samples: Tensor.exponential_(lambd) (the default, non-MKL CPU kernel).

import type { DTypeName, TypedArray } from "../tensor/dtype.js";
import type { Generator } from "./generator.js";
import { logAccurate } from "./libm-accurate.js";
import { requireFloating } from "./scalar-type.js";

/** One exponential_distribution<double> sample: -1/lambd * log(1 - u) with u a double uniform (2 words). */
export function exponentialSample(gen: Generator, lambd: number): number {
  return (-1 / lambd) * logAccurate(1 - gen.engine.randomDouble());
}

/** Fills `out` (float32 or float64) with Exp(lambd) samples in order, computed in double then rounded. */
export function exponential_(gen: Generator, out: TypedArray, dtype: DTypeName, lambd = 1): TypedArray {
  requireFloating(dtype, "exponential_cpu");
  if (!(lambd >= 0)) throw new RangeError(`exponential_ expects lambda >= 0.0, but found lambda=${lambd}`);
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = exponentialSample(gen, lambd);
  return out;
}
