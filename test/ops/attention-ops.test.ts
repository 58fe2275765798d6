// tril/triu, repeat, repeatInterleave, einsum, baddbmm, broadcasting maskedFill and typeAs against
// PyTorch 1.13 (test/fixtures/attention/ops.json): forward in float64 and float32, gradients of
// sum(out * upstream), grad_fn names; then finite differences, non-contiguous inputs and errors.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { gradcheck, gradgradcheck } from "../helpers/gradcheck.js";
import { assertClose, fromDump, loadAttentionFixture, type TDump } from "../nn/attention-fixture.js";

interface OpCase {
  name: string;
  inputs: TDump[];
  output: TDump;
  gradFn: string;
  upstream: TDump;
  grads: Array<TDump | null>;
  output32: TDump;
}

const i64 = (v: number[]) => torch.tensor(v, { dtype: torch.int64 });

const OPS: Record<string, (...t: Tensor[]) => Tensor> = {
  "tril batched": (x) => x.tril(),
  "triu batched 1": (x) => x.triu(1),
  "tril wide -2": (x) => x.tril(-2),
  "repeat 2,3": (x) => x.repeat(2, 3),
  "repeat 2,1,2": (x) => x.repeat(2, 1, 2),
  "repeat 1,3,1 batched": (x) => x.repeat([1, 3, 1]),
  "repeat 0d->3": (x) => x.repeat(3),
  "repeat_interleave 2 dim0": (x) => x.repeatInterleave(2, 0),
  "repeat_interleave 3 flat": (x) => x.repeatInterleave(3),
  "repeat_interleave tensor dim1": (x) => x.repeatInterleave(i64([1, 0, 2, 3]), 1),
  "einsum bij,bjk->bik": (x, y) => torch.einsum("bij,bjk->bik", x, y),
  "einsum ij->ji": (x) => torch.einsum("ij->ji", x),
  "einsum ii->i": (x) => torch.einsum("ii->i", x),
  "einsum ii": (x) => torch.einsum("ii", x),
  "einsum i,j->ij": (x, y) => torch.einsum("i,j->ij", x, y),
  "einsum i,i->": (x, y) => torch.einsum("i,i->", x, y),
  "einsum ij->": (x) => torch.einsum("ij->", x),
  "einsum ij->j": (x) => torch.einsum("ij->j", x),
  "einsum bhqd,bhkd->bhqk": (x, y) => torch.einsum("bhqd,bhkd->bhqk", x, y),
  "einsum bhqk,bhkd->bqhd": (x, y) => torch.einsum("bhqk,bhkd->bqhd", [x, y]),
  "einsum ...ij,...jk": (x, y) => torch.einsum("...ij,...jk", x, y),
  "einsum ij,jk,kl->il": (x, y, z) => torch.einsum("ij, jk, kl -> il", x, y, z),
  "einsum ba,ab": (x, y) => torch.einsum("ba,ab", x, y),
  "einsum bn,anm,bm->ba": (x, w, y) => torch.einsum("bn,anm,bm->ba", x, w, y),
  baddbmm: (i, x, y) => torch.baddbmm(i, x, y),
  "baddbmm broadcast beta alpha": (i, x, y) => i.baddbmm(x, y, { beta: 0.5, alpha: 2 }),
  "masked_fill broadcast": (x, m) => x.maskedFill(m, -2.5),
  "masked_fill -inf": (x, m) => x.maskedFill(m, Number.NEGATIVE_INFINITY),
  type_as: (x, o) => x.typeAs(o),
};
for (const d of [-1, 0, 1, 2]) {
  OPS[`tril ${d}`] = (x) => torch.tril(x, d);
  OPS[`triu ${d}`] = (x) => torch.triu(x, d);
}

const cases = loadAttentionFixture<OpCase[]>("ops");

for (const c of cases) {
  test(`attention op ${c.name} matches PyTorch`, () => {
    const fn = OPS[c.name];
    assert.ok(fn, `no kindling op for case ${c.name}`);
    const inputs = c.inputs.map((d) => {
      const t = fromDump(d);
      return t.dtype.isFloatingPoint ? t.requiresGrad_() : t;
    });
    const out = fn(...inputs);
    assertClose(out, c.output, `${c.name} output`);
    // einsum's grad_fn depends on its internal route (a view, permute or sum); the others are PyTorch's.
    if (!c.name.startsWith("einsum")) assert.equal(out.gradFn?.name, c.gradFn, `${c.name} grad_fn`);
    out.mul(fromDump(c.upstream)).sum().backward();
    c.grads.forEach((g, i) => {
      if (g !== null) assertClose(inputs[i].grad, g, `${c.name} grad ${i}`);
    });
    const out32 = fn(...c.inputs.map((d) => (d.dtype === "float64" ? fromDump(d).float() : fromDump(d))));
    assertClose(out32, c.output32, `${c.name} float32 output`);
  });
}

/** The same values in a non-contiguous layout (the transpose of a contiguous transpose). */
function strided(t: Tensor): Tensor {
  if (t.dim() < 2) return t;
  return t.transpose(-1, -2).contiguous().transpose(-1, -2).detach().requiresGrad_(t.requiresGrad);
}

test("attention ops give the same values on non-contiguous inputs", () => {
  for (const c of cases) {
    const fn = OPS[c.name];
    const plain = c.inputs.map(fromDump);
    const nc = plain.map((t) => (t.dtype.isFloatingPoint ? strided(t) : t));
    if (nc.some((t) => t.dim() >= 2)) assert.ok(nc.some((t) => t.dim() >= 2 && !t.isContiguous()), c.name);
    assert.ok(fn(...nc).equal(fn(...plain)), `${c.name}: non-contiguous differs`);
  }
});

const f64 = { dtype: torch.float64 };
const r = (...s: number[]) => torch.randn(s, f64).requiresGrad_();

test("finite differences: tril, triu, repeat, repeatInterleave, maskedFill, baddbmm, einsum", () => {
  torch.manualSeed(3);
  const mask = torch.tensor([[[true, false, true]], [[false, false, true]]]);
  const checks: Array<[string, (...t: Tensor[]) => Tensor, Tensor[]]> = [
    ["tril", (x) => x.tril(-1), [strided(r(3, 4))]],
    ["triu", (x) => x.triu(1), [r(2, 3, 3)]],
    ["repeat", (x) => x.repeat(2, 1, 3), [strided(r(2, 3))]],
    ["repeatInterleave", (x) => x.repeatInterleave(i64([2, 1, 0]), 1), [r(2, 3)]],
    ["maskedFill broadcast", (x) => x.maskedFill(mask, 0.5), [r(1, 4, 3)]],
    ["baddbmm", (i, a, b) => torch.baddbmm(i, a, b, { beta: 0.7, alpha: -1.3 }), [r(1, 2, 4), r(3, 2, 5), strided(r(3, 5, 4))]],
    ["einsum matmul", (a, b) => torch.einsum("bij,bjk->bik", a, b), [r(2, 2, 3), strided(r(2, 3, 2))]],
    ["einsum heads", (a, b) => torch.einsum("bhqd,bhkd->bhqk", a, b), [r(1, 2, 3, 2), r(1, 2, 2, 2)]],
    ["einsum trace", (a) => torch.einsum("ii", a), [r(3, 3)]],
    ["einsum three", (a, b, c) => torch.einsum("ij,jk,kl->il", a, b, c), [r(2, 3), r(3, 2), r(2, 2)]],
    ["einsum ellipsis", (a, b) => torch.einsum("...ij,...jk->...ik", a, b), [r(2, 2, 3), r(3, 2)]],
  ];
  for (const [name, fn, inputs] of checks) {
    gradcheck(fn, inputs, { name });
  }
  gradgradcheck((x) => x.repeat(2, 2).tril(), [r(2, 3)], { name: "repeat+tril" });
  gradgradcheck((a, b) => torch.einsum("ij,jk->ik", a, b), [r(2, 3), r(3, 2)], { name: "einsum" });
});

test("in-place tril_ / triu_ and a broadcast maskedFill_ that would grow the input", () => {
  const x = torch.arange(9, { dtype: torch.float32 }).reshape(3, 3);
  x.tril_();
  assert.deepEqual(x.tolist(), [[0, 0, 0], [3, 4, 0], [6, 7, 8]]);
  x.triu_(1);
  assert.deepEqual(x.tolist(), [[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
  const y = torch.zeros(1, 3);
  y.maskedFill_(torch.tensor([true, false, true]), 2);
  assert.deepEqual(y.tolist(), [[2, 0, 2]]);
  assert.throws(() => y.maskedFill_(torch.zeros([2, 3], { dtype: torch.bool }), 1), /masked_fill_/);
  // out of place, the same mask broadcasts the input up to [2, 3]
  assert.deepEqual(y.maskedFill(torch.tensor([[true, false, false], [false, false, false]]), 5).tolist(), [[5, 0, 2], [2, 0, 2]]);
});

test("tril/triu keep integer and bool dtypes", () => {
  const b = torch.ones([3, 3], { dtype: torch.bool }).tril();
  assert.equal(b.dtype, torch.bool);
  assert.deepEqual(b.tolist(), [[true, false, false], [true, true, false], [true, true, true]]);
  const l = torch.ones([2, 2], { dtype: torch.int64 }).triu();
  assert.equal(l.dtype, torch.int64);
  assert.deepEqual(l.tolist(), [[1, 1], [0, 1]]);
});

test("errors name the op", () => {
  const errs = loadAttentionFixture<Record<string, string>>("errors");
  assert.throws(() => torch.ones(3).tril(), /tril: input tensor must have at least 2 dimensions/);
  assert.throws(() => torch.ones(2, 3).repeat(2), { message: errs["repeat too few"] });
  assert.throws(() => torch.einsum("ij,jk->ik", torch.ones(2, 3)), /einsum\(\)/);
  assert.throws(() => torch.einsum("ij->ik", torch.ones(2, 3)), /output subscript k does not appear/);
  assert.throws(() => torch.einsum("ijk->i", torch.ones(2, 3)), /number of subscripts/);
  assert.throws(() => torch.baddbmm(torch.zeros(2, 3, 3), torch.ones(2, 3, 4), torch.ones(2, 5, 3)), /baddbmm: Expected size for first two dimensions of batch2/);
  assert.throws(() => torch.ones(2, 3).repeatInterleave(i64([1, 2]), 1), /repeats must have the same size as input along dim/);
});
