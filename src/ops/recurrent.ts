// One LSTM or GRU step after its two matrix products: the gates' pointwise part as one kernel
// forward and one backward (the backend's fusedLstmCell / fusedGruCell), recorded as one node.
// PyTorch's CPU cells compute the same chain of operations separately:
//   LSTM: gates = hg + ig; i, f, o = sigmoid; g = tanh; cy = f * cx + i * g; hy = o * tanh(cy)
//   GRU:  r, z = sigmoid(hg + ig); n = tanh(ig_n + r * hg_n); hy = (hx - n) * z + n
// A backend without the fused kernels gets that chain from the ordinary ops.
import type { Tensor } from "../tensor/tensor.js";
import { add, mul, sub } from "./arithmetic.js";
import { sigmoid, tanh } from "./math.js";
import { linear, mm } from "./linalg.js";
import { anyNeedsGrad, isGradEnabled, record, recordMulti, withGradMode } from "./node.js";
import { sum } from "./reduction.js";
import { tracer } from "./trace.js";
import { backendOf } from "./util.js";
import { cat, chunk, contiguous, narrow } from "./view.js";

function checkGates(op: string, ig: Tensor, hg: Tensor, state: Tensor, gates: number): void {
  if (state.dim() !== 2) throw new RangeError(`${op}: expected a 2-D state, got ${state.dim()}-D`);
  const [B, H] = state.shape;
  for (const [name, t] of [["input_gates", ig], ["hidden_gates", hg]] as const) {
    if (t.dim() !== 2 || t.shape[0] !== B || t.shape[1] !== gates * H) {
      throw new RangeError(`${op}: ${name} must be of shape [${B}, ${gates * H}], got [${t.shape.join(", ")}]`);
    }
  }
  if (ig.dtype !== state.dtype || hg.dtype !== state.dtype) {
    throw new TypeError(`${op}: expected all tensors to have one dtype, got ${ig.dtype}, ${hg.dtype} and ${state.dtype}`);
  }
}

/** The LSTM step's pointwise part: [hy, cy] from ig, hg [B, 4H] and cx [B, H]. */
export function lstmCellPointwise(ig: Tensor, hg: Tensor, cx: Tensor): [Tensor, Tensor] {
  checkGates("lstm_cell", ig, hg, cx, 4);
  // While exporting, the chain of ordinary ops (each reported to the tracer) stands in for the fused kernel.
  if (tracer !== null && tracer.depth === 0) return lstmComposed(ig, hg, cx);
  const b = backendOf(cx);
  const a = contiguous(ig);
  const h = contiguous(hg);
  const c = contiguous(cx);
  const res = b.fusedLstmCell?.(a, h, c) ?? null;
  if (res === null) return lstmComposed(ig, hg, cx);
  const { hy, cy, workspace } = res;
  if (anyNeedsGrad([ig, hg, cx])) {
    recordMulti(
      "ThnnFusedLstmCellBackward0",
      [ig, hg, cx],
      [hy, cy],
      (grads) => {
        if (isGradEnabled()) throw new Error("lstm_cell: double backward through the fused LSTM cell is not supported");
        const [dhy, dcy] = grads;
        const g = b.fusedLstmCellBackward?.(contiguous(dhy), contiguous(dcy), c, cy, workspace) ?? null;
        if (g === null) throw new Error("lstm_cell: the backend has fusedLstmCell but no fusedLstmCellBackward");
        return [ig.requiresGrad ? g.dgates : null, hg.requiresGrad ? g.dgates : null, cx.requiresGrad ? g.dcx : null];
      },
      [cy],
    );
  }
  return [hy, cy];
}

function lstmComposed(ig: Tensor, hg: Tensor, cx: Tensor): [Tensor, Tensor] {
  const [i, f, g, o] = chunk(add(hg, ig), 4, 1);
  const cy = add(mul(sigmoid(f), cx), mul(sigmoid(i), tanh(g)));
  return [mul(sigmoid(o), tanh(cy)), cy];
}

/** The GRU step's pointwise part: hy from ig, hg [B, 3H] and hx [B, H]. */
export function gruCellPointwise(ig: Tensor, hg: Tensor, hx: Tensor): Tensor {
  checkGates("gru_cell", ig, hg, hx, 3);
  if (tracer !== null && tracer.depth === 0) return gruComposed(ig, hg, hx);
  const b = backendOf(hx);
  const res = b.fusedGruCell?.(contiguous(ig), contiguous(hg), contiguous(hx)) ?? null;
  if (res === null) return gruComposed(ig, hg, hx);
  const { hy, workspace } = res;
  if (anyNeedsGrad([ig, hg, hx])) {
    record(
      "ThnnFusedGruCellBackward0",
      [ig, hg, hx],
      hy,
      (dhy) => {
        if (isGradEnabled()) throw new Error("gru_cell: double backward through the fused GRU cell is not supported");
        const g = b.fusedGruCellBackward?.(contiguous(dhy), workspace) ?? null;
        if (g === null) throw new Error("gru_cell: the backend has fusedGruCell but no fusedGruCellBackward");
        return [ig.requiresGrad ? g.dig : null, hg.requiresGrad ? g.dhg : null, hx.requiresGrad ? g.dhx : null];
      },
    );
  }
  return hy;
}

function gruComposed(ig: Tensor, hg: Tensor, hx: Tensor): Tensor {
  const [ir, iz, inn] = chunk(ig, 3, 1);
  const [hr, hz, hn] = chunk(hg, 3, 1);
  const r = sigmoid(add(hr, ir));
  const z = sigmoid(add(hz, iz));
  const n = tanh(add(inn, mul(hn, r)));
  return add(mul(sub(hx, n), z), n);
}

export interface LstmLayerResult {
  /** [T * B, Hr]: the hidden state of every step, in time order. */
  output: Tensor;
  hN: Tensor;
  cN: Tensor;
}

/**
 * One direction of one LSTM layer over T steps of a batch of B that never shrinks, as one graph
 * node: ig [T * B, 4H] (the input projection of every step, bias included), the initial h0
 * [B, Hr] and c0 [B, H], the hidden weights wHh [4H, Hr] and bHh [4H], and the projection wHr
 * [Hr, H] (or null). Each step is one matrix product and the fused gate kernel, as PyTorch's CPU
 * LSTM computes it; the backward walks the steps back with one product and the fused gate
 * backward each, then forms the weight gradients with one product over all steps together.
 * Null where the backend has no fused LSTM cell (the caller then composes the steps from ops).
 */
export function lstmLayer(
  ig: Tensor,
  T: number,
  B: number,
  h0: Tensor,
  c0: Tensor,
  wHh: Tensor,
  bHh: Tensor | null,
  wHr: Tensor | null,
  reverse: boolean,
): LstmLayerResult | null {
  const be = backendOf(c0);
  if (!be.fusedLstmCell || !be.fusedLstmCellBackward) return null;
  const dt = c0.dtype;
  const float = dt.name === "float32" || dt.name === "float64";
  if (!float || ig.dtype !== dt || h0.dtype !== dt || wHh.dtype !== dt || (bHh && bHh.dtype !== dt) || (wHr && wHr.dtype !== dt)) return null;
  const igc = contiguous(ig);
  const hPrev: Tensor[] = new Array(T); // h_{t-1}, the input of step t's hidden product
  const cPrev: Tensor[] = new Array(T);
  const cys: Tensor[] = new Array(T);
  const works: Tensor[] = new Array(T);
  const hys: Tensor[] = new Array(T); // before the projection
  const outs: Tensor[] = new Array(T);
  let h = contiguous(h0.detach());
  let c = contiguous(c0.detach());
  const wd = wHh.detach();
  const bd = bHh ? bHh.detach() : null;
  const rd = wHr ? wHr.detach() : null;
  withGradMode(false, () => {
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      const hg = linear(h, wd, bd);
      const r = be.fusedLstmCell!(narrow(igc, 0, t * B, B), hg, c);
      if (r === null) throw new Error("lstm: the backend's fused LSTM cell refused contiguous float tensors");
      hPrev[t] = h;
      cPrev[t] = c;
      cys[t] = r.cy;
      works[t] = r.workspace;
      hys[t] = r.hy;
      h = rd ? linear(r.hy, rd) : r.hy;
      outs[t] = h;
      c = r.cy;
    }
  });
  const output = withGradMode(false, () => (T === 1 ? outs[0] : cat(outs, 0)));
  const hN = h;
  const cN = c;
  if (anyNeedsGrad([ig, h0, c0, wHh, bHh, wHr])) {
    const saved = [wHh, ...(wHr ? [wHr] : [])];
    recordMulti(
      "LstmLayerBackward0",
      [ig, h0, c0, wHh, bHh, wHr],
      [output, hN, cN],
      (grads) => {
        if (isGradEnabled()) throw new Error("lstm: double backward through the LSTM layer is not supported");
        const [gOut, gh, gc] = grads;
        const dOut = contiguous(gOut);
        let dh = contiguous(gh);
        let dc = contiguous(gc);
        const dGates: Tensor[] = new Array(T);
        const dHy: Tensor[] = new Array(T);
        for (let s = T - 1; s >= 0; s--) {
          const t = reverse ? T - 1 - s : s;
          const dhT = add(dh, narrow(dOut, 0, t * B, B));
          const dPre = rd ? mm(dhT, rd) : dhT;
          if (rd) dHy[t] = dhT;
          const g = be.fusedLstmCellBackward!(dPre, dc, cPrev[t], cys[t], works[t]);
          if (g === null) throw new Error("lstm: the backend's fused LSTM cell backward refused contiguous float tensors");
          dGates[t] = g.dgates;
          dh = mm(g.dgates, wd);
          dc = g.dcx;
        }
        const dG = T === 1 ? dGates[0] : cat(dGates, 0);
        const gW = wHh.requiresGrad ? mm(dG.t(), T === 1 ? hPrev[0] : cat(hPrev, 0)) : null;
        const gB = bHh?.requiresGrad ? sum(dG, 0) : null;
        const gR = wHr?.requiresGrad ? mm((T === 1 ? dHy[0] : cat(dHy, 0)).t(), T === 1 ? hys[0] : cat(hys, 0)) : null;
        return [ig.requiresGrad ? dG : null, h0.requiresGrad ? dh : null, c0.requiresGrad ? dc : null, gW, gB, gR];
      },
      saved,
    );
  }
  return { output, hN, cN };
}
