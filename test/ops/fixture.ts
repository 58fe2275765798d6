// Reading test/fixtures/ops/*.json (written by scripts/fixtures/ops.py): tensors rebuilt with the
// layout PyTorch's were made with, and value comparison with NaN, signed infinities and -0.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { type DTypeName, dtypes } from "../../src/tensor/dtype.js";

export type Encoded = number | "nan" | "inf" | "-inf";

export interface TensorSpec {
  v: Encoded[];
  s: number[];
  d: DTypeName;
  /** c contiguous, t transposed memory, s every other row of a larger buffer, e expanded from es */
  l: "c" | "t" | "s" | "e";
  g: boolean;
  es?: number[];
}

export interface OutSpec {
  v: Encoded[];
  s: number[];
  d: DTypeName;
}

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/ops/${name}`, import.meta.url), "utf8")) as T;
}

export function decode(v: Encoded): number {
  if (typeof v === "number") return v;
  if (v === "nan") return Number.NaN;
  if (v === "inf") return Number.POSITIVE_INFINITY;
  if (v === "-inf") return Number.NEGATIVE_INFINITY;
  throw new Error(`bad fixture value ${v}`);
}

/** Non-tensor arguments: non-finite numbers come as strings, lists element by element. */
export function decodePlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodePlain);
  if (v === "nan" || v === "inf" || v === "-inf") return decode(v);
  return v;
}

export function isTensorSpec(a: unknown): a is TensorSpec {
  return typeof a === "object" && a !== null && !Array.isArray(a) && "v" in a && "l" in a;
}

/** The tensor a spec describes, with the same strides as PyTorch's (transposed, sliced, expanded). */
export function makeTensor(spec: TensorSpec): Tensor {
  const dtype = dtypes[spec.d];
  const flat = torch.tensor(spec.v.map(decode), { dtype });
  let x: Tensor;
  switch (spec.l) {
    case "c":
      x = flat.reshape(spec.s);
      break;
    case "t":
      x = flat.reshape(spec.s).transpose(-1, -2).contiguous().transpose(-1, -2);
      break;
    case "s": {
      const base = torch.full([2 * spec.s[0], ...spec.s.slice(1)], 99, { dtype });
      x = base.slice(0, 0, undefined, 2);
      x.copy_(flat.reshape(spec.s));
      break;
    }
    case "e":
      x = flat.reshape(spec.es!).expand(spec.s);
      break;
  }
  if (spec.g) x.requiresGrad_();
  return x;
}

export interface Tolerance {
  rtol: number;
  atol: number;
}

/** Float32's machine epsilon, 2^-23. */
export const EPS32 = 2 ** -23;
export const EPS64 = 2 ** -52;

function same(a: number, b: number, tol: Tolerance): boolean {
  if (Number.isNaN(b)) return Number.isNaN(a);
  if (a === b) return true; // infinities, exact
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= tol.atol + tol.rtol * Math.abs(b);
}

/** Asserts shape, dtype and values (NaN matches NaN; exact for integers and bools). */
export function assertTensor(actual: Tensor, expected: OutSpec, tol: Tolerance, what: string): void {
  assert.deepEqual(actual.shape, expected.s, `${what}: shape`);
  assert.equal(actual.dtype.name, expected.d, `${what}: dtype`);
  const got = Array.from(actual.detach().contiguous().values());
  const want = expected.v.map(decode);
  const exact = !actual.dtype.isFloatingPoint;
  for (let i = 0; i < want.length; i++) {
    const ok = exact ? got[i] === want[i] : same(got[i], want[i], tol);
    if (!ok) {
      assert.fail(`${what}: element ${i} is ${got[i]}, PyTorch has ${want[i]} (tolerance ${JSON.stringify(tol)})\n  got  ${JSON.stringify(got)}\n  want ${JSON.stringify(want)}`);
    }
  }
}

/** The upstream gradient scripts/fixtures/ops.py uses: u[i] = ((7 i) mod 11 - 5) / 4, counted across outputs. */
export function upstream(outs: readonly Tensor[]): Tensor[] {
  let i = 0;
  return outs.map((o) => {
    const n = o.numel();
    const vals = Array.from({ length: n }, (_, k) => (((7 * (i + k)) % 11) - 5) / 4);
    i += n;
    return torch.tensor(vals, { dtype: o.dtype }).reshape(o.shape);
  });
}
