// Compares a decoded value against the exact description scripts/fixtures/io.py wrote from PyTorch.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { OrderedDict, isTuple } from "../../src/io/pickle.js";
import type { RawTensor } from "../../src/io/raw-tensor.js";

export const fixtureDir = new URL("../fixtures/io/", import.meta.url);

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, fixtureDir)));
}

export const expected: Record<string, unknown> = JSON.parse(readFileSync(new URL("expected.json", fixtureDir), "utf8"));

const arrayTypes: Record<string, unknown> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: Float64Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

function keyOf(desc: unknown): unknown {
  const d = desc as { int?: string };
  if (d && typeof d === "object" && "int" in d) return Number(d.int);
  return desc;
}

/** Asserts `actual` is exactly the value `desc` describes (types, order, every element). */
export function assertMatches(actual: unknown, desc: unknown, path = "root"): void {
  if (desc === null || typeof desc !== "object") {
    assert.equal(actual, desc, path);
    return;
  }
  const [kind, body] = Object.entries(desc as Record<string, unknown>)[0]!;
  switch (kind) {
    case "tensor": {
      const e = body as { dtype: string; shape: number[]; values: number[] };
      const t = actual as RawTensor;
      assert.equal(t.dtype, e.dtype, `${path}: dtype`);
      assert.deepEqual(t.shape, e.shape, `${path}: shape`);
      assert.ok(t.data instanceof (arrayTypes[e.dtype] as typeof Uint8Array), `${path}: array type`);
      assert.deepEqual(Array.from(t.data), e.values, `${path}: values`);
      return;
    }
    case "int": {
      const v = BigInt(body as string);
      assert.equal(actual, v >= -(2n ** 53n - 1n) && v <= 2n ** 53n - 1n ? Number(v) : v, path);
      return;
    }
    case "float":
      assert.equal(actual, body, path);
      return;
    case "list":
    case "tuple": {
      assert.ok(Array.isArray(actual), `${path}: array`);
      assert.equal(isTuple(actual), kind === "tuple", `${path}: tuple or list`);
      const items = body as unknown[];
      assert.equal((actual as unknown[]).length, items.length, `${path}: length`);
      for (const [i, d] of items.entries()) assertMatches((actual as unknown[])[i], d, `${path}[${i}]`);
      return;
    }
    case "dict":
    case "ordereddict": {
      assert.ok(actual instanceof Map, `${path}: Map`);
      assert.equal(actual instanceof OrderedDict, kind === "ordereddict", `${path}: OrderedDict or dict`);
      const pairs = body as [unknown, unknown][];
      assert.deepEqual([...(actual as Map<unknown, unknown>).keys()], pairs.map(([k]) => keyOf(k)), `${path}: keys`);
      for (const [k, d] of pairs) assertMatches((actual as Map<unknown, unknown>).get(keyOf(k)), d, `${path}.${String(keyOf(k))}`);
      return;
    }
    default:
      throw new Error(`unknown description ${kind}`);
  }
}
