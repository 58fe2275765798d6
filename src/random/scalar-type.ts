// PyTorch's C++ scalar-type names, which its "not implemented for" errors print.

import type { DTypeName } from "../tensor/dtype.js";

const SCALAR_TYPE_NAMES: Record<DTypeName, string> = {
  float32: "Float",
  float64: "Double",
  int32: "Int",
  int64: "Long",
  uint8: "Byte",
  bool: "Bool",
};

export function scalarTypeName(dtype: DTypeName): string {
  return SCALAR_TYPE_NAMES[dtype];
}

/** Throws PyTorch's dispatch error when a floating-point-only kernel meets another dtype. */
export function requireFloating(dtype: DTypeName, kernel: string): void {
  if (dtype !== "float32" && dtype !== "float64") {
    throw new TypeError(`"${kernel}" not implemented for '${SCALAR_TYPE_NAMES[dtype]}'`);
  }
}
