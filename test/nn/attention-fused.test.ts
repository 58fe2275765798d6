// F.scaledDotProductAttention's fused path (ops/attention.ts over the backend's attention
// primitive): which calls take it, its values and gradients against the PyTorch reference
// fixtures (test/fixtures/attention/sdpa.json, and sdpa-blocks.json at sizes crossing the
// kernels' blocks) and against the composed math path (matmul,
// softmax, matmul) for every kind of mask, L != S, head dims 8, 64 and odd, float32 and float64;
// finite differences in float64 (second derivatives too); MultiheadAttention's use of it; and
// errors. Sizes cross the
// kernels' 64-key blocks. Run with KINDLING_NO_NATIVE=1 as well for the TypeScript kernel (the
// native one against the TypeScript one directly: test/backend/native/attention.test.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { F, nn } from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { gradcheck, gradgradcheck } from "../helpers/gradcheck.js";
import { assertClose, fromDump, loadAttentionFixture, type SdpaCase, tolOf } from "./attention-fixture.js";

const FUSED = "ScaledDotProductFlashAttentionForCpuBackward0";

const sdpa = loadAttentionFixture<{ cases: SdpaCase[] }>("sdpa");

/** The composed math path written out: softmax(q k^T * scale + mask) v. */
function composed(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, isCausal: boolean, scale: number): Tensor {
  let s = q.matmul(k.transpose(-2, -1)).mul(scale);
  const [L, S] = [q.shape[q.dim() - 2], k.shape[k.dim() - 2]];
  let m = mask;
  if (isCausal) m = torch.ones([L, S], { dtype: torch.bool }).tril();
  if (m && m.dtype === torch.bool) m = torch.zeros(m.shape.slice(), { dtype: q.dtype }).maskedFill(m.logicalNot(), Number.NEGATIVE_INFINITY);
  if (m) s = s.add(m);
  return torch.softmax(s, -1).matmul(v);
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  return a.detach().sub(b.detach()).abs().max().item() as number;
}

/** float64: the two paths differ by summation order only; float32 by a few ulps of values near 1. */
function bound(dtype: torch.DType): number {
  return dtype === torch.float64 ? 1e-12 : 2e-5;
}

for (const c of sdpa.cases) {
  test(`fused SDPA ${c.name} matches the PyTorch reference (float64 values and q/k/v grads, float32 values)`, () => {
    const [q, k, v] = [c.q, c.k, c.v].map((d) => fromDump(d).requiresGrad_());
    // A float mask without a gradient of its own, so the fused path takes it.
    const mask = c.mask ? fromDump(c.mask) : null;
    const opts = { attnMask: mask, isCausal: c.isCausal, scale: c.scale };
    const out = F.scaledDotProductAttention(q, k, v, opts);
    assert.equal(out.gradFn?.name, FUSED);
    assertClose(out, c.output, `${c.name} output`);
    out.mul(fromDump(c.upstream)).sum().backward();
    for (const [i, leaf] of [q, k, v].entries()) assertClose(leaf.grad, c.grads[i], `${c.name} grad ${i}`);
    const m32 = mask?.dtype.isFloatingPoint ? mask.float() : mask;
    const [q32, k32, v32] = [c.q, c.k, c.v].map((d) => fromDump(d).float().requiresGrad_());
    const out32 = F.scaledDotProductAttention(q32, k32, v32, { ...opts, attnMask: m32 });
    assert.equal(out32.gradFn?.name, FUSED);
    assertClose(out32, c.output32, `${c.name} float32 output`);
  });
}

interface BlockCase {
  name: string;
  dtype: "float32" | "float64";
  seed: number;
  qShape: number[];
  S: number;
  Ev: number;
  mask: "bool" | "float" | null;
  maskShape: number[] | null;
  isCausal: boolean;
  scale: number | null;
  inputSums: number[];
  step: number;
  output: { shape: number[]; values: number[] };
  grads: Array<{ shape: number[]; values: number[] }>;
}

/** Every `step`-th element of got against the fixture's, at the fixture tolerances for dtype. */
function assertSampled(got: Tensor, want: { shape: number[]; values: number[] }, step: number, dtype: string, what: string): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const g = got.detach().contiguous().reshape(-1);
  const idx = torch.arange(0, g.numel(), step, { dtype: torch.int64 });
  const picked = Array.from(g.indexSelect(0, idx).double().values() as ArrayLike<number>);
  assert.equal(picked.length, want.values.length, `${what}: sample count`);
  const { atol, rtol } = tolOf(dtype);
  for (let i = 0; i < picked.length; i++) {
    const bound = atol + rtol * Math.abs(want.values[i]);
    if (!(Math.abs(picked[i] - want.values[i]) <= bound)) assert.fail(`${what}[${i * step}]: expected ${want.values[i]}, got ${picked[i]} (allowed ±${bound.toExponential(2)})`);
  }
}

// Sizes that cross the kernels' 128-row and 128-key blocks, against PyTorch 1.13
// (scripts/fixtures/attention_blocks.py); the inputs are drawn here with PyTorch's generator.
for (const c of loadAttentionFixture<BlockCase[]>("sdpa-blocks")) {
  test(`fused SDPA across blocks: ${c.name} matches PyTorch`, () => {
    const dtype = c.dtype === "float64" ? torch.float64 : torch.float32;
    torch.manualSeed(c.seed);
    const lead = c.qShape.slice(0, -2);
    const [L, E] = c.qShape.slice(-2);
    const q = torch.randn(c.qShape, { dtype }).requiresGrad_();
    const k = torch.randn([...lead, c.S, E], { dtype }).requiresGrad_();
    const v = torch.randn([...lead, c.S, c.Ev], { dtype }).requiresGrad_();
    let mask: Tensor | null = null;
    if (c.mask === "bool") mask = torch.rand(c.maskShape!).gt(0.2);
    else if (c.mask === "float") mask = torch.randn(c.maskShape!, { dtype });
    const up = torch.randn([...lead, L, c.Ev], { dtype });
    // the same draws as PyTorch's, or nothing below means anything (sums to rounding: the order
    // of additions may differ)
    for (const [i, t] of [q, k, v, up].entries()) {
      const got = t.detach().double().sum().item() as number;
      assert.ok(Math.abs(got - c.inputSums[i]) <= 1e-12 * (1 + Math.abs(c.inputSums[i])), `input ${i} sum: ${got} vs ${c.inputSums[i]}`);
    }
    const out = F.scaledDotProductAttention(q, k, v, { attnMask: mask, isCausal: c.isCausal, scale: c.scale });
    assert.equal(out.gradFn?.name, FUSED);
    assertSampled(out, c.output, c.step, c.dtype, "output");
    out.mul(up).sum().backward();
    for (const [i, t] of [q, k, v].entries()) assertSampled(t.grad!, c.grads[i], c.step, c.dtype, `grad ${i}`);
  });
}

test("the fused path is taken without dropout; dropout and a mask needing a gradient keep the composed one", () => {
  torch.manualSeed(1);
  const q = torch.randn([2, 3, 5, 4]).requiresGrad_();
  const k = torch.randn([2, 3, 6, 4]);
  const v = torch.randn([2, 3, 6, 4]);
  assert.equal(F.scaledDotProductAttention(q, k, v).gradFn?.name, FUSED);
  assert.equal(F.scaledDotProductAttention(q, k, v, { isCausal: true }).gradFn?.name, FUSED);
  assert.equal(F.scaledDotProductAttention(q, k, v, { attnMask: torch.rand([6]).gt(0.3) }).gradFn?.name, FUSED);
  assert.notEqual(F.scaledDotProductAttention(q, k, v, { dropoutP: 0.2 }).gradFn?.name, FUSED);
  assert.notEqual(F.scaledDotProductAttention(q, k, v, { attnMask: torch.randn([5, 6]).requiresGrad_() }).gradFn?.name, FUSED);
  // q, k and v with different leading dims broadcast on the composed path only
  assert.notEqual(F.scaledDotProductAttention(q, k.select(0, 0), v.select(0, 0)).gradFn?.name, FUSED);
  assert.ok(F.scaledDotProductAttention(q, k.select(0, 0), v.select(0, 0)).allclose(composed(q, k.select(0, 0), v.select(0, 0), null, false, 0.5), { rtol: 1e-5, atol: 1e-6 }));
});

interface Grid {
  name: string;
  qShape: number[];
  S: number;
  Ev: number;
  mask?: (B: number, H: number, L: number, S: number) => Tensor;
  isCausal?: boolean;
  scale?: number;
}

const GRID: Grid[] = [
  { name: "no mask, head dim 64, L = S = 130", qShape: [2, 2, 130, 64], S: 130, Ev: 64 },
  { name: "no mask, head dim 8, L < S", qShape: [2, 3, 40, 8], S: 150, Ev: 8 },
  { name: "causal, odd head dim 7, L > S", qShape: [2, 2, 140, 7], S: 75, Ev: 5, isCausal: true },
  { name: "causal square, 3-D", qShape: [3, 129, 16], S: 129, Ev: 16, isCausal: true },
  { name: "bool [L, S]", qShape: [2, 2, 70, 8], S: 90, Ev: 8, mask: (_b, _h, L, S) => torch.rand([L, S]).gt(0.3) },
  { name: "float [L, S], scale 0.7", qShape: [2, 2, 70, 8], S: 90, Ev: 6, scale: 0.7, mask: (_b, _h, L, S) => torch.randn([L, S]) },
  { name: "bool broadcast over heads [B, 1, L, S]", qShape: [2, 3, 66, 9], S: 80, Ev: 9, mask: (B, _h, L, S) => torch.rand([B, 1, L, S]).gt(0.2) },
  { name: "float broadcast over batch [1, H, L, S]", qShape: [2, 3, 66, 9], S: 80, Ev: 9, mask: (_b, H, L, S) => torch.randn([1, H, L, S]) },
  { name: "key padding [B, 1, 1, S]", qShape: [2, 2, 65, 8], S: 100, Ev: 8, mask: (B, _h, _l, S) => torch.arange(S).lt(torch.tensor([[70], [100]])).view(B, 1, 1, S) },
  { name: "float per key [S], negative scale", qShape: [1, 2, 50, 12], S: 77, Ev: 4, scale: -0.2, mask: (_b, _h, _l, S) => torch.randn([S]) },
];

for (const dtype of [torch.float64, torch.float32]) {
  for (const g of GRID) {
    test(`fused SDPA against the composed path: ${g.name} (${dtype.name})`, () => {
      torch.manualSeed(7);
      const lead = g.qShape.slice(0, -2);
      const L = g.qShape[g.qShape.length - 2];
      const E = g.qShape[g.qShape.length - 1];
      const q = torch.randn(g.qShape, { dtype }).requiresGrad_();
      const k = torch.randn([...lead, g.S, E], { dtype }).requiresGrad_();
      const v = torch.randn([...lead, g.S, g.Ev], { dtype }).requiresGrad_();
      const [B, H] = lead.length === 2 ? lead : [lead[0], 1];
      let mask = g.mask ? g.mask(B, H, L, g.S) : null;
      if (mask?.dtype.isFloatingPoint) mask = mask.to(dtype);
      const scale = g.scale ?? 1 / Math.sqrt(E);
      const out = F.scaledDotProductAttention(q, k, v, { attnMask: mask, isCausal: g.isCausal, scale: g.scale });
      assert.equal(out.gradFn?.name, FUSED);
      const [qr, kr, vr] = [q, k, v].map((t) => t.detach().requiresGrad_());
      const ref = composed(qr, kr, vr, mask, g.isCausal ?? false, scale);
      assert.ok(maxAbsDiff(out, ref) <= bound(dtype), `output differs by ${maxAbsDiff(out, ref)}`);
      const up = torch.randn(out.shape.slice(), { dtype });
      out.mul(up).sum().backward();
      ref.mul(up).sum().backward();
      for (const [name, a, b] of [["q", q, qr], ["k", k, kr], ["v", v, vr]] as const) {
        const d = maxAbsDiff(a.grad!, b.grad!);
        assert.ok(d <= 4 * bound(dtype), `grad ${name} differs by ${d}`);
      }
    });
  }
}

test("fused SDPA: finite differences in float64 (small, TypeScript-sized, and native-sized problems)", () => {
  torch.manualSeed(12);
  const f64 = { dtype: torch.float64 };
  const r = (...s: number[]) => torch.randn(s, f64).requiresGrad_();
  const fused = (opts: F.ScaledDotProductAttentionOptions) => (q: Tensor, k: Tensor, v: Tensor) => {
    const out = F.scaledDotProductAttention(q, k, v, opts);
    assert.equal(out.gradFn?.name, FUSED);
    return out;
  };
  gradcheck(fused({}), [r(2, 3, 4), r(2, 5, 4), r(2, 5, 3)], { name: "fused plain" });
  gradcheck(fused({ isCausal: true, scale: 0.4 }), [r(1, 2, 4, 3), r(1, 2, 3, 3), r(1, 2, 3, 2)], { name: "fused causal L > S" });
  gradcheck(fused({ attnMask: torch.tensor([[true, false, true, true, false], [false, true, true, true, true], [true, true, false, false, true]]) }), [r(2, 3, 4), r(2, 5, 4), r(2, 5, 2)], {
    name: "fused bool mask",
  });
  // N * L * S * (E + Ev) above the addon's threshold: the native kernel where it is built
  gradcheck(fused({ attnMask: torch.randn([1, 9, 17], f64) }), [r(2, 9, 6), r(2, 17, 6), r(2, 17, 5)], { name: "fused float mask (native size)" });
  gradcheck(fused({ isCausal: true }), [r(2, 9, 6), r(2, 17, 6), r(2, 17, 5)], { name: "fused causal (native size)" });
});

test("fused SDPA: non-contiguous inputs, a fully masked row and in-place changes", () => {
  torch.manualSeed(3);
  const q = torch.randn(2, 4, 3);
  const k = torch.randn(2, 5, 3);
  const v = torch.randn(2, 5, 3);
  const qt = q.transpose(0, 1).contiguous().transpose(0, 1);
  assert.ok(!qt.isContiguous());
  assert.ok(F.scaledDotProductAttention(qt, k, v).allclose(F.scaledDotProductAttention(q, k, v), { rtol: 0, atol: 0 }));

  // a row with every key masked is NaN, as the composed softmax over all -inf gives
  const mask = torch.ones([4, 5], { dtype: torch.bool });
  mask.select(0, 2).fill_(false);
  const out = F.scaledDotProductAttention(q, k, v, { attnMask: mask });
  const ref = composed(q, k, v, mask, false, 1 / Math.sqrt(3));
  assert.ok(out.select(1, 2).isnan().all().item());
  assert.ok(ref.select(1, 2).isnan().all().item());
  assert.ok(out.select(1, 0).allclose(ref.select(1, 0), { rtol: 1e-5, atol: 1e-6 }));

  const qg = torch.randn(2, 4, 3).requiresGrad_();
  const kk = torch.randn(2, 5, 3).requiresGrad_();
  const o = F.scaledDotProductAttention(qg, kk, v);
  kk.detach().mul_(2);
  assert.throws(() => o.sum().backward(), /modified by an inplace operation/);

  const o2 = F.scaledDotProductAttention(qg, k, v);
  const [gq] = torch.autograd.grad(o2.sum(), [qg], { createGraph: false });
  assert.deepEqual(gq?.shape, [2, 4, 3]);
});

test("fused SDPA: second derivatives (a graph-building backward recomposes the gradients from ops)", () => {
  torch.manualSeed(4);
  const r = (...s: number[]) => torch.randn(s, { dtype: torch.float64 }).requiresGrad_();
  const mask = torch.randn([3, 5], { dtype: torch.float64 });
  gradgradcheck((q, k, v) => F.scaledDotProductAttention(q, k, v, { attnMask: mask }), [r(2, 3, 4), r(2, 5, 4), r(2, 5, 2)], { name: "fused gradgrad float mask" });
  gradgradcheck((q, k, v) => F.scaledDotProductAttention(q, k, v, { isCausal: true }), [r(1, 2, 4, 3), r(1, 2, 4, 3), r(1, 2, 4, 2)], { name: "fused gradgrad causal" });
  // the first derivatives of the graph-building backward are the fused kernel's
  const [q, k, v] = [r(2, 9, 6), r(2, 17, 6), r(2, 17, 5)];
  const out = F.scaledDotProductAttention(q, k, v, { isCausal: true });
  assert.equal(out.gradFn?.name, FUSED);
  const up = torch.randn([2, 9, 5], { dtype: torch.float64 });
  const withGraph = torch.autograd.grad(out, [q, k, v], { gradOutputs: up, createGraph: true, retainGraph: true });
  const plain = torch.autograd.grad(out, [q, k, v], { gradOutputs: up });
  for (let i = 0; i < 3; i++) assert.ok(maxAbsDiff(withGraph[i]!, plain[i]!) <= 1e-12);
});

test("fused SDPA errors name both shapes", () => {
  const q = torch.randn(2, 3, 4);
  assert.throws(() => F.scaledDotProductAttention(q, torch.randn(2, 5, 6), torch.randn(2, 5, 6)), /query \[2, 3, 4\], key \[2, 5, 6\]/);
  assert.throws(() => F.scaledDotProductAttention(q, torch.randn(2, 5, 4), torch.randn(2, 6, 4)), /key \[2, 5, 4\], value \[2, 6, 4\]/);
  // a mask that does not broadcast to [..., L, S] is left to the composed path, which refuses it
  assert.throws(() => F.scaledDotProductAttention(q, torch.randn(2, 5, 4), torch.randn(2, 5, 4), { attnMask: torch.zeros([3, 4]) }), /must match the size of tensor/);
});

test("MultiheadAttention without weights runs the fused kernel and agrees with its weights path", () => {
  torch.manualSeed(0);
  const m = new nn.MultiheadAttention(16, 4, { batchFirst: true });
  const x = torch.randn(2, 70, 16);
  const kpm = torch.arange(70).ge(torch.tensor([[60], [70]]));
  const causal = torch.ones([70, 70], { dtype: torch.bool }).triu(1);
  const [fused] = m.forward(x, x, x, { keyPaddingMask: kpm, attnMask: causal, needWeights: false });
  const [withWeights] = m.forward(x, x, x, { keyPaddingMask: kpm, attnMask: causal, needWeights: true });
  const d = maxAbsDiff(fused, withWeights);
  assert.ok(d <= 2e-6, `differs by ${d}`);
  fused.sum().backward();
  const g1 = m.in_proj_weight.grad!.clone();
  m.zeroGrad();
  withWeights.sum().backward();
  // summed over 140 positions, the weight gradient is large: a float32 bound relative to it
  const dg = maxAbsDiff(g1, m.in_proj_weight.grad!);
  const scale = m.in_proj_weight.grad!.abs().max().item() as number;
  assert.ok(dg <= 2e-6 * scale, `grads differ by ${dg} (largest ${scale})`);
});
