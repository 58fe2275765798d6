// Small helpers every op file shares.
import { type Backend, backendFor } from "../backend/backend.js";
import { bool, type DType, float32, getDefaultDtype, resultType } from "../tensor/dtype.js";
import { formatShape, shapeEquals } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";

export type Scalar = number | boolean;
export type TensorOrScalar = Tensor | Scalar;

export function backendOf(t: Tensor): Backend {
  // A non-tensor reaching a kernel (every op reads its backend first) is a TypeError naming what came.
  const storage = (t as Tensor | undefined)?.storage;
  if (storage === undefined) throw new TypeError(`expected a Tensor, but got ${pyTypeName(t)}`);
  return backendFor(storage.device);
}

/** How an error names a value's type: Python's names where PyTorch's message would use them (None, list, str). */
export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return `${v} (NoneType)`;
  if (Array.isArray(v)) return "Array (list)";
  if (typeof v === "string") return "string (str)";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

/**
 * PyTorch's TypeError for an argument of the wrong type, naming the function, the argument and
 * what it must be: "add(): argument 'other' (position 1) must be Tensor or number, not string (str)".
 */
export function checkTensorArg(fn: string, name: string, position: number, v: unknown, scalarOk = false): void {
  if (v instanceof Tensor) return;
  if (scalarOk && (typeof v === "number" || typeof v === "boolean")) return;
  throw new TypeError(`${fn}(): argument '${name}' (position ${position}) must be Tensor${scalarOk ? " or number" : ""}, not ${pyTypeName(v)}`);
}

/** Devices must match, as in PyTorch; the error names the op and both devices. */
export function checkDevices(op: string, a: Tensor, b: Tensor): void {
  if (a.storage.device !== b.storage.device) {
    throw new Error(
      `${op}: Expected all tensors to be on the same device, but found at least two devices, ${a.storage.device} and ${b.storage.device}!`,
    );
  }
}

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

/** The dtype an op on these operands computes in (torch.result_type). */
export function promote(a: TensorOrScalar, b: TensorOrScalar): DType {
  return resultType([a, b]);
}

/** A 0-d tensor holding v. */
export function scalarTensor(v: number, dtype: DType = float32, device = "cpu"): Tensor {
  const t = Tensor.make([], dtype, undefined, device);
  t.storage.data[0] = dtype === bool ? (v ? 1 : 0) : v;
  return t;
}

/** A 0-d tensor for a scalar operand, in the dtype of the tensor it meets (or the default). */
export function asTensor(x: TensorOrScalar, like?: Tensor): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === "boolean") return scalarTensor(Number(x), bool, like?.device);
  return scalarTensor(x, like ? like.dtype : getDefaultDtype(), like?.device ?? "cpu");
}

/** A copy in dtype, or the tensor itself when it already has it. */
export function castTo(t: Tensor, dtype: DType): Tensor {
  return t.dtype === dtype ? t : backendOf(t).copy(t, dtype);
}

/** Sums a broadcast gradient back down to the shape of the operand it belongs to. */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (shapeEquals(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const dims: number[] = [];
  for (let d = 0; d < g.shape.length; d++) {
    if (d < lead || (shape[d - lead] === 1 && g.shape[d] !== 1)) dims.push(d);
  }
  let r = dims.length ? g.sum(dims, { keepdim: true }) : g;
  if (lead > 0) r = r.reshape(shape as number[]);
  else if (!shapeEquals(r.shape, shape)) r = r.reshape(shape as number[]);
  return r;
}

/** Checks that a tensor holds integer indices; floats get API.md's hint about BigInt literals. */
export function checkIndexTensor(op: string, index: Tensor): void {
  if (index.dtype.isFloatingPoint || index.dtype === bool) {
    const expected = op === "index_select" ? "int32 or int64" : "int64";
    throw new TypeError(
      `${op}(): Expected dtype ${expected} for index, but got ${index.dtype}; write indices as BigInts (0n, 1n) or pass { dtype: torch.int64 }`,
    );
  }
}

export function shapeError(op: string, what: string, a: readonly number[], b: readonly number[]): RangeError {
  return new RangeError(`${op}: ${what} (shapes ${formatShape(a)} and ${formatShape(b)})`);
}

/** Splits trailing `{...}` options off a rest-argument list. */
export function splitOptions<O extends object>(args: unknown[]): [unknown[], O] {
  const last = args[args.length - 1];
  if (last !== null && typeof last === "object" && !Array.isArray(last) && !(last instanceof Tensor) && !ArrayBuffer.isView(last)) {
    return [args.slice(0, -1), last as O];
  }
  return [args, {} as O];
}
