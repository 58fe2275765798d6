// Normal samples: torch.randn, Tensor.normal_, torch.normal, nn.init.normal_ and friends.
//
// PyTorch picks one of three algorithms (ATen/native/cpu/DistributionTemplates.h, AVX2 build):
//  - float32, contiguous, numel >= 16: uniforms first, then Box-Muller over blocks of 16 with the
//    float32 Cephes log/sincos of avx_mathfun.h; a tail that is not a multiple of 16 redraws the
//    last 16 uniforms and transforms that window again.
//  - float64, contiguous, numel >= 16: the same layout with double libm log/cos/sin.
//  - otherwise: scalar double Box-Muller, one pair per two elements, the second value cached in the
//    generator across calls.

import type { DTypeName, TypedArray } from "../tensor/dtype.js";
import { cephesLog, cephesSinCos, sinCosOut, TWO_PI_F } from "./cephes-avx.js";
import { fma32, fma64 } from "./fma.js";
import { cosAccurate, logAccurate, sinAccurate } from "./libm-accurate.js";
import type { Generator } from "./generator.js";
import type { MT19937 } from "./mt19937.js";
import { requireFloating } from "./scalar-type.js";

const TWO_POW_MINUS_24 = 2 ** -24;
const TWO_PI = 2 * Math.PI;
const fr = Math.fround;

function checkStd(std: number): void {
  if (!(std >= 0)) throw new RangeError(`normal expects std >= 0.0, but found std ${std}`);
}

/**
 * Fills `out` with normal(mean, std) samples exactly as Tensor.normal_ does.
 * `contiguous: false` selects the scalar path PyTorch takes for non-contiguous tensors; then `out`
 * must be in the tensor's iteration (memory) order.
 */
export function normal_(
  gen: Generator,
  out: TypedArray,
  dtype: DTypeName,
  mean = 0,
  std = 1,
  contiguous = true,
): TypedArray {
  requireFloating(dtype, "normal_kernel_cpu");
  checkStd(std);
  const n = out.length;
  if (n >= 16 && contiguous) {
    if (dtype === "float32") normalFillFloat32(gen.engine, out as Float32Array, fr(mean), fr(std));
    else normalFillFloat64(gen.engine, out as Float64Array, mean, std);
  } else {
    normalScalar(gen, out, mean, std);
  }
  return out;
}

function normalFillFloat32(eng: MT19937, d: Float32Array, mean: number, std: number): void {
  const n = d.length;
  for (let i = 0; i < n; i++) d[i] = (eng.random() & 0xffffff) * TWO_POW_MINUS_24;
  for (let off = 0; off + 16 <= n; off += 16) boxMuller16Float32(d, off, mean, std);
  if (n % 16 !== 0) {
    for (let i = n - 16; i < n; i++) d[i] = (eng.random() & 0xffffff) * TWO_POW_MINUS_24;
    boxMuller16Float32(d, n - 16, mean, std);
  }
}

// normal_fill_16_AVX2 for one block: cosines into the first 8 lanes, sines into the last 8.
function boxMuller16Float32(d: Float32Array, off: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = 1 - d[off + j]; // exact in float32: [0, 1) -> (0, 1]
    const u2 = d[off + 8 + j];
    const radius = fr(Math.sqrt(-2 * cephesLog(u1)));
    cephesSinCos(fr(TWO_PI_F * u2));
    d[off + j] = fma32(fr(radius * sinCosOut.cos), std, mean);
    d[off + 8 + j] = fma32(fr(radius * sinCosOut.sin), std, mean);
  }
}

function normalFillFloat64(eng: MT19937, d: Float64Array, mean: number, std: number): void {
  const n = d.length;
  for (let i = 0; i < n; i++) d[i] = eng.randomDouble();
  for (let off = 0; off + 16 <= n; off += 16) boxMuller16Float64(d, off, mean, std);
  if (n % 16 !== 0) {
    for (let i = n - 16; i < n; i++) d[i] = eng.randomDouble();
    boxMuller16Float64(d, n - 16, mean, std);
  }
}

// normal_fill_16<double>; GCC contracts `radius * cos(theta) * std + mean` into one FMA.
// glibc's log/cos/sin are matched by correctly rounded versions (libm-accurate.ts).
function boxMuller16Float64(d: Float64Array, off: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = 1 - d[off + j];
    const u2 = d[off + 8 + j];
    const radius = Math.sqrt(-2 * logAccurate(u1));
    const theta = TWO_PI * u2;
    d[off + j] = fma64(radius * cosAccurate(theta), std, mean);
    d[off + 8 + j] = fma64(radius * sinAccurate(theta), std, mean);
  }
}

/** One sample of at::normal_distribution<double>: uses and refills the generator's cache. */
export function normalScalarSample(gen: Generator, mean: number, std: number): number {
  let z: number;
  if (gen.hasNextDoubleNormal) {
    gen.hasNextDoubleNormal = false;
    z = gen.nextDoubleNormal;
  } else {
    const eng = gen.engine;
    const u1 = eng.randomDouble();
    const u2 = eng.randomDouble();
    // torch 1.13 takes log(1 - u2); 2.x changed this to log1p(-u2).
    const r = Math.sqrt(-2 * logAccurate(1 - u2));
    const theta = TWO_PI * u1;
    gen.nextDoubleNormal = r * sinAccurate(theta);
    gen.hasNextDoubleNormal = true;
    z = r * cosAccurate(theta);
  }
  return fma64(z, std, mean);
}

function normalScalar(gen: Generator, out: TypedArray, mean: number, std: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = normalScalarSample(gen, mean, std);
}

/**
 * torch.normal with tensor mean and/or std (already broadcast to out.length, in out's order).
 * PyTorch draws standard normals into the output first, then applies std and mean as separate
 * tensor ops rounded in the output dtype: mean tensor + scalar std draws normal_(0, std) then adds
 * the mean; otherwise it draws normal_(0, 1), multiplies by std and adds the mean.
 */
export function normalTensor_(
  gen: Generator,
  out: TypedArray,
  dtype: DTypeName,
  mean: number | ArrayLike<number>,
  std: number | ArrayLike<number>,
): TypedArray {
  requireFloating(dtype, "normal_kernel_cpu");
  const round = dtype === "float32" ? fr : (x: number) => x;
  const n = out.length;
  if (typeof std === "number") {
    checkStd(std);
    if (typeof mean === "number") return normal_(gen, out, dtype, mean, std);
    normal_(gen, out, dtype, 0, std);
    for (let i = 0; i < n; i++) out[i] = round(out[i] + mean[i]);
    return out;
  }
  for (let i = 0; i < n; i++) {
    if (!(std[i] >= 0)) throw new RangeError("normal expects all elements of std >= 0.0");
  }
  normal_(gen, out, dtype, 0, 1);
  if (typeof mean === "number") {
    const m = round(mean);
    for (let i = 0; i < n; i++) out[i] = round(round(out[i] * std[i]) + m);
  } else {
    for (let i = 0; i < n; i++) out[i] = round(round(out[i] * std[i]) + mean[i]);
  }
  return out;
}
