// torch.tril / torch.triu: the lower or upper triangle of the last two dims, the rest zeroed.
// Element (i, j) is kept by tril when j - i <= diagonal and by triu when j - i >= diagonal.
import { Tensor } from "../tensor/tensor.js";
import { needsGrad, record } from "./node.js";
import { tracer } from "./trace.js";
import { backendOf } from "./util.js";

function triangle(x: Tensor, diagonal: number, lower: boolean): Tensor {
  const op = lower ? "tril" : "triu";
  if (!(x instanceof Tensor)) throw new TypeError(`${op}(): argument 'input' (position 1) must be Tensor, not ${x === null ? "None" : typeof x}`);
  if (x.dim() < 2) throw new RangeError(`${op}: input tensor must have at least 2 dimensions (got shape [${x.shape.join(", ")}])`);
  if (!Number.isInteger(diagonal)) throw new TypeError(`${op}(): argument 'diagonal' must be int, not ${diagonal}`);
  const out = backendOf(x).copy(x, x.dtype);
  const rows = x.shape[x.dim() - 2];
  const cols = x.shape[x.dim() - 1];
  const data = out.storage.data;
  const plane = rows * cols;
  const n = out.numel();
  for (let base = 0; base < n; base += plane) {
    for (let i = 0; i < rows; i++) {
      const row = base + i * cols;
      if (lower) {
        // zero j > i + diagonal
        for (let j = Math.max(0, i + diagonal + 1); j < cols; j++) data[row + j] = 0;
      } else {
        // zero j < i + diagonal
        const end = Math.min(cols, i + diagonal);
        for (let j = 0; j < end; j++) data[row + j] = 0;
      }
    }
  }
  if (needsGrad(x)) record(lower ? "TrilBackward0" : "TriuBackward0", [x], out, (gy) => [triangle(gy, diagonal, lower)]);
  return out;
}

/** The lower triangle of the last two dims (j - i <= diagonal kept), as torch.tril. */
export function tril(x: Tensor, diagonal = 0): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("tril", tril, [x, diagonal]);
  return triangle(x, diagonal, true);
}

/** The upper triangle of the last two dims (j - i >= diagonal kept), as torch.triu. */
export function triu(x: Tensor, diagonal = 0): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("triu", triu, [x, diagonal]);
  return triangle(x, diagonal, false);
}
