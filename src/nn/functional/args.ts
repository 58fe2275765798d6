// Argument helpers for the functional forms: PyTorch's positional parameters, any trailing run of
// which may instead be one options object, and PyTorch's _single/_pair size conversions.
import { Tensor } from "../../tensor/tensor.js";

export type Size = number | readonly number[];
export type Pair = [number, number];

/**
 * An options object is a plain object literal; a tensor, an array, a module or any other class
 * instance is a positional value (nn.TransformerEncoder(layer, 2, norm) passes a module).
 */
function isOptions(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v) || v instanceof Tensor) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * PyTorch's positional parameters P in order, any trailing run of which may instead be one
 * options object O: [O?] | [P0, O?] | [P0, P1, O?] | ...
 */
export type PositionalOr<P extends readonly unknown[], O> = P extends readonly [infer H, ...infer T] ? [opts?: O] | [H, ...PositionalOr<T, O>] : [opts?: O];

/**
 * Merges positional values (named by `names`, in PyTorch's order) with an options object that
 * may stand in for any trailing run of them. Undefined positions are left out.
 */
export function trailing<O extends object>(names: ReadonlyArray<keyof O & string>, rest: readonly unknown[]): Partial<O> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < rest.length; i++) {
    const v = rest[i];
    if (isOptions(v)) {
      // Object.keys, not Object.entries: no [key, value] pair per option (a loss module passes
      // its options on every call).
      const keys = Object.keys(v);
      for (let j = 0; j < keys.length; j++) {
        const val = v[keys[j]];
        if (val !== undefined) o[keys[j]] = val;
      }
      break;
    }
    if (v !== undefined && i < names.length) o[names[i]] = v;
  }
  return o as Partial<O>;
}

/** _pair: a number, or an array of one or two numbers. */
export function pair(v: Size, op: string, what: string): Pair {
  if (typeof v === "number") return [v, v];
  if (v.length === 1) return [v[0], v[0]];
  if (v.length === 2) return [v[0], v[1]];
  throw new RangeError(
    what === "kernel_size"
      ? `${op}: kernel_size must either be a single int, or a tuple of two ints`
      : what === "stride"
        ? `${op}: stride must either be omitted, a single int, or a tuple of two ints`
        : `${op}: ${what} must either be a single int, or a tuple of two ints`,
  );
}

/** _single: a number, or an array of one number. */
export function single(v: Size, op: string, what: string): number {
  if (typeof v === "number") return v;
  if (v.length === 1) return v[0];
  throw new RangeError(`${op}() argument '${what}' should contain one int (got ${v.length})`);
}

/** Python's repr of a size as the user gave it: 2 -> "2", [2, 3] -> "(2, 3)", [2] -> "(2,)", null -> "None". */
export function pySize(v: Size | null | ReadonlyArray<number | null>): string {
  if (v === null) return "None";
  if (typeof v === "number") return String(v);
  const items = v.map((x) => (x === null ? "None" : String(x)));
  return `(${items.join(", ")}${items.length === 1 ? "," : ""})`;
}
