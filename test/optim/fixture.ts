// Shared helpers for the optim tests: the fixture model of scripts/fixtures/optim.py, option
// conversion from PyTorch's keyword names, and tolerance checks.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as torch from "../../src/index.js";
import { mseLoss } from "../../src/ops/loss.js";
import type { Tensor } from "../../src/tensor/tensor.js";

export interface EncodedTensor {
  dtype: string;
  shape: number[];
  values: number[];
}

export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/optim/${name}`, import.meta.url), "utf8")) as T;
}

export function camel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A PyTorch keyword-argument dict as kindling's options object (tuples become arrays). */
export function toOptions(opts: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts)) out[camel(k)] = decode(v);
  return out;
}

/** Undoes the fixture's encoding of tuples and infinities (tensors stay encoded). */
export function decode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if ("tuple" in o) return (o.tuple as unknown[]).map(decode);
    if ("float" in o) return o.float === "inf" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    return v;
  }
  return v;
}

export interface Model {
  w: Tensor;
  b: Tensor;
  loss(): Tensor;
}

export function makeModel(doc: { w: number[][]; b: number[]; x: number[][]; y: number[][] }, dtypeName: string): Model {
  const dtype = dtypeName === "float64" ? torch.float64 : torch.float32;
  const w = torch.tensor(doc.w, { dtype, requiresGrad: true });
  const b = torch.tensor(doc.b, { dtype, requiresGrad: true });
  const x = torch.tensor(doc.x, { dtype });
  const y = torch.tensor(doc.y, { dtype });
  return { w, b, loss: () => mseLoss(x.matmul(w.t()).add(b), y) };
}

export function paramsOf(m: Model): number[] {
  return [...(m.w.detach().flatten().tolist() as number[]), ...(m.b.detach().tolist() as number[])];
}

/** Relative tolerance for the dtype (float32 1e-6, float64 1e-12), with a floor for values near 0. */
export function tolFor(dtype: string): number {
  return dtype === "float64" ? 1e-12 : 1e-6;
}

export function assertClose(got: number[], want: number[], rtol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    const bound = rtol * Math.max(Math.abs(want[i]), 1e-3);
    if (!(err <= bound)) assert.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]} (error ${err}, bound ${bound})`);
  }
}

export function assertTensorClose(got: unknown, want: EncodedTensor, rtol: number, what: string): void {
  assert.ok(got instanceof torch.Tensor, `${what}: expected a tensor`);
  assert.equal(got.dtype.name, want.dtype, `${what}: dtype`);
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  assertClose(got.detach().flatten().tolist() as number[], want.values, rtol, what);
}
