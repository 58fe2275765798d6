// Scaled dot-product attention on its own (issue 15): F.scaledDotProductAttention forward and
// backward on [batch, heads, L, head dim] float32, no mask, no dropout, which runs the fused
// (flash-style) kernel. PyTorch 1.13 has no SDPA: its row is softmax(q k^T * scale) v written out.
import * as torch from "kindling";
import { F } from "kindling";
import type { Step } from "../harness.js";
import { ATTENTION } from "../spec.js";

export function prepare(): Step {
  torch.manualSeed(0);
  const { batch, heads, seq, headDim } = ATTENTION;
  const [q, k, v] = [0, 1, 2].map(() => torch.randn(batch, heads, seq, headDim).requiresGrad_());
  return () => {
    q.grad = null;
    k.grad = null;
    v.grad = null;
    const out = F.scaledDotProductAttention(q, k, v);
    out.sum().backward();
    return out;
  };
}
