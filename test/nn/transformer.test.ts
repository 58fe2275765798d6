// The Transformer modules against PyTorch 1.13 (test/fixtures/attention/transformer.json): encoder
// and decoder layers (relu, gelu, an activation module, normFirst, batchFirst, layerNormEps,
// masks), the stacks (deep copies, optional norm) and nn.Transformer (xavier reset): init after
// manualSeed(0), reprs, parameter names, outputs and gradients in float64 and float32, dropout
// draws in train mode; the generator state after building a Transformer; errors.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { F, nn } from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { gradcheck } from "../helpers/gradcheck.js";
import { assertClose, fromDump, loadAttentionFixture, type TDump } from "./attention-fixture.js";
import type { TransformerLayerOptions } from "../../src/nn/modules/transformer.js";

interface TrCase {
  name: string;
  dtype: string;
  kind: "enc" | "dec" | "tr";
  init: Record<string, TDump> | null;
  repr: string;
  layerRepr?: string | null;
  params: Array<[string, number[]]>;
  src: TDump;
  tgt: TDump;
  masks: Record<string, TDump>;
  output: TDump;
  upstream: TDump;
  inputGrads: TDump[];
  paramGrads: Record<string, TDump | null> | null;
}

const encLayer = (o: TransformerLayerOptions = {}) =>
  new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 12, ...o });
const decLayer = (o: TransformerLayerOptions = {}) => new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 12, ...o });

const FACTORIES: Record<string, () => nn.Module> = {
  "encoder layer": () => encLayer({ dropout: 0 }),
  "encoder layer gelu norm_first batch_first": () => encLayer({ dropout: 0, activation: "gelu", normFirst: true, batchFirst: true }),
  "encoder layer activation module eps": () => encLayer({ dropout: 0, activation: new nn.GELU({ approximate: "tanh" }), layerNormEps: 1e-3 }),
  "encoder layer masks eval": () => encLayer({ dropout: 0.2 }).eval(),
  "encoder layer train dropout": () => encLayer({ dropout: 0.25 }),
  "decoder layer": () => decLayer({ dropout: 0 }),
  "decoder layer norm_first gelu batch_first": () => decLayer({ dropout: 0, normFirst: true, activation: "gelu", batchFirst: true }),
  "decoder layer train dropout": () => decLayer({ dropout: 0.2 }),
  "encoder 2 layers norm": () => new nn.TransformerEncoder(encLayer({ dropout: 0 }), 2, { norm: new nn.LayerNorm(8) }),
  "encoder 2 layers batch_first eval": () => new nn.TransformerEncoder(encLayer({ dropout: 0.1, batchFirst: true }), 2).eval(),
  "decoder 2 layers norm": () => new nn.TransformerDecoder(decLayer({ dropout: 0 }), 2, { norm: new nn.LayerNorm(8) }),
  transformer: () => new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 12, dropout: 0 }),
  "transformer batch_first norm_first gelu": () =>
    new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 2, dimFeedforward: 12, dropout: 0, batchFirst: true, normFirst: true, activation: "gelu" }),
};

const cases = loadAttentionFixture<TrCase[]>("transformer");

function run(m: nn.Module, c: TrCase, src: Tensor, tgt: Tensor, masks: Record<string, Tensor>): Tensor {
  if (c.kind === "enc") {
    if (m instanceof nn.TransformerEncoder) return m.forward(src, { mask: masks.mask, srcKeyPaddingMask: masks.src_key_padding_mask });
    return m.forward(src, { srcMask: masks.src_mask, srcKeyPaddingMask: masks.src_key_padding_mask });
  }
  const opts = { tgtMask: masks.tgt_mask, memoryMask: masks.memory_mask, tgtKeyPaddingMask: masks.tgt_key_padding_mask, memoryKeyPaddingMask: masks.memory_key_padding_mask };
  if (c.kind === "dec") return m.forward(tgt, src, opts);
  return m.forward(src, tgt, { ...opts, srcMask: masks.src_mask, srcKeyPaddingMask: masks.src_key_padding_mask });
}

for (const c of cases) {
  test(`${c.name} (${c.dtype}) matches PyTorch`, () => {
    const make = FACTORIES[c.name];
    assert.ok(make, `no factory for ${c.name}`);
    torch.manualSeed(0);
    let m = make();
    const named = [...m.namedParameters()];
    assert.deepEqual(named.map(([n, p]) => [n, p.shape]), c.params, "parameter names and shapes");
    if (c.init) for (const [n, p] of named) assertClose(p, c.init[n], `init ${n}`, { atol: 0, rtol: 0 });
    assert.equal(m.toString(), c.repr);
    if (c.dtype === "float64") m = m.double();
    const src = fromDump(c.src).requiresGrad_();
    const tgt = fromDump(c.tgt).requiresGrad_();
    const masks = Object.fromEntries(Object.entries(c.masks).map(([name, d]) => [name, fromDump(d)]));
    if (c.name.includes("train dropout")) torch.manualSeed(5);
    const out = run(m, c, src, tgt, masks);
    const tol = c.dtype === "float64" ? { atol: 1e-10, rtol: 1e-8 } : { atol: 2e-5, rtol: 2e-4 };
    assertClose(out, c.output, "output", tol);
    out.mul(fromDump(c.upstream)).sum().backward();
    const ins = c.kind === "dec" ? [tgt, src] : [src, tgt];
    for (const [i, g] of c.inputGrads.entries()) assertClose(ins[i].grad, g, `input grad ${i}`, tol);
    if (c.paramGrads) for (const [n, p] of m.namedParameters()) assertClose(p.grad, c.paramGrads[n], `grad ${n}`, tol);
  });
}

test("stacks are deep copies: equal at the start, independent after, layers a ModuleList", () => {
  torch.manualSeed(0);
  const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 12 });
  const enc = new nn.TransformerEncoder(layer, 3);
  assert.ok(enc.layers instanceof nn.ModuleList);
  assert.equal(enc.layers.length, 3);
  const w0 = enc.layers.at(0).self_attn.in_proj_weight;
  const w2 = enc.layers.at(2).self_attn.in_proj_weight;
  assert.notEqual(w0, w2);
  assert.notEqual(w0, layer.self_attn.in_proj_weight);
  assert.ok(w0.equal(w2) && w0.equal(layer.self_attn.in_proj_weight));
  assert.ok(w0.requiresGrad && w0 instanceof nn.Parameter);
  torch.noGrad(() => w0.add_(1));
  assert.ok(!w0.equal(w2));
  assert.equal(enc.parameters().length, 3 * layer.parameters().length);
  // the copies keep the layer's training mode and dropout settings
  layer.eval();
  const enc2 = new nn.TransformerEncoder(layer, 2);
  assert.equal(enc2.layers.at(1).training, false);
  assert.equal(enc2.layers.at(1).dropout1.p, 0.1);
});

test("building a Transformer draws from the generator as PyTorch does; the square subsequent mask", () => {
  const misc = loadAttentionFixture<{ squareMask: TDump; randAfterTransformer: TDump }>("misc");
  torch.manualSeed(0);
  new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 12 });
  assertClose(torch.rand(3), misc.randAfterTransformer, "rand after", { atol: 0, rtol: 0 });
  assertClose(nn.Transformer.generateSquareSubsequentMask(4), misc.squareMask, "mask", { atol: 0, rtol: 0 });
});

test("an encoder layer: finite differences through attention, masks and both norm orders", () => {
  torch.manualSeed(4);
  for (const normFirst of [false, true]) {
    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, normFirst, activation: "gelu", dtype: torch.float64 });
    const kpm = torch.tensor([[false, false, true], [false, false, false]]);
    const mask = nn.Transformer.generateSquareSubsequentMask(3, { dtype: torch.float64 });
    const x = torch.randn([3, 2, 4], { dtype: torch.float64 }).requiresGrad_();
    gradcheck((s) => layer.forward(s, { srcMask: mask, srcKeyPaddingMask: kpm }), [x], { name: `encoder layer normFirst=${normFirst}` });
  }
  const dec = new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, dtype: torch.float64, batchFirst: true });
  const t = torch.randn([2, 3, 4], { dtype: torch.float64 }).requiresGrad_();
  const mem = torch.randn([2, 2, 4], { dtype: torch.float64 }).requiresGrad_();
  gradcheck((a, b) => dec.forward(a, b, { tgtMask: nn.Transformer.generateSquareSubsequentMask(3, { dtype: torch.float64 }) }), [t, mem], { name: "decoder layer" });
});

test("a function as the activation; errors as PyTorch's", () => {
  const errs = loadAttentionFixture<Record<string, string>>("errors");
  torch.manualSeed(0);
  const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 8, dropout: 0, activation: (x) => F.leakyRelu(x, 0.3) });
  torch.manualSeed(0);
  const ref = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 8, dropout: 0, activation: new nn.LeakyReLU(0.3) });
  const x = torch.randn(3, 2, 8);
  assert.ok(layer.forward(x).equal(ref.forward(x)));
  assert.ok(!layer.toString().includes("(activation)"));
  assert.ok(ref.toString().includes("(activation): LeakyReLU(negative_slope=0.3)"));
  assert.throws(() => new nn.TransformerEncoderLayer(8, 2, { activation: "tanh" as unknown as "relu" }), { message: errs["activation string"] });
  const tr = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8 });
  assert.throws(() => tr.forward(torch.zeros(3, 2, 8), torch.zeros(3, 3, 8)), { message: errs["transformer batch"] });
  assert.throws(() => tr.forward(torch.zeros(3, 2, 6), torch.zeros(3, 2, 8)), { message: errs["transformer d_model"] });
  assert.throws(() => new nn.TransformerEncoder(layer, 1).forward(x, { srcKeyPaddingMask: torch.zeros([2, 3], { dtype: torch.int64 }) }), /only bool and floating types of key_padding_mask are supported/);
});
