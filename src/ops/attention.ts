// Fused scaled dot-product attention, forward and backward as one node: the backend's attention
// primitive (flash-attention style, src/backend/backend.ts) in place of matmul, softmax and
// matmul, so neither the [L, S] scores nor the weights are kept for the backward. Recorded under
// the name PyTorch 2.x's CPU flash kernel gives its node. F.scaledDotProductAttention decides when
// this path applies and composes the rest (dropout, a mask that needs a gradient).
import type { AttentionOptions } from "../backend/backend.js";
import { bool } from "../tensor/dtype.js";
import { contiguousStrides, numelOf } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { softmax } from "./activation.js";
import { mul, sub } from "./arithmetic.js";
import { ones, zeros } from "./creation.js";
import { maskedFill } from "./indexing.js";
import { matmul } from "./linalg.js";
import { anyNeedsGrad, isGradEnabled, record, withGradMode } from "./node.js";
import { sum } from "./reduction.js";
import { tracer } from "./trace.js";
import { tril } from "./triangular.js";
import { backendOf } from "./util.js";
import { contiguous, expand, transpose } from "./view.js";

export interface FusedAttentionOptions {
  /** Float, q's dtype, broadcastable to [..., L, S]; added to the scores and given no gradient. */
  mask: Tensor | null;
  isCausal: boolean;
  scale: number;
}

/** A raw view (no autograd) of a contiguous tensor under another shape. */
function viewRaw(t: Tensor, shape: number[]): Tensor {
  return new Tensor(t.storage, shape, contiguousStrides(shape), t.offset, t.dtype);
}

/**
 * The mask as the backend reads it, [N, L, S] with stride 0 along every dim it broadcasts: left
 * as it is when it is the same for every batch entry, else expanded to [N, Lm, Sm] (its own row
 * and column counts, 1 where it broadcasts) and copied once.
 */
function maskFor(mask: Tensor, batch: number[], L: number, S: number): Tensor {
  const N = numelOf(batch);
  const rank = batch.length + 2;
  const shape = [...new Array(Math.max(0, rank - mask.dim())).fill(1), ...mask.shape];
  const Lm = shape[rank - 2];
  const Sm = shape[rank - 1];
  let m = mask.reshape(shape);
  let sN = 0;
  if (shape.slice(0, rank - 2).some((s) => s !== 1)) {
    m = contiguous(expand(m, [...batch, Lm, Sm])).reshape([N, Lm, Sm]);
    sN = m.strides[0];
  } else {
    m = m.reshape([1, Lm, Sm]);
  }
  const strides = [sN, Lm === 1 ? 0 : m.strides[1], Sm === 1 ? 0 : m.strides[2]];
  return new Tensor(m.storage, [N, L, S], strides, m.offset, m.dtype);
}

/**
 * softmax(q k^T * scale + mask) v for q [..., L, E], k [..., S, E], v [..., S, Ev] with the same
 * leading dims, through the backend's fused kernel; null where the backend has none (the caller
 * composes it). Only q, k and v get gradients.
 */
export function fusedAttention(q: Tensor, k: Tensor, v: Tensor, opts: FusedAttentionOptions): Tensor | null {
  const b = backendOf(q);
  // An exporter tracing the model records the composed ops, which ONNX has.
  if (tracer !== null || !b.attention || !b.attentionBackward) return null;
  const batch = q.shape.slice(0, -2);
  const N = numelOf(batch);
  const [L, E] = q.shape.slice(-2);
  const S = k.shape[k.dim() - 2];
  const Ev = v.shape[v.dim() - 1];
  const raw = withGradMode(false, () => ({
    q: viewRaw(contiguous(q), [N, L, E]),
    k: viewRaw(contiguous(k), [N, S, E]),
    v: viewRaw(contiguous(v), [N, S, Ev]),
    mask: opts.mask ? maskFor(opts.mask.detach(), batch, L, S) : null,
  }));
  const kopts: AttentionOptions = { mask: raw.mask, isCausal: opts.isCausal, scale: opts.scale };
  const res = b.attention(raw.q, raw.k, raw.v, kopts);
  if (res === null) return null;
  const out = viewRaw(res.out, [...batch, L, Ev]);
  if (anyNeedsGrad([q, k, v])) {
    const bwd = b.attentionBackward.bind(b);
    record(
      "ScaledDotProductFlashAttentionForCpuBackward0",
      [q, k, v],
      out,
      (gy) => {
        if (isGradEnabled()) return composedBackward(gy, q, k, v, opts);
        const dout = viewRaw(contiguous(gy), [N, L, Ev]);
        const g = bwd(dout, raw.q, raw.k, raw.v, res.out, res.logsumexp, kopts);
        if (g === null) throw new Error("scaled_dot_product_attention: the backend's attentionBackward refused the tensors its attention took");
        return [
          q.requiresGrad ? viewRaw(g.dq, q.shape.slice()) : null,
          k.requiresGrad ? viewRaw(g.dk, k.shape.slice()) : null,
          v.requiresGrad ? viewRaw(g.dv, v.shape.slice()) : null,
        ];
      },
      // q, k and v (or the contiguous copies read above, which share their memory when no copy
      // was needed) and out are read again: changing one in place first is an error, as in PyTorch.
      [q, k, v, out],
    );
  }
  return out;
}

/**
 * The gradients again, from ops that record themselves, for a backward that builds a graph
 * (createGraph): the weights recomputed whole (P = softmax(q k^T * scale + mask)), then
 * dV = P^T dO, dS = P * (dO V^T - rowsum(dO V^T * P)), dQ = scale * dS K, dK = scale * dS^T Q.
 * PyTorch's flash kernel has no double backward; this gives one at the composed path's cost.
 */
function composedBackward(gy: Tensor, q: Tensor, k: Tensor, v: Tensor, opts: FusedAttentionOptions): Array<Tensor | null> {
  let s = mul(matmul(q, transpose(k, -2, -1)), opts.scale);
  if (opts.mask) s = s.add(opts.mask.detach());
  if (opts.isCausal) {
    const [L, S] = [q.shape[q.dim() - 2], k.shape[k.dim() - 2]];
    const keep = tril(ones([L, S], { dtype: bool, device: q.device }));
    s = s.add(maskedFill(zeros([L, S], { dtype: q.dtype, device: q.device }), keep.logicalNot(), Number.NEGATIVE_INFINITY));
  }
  const p = softmax(s, -1);
  const dp = matmul(gy, transpose(v, -2, -1));
  const ds = mul(p, sub(dp, sum(mul(dp, p), { dim: -1, keepdim: true })));
  return [
    q.requiresGrad ? mul(matmul(ds, k), opts.scale) : null,
    k.requiresGrad ? mul(matmul(transpose(ds, -2, -1), q), opts.scale) : null,
    v.requiresGrad ? matmul(transpose(p, -2, -1), gy) : null,
  ];
}
