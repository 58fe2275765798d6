// The pointwise part of one LSTM or GRU step as one pass over the gates (PyTorch's
// _thnn_fused_lstm_cell / _thnn_fused_gru_cell and their backwards). PyTorch's CPU cells run
// these as a chain of separate float kernels; float32 rounds after each of those operations
// here too, so the values match its chain rather than a float64 evaluation rounded once.
import { float32, float64 } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { expf } from "./expf.js";

type FloatArray = Float32Array | Float64Array;

const f = Math.fround;
const sig64 = (x: number): number => 1 / (1 + Math.exp(-x));
const sig32 = (x: number): number => f(1 / f(1 + expf(-x)));
const tanh32 = (x: number): number => f(Math.tanh(x));

/** Whether the tensors are contiguous float32 or float64 tensors of one dtype. */
function fits(...ts: Array<Tensor | null>): boolean {
  const dt = ts[0]!.dtype;
  if (dt !== float32 && dt !== float64) return false;
  for (const t of ts) if (t !== null && (t.dtype !== dt || !t.isContiguous())) return false;
  return true;
}

function alloc(t: Tensor, shape: number[]): { out: Tensor; d: FloatArray } {
  const out = Tensor.make(shape, t.dtype, undefined, t.device);
  return { out, d: out.storage.data as FloatArray };
}

export interface LstmCellResult {
  hy: Tensor;
  cy: Tensor;
  /** [B, 4H]: the activated gates i, f, g, o, which the backward reads. */
  workspace: Tensor;
}

/** hy, cy from the input gates ig [B, 4H], hidden gates hg [B, 4H] and cell cx [B, H]. */
export function fusedLstmCell(ig: Tensor, hg: Tensor, cx: Tensor): LstmCellResult | null {
  if (!fits(ig, hg, cx)) return null;
  const [B, H] = cx.shape;
  const { out: hy, d: hv } = alloc(cx, [B, H]);
  const { out: cy, d: cv } = alloc(cx, [B, H]);
  const { out: workspace, d: wv } = alloc(cx, [B, 4 * H]);
  const iv = ig.storage.data as FloatArray;
  const gv = hg.storage.data as FloatArray;
  const xv = cx.storage.data as FloatArray;
  const io = ig.offset;
  const go = hg.offset;
  const xo = cx.offset;
  const single = cx.dtype === float32;
  for (let b = 0; b < B; b++) {
    const row = b * 4 * H;
    for (let j = 0; j < H; j++) {
      const k = row + j;
      const c0 = xv[xo + b * H + j];
      let i: number;
      let fg: number;
      let g: number;
      let o: number;
      let c: number;
      let h: number;
      if (single) {
        i = sig32(f(gv[go + k] + iv[io + k]));
        fg = sig32(f(gv[go + k + H] + iv[io + k + H]));
        g = tanh32(f(gv[go + k + 2 * H] + iv[io + k + 2 * H]));
        o = sig32(f(gv[go + k + 3 * H] + iv[io + k + 3 * H]));
        c = f(f(fg * c0) + f(i * g));
        h = f(o * tanh32(c));
      } else {
        i = sig64(gv[go + k] + iv[io + k]);
        fg = sig64(gv[go + k + H] + iv[io + k + H]);
        g = Math.tanh(gv[go + k + 2 * H] + iv[io + k + 2 * H]);
        o = sig64(gv[go + k + 3 * H] + iv[io + k + 3 * H]);
        c = fg * c0 + i * g;
        h = o * Math.tanh(c);
      }
      wv[k] = i;
      wv[k + H] = fg;
      wv[k + 2 * H] = g;
      wv[k + 3 * H] = o;
      cv[b * H + j] = c;
      hv[b * H + j] = h;
    }
  }
  return { hy, cy, workspace };
}

/**
 * Gradients of one LSTM step: dgates [B, 4H] (the gradient of both the input and the hidden
 * gates, before their activations) and dcx [B, H], from dhy and dcy (null: zero).
 */
export function fusedLstmCellBackward(
  dhy: Tensor | null,
  dcy: Tensor | null,
  cx: Tensor,
  cy: Tensor,
  workspace: Tensor,
): { dgates: Tensor; dcx: Tensor } | null {
  if (!fits(cx, cy, workspace, dhy, dcy)) return null;
  const [B, H] = cx.shape;
  const { out: dgates, d: dg } = alloc(cx, [B, 4 * H]);
  const { out: dcx, d: dx } = alloc(cx, [B, H]);
  const hv = dhy ? (dhy.storage.data as FloatArray) : null;
  const ho = dhy ? dhy.offset : 0;
  const cv = dcy ? (dcy.storage.data as FloatArray) : null;
  const co = dcy ? dcy.offset : 0;
  const xv = cx.storage.data as FloatArray;
  const xo = cx.offset;
  const yv = cy.storage.data as FloatArray;
  const yo = cy.offset;
  const wv = workspace.storage.data as FloatArray;
  const wo = workspace.offset;
  const single = cx.dtype === float32;
  for (let b = 0; b < B; b++) {
    const row = b * 4 * H;
    for (let j = 0; j < H; j++) {
      const k = row + j;
      const e = b * H + j;
      const dh = hv ? hv[ho + e] : 0;
      const dc0 = cv ? cv[co + e] : 0;
      const i = wv[wo + k];
      const fg = wv[wo + k + H];
      const g = wv[wo + k + 2 * H];
      const o = wv[wo + k + 3 * H];
      const c0 = xv[xo + e];
      if (single) {
        const tc = tanh32(yv[yo + e]);
        const dout = f(dh * tc);
        const dc = f(dc0 + f(f(dh * o) * f(1 - f(tc * tc))));
        dx[e] = f(dc * fg);
        dg[k] = f(f(f(dc * g) * f(1 - i)) * i);
        dg[k + H] = f(f(f(dc * c0) * f(1 - fg)) * fg);
        dg[k + 2 * H] = f(f(dc * i) * f(1 - f(g * g)));
        dg[k + 3 * H] = f(f(dout * f(1 - o)) * o);
      } else {
        const tc = Math.tanh(yv[yo + e]);
        const dout = dh * tc;
        const dc = dc0 + dh * o * (1 - tc * tc);
        dx[e] = dc * fg;
        dg[k] = dc * g * (1 - i) * i;
        dg[k + H] = dc * c0 * (1 - fg) * fg;
        dg[k + 2 * H] = dc * i * (1 - g * g);
        dg[k + 3 * H] = dout * (1 - o) * o;
      }
    }
  }
  return { dgates, dcx };
}

export interface GruCellResult {
  hy: Tensor;
  /** [B, 5H]: r, z, n, the hidden gate hn before the reset, and hx, which the backward reads. */
  workspace: Tensor;
}

/** hy = (hx - n) * z + n from the input gates ig [B, 3H], hidden gates hg [B, 3H] and hx [B, H]. */
export function fusedGruCell(ig: Tensor, hg: Tensor, hx: Tensor): GruCellResult | null {
  if (!fits(ig, hg, hx)) return null;
  const [B, H] = hx.shape;
  const { out: hy, d: yv } = alloc(hx, [B, H]);
  const { out: workspace, d: wv } = alloc(hx, [B, 5 * H]);
  const iv = ig.storage.data as FloatArray;
  const gv = hg.storage.data as FloatArray;
  const xv = hx.storage.data as FloatArray;
  const io = ig.offset;
  const go = hg.offset;
  const xo = hx.offset;
  const single = hx.dtype === float32;
  for (let b = 0; b < B; b++) {
    const row = b * 3 * H;
    const wrow = b * 5 * H;
    for (let j = 0; j < H; j++) {
      const k = row + j;
      const h0 = xv[xo + b * H + j];
      const hn = gv[go + k + 2 * H];
      let r: number;
      let z: number;
      let n: number;
      let h: number;
      if (single) {
        r = sig32(f(gv[go + k] + iv[io + k]));
        z = sig32(f(gv[go + k + H] + iv[io + k + H]));
        n = tanh32(f(iv[io + k + 2 * H] + f(hn * r)));
        h = f(f(f(h0 - n) * z) + n);
      } else {
        r = sig64(gv[go + k] + iv[io + k]);
        z = sig64(gv[go + k + H] + iv[io + k + H]);
        n = Math.tanh(iv[io + k + 2 * H] + hn * r);
        h = (h0 - n) * z + n;
      }
      wv[wrow + j] = r;
      wv[wrow + H + j] = z;
      wv[wrow + 2 * H + j] = n;
      wv[wrow + 3 * H + j] = hn;
      wv[wrow + 4 * H + j] = h0;
      yv[b * H + j] = h;
    }
  }
  return { hy, workspace };
}

/** Gradients of one GRU step: dig, dhg [B, 3H] and dhx [B, H], from dhy. */
export function fusedGruCellBackward(dhy: Tensor, workspace: Tensor): { dig: Tensor; dhg: Tensor; dhx: Tensor } | null {
  if (!fits(dhy, workspace)) return null;
  const [B, H] = dhy.shape;
  const { out: dig, d: di } = alloc(dhy, [B, 3 * H]);
  const { out: dhg, d: dg } = alloc(dhy, [B, 3 * H]);
  const { out: dhx, d: dx } = alloc(dhy, [B, H]);
  const hv = dhy.storage.data as FloatArray;
  const ho = dhy.offset;
  const wv = workspace.storage.data as FloatArray;
  const wo = workspace.offset;
  const single = dhy.dtype === float32;
  for (let b = 0; b < B; b++) {
    const row = b * 3 * H;
    const wrow = wo + b * 5 * H;
    for (let j = 0; j < H; j++) {
      const k = row + j;
      const dh = hv[ho + b * H + j];
      const r = wv[wrow + j];
      const z = wv[wrow + H + j];
      const n = wv[wrow + 2 * H + j];
      const hn = wv[wrow + 3 * H + j];
      const h0 = wv[wrow + 4 * H + j];
      if (single) {
        dx[b * H + j] = f(dh * z);
        const dn = f(f(dh * f(1 - z)) * f(1 - f(n * n)));
        const dz = f(f(f(dh * f(h0 - n)) * f(1 - z)) * z);
        const dr = f(f(f(dn * hn) * f(1 - r)) * r);
        di[k] = dr;
        di[k + H] = dz;
        di[k + 2 * H] = dn;
        dg[k] = dr;
        dg[k + H] = dz;
        dg[k + 2 * H] = f(dn * r);
      } else {
        dx[b * H + j] = dh * z;
        const dn = dh * (1 - z) * (1 - n * n);
        const dz = dh * (h0 - n) * (1 - z) * z;
        const dr = dn * hn * (1 - r) * r;
        di[k] = dr;
        di[k + H] = dz;
        di[k + 2 * H] = dn;
        dg[k] = dr;
        dg[k + H] = dz;
        dg[k + 2 * H] = dn * r;
      }
    }
  }
  return { dig, dhg, dhx };
}
