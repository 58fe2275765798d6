// Attention: F.scaledDotProductAttention (PyTorch 2.x's semantics and math path) and
// F.multiHeadAttentionForward (PyTorch's multi_head_attention_forward, which nn.MultiheadAttention
// runs). Scores for all heads come from one batched matrix product ([B*H, L, E] @ [B*H, E, S]).
import { softmax } from "../../ops/activation.js";
import { fusedAttention } from "../../ops/attention.js";
import { baddbmm } from "../../ops/baddbmm.js";
import { ones, zeros } from "../../ops/creation.js";
import { bmm, linear as linearOp, matmul } from "../../ops/linalg.js";
import { isGradEnabled } from "../../ops/node.js";
import { dropoutMask } from "../../ops/random.js";
import { tracer } from "../../ops/trace.js";
import { cat } from "../../ops/view.js";
import { bool, type DType, uint8 } from "../../tensor/dtype.js";
import { formatShape } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";

const SCALAR_NAME: Record<string, string> = { float32: "float", float64: "double", int32: "int", int64: "long", uint8: "unsigned char", bool: "bool" };

/** Python's repr of a torch.Size / tuple, as PyTorch's messages print shapes. */
function pySize(shape: readonly number[]): string {
  return `torch.Size([${shape.join(", ")}])`;
}
function pyTuple(shape: readonly number[]): string {
  return `(${shape.join(", ")}${shape.length === 1 ? "," : ""})`;
}

/** y = x W^T + b, by F.linear's route (addmm for 2-D and contiguous 3-D input, matmul then add otherwise). */
function linear(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  if (x.dim() === 2) return linearOp(x, w, b);
  if (x.dim() === 3 && b && x.isContiguous()) {
    const [p, q, k] = x.shape;
    return linearOp(x.view(p * q, k), w, b).view(p, q, w.shape[0]);
  }
  const out = x.matmul(w.t());
  return b ? out.add(b) : out;
}

/** Dropout as F.dropout draws it (a Bernoulli(1 - p) mask scaled by 1 / (1 - p)). */
function dropout(x: Tensor, p: number): Tensor {
  if (p <= 0) return x;
  if (p >= 1) return x.mul(0);
  return x.mul(dropoutMask(x, p));
}

/** A bool mask as a float one (true -> -inf, false -> 0) in dtype; float masks pass through. */
function boolToFloatMask(mask: Tensor, dtype: DType): Tensor {
  return zeros(mask.shape.slice(), { dtype, device: mask.device }).maskedFill(mask, Number.NEGATIVE_INFINITY);
}

/** A bool mask with true = may attend (PyTorch 2.x's SDPA) as an additive one: where(mask, 0, -inf). */
function attendMask(mask: Tensor, dtype: DType): Tensor {
  return zeros(mask.shape.slice(), { dtype, device: mask.device }).maskedFill(mask.logicalNot(), Number.NEGATIVE_INFINITY);
}

/**
 * Whether the fused kernel (ops/attention.ts) can stand in for the composed math path: q, k and
 * v share their leading dims (the composed path would broadcast them), nothing is empty, and the
 * mask (already additive) broadcasts to [..., L, S] and needs no gradient of its own, which the
 * fused backward does not give (PyTorch also falls back to its math path for one).
 */
function fusedApplies(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null): boolean {
  const r = q.dim();
  if (k.dim() !== r || v.dim() !== r || q.numel() === 0 || k.numel() === 0 || v.numel() === 0) return false;
  for (let d = 0; d < r - 2; d++) if (k.shape[d] !== q.shape[d] || v.shape[d] !== q.shape[d]) return false;
  if (mask === null) return true;
  if (mask.requiresGrad && isGradEnabled()) return false;
  if (mask.dim() > r) return false;
  const want = [...q.shape.slice(0, -1), k.shape[r - 2]];
  for (let d = 1; d <= mask.dim(); d++) {
    const m = mask.shape[mask.dim() - d];
    if (m !== 1 && m !== want[r - d]) return false;
  }
  return true;
}

export interface ScaledDotProductAttentionOptions {
  /** Bool (true = may attend, as PyTorch 2.x) or float (added to the scores); broadcasts to [..., L, S]. */
  attnMask?: Tensor | null;
  dropoutP?: number;
  /** A lower-triangular mask (query i attends to keys 0..i); not allowed together with attnMask. */
  isCausal?: boolean;
  /** The score scale; default 1 / sqrt(E). */
  scale?: number | null;
}

/**
 * softmax(Q K^T * scale + mask) V for query [..., L, E], key [..., S, E], value [..., S, Ev], as
 * PyTorch 2.x's scaled_dot_product_attention computes it on its math path: Q and K are each
 * multiplied by sqrt(scale) before the product, a bool mask becomes 0 / -inf, and dropout (when
 * dropoutP > 0) is drawn on the attention weights as F.dropout draws it.
 *
 * Without dropout, and with no mask, a causal one or one that broadcasts and needs no gradient,
 * it runs the backend's fused kernel instead (ops/attention.ts; PyTorch 2.x's CPU flash path):
 * scale applied once to Q K^T and an online softmax over blocks of keys, so the values agree with
 * the math path to rounding rather than bit for bit, and the scores are never stored whole.
 */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, opts: ScaledDotProductAttentionOptions = {}): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("scaledDotProductAttention", scaledDotProductAttention, [query, key, value, opts]);
  const dropoutP = opts.dropoutP ?? 0;
  const isCausal = opts.isCausal ?? false;
  let attnMask = opts.attnMask ?? null;
  if (query.dim() < 2 || key.dim() < 2 || value.dim() < 2) {
    throw new RangeError(
      `scaled_dot_product_attention: Expected query, key and value to have at least 2 dimensions, got shapes ${formatShape(query.shape)}, ${formatShape(key.shape)} and ${formatShape(value.shape)}`,
    );
  }
  if (query.dtype !== key.dtype || query.dtype !== value.dtype) {
    throw new TypeError(
      `Expected query, key, and value to have the same dtype, but got query.dtype: ${SCALAR_NAME[query.dtype.name]} key.dtype: ${SCALAR_NAME[key.dtype.name]} and value.dtype: ${SCALAR_NAME[value.dtype.name]} instead.`,
    );
  }
  if (!query.dtype.isFloatingPoint) throw new TypeError(`scaled_dot_product_attention: expected a floating point query, got ${query.dtype}`);
  const E = query.shape[query.dim() - 1];
  if (key.shape[key.dim() - 1] !== E) {
    throw new RangeError(`scaled_dot_product_attention: the query and key embedding sizes differ (query ${formatShape(query.shape)}, key ${formatShape(key.shape)})`);
  }
  if (key.shape[key.dim() - 2] !== value.shape[value.dim() - 2]) {
    throw new RangeError(`scaled_dot_product_attention: key and value sequence lengths differ (key ${formatShape(key.shape)}, value ${formatShape(value.shape)})`);
  }
  if (attnMask && attnMask.dtype !== bool && attnMask.dtype !== query.dtype) {
    throw new TypeError(
      `Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: ${SCALAR_NAME[attnMask.dtype.name]} and  query.dtype: ${SCALAR_NAME[query.dtype.name]} instead.`,
    );
  }
  if (dropoutP < 0 || dropoutP > 1) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${dropoutP}`);
  const L = query.shape[query.dim() - 2];
  const S = key.shape[key.dim() - 2];
  if (isCausal && attnMask) throw new RangeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True");
  if (attnMask && attnMask.dtype === bool) attnMask = attendMask(attnMask, query.dtype);
  const scale = opts.scale ?? 1 / Math.sqrt(E);
  if (dropoutP === 0 && fusedApplies(query, key, value, attnMask)) {
    const out = fusedAttention(query, key, value, { mask: attnMask, isCausal, scale });
    if (out) return out;
  }
  if (isCausal) attnMask = attendMask(ones([L, S], { dtype: bool, device: query.device }).tril(), query.dtype);
  const negative = scale < 0;
  const factor = Math.sqrt(Math.abs(scale));
  const q = query.mul(negative ? -factor : factor);
  let attn = matmul(q, key.transpose(-2, -1).mul(factor));
  if (attnMask) attn = attn.add(attnMask);
  attn = softmax(attn, -1);
  attn = dropout(attn, dropoutP);
  return matmul(attn, value);
}

export interface MultiHeadAttentionForwardOptions {
  training?: boolean;
  /** [N, S] (or [S] unbatched): bool (true = ignore that key) or float (added). */
  keyPaddingMask?: Tensor | null;
  needWeights?: boolean;
  /** [L, S] or [N * numHeads, L, S]: bool (true = may not attend) or float (added). */
  attnMask?: Tensor | null;
  useSeparateProjWeight?: boolean;
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  staticK?: Tensor | null;
  staticV?: Tensor | null;
  averageAttnWeights?: boolean;
}

function mhaShapeCheck(query: Tensor, key: Tensor, value: Tensor, keyPaddingMask: Tensor | null, attnMask: Tensor | null, numHeads: number): boolean {
  if (query.dim() === 3) {
    if (key.dim() !== 3 || value.dim() !== 3) {
      throw new RangeError(`For batched (3-D) \`query\`, expected \`key\` and \`value\` to be 3-D but found ${key.dim()}-D and ${value.dim()}-D tensors respectively`);
    }
    if (keyPaddingMask && keyPaddingMask.dim() !== 2) {
      throw new RangeError(`For batched (3-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 2-D but found ${keyPaddingMask.dim()}-D tensor instead`);
    }
    if (attnMask && attnMask.dim() !== 2 && attnMask.dim() !== 3) {
      throw new RangeError(`For batched (3-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${attnMask.dim()}-D tensor instead`);
    }
    return true;
  }
  if (query.dim() === 2) {
    if (key.dim() !== 2 || value.dim() !== 2) {
      throw new RangeError(`For unbatched (2-D) \`query\`, expected \`key\` and \`value\` to be 2-D but found ${key.dim()}-D and ${value.dim()}-D tensors respectively`);
    }
    if (keyPaddingMask && keyPaddingMask.dim() !== 1) {
      throw new RangeError(`For unbatched (2-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 1-D but found ${keyPaddingMask.dim()}-D tensor instead`);
    }
    if (attnMask) {
      if (attnMask.dim() !== 2 && attnMask.dim() !== 3) {
        throw new RangeError(`For unbatched (2-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${attnMask.dim()}-D tensor instead`);
      }
      if (attnMask.dim() === 3) {
        const expected = [numHeads, query.shape[0], key.shape[0]];
        if (attnMask.shape.some((s, i) => s !== expected[i])) {
          throw new RangeError(`Expected \`attn_mask\` shape to be ${pyTuple(expected)} but got ${pySize(attnMask.shape)}`);
        }
      }
    }
    return false;
  }
  throw new RangeError(`query should be unbatched 2D or batched 3D tensor but received ${query.dim()}-D query tensor`);
}

/** A mask's dtype check and conversion: uint8 becomes bool; anything but bool or float is an error. */
function checkMaskDtype(mask: Tensor | null, name: string, queryDtype: DType): Tensor | null {
  if (!mask) return null;
  if (mask.dtype === uint8) return mask.bool();
  if (mask.dtype !== bool && !mask.dtype.isFloatingPoint) {
    throw new TypeError(
      name === "attn_mask" ? `Only float, byte, and bool types are supported for attn_mask, not torch.${mask.dtype.name}` : `only bool and floating types of ${name} are supported`,
    );
  }
  if (mask.dtype !== bool && mask.dtype !== queryDtype) {
    throw new TypeError(
      `Expected ${name} dtype to be bool or float or to match query dtype, but got ${name}.dtype: ${SCALAR_NAME[mask.dtype.name]} and  query.dtype: ${SCALAR_NAME[queryDtype.name]} instead.`,
    );
  }
  return mask;
}

/** Appends one zero column on the last dim (F.pad(mask, (0, 1))), false for a bool mask. */
function padLast(mask: Tensor): Tensor {
  const shape = mask.shape.slice();
  shape[shape.length - 1] = 1;
  return cat([mask, zeros(shape, { dtype: mask.dtype, device: mask.device })], -1);
}

/**
 * PyTorch's F.multi_head_attention_forward, for inputs [L, N, E] (sequence first) or
 * unbatched ones of shape [L, E]: the input projections (one packed weight, or separate q/k/v
 * weights), optional bias_k / bias_v rows and a zero-attention row, masks merged into one additive
 * float mask, scores for all heads in one batched product, softmax, dropout on the weights, and the
 * output projection. Returns [output, weights]; weights (averaged over heads unless
 * averageAttnWeights is false) are null when needWeights is false. Masks follow PyTorch 2.x: a
 * bool mask is turned into 0 / -inf and added, a float mask is added.
 */
export function multiHeadAttentionForward(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  embedDimToCheck: number,
  numHeads: number,
  inProjWeight: Tensor | null,
  inProjBias: Tensor | null,
  biasK: Tensor | null,
  biasV: Tensor | null,
  addZeroAttn: boolean,
  dropoutP: number,
  outProjWeight: Tensor,
  outProjBias: Tensor | null,
  opts: MultiHeadAttentionForwardOptions = {},
): [Tensor, Tensor | null] {
  if (tracer !== null && tracer.depth === 0) {
    const args = [query, key, value, embedDimToCheck, numHeads, inProjWeight, inProjBias, biasK, biasV, addZeroAttn, dropoutP, outProjWeight, outProjBias, opts];
    return tracer.call("multiHeadAttentionForward", multiHeadAttentionForward, args);
  }
  const training = opts.training ?? true;
  const needWeights = opts.needWeights ?? true;
  const averageAttnWeights = opts.averageAttnWeights ?? true;
  const separate = opts.useSeparateProjWeight ?? false;
  let keyPaddingMask = opts.keyPaddingMask ?? null;
  let attnMask = opts.attnMask ?? null;
  const isBatched = mhaShapeCheck(query, key, value, keyPaddingMask, attnMask, numHeads);
  if (!isBatched) {
    query = query.unsqueeze(1);
    key = key.unsqueeze(1);
    value = value.unsqueeze(1);
    if (keyPaddingMask) keyPaddingMask = keyPaddingMask.unsqueeze(0);
  }
  const [tgtLen, bsz, embedDim] = query.shape;
  let srcLen = key.shape[0];
  keyPaddingMask = checkMaskDtype(keyPaddingMask, "key_padding_mask", query.dtype);
  if (embedDim !== embedDimToCheck) throw new RangeError(`was expecting embedding dimension of ${embedDimToCheck}, but got ${embedDim}`);
  const headDim = Math.floor(embedDim / numHeads);
  if (headDim * numHeads !== embedDim) throw new RangeError(`embed_dim ${embedDim} not divisible by num_heads ${numHeads}`);
  if (key.shape[1] !== bsz || value.shape[1] !== bsz) {
    throw new RangeError(
      `multi_head_attention_forward: query, key and value must have the same batch size, but got query ${formatShape(query.shape)}, key ${formatShape(key.shape)} and value ${formatShape(value.shape)}`,
    );
  }
  if (separate) {
    if (key.shape[0] !== value.shape[0] || key.shape[1] !== value.shape[1]) {
      throw new RangeError(`key's sequence and batch dims ${pySize(key.shape.slice(0, 2))} do not match value's ${pySize(value.shape.slice(0, 2))}`);
    }
  } else if (key.shape.length !== value.shape.length || key.shape.some((s, i) => s !== value.shape[i])) {
    throw new RangeError(`key shape ${pySize(key.shape)} does not match value shape ${pySize(value.shape)}`);
  }

  // input projections
  let q: Tensor;
  let k: Tensor;
  let v: Tensor;
  if (!separate) {
    if (!inProjWeight) throw new Error("use_separate_proj_weight is False but in_proj_weight is None");
    [q, k, v] = inProjectionPacked(query, key, value, inProjWeight, inProjBias);
  } else {
    const { qProjWeight: wq, kProjWeight: wk, vProjWeight: wv } = opts;
    if (!wq) throw new Error("use_separate_proj_weight is True but q_proj_weight is None");
    if (!wk) throw new Error("use_separate_proj_weight is True but k_proj_weight is None");
    if (!wv) throw new Error("use_separate_proj_weight is True but v_proj_weight is None");
    const [bq, bk, bv] = inProjBias ? inProjBias.chunk(3) : [null, null, null];
    [q, k, v] = inProjection(query, key, value, wq, wk, wv, bq, bk, bv);
  }

  // the attention mask, as [1 or N*H, L, S]
  if (attnMask) {
    attnMask = checkMaskDtype(attnMask, "attn_mask", query.dtype)!;
    if (attnMask.dim() === 2) {
      const want = [tgtLen, srcLen];
      if (attnMask.shape[0] !== want[0] || attnMask.shape[1] !== want[1]) {
        throw new RangeError(`The shape of the 2D attn_mask is ${pySize(attnMask.shape)}, but should be ${pyTuple(want)}.`);
      }
      attnMask = attnMask.unsqueeze(0);
    } else if (attnMask.dim() === 3) {
      const want = [bsz * numHeads, tgtLen, srcLen];
      if (attnMask.shape.some((s, i) => s !== want[i])) {
        throw new RangeError(`The shape of the 3D attn_mask is ${pySize(attnMask.shape)}, but should be ${pyTuple(want)}.`);
      }
    } else {
      throw new RangeError(`attn_mask's dimension ${attnMask.dim()} is not supported`);
    }
  }

  // bias_k / bias_v rows
  if (biasK && biasV) {
    if (opts.staticK) throw new Error("bias cannot be added to static key.");
    if (opts.staticV) throw new Error("bias cannot be added to static value.");
    k = cat([k, biasK.repeat(1, bsz, 1)]);
    v = cat([v, biasV.repeat(1, bsz, 1)]);
    if (attnMask) attnMask = padLast(attnMask);
    if (keyPaddingMask) keyPaddingMask = padLast(keyPaddingMask);
  } else if (biasK || biasV) {
    throw new Error("bias_k and bias_v must both be given or both be None");
  }

  // heads into the batch: [N*H, L, headDim]
  q = q.contiguous().view(tgtLen, bsz * numHeads, headDim).transpose(0, 1);
  if (!opts.staticK) {
    k = k.contiguous().view(k.shape[0], bsz * numHeads, headDim).transpose(0, 1);
  } else {
    if (opts.staticK.shape[0] !== bsz * numHeads) throw new RangeError(`expecting static_k.size(0) of ${bsz * numHeads}, but got ${opts.staticK.shape[0]}`);
    if (opts.staticK.shape[2] !== headDim) throw new RangeError(`expecting static_k.size(2) of ${headDim}, but got ${opts.staticK.shape[2]}`);
    k = opts.staticK;
  }
  if (!opts.staticV) {
    v = v.contiguous().view(v.shape[0], bsz * numHeads, headDim).transpose(0, 1);
  } else {
    if (opts.staticV.shape[0] !== bsz * numHeads) throw new RangeError(`expecting static_v.size(0) of ${bsz * numHeads}, but got ${opts.staticV.shape[0]}`);
    if (opts.staticV.shape[2] !== headDim) throw new RangeError(`expecting static_v.size(2) of ${headDim}, but got ${opts.staticV.shape[2]}`);
    v = opts.staticV;
  }

  if (addZeroAttn) {
    const zshape = [bsz * numHeads, 1, headDim];
    k = cat([k, zeros(zshape, { dtype: k.dtype, device: k.device })], 1);
    v = cat([v, zeros(zshape, { dtype: v.dtype, device: v.device })], 1);
    if (attnMask) attnMask = padLast(attnMask);
    if (keyPaddingMask) keyPaddingMask = padLast(keyPaddingMask);
  }
  srcLen = k.shape[1];

  // merge the key padding mask into the attention mask
  if (keyPaddingMask) {
    if (keyPaddingMask.shape[0] !== bsz || keyPaddingMask.shape[1] !== srcLen) {
      throw new RangeError(`expecting key_padding_mask shape of ${pyTuple([bsz, srcLen])}, but got ${pySize(keyPaddingMask.shape)}`);
    }
    let kpm = keyPaddingMask.view(bsz, 1, 1, srcLen).expand(-1, numHeads, -1, -1).reshape(bsz * numHeads, 1, srcLen);
    if (kpm.dtype === bool) kpm = boolToFloatMask(kpm, q.dtype);
    if (!attnMask) attnMask = kpm;
    else attnMask = (attnMask.dtype === bool ? boolToFloatMask(attnMask, q.dtype) : attnMask).add(kpm);
  }
  if (attnMask && attnMask.dtype === bool) attnMask = boolToFloatMask(attnMask, q.dtype);

  const p = training ? dropoutP : 0;
  const E = q.shape[2];
  let out: Tensor | null = null;
  let weights: Tensor | null = null;
  // Without weights to return or dropout to draw, PyTorch 2.x hands the heads to SDPA (its CPU
  // flash kernel): so does this, through the fused kernel when the mask needs no gradient.
  if (!needWeights && p === 0 && fusedApplies(q, k, v, attnMask)) out = fusedAttention(q, k, v, { mask: attnMask, isCausal: false, scale: 1 / Math.sqrt(E) });
  if (out === null) {
    const qScaled = q.div(Math.sqrt(E));
    weights = attnMask ? baddbmm(attnMask, qScaled, k.transpose(-2, -1)) : bmm(qScaled, k.transpose(-2, -1));
    weights = softmax(weights, -1);
    if (p > 0) weights = dropout(weights, p);
    out = bmm(weights, v);
  }
  out = out.transpose(0, 1).contiguous().view(tgtLen * bsz, embedDim);
  out = linear(out, outProjWeight, outProjBias);
  out = out.view(tgtLen, bsz, out.shape[1]);
  if (!needWeights || weights === null) return [isBatched ? out : out.squeeze(1), null];
  let w = weights.view(bsz, numHeads, tgtLen, srcLen);
  if (averageAttnWeights) w = w.sum(1).div(numHeads);
  if (!isBatched) {
    out = out.squeeze(1);
    w = w.squeeze(0);
  }
  return [out, w];
}

/** q, k, v from one packed [3E, E] weight, sharing the product where query/key/value are the same tensor. */
function inProjectionPacked(q: Tensor, k: Tensor, v: Tensor, w: Tensor, b: Tensor | null): [Tensor, Tensor, Tensor] {
  const E = q.shape[q.dim() - 1];
  if (k === v) {
    if (q === k) {
      const [a, c, d] = linear(q, w, b).chunk(3, -1);
      return [a, c, d];
    }
    const [wq, wkv] = w.split([E, E * 2]);
    const [bq, bkv] = b ? b.split([E, E * 2]) : [null, null];
    const [kk, vv] = linear(k, wkv, bkv).chunk(2, -1);
    return [linear(q, wq, bq), kk, vv];
  }
  const [wq, wk, wv] = w.chunk(3);
  const [bq, bk, bv] = b ? b.chunk(3) : [null, null, null];
  return [linear(q, wq, bq), linear(k, wk, bk), linear(v, wv, bv)];
}

function inProjection(
  q: Tensor, k: Tensor, v: Tensor, wq: Tensor, wk: Tensor, wv: Tensor, bq: Tensor | null, bk: Tensor | null, bv: Tensor | null,
): [Tensor, Tensor, Tensor] {
  const Eq = q.shape[q.dim() - 1];
  const Ek = k.shape[k.dim() - 1];
  const Ev = v.shape[v.dim() - 1];
  const check = (t: Tensor, want: number[], what: string) => {
    if (t.dim() !== want.length || t.shape.some((s, i) => s !== want[i])) throw new RangeError(`expecting ${what} shape of ${pyTuple(want)}, but got ${pySize(t.shape)}`);
  };
  check(wq, [Eq, Eq], "query weights");
  check(wk, [Eq, Ek], "key weights");
  check(wv, [Eq, Ev], "value weights");
  if (bq) check(bq, [Eq], "query bias");
  if (bk) check(bk, [Eq], "key bias");
  if (bv) check(bv, [Eq], "value bias");
  return [linear(q, wq, bq), linear(k, wk, bk), linear(v, wv, bv)];
}
