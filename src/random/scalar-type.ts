// PyTorch's dispatch error for kernels that take floating-point dtypes only.

import { type DTypeName, scalarTypeName } from "../tensor/dtype.js";

/** Throws PyTorch's dispatch error when a floating-point-only kernel meets another dtype. */
export function requireFloating(dtype: DTypeName, kernel: string): void {
  if (dtype !== "float32" && dtype !== "float64") {
    throw new TypeError(`"${kernel}" not implemented for '${scalarTypeName(dtype)}'`);
  }
}
