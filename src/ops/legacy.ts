// PyTorch's legacy tensor constructors, which ported code uses: torch.FloatTensor(data),
// DoubleTensor, LongTensor, IntTensor, BoolTensor, and `new torch.Tensor(data)`. Each takes
// nested data (a copy in the constructor's dtype; floats truncate toward zero for the integer
// types, as in PyTorch) or sizes (`torch.FloatTensor(2, 3)`: PyTorch leaves the memory
// uninitialised, kindling zeroes it). Called with or without `new`; `x instanceof
// torch.LongTensor` tests the dtype, as Python's isinstance(x, torch.LongTensor) does.
import { bool, type DType, float32, float64, getDefaultDtype, int32, int64 } from "../tensor/dtype.js";
import { setLegacyConstructor, Tensor } from "../tensor/tensor.js";
import { tensor, zeros } from "./creation.js";

export type Nested = number | bigint | boolean | ReadonlyArray<Nested>;

/** A legacy constructor: callable, or with `new`; from nested data or from sizes. */
export interface LegacyTensorConstructor {
  (data: ReadonlyArray<Nested>): Tensor;
  (...sizes: number[]): Tensor;
  new (data: ReadonlyArray<Nested>): Tensor;
  new (...sizes: number[]): Tensor;
}

function build(name: string, dtype: DType | null, args: unknown[]): Tensor {
  const dt = dtype ?? getDefaultDtype();
  if (args.length === 0) return zeros([0], { dtype: dt });
  if (args.every((a) => typeof a === "number")) {
    for (const a of args as number[]) {
      if (!Number.isInteger(a) || a < 0) throw new TypeError(`${name}(): argument 'size' must be tuple of non-negative ints, but found ${a}`);
    }
    return zeros(args as number[], { dtype: dt });
  }
  if (args.length === 1 && Array.isArray(args[0])) return tensor(args[0] as ReadonlyArray<Nested>, { dtype: dt });
  if (args.length === 1 && args[0] instanceof Tensor) {
    const t = args[0];
    if (t.dtype !== dt) throw new TypeError(`expected ${dt} (got ${t.dtype})`);
    return t;
  }
  const got = args.map((a) => (a === null ? "null" : Array.isArray(a) ? "array" : a instanceof Tensor ? "Tensor" : typeof a)).join(", ");
  throw new TypeError(`${name}() received an invalid combination of arguments - got (${got}), but expected one of: (data: nested array of numbers) or (...sizes: number[]). To make a tensor from data, use torch.tensor(data, { dtype })`);
}

function legacy(name: string, dtype: DType): LegacyTensorConstructor {
  const ctor = function (this: unknown, ...args: unknown[]): Tensor {
    return build(name, dtype, args);
  } as unknown as LegacyTensorConstructor;
  Object.defineProperty(ctor, "name", { value: name });
  Object.defineProperty(ctor, Symbol.hasInstance, { value: (v: unknown) => v instanceof Tensor && v.dtype === dtype });
  return ctor;
}

export const FloatTensor = legacy("FloatTensor", float32);
export const DoubleTensor = legacy("DoubleTensor", float64);
export const LongTensor = legacy("LongTensor", int64);
export const IntTensor = legacy("IntTensor", int32);
export const BoolTensor = legacy("BoolTensor", bool);

// `new torch.Tensor(data)` / `new torch.Tensor(2, 3)`, as PyTorch's torch.Tensor(...): the default dtype.
setLegacyConstructor((args) => build("Tensor", null, args));
