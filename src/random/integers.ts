// Random integers: torch.randint, Tensor.random_(from, to) and Tensor.random_().

import type { DTypeName, TypedArray } from "../tensor/dtype.js";
import type { Generator } from "./generator.js";

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

// The values a dtype holds, for PyTorch's bounds checks on `from` and `to - 1`.
const DTYPE_BOUNDS: Record<Exclude<DTypeName, "float32" | "float64">, [bigint, bigint, string]> = {
  int32: [-(1n << 31n), (1n << 31n) - 1n, "int"],
  int64: [-(1n << 63n), (1n << 63n) - 1n, "long int"],
  uint8: [0n, 255n, "unsigned char"],
  bool: [0n, 1n, "bool"],
};

function toBigInt(v: number | bigint, name: string): bigint {
  if (typeof v === "bigint") return v;
  if (!Number.isFinite(v)) throw new RangeError(`random_ expects '${name}' to be finite, but got ${name}=${v}`);
  return BigInt(Math.trunc(v));
}

function castThroughFloat(v: bigint, dtype: "float32" | "float64"): bigint {
  const d = Number(v); // rounds to nearest double, as static_cast<double>(int64)
  return BigInt(dtype === "float32" ? Math.fround(d) : d);
}

function floorLog2(v: bigint): number {
  return v.toString(2).length - 1;
}

// update_from / update_to (ATen/native/DistributionTemplates.h): bounds that do not survive a
// round trip through the floating dtype move inward to the nearest value that does, which
// changes `range` and hence every drawn value.
function updateFrom(from: bigint, digits: number, dtype: "float32" | "float64"): bigint {
  const fromPlus1 = castThroughFloat(from + 1n, dtype);
  if (fromPlus1 < from) {
    const a = from + 1n < 0n ? -(from + 1n) : from + 1n;
    return fromPlus1 + (1n << BigInt(floorLog2(a) - digits + 1));
  }
  return from;
}

function updateTo(to: bigint, digits: number, dtype: "float32" | "float64"): bigint {
  const toMinus1 = castThroughFloat(to - 1n, dtype);
  if (toMinus1 >= to) {
    const a = to - 1n < 0n ? -(to - 1n) : to - 1n;
    return toMinus1 - (1n << BigInt(floorLog2(a) - digits + 1));
  }
  return to;
}

/**
 * Fills `out` with integers uniform in [low, high) as torch.randint / Tensor.random_(from, to):
 * range = high - low (as uint64); each element is (random64() mod range) + low (2 words) when
 * range >= 2**32 and the dtype is int64/float32/float64, otherwise (random() mod range) + low (1 word).
 * int64 values are stored as doubles (kindling's int64 storage), exact below 2**53.
 * For float dtypes, bounds that the dtype cannot represent are first moved inward (update_from/to).
 */
export function randint_(gen: Generator, out: TypedArray, dtype: DTypeName, low: number | bigint, high: number | bigint): TypedArray {
  let from = toBigInt(low, "from");
  let to = toBigInt(high, "to");
  if (from >= to) throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${from} >= to=${to}`);
  if (dtype === "float32" || dtype === "float64") {
    const digits = dtype === "float32" ? 24 : 53;
    from = updateFrom(from, digits, dtype);
    to = updateTo(to, digits, dtype);
    if (from >= to) {
      throw new RangeError(
        `random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got from=${from} >= to=${to}`,
      );
    }
  }
  // Integer dtypes reject bounds they cannot hold; for floating dtypes PyTorch 1.13 only warns.
  if (dtype !== "float32" && dtype !== "float64") {
    const [min, max, cName] = DTYPE_BOUNDS[dtype];
    if (from < min || from > max) throw new RangeError(`from is out of bounds for ${cName}`);
    if (to - 1n < min || to - 1n > max) throw new RangeError(`to - 1 is out of bounds for ${cName}`);
  }
  const range = to - from;
  const eng = gen.engine;
  const n = out.length;
  const wide = range >= 1n << 32n && (dtype === "int64" || dtype === "float32" || dtype === "float64");
  if (!wide) {
    // range <= 2**32 here (narrow dtypes cannot exceed it), so the arithmetic is exact in doubles.
    const r = Number(range);
    const base = Number(from);
    if (dtype === "bool") {
      for (let i = 0; i < n; i++) out[i] = (eng.random() % r) + base !== 0 ? 1 : 0;
    } else {
      for (let i = 0; i < n; i++) out[i] = (eng.random() % r) + base;
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    const hi = eng.random();
    const lo = eng.random();
    const v = ((BigInt(hi) << 32n) | BigInt(lo)) % range;
    out[i] = Number(BigInt.asIntN(64, v + from));
  }
  return out;
}

/**
 * Fills `out` as Tensor.random_() with no bounds: int64 takes random64() mod 2**63 (2 words),
 * float64 random64() mod (2**53 + 1), float32 random() mod (2**24 + 1), int32 random() mod 2**31,
 * uint8 random() mod 256, bool random() & 1.
 */
export function random_(gen: Generator, out: TypedArray, dtype: DTypeName): TypedArray {
  const eng = gen.engine;
  const n = out.length;
  switch (dtype) {
    case "int64":
      for (let i = 0; i < n; i++) {
        const hi = eng.random() & 0x7fffffff;
        out[i] = hi * TWO_POW_32 + eng.random();
      }
      break;
    case "float64":
      for (let i = 0; i < n; i++) {
        const hi = eng.random();
        const lo = eng.random();
        // x = a * 2**53 + b with a = hi >>> 21; since 2**53 = -1 mod (2**53 + 1), x mod (2**53 + 1) = b - a (mod).
        const a = hi >>> 21;
        const b = (hi & 0x1fffff) * TWO_POW_32 + lo;
        const r = b - a;
        out[i] = r >= 0 ? r : r + TWO_POW_53 + 1;
      }
      break;
    case "float32":
      for (let i = 0; i < n; i++) out[i] = eng.random() % 16777217;
      break;
    case "int32":
      for (let i = 0; i < n; i++) out[i] = eng.random() % 2147483648;
      break;
    case "uint8":
      for (let i = 0; i < n; i++) out[i] = eng.random() & 0xff;
      break;
    case "bool":
      for (let i = 0; i < n; i++) out[i] = eng.random() & 1;
      break;
  }
  return out;
}
