// Tensor.type against PyTorch 1.13 (scripts/fixtures/book_types.py): without an argument it names
// the legacy type ("torch.FloatTensor"); given a legacy name or constructor it converts, as ported
// code writes `x.type("torch.LongTensor")` or `x.type(torch.LongTensor)`, and `x.type(y.type())`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as torch from "../../src/index.js";

interface Fixture {
  names: Record<string, string>;
  byName: Record<string, { dtype: string; values: number[] }>;
  error: string;
}
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "book", "types.json"), "utf8")) as Fixture;
const dtypes: Record<string, torch.DType> = {
  float32: torch.float32,
  float64: torch.float64,
  int32: torch.int32,
  int64: torch.int64,
  uint8: torch.uint8,
  bool: torch.bool,
};

describe("Tensor.type", () => {
  it("names the legacy type without an argument", () => {
    for (const [name, want] of Object.entries(fixture.names)) assert.equal(torch.zeros([2], { dtype: dtypes[name] }).type(), want, name);
  });

  it("converts to a legacy type given by name, by constructor, or by another tensor's type()", () => {
    const x = torch.tensor([1.5, -2.0, 0.0]);
    for (const [name, want] of Object.entries(fixture.byName)) {
      const y = x.type(name);
      assert.equal(y.dtype, dtypes[want.dtype], name);
      assert.deepEqual(
        (y.tolist() as Array<number | boolean>).map((v) => Number(v)),
        want.values,
        name,
      );
      assert.equal(x.type(torch.zeros([1], { dtype: dtypes[want.dtype] }).type()).dtype, y.dtype, `${name} via type()`);
    }
    assert.equal(x.type(torch.LongTensor).dtype, torch.int64);
    assert.equal(x.type(torch.BoolTensor).dtype, torch.bool);
    assert.equal(x.type(torch.long).dtype, torch.int64);
  });

  it("rejects an unknown type name with PyTorch's message", () => {
    assert.throws(() => torch.ones(2).type("torch.Foo"), { message: fixture.error });
  });
});
