// The plain record the file formats read and write: a dtype, a shape and a contiguous row-major
// typed array in kindling's in-memory representation (see src/tensor/dtype.ts). The Tensor class
// converts to and from it; keeping the formats on this record keeps them independent of autograd.
//
// In files every dtype is stored as PyTorch lays it out: little-endian, int64 as real 8-byte
// integers, bool as one byte 0/1. In memory kindling keeps int64 in a Float64Array of integral
// numbers, so reading an int64 beyond +-(2**53 - 1) is an error (it would silently lose digits);
// writing is exact for every integral float64 in int64's range.
import { type DTypeName, dtypes } from "../tensor/dtype.js";
import { FileFormatError } from "./format-error.js";

export type RawDType = DTypeName;
export type RawData = Float32Array | Float64Array | Int32Array | Uint8Array;

export interface RawTensor {
  dtype: RawDType;
  shape: number[];
  data: RawData;
  /** torch.save keeps a tensor's requires_grad flag (.pt only; safetensors has no such field). Absent means false. */
  requiresGrad?: boolean;
}

const hostLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function itemsize(dtype: RawDType): number {
  return dtypes[dtype].itemsize;
}

export function isRawDType(v: unknown): v is RawDType {
  return typeof v === "string" && Object.hasOwn(dtypes, v);
}

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Strides, in elements, of a contiguous row-major tensor of this shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= Math.max(shape[i]!, 1);
  }
  return strides;
}

export function isRawTensor(v: unknown): v is RawTensor {
  if (typeof v !== "object" || v === null) return false;
  const t = v as Partial<RawTensor>;
  return isRawDType(t.dtype) && Array.isArray(t.shape) && ArrayBuffer.isView(t.data);
}

const arrayType: Record<RawDType, { name: string }> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: Float64Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

/** Throws a TypeError naming `name` unless `t` is a well-formed RawTensor (writers call this). */
export function checkRawTensor(t: RawTensor, name: string): void {
  if (!isRawDType(t.dtype)) throw new TypeError(`tensor ${name}: unknown dtype ${String(t.dtype)}`);
  for (const d of t.shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new TypeError(`tensor ${name}: bad shape [${t.shape.join(", ")}]`);
  }
  const expected = arrayType[t.dtype];
  if (!(t.data instanceof (expected as typeof Uint8Array))) {
    throw new TypeError(
      `tensor ${name}: dtype ${t.dtype} needs its data in a ${expected.name}, got ${t.data?.constructor?.name}`,
    );
  }
  const n = numelOf(t.shape);
  if (t.data.length !== n) {
    throw new TypeError(`tensor ${name}: shape [${t.shape.join(", ")}] has ${n} elements but data has ${t.data.length}`);
  }
}

function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const x = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = x;
    }
  }
}

/** The tensor's elements as the bytes PyTorch stores (little-endian unless told otherwise). */
export function rawTensorBytes(t: RawTensor, name: string, littleEndian = true): Uint8Array {
  checkRawTensor(t, name);
  const n = t.data.length;
  let out: Uint8Array;
  if (t.dtype === "int64") {
    const words = new Int32Array(n * 2);
    const src = t.data as Float64Array;
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      if (!Number.isInteger(v) || v < -(2 ** 63) || v >= 2 ** 63) {
        throw new TypeError(`tensor ${name}: int64 element ${i} is ${v}, not an integer in int64's range`);
      }
      const hi = Math.floor(v / 2 ** 32);
      words[2 * i] = v - hi * 2 ** 32;
      words[2 * i + 1] = hi;
    }
    if (!hostLittleEndian) {
      for (let i = 0; i < n; i++) [words[2 * i], words[2 * i + 1]] = [words[2 * i + 1]!, words[2 * i]!];
    }
    out = new Uint8Array(words.buffer);
  } else if (t.dtype === "bool") {
    out = new Uint8Array(n);
    const src = t.data as Uint8Array;
    for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0;
  } else {
    out = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice();
  }
  if (littleEndian !== hostLittleEndian) swapBytes(out, itemsize(t.dtype));
  return out;
}

/**
 * Builds a RawTensor from stored bytes (copied, so the result owns aligned memory).
 * `what` names the tensor in error messages.
 */
export function rawTensorFromBytes(
  dtype: RawDType,
  shape: number[],
  bytes: Uint8Array,
  what: string,
  littleEndian = true,
): RawTensor {
  const size = itemsize(dtype);
  const n = numelOf(shape);
  if (n * size !== bytes.length) {
    throw new FileFormatError(
      `${what}: ${dtype} shape [${shape.join(", ")}] needs ${n * size} bytes but ${bytes.length} are stored`,
    );
  }
  // not bytes.slice(): on a Node Buffer (readFileSync's, often a view into a shared pool) slice is a
  // view, not a copy, and typedFromOwnedBytes reads from offset 0 of its ArrayBuffer
  const copy = new Uint8Array(bytes);
  if (littleEndian !== hostLittleEndian) swapBytes(copy, size);
  return { dtype, shape, data: typedFromOwnedBytes(dtype, copy, what) };
}

/** Reinterprets a freshly copied byte array (byteOffset 0) in kindling's representation of `dtype`. */
export function typedFromOwnedBytes(dtype: RawDType, copy: Uint8Array, what: string): RawData {
  const buf = copy.buffer as ArrayBuffer;
  switch (dtype) {
    case "float32":
      return new Float32Array(buf, 0, copy.length / 4);
    case "float64":
      return new Float64Array(buf, 0, copy.length / 8);
    case "int32":
      return new Int32Array(buf, 0, copy.length / 4);
    case "uint8":
      return copy;
    case "bool":
      for (let i = 0; i < copy.length; i++) if (copy[i] !== 0) copy[i] = 1;
      return copy;
    case "int64": {
      const words = new Int32Array(buf, 0, copy.length / 4);
      const out = new Float64Array(copy.length / 8);
      const [lo, hi] = hostLittleEndian ? [0, 1] : [1, 0];
      for (let i = 0; i < out.length; i++) {
        const v = words[2 * i + hi]! * 2 ** 32 + (words[2 * i + lo]! >>> 0);
        if (!Number.isSafeInteger(v)) {
          const exact = BigInt(words[2 * i + hi]!) * 2n ** 32n + BigInt(words[2 * i + lo]! >>> 0);
          throw new FileFormatError(
            `${what}: int64 element ${i} is ${exact}, beyond 2**53 - 1; kindling keeps int64 in float64 and would lose digits`,
          );
        }
        out[i] = v;
      }
      return out;
    }
  }
}
