// One LSTM or GRU step after its two matrix products: the gates' pointwise part as one kernel
// forward and one backward (the backend's fusedLstmCell / fusedGruCell), recorded as one node.
// PyTorch's CPU cells compute the same chain of operations separately:
//   LSTM: gates = hg + ig; i, f, o = sigmoid; g = tanh; cy = f * cx + i * g; hy = o * tanh(cy)
//   GRU:  r, z = sigmoid(hg + ig); n = tanh(ig_n + r * hg_n); hy = (hx - n) * z + n
// A backend without the fused kernels gets that chain from the ordinary ops.
import type { Tensor } from "../tensor/tensor.js";
import { add, mul, sub } from "./arithmetic.js";
import { sigmoid, tanh } from "./math.js";
import { anyNeedsGrad, isGradEnabled, record, recordMulti } from "./node.js";
import { backendOf } from "./util.js";
import { chunk, contiguous } from "./view.js";

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
