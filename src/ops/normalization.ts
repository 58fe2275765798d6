// Batch-norm kernels: one pass per channel over contiguous [N, C, S] memory, with PyTorch 1.13's
// CPU arithmetic (batch statistics summed in double for S > 1 and in the element type for
// [N, C] / NC11 inputs, the inverse std and the running-stat update in the element type, the
// output as x * alpha + beta with per-channel alpha and beta), and the closed-form backward.
import { fma, fma32 } from "../random/fma.js";
import { Tensor } from "../tensor/tensor.js";
import { backendOf } from "./util.js";

function rounder(t: Tensor): (v: number) => number {
  return t.dtype.name === "float32" ? Math.fround : (v: number) => v;
}

export interface BatchNormResult {
  y: Tensor;
  /** Per channel, in the element type: the batch mean (or the running mean in eval). */
  mean: Float64Array;
  /** Per channel, in the element type: 1 / sqrt(var + eps). */
  invstd: Float64Array;
}

/**
 * The forward of batch norm. In training (or without running stats) the statistics come from x,
 * and in training the running stats given are updated in place with `momentum` (the variance
 * unbiased); in eval they come from the running stats.
 */
export function batchNormForward(
  input: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  training: boolean,
  momentum: number,
  eps: number,
): BatchNormResult {
  const r = rounder(input);
  const n = input.shape[0] | 0;
  const c = input.shape[1] | 0;
  const s = c === 0 || n === 0 ? 0 : (input.numel() / (n * c)) | 0;
  const count = n * s;
  const x = input.detach().contiguous().values();
  const mean = new Float64Array(c);
  const invstd = new Float64Array(c);
  const w = weight ? weight.detach().contiguous().values() : null;
  const b = bias ? bias.detach().contiguous().values() : null;
  const strided = !input.isContiguous();
  if (training || !runningMean || !runningVar) {
    const varSum = new Float64Array(c);
    if (strided) {
      // PyTorch's strided path: the mean from mean(), the variance summed in double about it.
      const m = input.detach().mean([0, ...Array.from({ length: input.dim() - 2 }, (_, i) => i + 2)]).values();
      for (let ch = 0; ch < c; ch++) {
        const mc = m[ch];
        let vs = 0;
        // Summed in memory order, as TensorIterator walks the channel's elements.
        const plane = input.detach().select(1, ch);
        const order = plane.shape.map((_, d) => d).sort((a, b2) => plane.strides[b2] - plane.strides[a]);
        const xs = plane.permute(order).contiguous().values();
        for (let j = 0; j < xs.length; j++) {
          const d = xs[j] - mc;
          vs += d * d;
        }
        mean[ch] = mc;
        varSum[ch] = vs;
      }
    } else if (s === 1) {
      // [N, C]: a vertical reduce in the element type.
      for (let ch = 0; ch < c; ch++) {
        let sum = 0;
        for (let i = 0; i < n; i++) sum = r(sum + x[i * c + ch]);
        const m = r(sum / count);
        let vs = 0;
        // y + (x - mean) * (x - mean), contracted to an FMA in PyTorch's build.
        const fused = input.dtype.name === "float32" ? fma32 : fma;
        for (let i = 0; i < n; i++) {
          const d = r(x[i * c + ch] - m);
          vs = fused(d, d, vs);
        }
        mean[ch] = m;
        varSum[ch] = vs;
      }
    } else if (!nativeStats(input, mean, varSum)) {
      for (let ch = 0; ch < c; ch++) {
        let sum = 0;
        for (let i = 0; i < n; i++) {
          const base = (i * c + ch) * s;
          for (let j = 0; j < s; j++) sum += x[base + j];
        }
        const m = r(sum / count);
        let vs = 0;
        for (let i = 0; i < n; i++) {
          const base = (i * c + ch) * s;
          for (let j = 0; j < s; j++) {
            const d = r(x[base + j] - m);
            vs += r(d * d);
          }
        }
        mean[ch] = m;
        varSum[ch] = r(vs);
      }
    }
    for (let ch = 0; ch < c; ch++) invstd[ch] = r(1 / Math.sqrt((strided ? varSum[ch] / count : r(varSum[ch] / count)) + eps));
    if (training && (runningMean || runningVar)) {
      const mom = strided ? momentum : r(momentum);
      const keep = strided ? 1 - momentum : r(1 - mom);
      const r2 = strided ? (v: number) => v : r;
      if (runningMean) {
        const rm = runningMean.detach().contiguous().values();
        const next = new input.dtype.ArrayType(c);
        for (let ch = 0; ch < c; ch++) next[ch] = r2(mom * mean[ch]) + r2(keep * rm[ch]);
        runningMean.detach().copy_(Tensor.make([c], input.dtype, next, input.device).reshape(runningMean.shape));
      }
      if (runningVar) {
        const rv = runningVar.detach().contiguous().values();
        const next = new input.dtype.ArrayType(c);
        for (let ch = 0; ch < c; ch++) next[ch] = mom * r2(varSum[ch] / (count - 1)) + r2(keep * rv[ch]);
        runningVar.detach().copy_(Tensor.make([c], input.dtype, next, input.device).reshape(runningVar.shape));
      }
    }
  } else {
    const rm = runningMean!.detach().contiguous().values();
    const rv = runningVar!.detach().contiguous().values();
    const e = r(eps);
    for (let ch = 0; ch < c; ch++) {
      mean[ch] = rm[ch];
      invstd[ch] = r(1 / r(Math.sqrt(r(rv[ch] + e))));
    }
  }
  // PyTorch's build contracts beta = b - mean * alpha and y = x * alpha + beta into FMAs.
  const fused = input.dtype.name === "float32" ? fma32 : fma;
  const alphas = new Float64Array(c);
  const betas = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    alphas[ch] = r(invstd[ch] * (w ? w[ch] : 1));
    betas[ch] = fused(-mean[ch], alphas[ch], b ? b[ch] : 0);
  }
  const applied = strided ? null : (backendOf(input).batchNorm?.apply(input.detach(), alphas, betas) ?? null);
  if (applied) return { y: applied, mean, invstd };
  const out = new input.dtype.ArrayType(input.numel());
  for (let ch = 0; ch < c; ch++) {
    const alpha = alphas[ch];
    const beta = betas[ch];
    if (strided) {
      // PyTorch's strided path: ((x - mean) * invstd) * w + b, elementwise, unfused.
      const m = mean[ch];
      const is = invstd[ch];
      const wc = w ? w[ch] : 1;
      const bc = b ? b[ch] : 0;
      for (let i = 0; i < n; i++) {
        const base = (i * c + ch) * s;
        for (let j = 0; j < s; j++) out[base + j] = r(r(r(x[base + j] - m) * is) * wc) + bc;
      }
      continue;
    }
    if (fused === fma32) fusedPlanes32(x, out as Float32Array, n, c, s, ch, alpha, beta);
    else {
      for (let i = 0; i < n; i++) {
        const base = (i * c + ch) * s;
        for (let j = 0; j < s; j++) out[base + j] = fused(x[base + j], alpha, beta);
      }
    }
  }
  return { y: Tensor.make(input.shape.slice(), input.dtype, out, input.device), mean, invstd };
}

/** out = fma32(x, alpha, beta) over one channel's planes, with fma32's common case inline. */
function fusedPlanes32(x: ArrayLike<number>, out: Float32Array, n: number, c: number, s: number, ch: number, alpha: number, beta: number): void {
  for (let i = 0; i < n; i++) {
    const base = (i * c + ch) * s;
    for (let j = 0; j < s; j++) {
      const xv = x[base + j];
      const sum = xv * alpha + beta;
      const rounded = Math.fround(sum);
      if (rounded === sum) out[base + j] = rounded;
      else {
        // fma32 has more to check only when the double sum may sit on a float32 midpoint.
        const d = sum - rounded;
        const m = sum + d;
        out[base + j] = Math.fround(m) !== m ? rounded : fma32(xv, alpha, beta);
      }
    }
  }
}

/** The backend's loops for the training statistics of a contiguous input (S > 1), into mean and varSum; false where they do not run. */
function nativeStats(input: Tensor, mean: Float64Array, varSum: Float64Array): boolean {
  const got = backendOf(input).batchNorm?.stats(input.detach()) ?? null;
  if (!got) return false;
  mean.set(got.mean);
  varSum.set(got.varSum);
  return true;
}

const laneAcc = new Float64Array(8);

/** The horizontal sum of AVX2 lanes: float32's permute/shuffle tree, float64 lane by lane. */
function horizontal(acc: Float64Array, f32: boolean): number {
  if (!f32) return acc[0] + acc[1] + acc[2] + acc[3];
  const r = Math.fround;
  return r(r(r(acc[0] + acc[4]) + r(acc[2] + acc[6])) + r(r(acc[1] + acc[5]) + r(acc[3] + acc[7])));
}

/** vec::reduce_all(+) of a[off, off + size) under AVX2 (8 float32 / 4 float64 lanes), in the element type. */
function laneSum(a: ArrayLike<number>, off: number, size: number, f32: boolean): number {
  const r = f32 ? Math.fround : (v: number) => v;
  const L = f32 ? 8 : 4;
  if (size < L) {
    let acc = size > 0 ? a[off] : 0;
    for (let i = 1; i < size; i++) acc = r(acc + a[off + i]);
    return acc;
  }
  const acc = laneAcc;
  for (let l = 0; l < L; l++) acc[l] = a[off + l];
  let d = L;
  for (; d < size - (size % L); d += L) for (let l = 0; l < L; l++) acc[l] = r(acc[l] + a[off + d + l]);
  for (let l = 0; d + l < size; l++) acc[l] = r(acc[l] + a[off + d + l]);
  return horizontal(acc, f32);
}

/**
 * vec::map2_reduce_all of (a - m) * b over [off, off + size) under AVX2: the full vectors
 * accumulate by FMA (PyTorch's build contracts acc + (x - m) * dy), the tail unfused.
 */
function laneDot(a: ArrayLike<number>, b: ArrayLike<number>, off: number, size: number, m: number, f32: boolean): number {
  const r = f32 ? Math.fround : (v: number) => v;
  const fm = f32 ? fma32 : fma;
  const L = f32 ? 8 : 4;
  if (size < L) {
    let acc = size > 0 ? r(r(a[off] - m) * b[off]) : 0;
    for (let i = 1; i < size; i++) acc = r(acc + r(r(a[off + i] - m) * b[off + i]));
    return acc;
  }
  const acc = laneAcc;
  for (let l = 0; l < L; l++) acc[l] = r(r(a[off + l] - m) * b[off + l]);
  let d = L;
  for (; d < size - (size % L); d += L) for (let l = 0; l < L; l++) acc[l] = fm(r(a[off + d + l] - m), b[off + d + l], acc[l]);
  for (let l = 0; d + l < size; l++) acc[l] = r(acc[l] + r(r(a[off + d + l] - m) * b[off + d + l]));
  return horizontal(acc, f32);
}

/**
 * The backward of batch norm: [dx, dweight, dbias] (null where not wanted), given the mean and
 * inverse std the forward used; in training dx runs through the batch statistics.
 */
export function batchNormBackward(
  gradOut: Tensor,
  input: Tensor,
  weight: Tensor | null,
  mean: Float64Array,
  invstd: Float64Array,
  train: boolean,
  needs: [boolean, boolean, boolean],
): [Tensor | null, Tensor | null, Tensor | null] {
  const r = rounder(input);
  const f32 = input.dtype.name === "float32";
  const n = input.shape[0] | 0;
  const c = input.shape[1] | 0;
  const s = c === 0 || n === 0 ? 0 : (input.numel() / (n * c)) | 0;
  const count = n * s;
  const xt = input.detach().contiguous();
  const dyt = gradOut.contiguous();
  const x = xt.values();
  const dy = dyt.values();
  const w = weight ? weight.detach().contiguous().values() : null;
  const dw = needs[1] ? new input.dtype.ArrayType(c) : null;
  const db = needs[2] ? new input.dtype.ArrayType(c) : null;
  const kernels = backendOf(input).batchNorm;
  const reduced = kernels?.backwardReduce(xt, dyt, mean) ?? null;
  const make = (a: ArrayLike<number> | null, shape: number[]) => (a ? Tensor.make(shape, input.dtype, a as Float32Array, input.device) : null);
  if (reduced && (!needs[0] || train)) {
    // The backend's loops; the per-channel scalars as below.
    const ks = new Float64Array(c);
    const gMeans = new Float64Array(c);
    const ws = new Float64Array(c);
    for (let ch = 0; ch < c; ch++) {
      const is = invstd[ch];
      ks[ch] = r(r(r(r(reduced.dotp[ch]) * is) * is) / count);
      gMeans[ch] = r(reduced.sum[ch] / count);
      ws[ch] = w ? w[ch] : 1;
      if (dw) dw[ch] = reduced.dotp[ch] * is;
      if (db) db[ch] = reduced.sum[ch];
    }
    const dxt = needs[0] ? kernels!.backwardApply(xt, dyt, mean, ks, gMeans, invstd, ws) : null;
    if (!needs[0] || dxt) return [dxt, make(dw, weight ? weight.shape.slice() : [c]), make(db, [c])];
  }
  const dx = needs[0] ? new input.dtype.ArrayType(input.numel()) : null;
  for (let ch = 0; ch < c; ch++) {
    const m = mean[ch];
    const is = invstd[ch];
    // Per plane, vectorised sums (vec::reduce_all / map2_reduce_all) in the element type,
    // accumulated over the batch in double.
    let sum = 0;
    let dotp = 0;
    if (reduced) {
      sum = reduced.sum[ch];
      dotp = reduced.dotp[ch];
    } else {
      for (let i = 0; i < n; i++) {
        const base = (i * c + ch) * s;
        sum += laneSum(dy, base, s, f32);
        dotp += laneDot(x, dy, base, s, m, f32);
      }
    }
    if (dx) {
      const wc = w ? w[ch] : 1;
      const fused = f32 ? fma32 : fma;
      if (train) {
        const k = r(r(r(r(dotp) * is) * is) / count);
        const gMean = r(sum / count);
        // (dy - grad_mean - (x - mean) * k) * invstd * w, the subtraction of the product fused.
        for (let i = 0; i < n; i++) {
          const base = (i * c + ch) * s;
          for (let j = 0; j < s; j++) dx[base + j] = r(r(fused(-r(x[base + j] - m), k, r(dy[base + j] - gMean)) * is) * wc);
        }
      } else {
        const scale = r(is * wc);
        for (let i = 0; i < n; i++) {
          const base = (i * c + ch) * s;
          for (let j = 0; j < s; j++) dx[base + j] = dy[base + j] * scale;
        }
      }
    }
    if (dw) dw[ch] = dotp * is;
    if (db) db[ch] = sum;
  }
  return [make(dx, input.shape.slice()), make(dw, weight ? weight.shape.slice() : [c]), make(db, [c])];
}

// ---------------------------------------------------------------- group norm

const CHUNK = 16;

function ceilLog2(x: number): number {
  return x <= 2 ? 1 : 32 - Math.clz32(x - 1);
}

/**
 * utils::RowwiseMoments of x[off, off + len) as PyTorch 1.13 computes it under AVX2 (8 float32 /
 * 4 float64 lanes): Welford updates per lane over chunks of 16 vectors, chunk results merged in a
 * binary cascade, the scalar tail, then the lanes merged into it, every step rounded in the
 * element type (none of these is FMA-contracted). Returns [mean, biased variance].
 */
export function rowwiseMoments(x: ArrayLike<number>, off: number, len: number, f32: boolean): [number, number] {
  const r = f32 ? Math.fround : (v: number) => v;
  const L = f32 ? 8 : 4;
  const n = Math.floor(len / L);
  const m = Math.ceil(n / CHUNK);
  const depth = ceilLog2(m);
  const m0s = new Array<number>(depth).fill(0);
  const m1s = Array.from({ length: depth }, () => new Float64Array(L));
  const m2s = Array.from({ length: depth }, () => new Float64Array(L));
  const m1v = new Float64Array(L);
  const m2v = new Float64Array(L);
  const addVec = (m0Add: number, m1Add: Float64Array, m2Add: Float64Array, k: number) => {
    const total = m0s[k] + m0Add;
    const c = total === 0 ? 0 : r(m0Add / total);
    const cnt = r(m0s[k]);
    const m1 = m1s[k];
    const m2 = m2s[k];
    for (let l = 0; l < L; l++) {
      const delta = r(m1Add[l] - m1[l]);
      m1[l] = r(m1[l] + r(c * delta));
      m2[l] = r(m2[l] + r(m2Add[l] + r(r(r(delta * delta) * c) * cnt)));
    }
    m0s[k] = total;
  };
  for (let i = 0; i < m; i++) {
    const base = off + i * CHUNK * L;
    const m0 = Math.min(CHUNK, n - i * CHUNK);
    m1v.fill(0);
    m2v.fill(0);
    for (let j = 0; j < m0; j++) {
      const c = r(1 / (j + 1));
      for (let l = 0; l < L; l++) {
        const xv = x[base + j * L + l];
        const delta = r(xv - m1v[l]);
        m1v[l] = r(m1v[l] + r(delta * c));
        m2v[l] = r(m2v[l] + r(delta * r(xv - m1v[l])));
      }
    }
    addVec(m0, m1v, m2v, 0);
    let mask = i + 1;
    for (let j = 1; j < depth && (mask & 1) === 0; j++) {
      const [a0, a1, a2] = [m0s[j - 1], m1s[j - 1].slice(), m2s[j - 1].slice()];
      addVec(a0, a1, a2, j);
      m0s[j - 1] = 0;
      m1s[j - 1].fill(0);
      m2s[j - 1].fill(0);
      mask >>= 1;
    }
  }
  for (let i = 1; i < depth; i++) {
    const [a0, a1, a2] = [m0s[i], m1s[i].slice(), m2s[i].slice()];
    addVec(a0, a1, a2, 0);
  }
  let m0 = 0;
  let m1 = 0;
  let m2 = 0;
  for (let i = n * L; i < len; i++) {
    const xv = x[off + i];
    const delta = r(xv - m1);
    m0++;
    m1 = r(m1 + r(delta / m0));
    m2 = r(m2 + r(delta * r(xv - m1)));
  }
  for (let l = 0; l < L; l++) {
    const total = m0 + n;
    const c = total === 0 ? 0 : r(n / total);
    const delta = r(m1s[0][l] - m1);
    m1 = r(m1 + r(c * delta));
    m2 = r(m2 + r(m2s[0][l] + r(r(r(delta * delta) * c) * m0)));
    m0 = total;
  }
  return [m1, r(m2 / len)];
}

/**
 * The forward of group norm over contiguous [N, C, S] with G groups, as PyTorch 1.13's CPU
 * kernel: per (sample, group) moments, rstd = 1 / sqrt(var + eps) in the element type, then
 * y = scale * x + bias per channel (scale = rstd * gamma, bias = beta - scale * mean; the output's
 * multiply-add FMA-contracted), or (x - mean) * rstd without an affine.
 */
export function groupNormForward(input: Tensor, g: number, weight: Tensor | null, bias: Tensor | null, eps: number): { y: Tensor; mean: Float64Array; rstd: Float64Array } {
  const f32 = input.dtype.name === "float32";
  const r = f32 ? Math.fround : (v: number) => v;
  const fm = f32 ? fma32 : fma;
  const n = input.shape[0];
  const c = input.shape[1];
  const s = n === 0 || c === 0 ? 0 : input.numel() / (n * c);
  const d = c / g;
  const x = input.detach().contiguous().values();
  const w = weight ? weight.detach().contiguous().values() : null;
  const b = bias ? bias.detach().contiguous().values() : null;
  const out = new input.dtype.ArrayType(input.numel());
  const mean = new Float64Array(n * g);
  const rstd = new Float64Array(n * g);
  for (let i = 0; i < n * g; i++) {
    const off = i * d * s;
    const [mu, v] = rowwiseMoments(x, off, d * s, f32);
    const rs = r(1 / r(Math.sqrt(r(Math.max(v, 0) + r(eps)))));
    mean[i] = mu;
    rstd[i] = rs;
    if (!w && !b) {
      for (let j = 0; j < d * s; j++) out[off + j] = r(x[off + j] - mu) * rs;
      continue;
    }
    const grp = i % g;
    for (let j = 0; j < d; j++) {
      const ch = grp * d + j;
      const scale = r(rs * (w ? w[ch] : 1));
      const shift = r(r(-scale * mu) + (b ? b[ch] : 0));
      const base = off + j * s;
      for (let k = 0; k < s; k++) out[base + k] = fm(scale, x[base + k], shift);
    }
  }
  return { y: Tensor.make(input.shape.slice(), input.dtype, out, input.device), mean, rstd };
}
