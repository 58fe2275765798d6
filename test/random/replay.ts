// Replays the operations recorded by scripts/fixtures/rng.py on a kindling Generator, and
// summarises outputs the way the script does (FNV-1a over little-endian 32-bit words).

import type { DTypeName, TypedArray } from "../../src/tensor/dtype.js";
import {
  bernoulli_,
  bernoulliTensor_,
  drawSeed,
  dropoutMask_,
  exponential_,
  type Generator,
  multinomial,
  normal_,
  normalTensor_,
  random_,
  randint_,
  randperm,
  uniform_,
} from "../../src/random/index.js";

export interface Op {
  op: string;
  n?: number;
  dtype?: DTypeName;
  [key: string]: unknown;
}

export interface Output {
  values: TypedArray | BigInt64Array;
  dtype: DTypeName;
}

function alloc(dtype: DTypeName, n: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(n);
    case "float64":
    case "int64":
      return new Float64Array(n);
    case "int32":
      return new Int32Array(n);
    default:
      return new Uint8Array(n);
  }
}

export function runOp(gen: Generator, op: Op): Output {
  const dtype: DTypeName = op.dtype ?? "float32";
  const n = op.n ?? 0;
  const num = (k: string) => op[k] as number;
  switch (op.op) {
    case "rand":
      return { values: uniform_(gen, alloc(dtype, n), dtype), dtype };
    case "uniform":
      return { values: uniform_(gen, alloc(dtype, n), dtype, num("from"), num("to")), dtype };
    case "randn":
      return { values: normal_(gen, alloc(dtype, n), dtype), dtype };
    case "normal":
      return { values: normal_(gen, alloc(dtype, n), dtype, num("mean"), num("std")), dtype };
    case "normal_noncontiguous":
      return { values: normal_(gen, alloc(dtype, n), dtype, num("mean"), num("std"), false), dtype };
    case "normal_tensor": {
      const mean = (op.meanValues as number[] | undefined) ?? num("mean");
      const std = (op.stdValues as number[] | undefined) ?? num("std");
      const len = typeof mean !== "number" ? mean.length : typeof std !== "number" ? std.length : n;
      const round = dtype === "float32" ? (a: number[]) => Array.from(new Float32Array(a)) : (a: number[]) => a;
      return {
        values: normalTensor_(
          gen,
          alloc(dtype, len),
          dtype,
          typeof mean === "number" ? mean : round(mean),
          typeof std === "number" ? std : round(std),
        ),
        dtype,
      };
    }
    case "randint":
      return { values: randint_(gen, alloc(dtype, n), dtype, bigOrNum(op.low), bigOrNum(op.high)), dtype };
    case "random":
      return { values: random_(gen, alloc(dtype, n), dtype), dtype };
    case "randperm":
      return { values: randperm(gen, n), dtype: "int64" };
    case "bernoulli":
      return { values: bernoulli_(gen, alloc(dtype, n), dtype, num("p")), dtype };
    case "bernoulli_tensor": {
      const pd = op.probsDtype as "float32" | "float64";
      const probs = pd === "float32" ? new Float32Array(op.probs as number[]) : new Float64Array(op.probs as number[]);
      return { values: bernoulliTensor_(gen, alloc(dtype, probs.length), dtype, probs, pd), dtype };
    }
    case "exponential":
      return { values: exponential_(gen, alloc(dtype, n), dtype, num("lambd")), dtype };
    case "multinomial": {
      const p = op.probs as number[] | number[][];
      const rows = Array.isArray(p[0]) ? (p as number[][]) : [p as number[]];
      const flat = rows.flat();
      const probs = dtype === "float32" ? new Float32Array(flat) : new Float64Array(flat);
      const values = multinomial(gen, probs, dtype, rows.length, rows[0].length, num("numSamples"), op.replacement as boolean);
      return { values, dtype: "int64" };
    }
    case "dropout": {
      const d = dtype as "float32" | "float64";
      return { values: dropoutMask_(gen, alloc(d, n) as Float32Array | Float64Array, d, num("p")), dtype };
    }
    case "seed":
      return { values: BigInt64Array.of(drawSeed(gen)), dtype: "int64" };
    case "words":
      return { values: randint_(gen, new Int32Array(n), "int32", -(2 ** 31), 2 ** 31), dtype: "int32" };
    default:
      throw new Error(`unknown op ${op.op}`);
  }
}

function bigOrNum(v: unknown): number | bigint {
  return typeof v === "number" && !Number.isSafeInteger(v) ? BigInt(v) : (v as number);
}

/** The 32-bit words the fixture script hashes. */
export function words(out: Output): Uint32Array {
  const v = out.values;
  if (v instanceof BigInt64Array) return new Uint32Array(v.buffer, v.byteOffset, v.length * 2);
  switch (out.dtype) {
    case "float32":
    case "float64":
    case "int32":
      return new Uint32Array(v.buffer, v.byteOffset, v.byteLength / 4);
    case "int64": {
      const b = new BigInt64Array(v.length);
      for (let i = 0; i < v.length; i++) b[i] = BigInt(v[i]);
      return new Uint32Array(b.buffer);
    }
    default:
      return Uint32Array.from(v as Uint8Array);
  }
}

export function fnv(ws: ArrayLike<number>): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < ws.length; i++) h = Math.imul(h ^ ws[i], 16777619) >>> 0;
  return h;
}

/** Values as the fixture's exact JSON numbers (int64 beyond 2**53 as decimal strings). */
export function exactValues(out: Output, count = Number.POSITIVE_INFINITY): (number | string)[] {
  const v = out.values;
  const n = Math.min(v.length, count);
  const res: (number | string)[] = [];
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (typeof x === "bigint") res.push(x > 2n ** 53n || x < -(2n ** 53n) ? String(x) : Number(x));
    else if (out.dtype === "int64" && Math.abs(x) > 2 ** 53) res.push(String(BigInt(x)));
    else res.push(x);
  }
  return res;
}
