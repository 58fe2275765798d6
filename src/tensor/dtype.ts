// Data types and PyTorch's type-promotion rules.
//
// int64 values live in a Float64Array: JavaScript numbers hold every integer up to 2**53 exactly,
// and a plain typed array keeps the kernels monomorphic and fast. Values beyond 2**53 (rare in
// deep learning: indices, counts and seeds) lose precision; the RNG keeps its 64-bit state in
// BigInts so seeds are exact.

export type DTypeName = "float32" | "float64" | "int32" | "int64" | "uint8" | "bool";
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;
type Category = 0 | 1 | 2; // bool < integer < floating point

export class DType {
  constructor(
    readonly name: DTypeName,
    /** Bytes per element in PyTorch's layout (what safetensors and .pt files store). */
    readonly itemsize: number,
    readonly isFloatingPoint: boolean,
    readonly category: Category,
    /** Rank within its category: the wider type wins a promotion. */
    readonly rank: number,
    readonly ArrayType: {
      new (n: number): TypedArray;
      new (a: ArrayLike<number>): TypedArray;
      new (buffer: ArrayBuffer, byteOffset: number, length: number): TypedArray;
    },
  ) {}

  toString(): string {
    return `torch.${this.name}`;
  }
  get [Symbol.toStringTag](): string {
    return `torch.${this.name}`;
  }
}

export const float32 = new DType("float32", 4, true, 2, 1, Float32Array);
export const float64 = new DType("float64", 8, true, 2, 2, Float64Array);
export const int32 = new DType("int32", 4, false, 1, 2, Int32Array);
export const int64 = new DType("int64", 8, false, 1, 3, Float64Array);
export const uint8 = new DType("uint8", 1, false, 1, 1, Uint8Array);
export const bool = new DType("bool", 1, false, 0, 0, Uint8Array);

export const dtypes: Record<DTypeName, DType> = { float32, float64, int32, int64, uint8, bool };

let defaultDtype: DType = float32;
export function getDefaultDtype(): DType {
  return defaultDtype;
}
export function setDefaultDtype(d: DType): void {
  if (!d.isFloatingPoint) throw new TypeError(`only floating-point types are supported as the default type, got ${d}`);
  defaultDtype = d;
}

/** The smaller type that holds both, as torch.promote_types. */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a.category !== b.category) return a.category > b.category ? a : b;
  // uint8 and int32/int64: the signed wider one; uint8 with bool is uint8 (category rule above).
  return a.rank >= b.rank ? a : b;
}

/** What a JavaScript scalar counts as in promotion: booleans are bool, integers int64, others float. */
export function scalarCategory(v: number | boolean): Category {
  if (typeof v === "boolean") return 0;
  return Number.isInteger(v) ? 1 : 2;
}

export interface PromotionOperand {
  dtype: DType;
  shape: readonly number[];
}

// torch.result_type: tensors with dimensions decide first; zero-dim tensors and JavaScript scalars
// only move the result up a category (int tensor + 0.5 -> float32, float32 tensor + float64 0-d -> float32).
export function resultType(operands: ReadonlyArray<PromotionOperand | number | boolean>): DType {
  let dimResult: DType | null = null;
  let zeroResult: DType | null = null;
  let wrapped: DType | null = null;
  for (const o of operands) {
    if (typeof o === "number" || typeof o === "boolean") {
      const c = scalarCategory(o);
      const d = c === 2 ? defaultDtype : c === 1 ? int64 : bool;
      wrapped = wrapped ? promoteTypes(wrapped, d) : d;
    } else if (o.shape.length > 0) {
      dimResult = dimResult ? promoteTypes(dimResult, o.dtype) : o.dtype;
    } else {
      zeroResult = zeroResult ? promoteTypes(zeroResult, o.dtype) : o.dtype;
    }
  }
  return combineCategories(dimResult, combineCategories(zeroResult, wrapped))!;
}

function combineCategories(higher: DType | null, lower: DType | null): DType | null {
  if (!higher) return lower;
  if (!lower) return higher;
  if (higher.isFloatingPoint) return higher;
  if (higher === bool || lower.isFloatingPoint) return promoteTypes(higher, lower);
  return higher;
}

/** Casts a JavaScript value to what a dtype stores (truncation toward zero for integers, as C casts). */
export function castScalar(v: number, d: DType): number {
  if (d.isFloatingPoint) return d === float32 ? Math.fround(v) : v;
  if (d === bool) return v !== 0 ? 1 : 0;
  if (Number.isNaN(v)) return 0;
  return Math.trunc(v);
}

const SCALAR_TYPE_NAMES: Record<DTypeName, string> = {
  float32: "Float",
  float64: "Double",
  int32: "Int",
  int64: "Long",
  uint8: "Byte",
  bool: "Bool",
};

/** PyTorch's C++ scalar-type name ("Float", "Long"), which its error messages print. */
export function scalarTypeName(d: DType | DTypeName): string {
  return SCALAR_TYPE_NAMES[typeof d === "string" ? d : d.name];
}

/** PyTorch's legacy tensor type name ("FloatTensor"), as in torch.typename and autograd's messages. */
export function tensorTypeName(d: DType | DTypeName): string {
  return `${scalarTypeName(d)}Tensor`;
}
