// A transformer block's forward pass without grad: Q/K/V projections, 8-head attention (scores,
// softmax, weighted values), output projection with residual, and a ReLU feed-forward with
// residual (layer norms left out: this measures the chain of matmuls).
import * as torch from "kindling";
import type { Step } from "../harness.js";
import { TRANSFORMER } from "../spec.js";

export function prepare(): Step {
  const { seq, dModel, heads, ffn } = TRANSFORMER;
  const dHead = dModel / heads;
  torch.manualSeed(0);
  const w = (i: number, o: number) => torch.randn(i, o).mul(1 / Math.sqrt(i));
  const x = torch.randn(seq, dModel);
  const [wq, wk, wv, wo] = [w(dModel, dModel), w(dModel, dModel), w(dModel, dModel), w(dModel, dModel)];
  const w1 = w(dModel, ffn);
  const w2 = w(ffn, dModel);
  const splitHeads = (t: torch.Tensor) => t.view(seq, heads, dHead).transpose(0, 1);
  return () =>
    torch.noGrad(() => {
      const q = splitHeads(x.matmul(wq));
      const k = splitHeads(x.matmul(wk));
      const v = splitHeads(x.matmul(wv));
      const p = q.matmul(k.transpose(1, 2)).mul(1 / Math.sqrt(dHead)).softmax(-1);
      const attended = p.matmul(v).transpose(0, 1).reshape(seq, dModel);
      const h = x.add(attended.matmul(wo));
      return h.add(h.matmul(w1).relu().matmul(w2));
    });
}
