// Fused attention in TypeScript, flash-attention style: softmax(Q K^T * scale + mask) V without
// the [L, S] score matrix. Each query row keeps a running maximum and sum while it walks the keys
// a block at a time (an online softmax), so at most one block of scores exists at once; the
// backward recomputes those scores from the saved log-sum-exp (FlashAttention-2) instead of
// storing the attention weights. The native addon (native/src/attention.cc) computes the same in
// blocks of matrix products; this is the path for browsers, odd dtypes and builds without it.
//
// Everything is summed in float64 and rounded once on store, so float32 results are at least as
// close to the exact values as PyTorch's float32 chain of kernels.
import { float32, float64 } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import type { AttentionOptions } from "../backend.js";

type FloatArray = Float32Array | Float64Array;

/** Keys per block: the scores of one query row against one block are all that is kept. */
const KEY_BLOCK = 64;

function fits(ts: Tensor[], mask: Tensor | null): boolean {
  const dt = ts[0].dtype;
  if (dt !== float32 && dt !== float64) return false;
  for (const t of ts) if (t.dtype !== dt || !t.isContiguous()) return false;
  return mask === null || (mask.dtype === dt && mask.dim() === 3);
}

function dataOf(t: Tensor): FloatArray {
  return t.storage.data as FloatArray;
}

/** Reads mask element (n, i, j) through its strides (0 where it broadcasts), or 0 without a mask. */
interface MaskReader {
  data: FloatArray | null;
  offset: number;
  sN: number;
  sL: number;
  sS: number;
}

function maskReader(mask: Tensor | null): MaskReader {
  if (mask === null) return { data: null, offset: 0, sN: 0, sL: 0, sS: 0 };
  const [sN, sL, sS] = mask.strides;
  return { data: dataOf(mask), offset: mask.offset, sN, sL, sS };
}

/**
 * out [N, L, Ev] and logsumexp [N, L] from q [N, L, E], k [N, S, E], v [N, S, Ev]; null where
 * the tensors are not contiguous float32/float64 tensors of one dtype.
 */
export function attention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions): { out: Tensor; logsumexp: Tensor } | null {
  const mask = opts.mask ?? null;
  if (!fits([q, k, v], mask)) return null;
  const [N, L, E] = q.shape;
  const S = k.shape[1];
  const Ev = v.shape[2];
  const out = Tensor.make([N, L, Ev], q.dtype, undefined, q.device);
  const lse = Tensor.make([N, L], q.dtype, undefined, q.device);
  const Q = dataOf(q);
  const K = dataOf(k);
  const V = dataOf(v);
  const O = dataOf(out);
  const LSE = dataOf(lse);
  const qo = q.offset;
  const ko = k.offset;
  const vo = v.offset;
  const m = maskReader(mask);
  const { scale, isCausal } = opts;
  const scores = new Float64Array(KEY_BLOCK);
  const acc = new Float64Array(Ev);
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < L; i++) {
      const qi = qo + (n * L + i) * E;
      const mRow = m.offset + n * m.sN + i * m.sL;
      // causal: query i sees keys 0..i (torch.ones(L, S).tril())
      const end = isCausal ? Math.min(S, i + 1) : S;
      let max = Number.NEGATIVE_INFINITY;
      let sum = 0;
      acc.fill(0);
      for (let j0 = 0; j0 < end; j0 += KEY_BLOCK) {
        const j1 = Math.min(end, j0 + KEY_BLOCK);
        let blockMax = max;
        for (let j = j0; j < j1; j++) {
          const kj = ko + (n * S + j) * E;
          let dot = 0;
          for (let e = 0; e < E; e++) dot += Q[qi + e] * K[kj + e];
          let s = dot * scale;
          if (m.data !== null) s += m.data[mRow + j * m.sS];
          scores[j - j0] = s;
          if (s > blockMax) blockMax = s;
        }
        // Nothing attended yet (every score so far -inf): no weight to add.
        if (blockMax === Number.NEGATIVE_INFINITY) continue;
        // The running sums were taken against the old maximum: rescale them to the new one.
        const alpha = Math.exp(max - blockMax);
        if (alpha !== 1) {
          sum *= alpha;
          for (let e = 0; e < Ev; e++) acc[e] *= alpha;
        }
        max = blockMax;
        for (let j = j0; j < j1; j++) {
          const p = Math.exp(scores[j - j0] - max);
          if (p === 0) continue;
          sum += p;
          const vj = vo + (n * S + j) * Ev;
          for (let e = 0; e < Ev; e++) acc[e] += p * V[vj + e];
        }
      }
      const oi = (n * L + i) * Ev;
      // A row with every key masked gives NaN, as softmax over all -inf does on the composed path;
      // NaN in the log-sum-exp carries that into the backward too.
      const inv = 1 / sum;
      for (let e = 0; e < Ev; e++) O[oi + e] = sum === 0 ? Number.NaN : acc[e] * inv;
      LSE[n * L + i] = sum === 0 ? Number.NaN : max + Math.log(sum);
    }
  }
  return { out, logsumexp: lse };
}

/**
 * The gradients of attention's q, k and v from dout [N, L, Ev], given its inputs, out and
 * logsumexp: the weights P = exp(scores - logsumexp) are recomputed row by row, with
 * dV = P^T dO, dS = P * (dO V^T - rowsum(dO * O)), dQ = scale * dS K, dK = scale * dS^T Q.
 */
export function attentionBackward(
  dout: Tensor,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  out: Tensor,
  logsumexp: Tensor,
  opts: AttentionOptions,
): { dq: Tensor; dk: Tensor; dv: Tensor } | null {
  const mask = opts.mask ?? null;
  if (!fits([dout, q, k, v, out, logsumexp], mask)) return null;
  const [N, L, E] = q.shape;
  const S = k.shape[1];
  const Ev = v.shape[2];
  const dq = Tensor.make([N, L, E], q.dtype, undefined, q.device);
  const dk = Tensor.make([N, S, E], q.dtype, undefined, q.device);
  const dv = Tensor.make([N, S, Ev], q.dtype, undefined, q.device);
  const Q = dataOf(q);
  const K = dataOf(k);
  const V = dataOf(v);
  const O = dataOf(out);
  const dO = dataOf(dout);
  const LSE = dataOf(logsumexp);
  const DQ = dataOf(dq);
  const DK = dataOf(dk);
  const DV = dataOf(dv);
  const [qo, ko, vo, oo, go, lo] = [q.offset, k.offset, v.offset, out.offset, dout.offset, logsumexp.offset];
  const m = maskReader(mask);
  const { scale, isCausal } = opts;
  // Per head: dQ for every row, dK and dV for one block of keys, all in float64 until stored.
  const dqAcc = new Float64Array(L * E);
  const dkAcc = new Float64Array(KEY_BLOCK * E);
  const dvAcc = new Float64Array(KEY_BLOCK * Ev);
  const delta = new Float64Array(L);
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < L; i++) {
      let d = 0;
      const r = (n * L + i) * Ev;
      for (let e = 0; e < Ev; e++) d += dO[go + r + e] * O[oo + r + e];
      delta[i] = d;
    }
    dqAcc.fill(0);
    for (let j0 = 0; j0 < S; j0 += KEY_BLOCK) {
      const j1 = Math.min(S, j0 + KEY_BLOCK);
      dkAcc.fill(0);
      dvAcc.fill(0);
      // causal: rows before j0 see none of this block's keys
      for (let i = isCausal ? j0 : 0; i < L; i++) {
        const qi = qo + (n * L + i) * E;
        const gi = go + (n * L + i) * Ev;
        const lse = LSE[lo + n * L + i];
        const mRow = m.offset + n * m.sN + i * m.sL;
        const end = isCausal ? Math.min(j1, i + 1) : j1;
        const dqi = i * E;
        for (let j = j0; j < end; j++) {
          const kj = ko + (n * S + j) * E;
          const vj = vo + (n * S + j) * Ev;
          let dot = 0;
          for (let e = 0; e < E; e++) dot += Q[qi + e] * K[kj + e];
          let s = dot * scale;
          if (m.data !== null) s += m.data[mRow + j * m.sS];
          const p = Math.exp(s - lse);
          if (p === 0) continue;
          let dp = 0;
          const dvj = (j - j0) * Ev;
          for (let e = 0; e < Ev; e++) {
            const g = dO[gi + e];
            dvAcc[dvj + e] += p * g;
            dp += g * V[vj + e];
          }
          const ds = p * (dp - delta[i]) * scale;
          const dkj = (j - j0) * E;
          for (let e = 0; e < E; e++) {
            dqAcc[dqi + e] += ds * K[kj + e];
            dkAcc[dkj + e] += ds * Q[qi + e];
          }
        }
      }
      DK.set(dkAcc.subarray(0, (j1 - j0) * E), (n * S + j0) * E);
      DV.set(dvAcc.subarray(0, (j1 - j0) * Ev), (n * S + j0) * Ev);
    }
    DQ.set(dqAcc, n * L * E);
  }
  return { dq, dk, dv };
}
