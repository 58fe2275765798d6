// Attention building blocks and transformer models (triu/tril masks, repeat, F.scaledDotProductAttention,
// nn.MultiheadAttention, nn.TransformerEncoder) export and run in ONNX Runtime with kindling's outputs.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { nn, type Tensor } from "../../src/index.js";
import { checkExport, skip } from "./ort.js";

class Masks extends nn.Module {
  override forward(x: Tensor): Tensor {
    // x: [B, 4, 5]
    const scores = torch.triu(x, 1).add(torch.tril(x, -1).mul(2)).add(x.triu());
    return scores.repeat(1, 2, 1).add(x.select(0, 0).repeat(1, 2, 1)).flatten(1);
  }
}

test("torch.triu / tril (Trilu, a masked Where at opset 13) and repeat (Tile) match", { skip }, async () => {
  torch.manualSeed(22);
  const model = new Masks();
  for (const opsetVersion of [13, 17]) {
    await checkExport(model, (b) => [torch.randn(b, 4, 5)], { opsetVersion }, [3], [[3]]);
  }
  await checkExport(model, (b) => [torch.randn(b, 4, 5)], { dynamicAxes: { input: { 0: "batch" } } }, [3], [[1], [6]]);
});

class Attention extends nn.Module {
  self_ = new nn.MultiheadAttention(8, 2, { batchFirst: true, dropout: 0.2 });
  cross = new nn.MultiheadAttention(8, 4, { kdim: 6, vdim: 5 });
  override forward(x: Tensor, memKeys: Tensor, memValues: Tensor, padding: Tensor): Tensor[] {
    // x [B, L, 8], memKeys [S, B, 6], memValues [S, B, 5], padding [B, L] bool (true = ignore)
    const L = x.shape[1];
    const causal = torch.triu(torch.full([L, L], Number.NEGATIVE_INFINITY), 1); // float mask, added
    const [a, w] = this.self_.call(x, x, x, { keyPaddingMask: padding, attnMask: causal }) as [Tensor, Tensor]; // [B, L, 8], [B, L, L]
    const q = a.transpose(0, 1); // [L, B, 8]
    const [c, wc] = this.cross.call(q, memKeys, memValues, { averageAttnWeights: false }) as [Tensor, Tensor]; // [L, B, 8], [B, 4, L, S]
    return [c, w, wc];
  }
}

/** Key padding: row i keeps its first 1 + (i mod len) positions, so no row is fully masked. */
function paddingMask(b: number, len: number): Tensor {
  const rows = Array.from({ length: b }, (_, i) => Array.from({ length: len }, (_, j) => j > i % len));
  return torch.tensor(rows, { dtype: torch.bool });
}

test("nn.MultiheadAttention (batch-first self-attention with padding and causal masks, cross-attention with kdim/vdim) and its weights match", { skip }, async () => {
  torch.manualSeed(60);
  const model = new Attention();
  const axes = { dynamicAxes: { input_0: { 0: "batch", 1: "len" }, input_1: { 0: "src", 1: "batch" }, input_2: { 0: "src", 1: "batch" }, input_3: { 0: "batch", 1: "len" } } };
  const inputs = (b: number, l: number, s: number) => [torch.randn(b, l, 8), torch.randn(s, b, 6), torch.randn(s, b, 5), paddingMask(b, l)];
  await checkExport(model, inputs, axes, [3, 5, 4], [[1, 5, 4], [4, 3, 7], [2, 8, 2]]);
});

class Sdpa extends nn.Module {
  override forward(q: Tensor, k: Tensor, v: Tensor, allowed: Tensor): Tensor {
    // q [B, H, L, E], k/v [B, H, L, E], allowed [L, L] bool (true = may attend)
    const causal = nn.functional.scaledDotProductAttention(q, k, v, { isCausal: true });
    const masked = nn.functional.scaledDotProductAttention(q, k, v, { attnMask: allowed, scale: 0.3 });
    return causal.add(masked);
  }
}

test("F.scaledDotProductAttention (causal, bool mask, custom scale) matches with a dynamic sequence length", { skip }, async () => {
  torch.manualSeed(61);
  const model = new Sdpa();
  const axes = { dynamicAxes: { input_0: { 0: "batch", 2: "len" }, input_1: { 0: "batch", 2: "len" }, input_2: { 0: "batch", 2: "len" }, input_3: { 0: "len", 1: "len" } } };
  const inputs = (b: number, l: number) => [torch.randn(b, 2, l, 4), torch.randn(b, 2, l, 4), torch.randn(b, 2, l, 4), torch.ones([l, l], { dtype: torch.bool }).tril().logicalOr(torch.rand(l, l).gt(0.5))];
  // Opset 13 has no Trilu: the causal mask is built from Range over the dynamic length instead.
  for (const opsetVersion of [13, 17]) await checkExport(model, inputs, { ...axes, opsetVersion }, [2, 5], [[1, 5], [3, 9]]);
  // Static sizes take a constant causal mask.
  await checkExport(model, inputs, {}, [2, 5], [[2, 5]]);
});

class TextEncoder extends nn.Module {
  emb = new nn.Embedding(30, 16, { paddingIdx: 0 });
  encoder = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 32, batchFirst: true }), 2);
  head = new nn.Linear(16, 3);
  override forward(tokens: Tensor): Tensor {
    // tokens [B, T] int64, 0 = padding
    const padding = tokens.eq(0);
    const h = this.encoder.call(this.emb.call(tokens), { srcKeyPaddingMask: padding }); // [B, T, 16]
    const keep = padding.logicalNot().unsqueeze(-1).to(torch.float32);
    const pooled = h.mul(keep).sum(1).div(keep.sum(1)); // mean over the real tokens
    return this.head.call(pooled);
  }
}

/** Tokens 1..29 with row i padded (0) after its first 1 + (i mod t) positions. */
function paddedTokens(b: number, t: number): Tensor {
  return torch.randint(1, 30, [b, t]).maskedFill(paddingMask(b, t), 0);
}

test("a 2-layer TransformerEncoder text classifier with a src key padding mask matches, batch and length dynamic", { skip }, async () => {
  torch.manualSeed(62);
  const model = new TextEncoder();
  const bytes = await checkExport(model, (b, t) => [paddedTokens(b, t)], { dynamicAxes: { input: { 0: "batch", 1: "time" } } }, [3, 6], [[1, 6], [4, 3], [6, 10]]);
  assert.ok(bytes.length > 0);
});

class CausalEncoder extends nn.Module {
  encoder = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, activation: "gelu", normFirst: true }), 2, { norm: new nn.LayerNorm(8) });
  override forward(x: Tensor): Tensor {
    // x [T, B, 8] (sequence first); the causal mask follows T
    return this.encoder.call(x, { mask: nn.Transformer.generateSquareSubsequentMask(x.shape[0]) });
  }
}

test("a pre-norm GELU TransformerEncoder with a causal mask made inside forward matches at several lengths, opsets 13 to 18", { skip }, async () => {
  torch.manualSeed(63);
  const model = new CausalEncoder();
  for (const opsetVersion of [13, 17, 18]) {
    await checkExport(model, (b, t) => [torch.randn(t, b, 8)], { dynamicAxes: { input: { 0: "time", 1: "batch" } }, opsetVersion }, [2, 5], [[1, 5], [3, 2], [2, 9]]);
  }
});
