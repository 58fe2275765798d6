// Batched matrix product in TypeScript. Rows of the output are accumulated in float64 (one
// rounding per element, within PyTorch's float32 results' own rounding noise), and k is blocked
// so a panel of b stays in cache while the rows of a stream past it.
import { Tensor } from "../../tensor/tensor.js";

const K_BLOCK = 256;

export function matmul(a: Tensor, b: Tensor): Tensor {
  const [batch, m, k] = a.shape;
  const n = b.shape[2];
  const out = new a.dtype.ArrayType(batch * m * n);
  const A = a.storage.data;
  // b is read row by row in the inner loop, so give it unit column stride.
  const bc = b.strides[2] === 1 ? b : copyContiguous(b);
  const B = bc.storage.data;
  const acc = new Float64Array(n);
  for (let t = 0; t < batch; t++) {
    const aBase = a.offset + t * a.strides[0];
    const bBase = bc.offset + t * bc.strides[0];
    const bRow = bc.strides[1];
    const [as1, as2] = [a.strides[1], a.strides[2]];
    for (let i = 0; i < m; i++) {
      acc.fill(0);
      for (let k0 = 0; k0 < k; k0 += K_BLOCK) {
        const k1 = Math.min(k, k0 + K_BLOCK);
        for (let p = k0; p < k1; p++) {
          const aip = A[aBase + i * as1 + p * as2];
          if (aip === 0) continue;
          const row = bBase + p * bRow;
          for (let j = 0; j < n; j++) acc[j] += aip * B[row + j];
        }
      }
      const o = (t * m + i) * n;
      for (let j = 0; j < n; j++) out[o + j] = acc[j];
    }
  }
  return Tensor.make([batch, m, n], a.dtype, out, a.device);
}

function copyContiguous(x: Tensor): Tensor {
  return Tensor.make(x.shape.slice(), x.dtype, x.values().slice(), x.device);
}
