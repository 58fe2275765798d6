// F.scaledDotProductAttention against a reference computed by hand in PyTorch (1.13 lacks it; the
// script follows 2.x's math path), and nn.MultiheadAttention against PyTorch 1.13 for every
// option: initialisation after manualSeed(0), reprs and parameter names, outputs, weights, input
// and parameter gradients in float64 and float32, dropout draws in train mode; then finite
// differences and PyTorch's errors.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { F, nn } from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { gradcheck } from "../helpers/gradcheck.js";
import { assertClose, fromDump, loadAttentionFixture, type SdpaCase, type TDump } from "./attention-fixture.js";

const sdpa = loadAttentionFixture<{ cases: SdpaCase[]; dropout: { q: TDump; k: TDump; v: TDump; p: number; output: TDump } }>("sdpa");

for (const c of sdpa.cases) {
  test(`scaledDotProductAttention ${c.name} matches the reference`, () => {
    const [q, k, v] = [c.q, c.k, c.v].map((d) => fromDump(d).requiresGrad_());
    const mask = c.mask ? fromDump(c.mask) : null;
    if (mask?.dtype.isFloatingPoint) mask.requiresGrad_();
    const opts = { attnMask: mask, isCausal: c.isCausal, scale: c.scale };
    const out = F.scaledDotProductAttention(q, k, v, opts);
    assertClose(out, c.output, `${c.name} output`);
    out.mul(fromDump(c.upstream)).sum().backward();
    const leaves = mask?.dtype.isFloatingPoint ? [q, k, v, mask] : [q, k, v];
    for (const [i, g] of c.grads.entries()) assertClose(leaves[i].grad, g, `${c.name} grad ${i}`);
    const m32 = mask?.dtype.isFloatingPoint ? mask.detach().float() : mask;
    const out32 = F.scaledDotProductAttention(fromDump(c.q).float(), fromDump(c.k).float(), fromDump(c.v).float(), { ...opts, attnMask: m32 });
    assertClose(out32, c.output32, `${c.name} float32 output`);
  });
}

test("scaledDotProductAttention draws its dropout as PyTorch's math path", () => {
  const d = sdpa.dropout;
  torch.manualSeed(5);
  const out = F.scaledDotProductAttention(fromDump(d.q), fromDump(d.k), fromDump(d.v), { dropoutP: d.p, isCausal: true });
  assertClose(out, d.output, "sdpa dropout output");
});

test("scaledDotProductAttention errors", () => {
  const q = torch.randn(2, 3, 4);
  assert.throws(() => F.scaledDotProductAttention(q, q, q, { isCausal: true, attnMask: torch.ones([3, 3], { dtype: torch.bool }) }), /Explicit attn_mask should not be set when is_causal=True/);
  assert.throws(
    () => F.scaledDotProductAttention(q, q, q, { attnMask: torch.zeros([3, 3], { dtype: torch.float64 }) }),
    /Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: double and {2}query.dtype: float instead/,
  );
  assert.throws(() => F.scaledDotProductAttention(q, q.double(), q), /Expected query, key, and value to have the same dtype/);
});

interface MhaCase {
  name: string;
  dtype: string;
  init: Record<string, TDump> | null;
  repr: string;
  params: Array<[string, number[]]>;
  inputs: Array<TDump | null>;
  masks: Record<string, TDump>;
  needWeights: boolean;
  average: boolean;
  output: TDump;
  weights: TDump | null;
  upstream: TDump;
  inputGrads: Array<TDump | null>;
  paramGrads: Record<string, TDump | null> | null;
  gradFn: string;
}

const MHA: Record<string, () => nn.MultiheadAttention> = {
  default: () => new nn.MultiheadAttention(8, 2),
  batch_first: () => new nn.MultiheadAttention(8, 2, { batchFirst: true }),
  cross: () => new nn.MultiheadAttention(8, 4),
  "key is value": () => new nn.MultiheadAttention(8, 2),
  "kdim vdim": () => new nn.MultiheadAttention(8, 2, { kdim: 5, vdim: 3 }),
  "kdim vdim batch_first": () => new nn.MultiheadAttention(8, 2, { kdim: 5, vdim: 3, batchFirst: true }),
  "no bias": () => new nn.MultiheadAttention(8, 2, { bias: false }),
  add_bias_kv: () => new nn.MultiheadAttention(8, 2, { addBiasKv: true }),
  add_zero_attn: () => new nn.MultiheadAttention(8, 2, { addZeroAttn: true }),
  "bias_kv zero_attn masks": () => new nn.MultiheadAttention(8, 2, { addBiasKv: true, addZeroAttn: true }),
  key_padding_mask: () => new nn.MultiheadAttention(8, 2),
  "key_padding_mask float": () => new nn.MultiheadAttention(8, 2),
  "attn_mask bool 2d": () => new nn.MultiheadAttention(8, 2),
  "attn_mask float 2d": () => new nn.MultiheadAttention(8, 2),
  "attn_mask bool 3d": () => new nn.MultiheadAttention(8, 2),
  "attn_mask float 3d + kpm": () => new nn.MultiheadAttention(8, 2),
  "attn_mask bool + kpm": () => new nn.MultiheadAttention(8, 2, { batchFirst: true }),
  "causal float batch_first": () => new nn.MultiheadAttention(8, 2, { batchFirst: true }),
  "need_weights False": () => new nn.MultiheadAttention(8, 2),
  "average False": () => new nn.MultiheadAttention(8, 2),
  unbatched: () => new nn.MultiheadAttention(8, 2),
  "eval dropout 0.5": () => new nn.MultiheadAttention(8, 2, { dropout: 0.5 }).eval(),
  "train dropout 0.3": () => new nn.MultiheadAttention(8, 2, { dropout: 0.3 }),
};

const mhaCases = loadAttentionFixture<MhaCase[]>("mha");

for (const c of mhaCases) {
  test(`MultiheadAttention ${c.name} (${c.dtype}) matches PyTorch`, () => {
    const make = MHA[c.name];
    assert.ok(make, `no factory for ${c.name}`);
    torch.manualSeed(0);
    let m = make();
    const named = [...m.namedParameters()];
    assert.deepEqual(named.map(([n, p]) => [n, p.shape]), c.params, "parameter names and shapes");
    if (c.init) for (const [n, p] of named) assertClose(p, c.init[n], `init ${n}`, { atol: 0, rtol: 0 });
    assert.equal(m.toString(), c.repr);
    if (c.dtype === "float64") m = m.double();
    const [q, k, v] = c.inputs.map((d) => (d ? fromDump(d).requiresGrad_() : null));
    const key = k ?? q!;
    const value = v ?? key;
    const masks = Object.fromEntries(Object.entries(c.masks).map(([name, d]) => [name, fromDump(d)]));
    if (c.name.startsWith("train dropout")) torch.manualSeed(5);
    const [out, w] = m.forward(q!, key, value, {
      keyPaddingMask: masks.key_padding_mask,
      attnMask: masks.attn_mask,
      needWeights: c.needWeights,
      averageAttnWeights: c.average,
    });
    assertClose(out, c.output, "output");
    assert.equal(out.gradFn?.name, c.gradFn, "grad_fn");
    assertClose(w, c.weights, "weights");
    out.mul(fromDump(c.upstream)).sum().backward();
    [q, k, v].forEach((t, i) => {
      if (c.inputGrads[i]) assertClose(t!.grad, c.inputGrads[i], `input grad ${i}`);
    });
    if (c.paramGrads) for (const [n, p] of m.namedParameters()) assertClose(p.grad, c.paramGrads[n], `grad ${n}`);
  });
}

test("MultiheadAttention's functional form: finite differences through every option", () => {
  torch.manualSeed(11);
  const f64 = { dtype: torch.float64 };
  const r = (...s: number[]) => torch.randn(s, f64).mul(0.7).requiresGrad_();
  const E = 4;
  const H = 2;
  const kpm = torch.tensor([[false, false, true], [false, true, false]]);
  const attn = torch.tensor([[false, true, false], [false, false, false]]);
  const run = (q: Tensor, k: Tensor, v: Tensor, w: Tensor, b: Tensor, bk: Tensor, bv: Tensor, ow: Tensor, ob: Tensor) =>
    F.multiHeadAttentionForward(q, k, v, E, H, w, b, bk, bv, true, 0, ow, ob, { keyPaddingMask: kpm, attnMask: attn, averageAttnWeights: false });
  const inputs = [r(2, 2, E), r(3, 2, E), r(3, 2, E), r(3 * E, E), r(3 * E), r(1, 1, E), r(1, 1, E), r(E, E), r(E)];
  gradcheck((...t) => run(...(t as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]))[0], inputs, { name: "mha output" });
  gradcheck((...t) => run(...(t as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]))[1]!, inputs, { name: "mha weights" });
  // separate projections with kdim / vdim, float masks
  const sep = (q: Tensor, k: Tensor, v: Tensor, wq: Tensor, wk: Tensor, wv: Tensor, am: Tensor) =>
    F.multiHeadAttentionForward(q, k, v, E, H, null, null, null, null, false, 0, torch.eye(E, f64), null, {
      useSeparateProjWeight: true, qProjWeight: wq, kProjWeight: wk, vProjWeight: wv, attnMask: am,
    })[0];
  gradcheck(sep, [r(2, 1, E), r(3, 1, 5), r(3, 1, 2), r(E, E), r(E, 5), r(E, 2), r(2, 3)], { name: "mha separate" });
});

test("scaledDotProductAttention: finite differences with a float mask and causal", () => {
  torch.manualSeed(12);
  const f64 = { dtype: torch.float64 };
  const r = (...s: number[]) => torch.randn(s, f64).requiresGrad_();
  gradcheck((q, k, v, m) => F.scaledDotProductAttention(q, k, v, { attnMask: m }), [r(2, 3, 4), r(2, 5, 4), r(2, 5, 2), r(3, 5)], { name: "sdpa float mask" });
  gradcheck((q, k, v) => F.scaledDotProductAttention(q, k, v, { isCausal: true, scale: 0.4 }), [r(1, 2, 3, 2), r(1, 2, 3, 2), r(1, 2, 3, 2)], { name: "sdpa causal" });
  // a non-contiguous (transposed) query gives the same values
  const q = torch.randn(2, 4, 3);
  const k = torch.randn(2, 5, 3);
  const v = torch.randn(2, 5, 3);
  const qt = q.transpose(0, 1).contiguous().transpose(0, 1);
  assert.ok(!qt.isContiguous());
  assert.ok(F.scaledDotProductAttention(qt, k, v).allclose(F.scaledDotProductAttention(q, k, v), { rtol: 0, atol: 0 }));
});

test("MultiheadAttention errors as PyTorch's", () => {
  const errs = loadAttentionFixture<Record<string, string>>("errors");
  assert.throws(() => new nn.MultiheadAttention(10, 3), { message: errs["embed not divisible"] });
  const m = new nn.MultiheadAttention(8, 2);
  const x = torch.randn(3, 2, 8);
  assert.throws(() => m.forward(x, x, x, { attnMask: torch.zeros([3, 4], { dtype: torch.bool }) }), { message: errs["2d mask shape"] });
  assert.throws(() => m.forward(x, x, x, { attnMask: torch.zeros([2, 3, 3], { dtype: torch.bool }) }), { message: errs["3d mask shape"] });
  assert.throws(() => m.forward(x, x, x, { attnMask: torch.zeros([3, 3], { dtype: torch.int64 }) }), { message: errs["mask int dtype"] });
  assert.throws(() => m.forward(x, x, x, { keyPaddingMask: torch.zeros([2, 4], { dtype: torch.bool }) }), { message: errs["kpm shape"] });
  assert.throws(() => m.forward(torch.zeros(1, 3, 2, 8), x, x), { message: errs["query 4d"] });
  assert.throws(() => m.forward(x, x, x, { attnMask: torch.zeros([3, 3], { dtype: torch.float64 }) }), /Expected attn_mask dtype to be bool or float or to match query dtype/);
  const y = torch.randn(4, 3, 8);
  assert.throws(() => m.forward(x, y, y), /must have the same batch size, but got query \[3, 2, 8\], key \[4, 3, 8\] and value \[4, 3, 8\]/);
  assert.throws(() => m.forward(x, torch.randn(4, 2, 8), torch.randn(5, 2, 8)), /key shape torch.Size\(\[4, 2, 8\]\) does not match value shape torch.Size\(\[5, 2, 8\]\)/);
});

test("MultiheadAttention in eval mode keeps padded query positions (PyTorch 2.x semantics, not 1.13's fast path)", () => {
  torch.manualSeed(0);
  const m = new nn.MultiheadAttention(8, 2, { batchFirst: true }).eval();
  const x = torch.randn(2, 4, 8);
  const kpm = torch.tensor([[false, false, false, true], [false, false, true, true]]);
  const [evalOut] = torch.noGrad(() => m.forward(x, x, x, { keyPaddingMask: kpm, needWeights: false }));
  m.train();
  const [trainOut] = m.forward(x, x, x, { keyPaddingMask: kpm, needWeights: false });
  // dropout is 0, so train and eval agree everywhere, padded rows included (no zeros there)
  assert.ok(evalOut.allclose(trainOut.detach(), { rtol: 0, atol: 0 }));
  assert.ok(evalOut.select(1, 3).select(0, 1).abs().sum().item() > 0);
});
