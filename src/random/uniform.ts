// Uniform floats: torch.rand, Tensor.uniform_, nn.init.uniform_.

import type { DTypeName, TypedArray } from "../tensor/dtype.js";
import { fma64, fma32 } from "./fma.js";
import type { Generator } from "./generator.js";
import { requireFloating } from "./scalar-type.js";

const TWO_POW_MINUS_24 = 2 ** -24;
const fr = Math.fround;

/**
 * Fills `out` (float32 or float64) with uniform values in [from, to), one element per draw in order.
 * float32: u = (word & 0xFFFFFF) * 2**-24 (1 word), value = fma32(u, f32(f32(to) - f32(from)), f32(from)).
 * float64: u from random64() (2 words), value = fma64(u, to - from, from).
 */
export function uniform_(gen: Generator, out: TypedArray, dtype: DTypeName, from = 0, to = 1): TypedArray {
  requireFloating(dtype, "uniform_kernel_cpu");
  const limit = dtype === "float32" ? 3.4028234663852886e38 : Number.MAX_VALUE;
  if (!(from <= to)) throw new RangeError(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
  if (to - from > limit) {
    throw new RangeError(
      `uniform_ expects to-from <= std::numeric_limits<${dtype === "float32" ? "float" : "double"}>::max(), but found to=${to} and from=${from} which result in to-from to exceed the limit`,
    );
  }
  const eng = gen.engine;
  const n = out.length;
  if (dtype === "float32") {
    const f = fr(from);
    const range = fr(fr(to) - f);
    if (f === 0 && range === 1) {
      for (let i = 0; i < n; i++) out[i] = (eng.random() & 0xffffff) * TWO_POW_MINUS_24;
    } else {
      for (let i = 0; i < n; i++) out[i] = fma32((eng.random() & 0xffffff) * TWO_POW_MINUS_24, range, f);
    }
  } else {
    const range = to - from;
    if (from === 0 && range === 1) {
      for (let i = 0; i < n; i++) out[i] = eng.randomDouble();
    } else {
      for (let i = 0; i < n; i++) out[i] = fma64(eng.randomDouble(), range, from);
    }
  }
  return out;
}
