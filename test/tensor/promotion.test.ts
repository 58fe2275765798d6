// Type promotion against torch.result_type and the dtypes PyTorch's ops return
// (test/fixtures/ops/autograd.json, from scripts/fixtures/ops.py).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { type DTypeName, dtypes } from "../../src/tensor/dtype.js";
import { loadFixture } from "../ops/fixture.js";

type Operand = ["t", DTypeName, number] | ["s", number | boolean];
interface Pair {
  a: Operand;
  b: Operand;
  result: DTypeName;
}
interface OpPair extends Pair {
  op: string;
}
const fx = loadFixture<{ promotion: Pair[]; opDtypes: OpPair[] }>("autograd.json");

function operand(o: Operand): torch.Tensor | number | boolean {
  if (o[0] === "s") return o[1];
  return torch.ones(Array(o[2]).fill(2), { dtype: dtypes[o[1]] });
}

const show = (o: Operand) => (o[0] === "s" ? JSON.stringify(o[1]) : `${o[1]}${o[2] ? "[2]" : "[]"}`);

test(`resultType agrees with torch.result_type on ${fx.promotion.length} operand pairs`, () => {
  assert.ok(fx.promotion.length > 200);
  for (const p of fx.promotion) {
    const got = torch.resultType([operand(p.a) as torch.Tensor, operand(p.b) as torch.Tensor]);
    assert.equal(got.name, p.result, `${show(p.a)} with ${show(p.b)}`);
  }
});

test("ops return PyTorch's dtypes: int+float, int + 0.5, float32 + float64 0-d, bool+int, ...", () => {
  const cond = torch.tensor([true, false]);
  for (const p of fx.opDtypes) {
    const a = operand(p.a);
    const b = operand(p.b);
    let r: torch.Tensor;
    if (p.op === "where") r = torch.where(cond, a as torch.Tensor, b);
    else r = (torch as any)[p.op](a, b);
    assert.equal(r.dtype.name, p.result, `${p.op}(${show(p.a)}, ${show(p.b)})`);
  }
});

test("values keep their meaning across promotion", () => {
  assert.deepEqual(torch.tensor([1n, 2n]).add(0.5).tolist(), [1.5, 2.5]);
  assert.deepEqual(torch.tensor([7n, -7n]).div(2).tolist(), [3.5, -3.5]);
  assert.deepEqual(torch.tensor([true, false]).add(torch.tensor([3n, 4n])).tolist(), [4, 4]);
  const f32 = torch.tensor([0.1, 0.2]).add(torch.tensor(0.1, { dtype: torch.float64 }));
  assert.equal(f32.dtype, torch.float32);
  assert.deepEqual(f32.tolist(), [Math.fround(Math.fround(0.1) + Math.fround(0.1)), Math.fround(Math.fround(0.2) + Math.fround(0.1))]);
  assert.deepEqual(torch.tensor([1, 2], { dtype: torch.int32 }).mul(torch.tensor(3n)).dtype, torch.int32);
});
