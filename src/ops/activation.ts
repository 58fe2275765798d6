// Activation functions with their derivatives, written as PyTorch's CPU kernels compute them so
// float64 results agree to the last bits.
import { normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { needsGrad, record } from "./node.js";
import { erf as erfScalar } from "./special/erf.js";
import { backendOf, checkTensorArg } from "./util.js";
import { tracer } from "./trace.js";

function map(x: Tensor, name: string, fn: (v: number) => number): Tensor {
  checkTensorArg(name, "input", 1, x);
  return backendOf(x).unary(x, { name, fn }, x.dtype);
}
function map2(a: Tensor, b: Tensor, name: string, fn: (p: number, q: number) => number): Tensor {
  return backendOf(a).binary(a, b, { name, fn }, a.dtype, a.shape.slice());
}
function checkFloat(x: Tensor, op: string): void {
  if (!x.dtype.isFloatingPoint) throw new TypeError(`${op}: expected a floating point tensor, got ${x.dtype}`);
}

export function relu(x: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("relu", relu, [x]);
  const y = map(x, "relu", (v) => (v > 0 || Number.isNaN(v) ? v : 0));
  // threshold_backward(grad, result, 0): no gradient where the result is <= 0
  if (needsGrad(x)) record("ReluBackward0", [x], y, (gy) => [map2(gy, y, "relu_backward", (g, r) => (r <= 0 ? 0 : g))], [y]);
  return y;
}

export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("leakyRelu", leakyRelu, [x, negativeSlope]);
  checkFloat(x, "leaky_relu");
  const s = negativeSlope;
  const y = map(x, "leaky_relu", (v) => (v > 0 ? v : v * s));
  if (needsGrad(x)) record("LeakyReluBackward0", [x], y, (gy) => [map2(gy, x, "leaky_relu_backward", (g, v) => (v > 0 ? g : g * s))], [x]);
  return y;
}

export function threshold(x: Tensor, th: number, value: number): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("threshold", threshold, [x, th, value]);
  const y = map(x, "threshold", (v) => (v <= th ? value : v));
  if (needsGrad(x)) record("ThresholdBackward0", [x], y, (gy) => [map2(gy, x, "threshold_backward", (g, v) => (v <= th ? 0 : g))], [x]);
  return y;
}

/** hardtanh: clamp to [min, max]; the gradient is zero at and beyond the bounds. */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("hardtanh", hardtanh, [x, minVal, maxVal]);
  if (minVal > maxVal) throw new RangeError("hardtanh: min_val cannot be greater than max_val");
  const y = map(x, "hardtanh", (v) => (v < minVal ? minVal : v > maxVal ? maxVal : v));
  if (needsGrad(x)) {
    record("HardtanhBackward0", [x], y, (gy) => [map2(gy, x, "hardtanh_backward", (g, v) => (v <= minVal || v >= maxVal ? 0 : g))], [x]);
  }
  return y;
}

export function relu6(x: Tensor): Tensor {
  return hardtanh(x, 0, 6);
}

export function elu(x: Tensor, alpha = 1, scale = 1, inputScale = 1, node = "EluBackward0", gradInputScale = inputScale): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("elu", elu, [x, alpha, scale, inputScale, node, gradInputScale]);
  checkFloat(x, "elu");
  const y = map(x, "elu", (v) => (v <= 0 ? Math.expm1(v * inputScale) * alpha * scale : v * scale));
  if (needsGrad(x)) {
    record(node, [x], y, (gy) => [
      map2(gy, x, "elu_backward", (g, v) => (v <= 0 ? g * gradInputScale * alpha * scale * Math.exp(v * gradInputScale) : g * scale)),
    ], [x]);
  }
  return y;
}

export function selu(x: Tensor): Tensor {
  return elu(x, 1.6732632423543772848170429916717, 1.0507009873554804934193349852946);
}

export function celu(x: Tensor, alpha = 1): Tensor {
  // PyTorch's derivative formula takes 1.0 / alpha.toFloat(): alpha rounded to float32 first.
  return elu(x, alpha, 1, 1 / alpha, "CeluBackward0", 1 / Math.fround(alpha));
}

const SQRT1_2 = Math.SQRT1_2;
const M_2_SQRTPI = 1.1283791670955126;
const KAPPA = 0.044715;

/** GELU, exact ("none") or the tanh approximation. */
export function gelu(x: Tensor, approximate: "none" | "tanh" = "none"): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("gelu", gelu, [x, approximate]);
  checkFloat(x, "gelu");
  if (approximate === "tanh") {
    const beta = Math.SQRT2 * M_2_SQRTPI * 0.5;
    const y = map(x, "gelu_tanh", (v) => 0.5 * v * (1 + Math.tanh(beta * (v + KAPPA * v * v * v))));
    if (needsGrad(x)) {
      record("GeluBackward0", [x], y, (gy) => [
        map2(gy, x, "gelu_tanh_backward", (g, v) => {
          const inner = beta * (v + KAPPA * v * v * v);
          const t = Math.tanh(inner);
          const left = 0.5 * v;
          const right = 1 + t;
          const leftDerivative = 0.5 * right;
          const rightDerivative = left * (1 - t * t) * beta * (1 + 3 * KAPPA * v * v);
          return g * (leftDerivative + rightDerivative);
        }),
      ], [x]);
    }
    return y;
  }
  const y = map(x, "gelu", (v) => v * 0.5 * (1 + erfScalar(v * SQRT1_2)));
  if (needsGrad(x)) {
    record("GeluBackward0", [x], y, (gy) => [
      map2(gy, x, "gelu_backward", (g, v) => {
        const cdf = 0.5 * (1 + erfScalar(v * SQRT1_2));
        const pdf = Math.exp(-0.5 * v * v) * (M_2_SQRTPI * SQRT1_2 * 0.5);
        return g * (cdf + v * pdf);
      }),
    ], [x]);
  }
  return y;
}

export function silu(x: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("silu", silu, [x]);
  checkFloat(x, "silu");
  const y = map(x, "silu", (v) => v / (1 + Math.exp(-v)));
  if (needsGrad(x)) {
    record("SiluBackward0", [x], y, (gy) => [
      map2(gy, x, "silu_backward", (g, v) => {
        const s = 1 / (1 + Math.exp(-v));
        return g * s * (1 + v * (1 - s));
      }),
    ], [x]);
  }
  return y;
}

export function mish(x: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("mish", mish, [x]);
  checkFloat(x, "mish");
  const y = map(x, "mish", (v) => v * Math.tanh(Math.log1p(Math.exp(v))));
  if (needsGrad(x)) {
    record("MishBackward0", [x], y, (gy) => [
      map2(gy, x, "mish_backward", (g, v) => {
        const s = 1 / (1 + Math.exp(-v));
        const t = Math.tanh(Math.log1p(Math.exp(v)));
        return g * (t + v * s * (1 - t * t));
      }),
    ], [x]);
  }
  return y;
}

export function softplus(x: Tensor, beta = 1, th = 20): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("softplus", softplus, [x, beta, th]);
  checkFloat(x, "softplus");
  const y = map(x, "softplus", (v) => (v * beta > th ? v : Math.log1p(Math.exp(v * beta)) / beta));
  if (needsGrad(x)) {
    record("SoftplusBackward0", [x], y, (gy) => [
      map2(gy, x, "softplus_backward", (g, v) => {
        const z = Math.exp(v * beta);
        return v * beta > th ? g : (g * z) / (z + 1);
      }),
    ], [x]);
  }
  return y;
}

export function softsign(x: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("softsign", softsign, [x]);
  return x.div(x.abs().add(1));
}

// PyTorch's kernel writes the constant as 1.0f / 6.0f, so even float64 gradients use float32's 1/6.
const ONE_SIXTH_F = Math.fround(1 / 6);

export function hardsigmoid(x: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("hardsigmoid", hardsigmoid, [x]);
  checkFloat(x, "hardsigmoid");
  const y = map(x, "hardsigmoid", (v) => Math.min(Math.max(v + 3, 0), 6) / 6);
  if (needsGrad(x)) record("HardsigmoidBackward0", [x], y, (gy) => [map2(gy, x, "hardsigmoid_backward", (g, v) => (v > -3 && v < 3 ? g * ONE_SIXTH_F : 0))], [x]);
  return y;
}

export function hardswish(x: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("hardswish", hardswish, [x]);
  checkFloat(x, "hardswish");
  const y = map(x, "hardswish", (v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6);
  if (needsGrad(x)) {
    record("HardswishBackward0", [x], y, (gy) => [
      map2(gy, x, "hardswish_backward", (g, v) => (v < -3 ? 0 : v <= 3 ? g * (v / 3 + 0.5) : g)),
    ], [x]);
  }
  return y;
}

export function logsigmoid(x: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("logsigmoid", logsigmoid, [x]);
  checkFloat(x, "log_sigmoid");
  // -softplus(-x), computed without overflow for large |x|
  const y = map(x, "log_sigmoid", (v) => Math.min(v, 0) - Math.log1p(Math.exp(-Math.abs(v))));
  if (needsGrad(x)) {
    record("LogSigmoidBackward0", [x], y, (gy) => [
      map2(gy, x, "log_sigmoid_backward", (g, v) => {
        const z = Math.exp(-Math.abs(v));
        return v < 0 ? g * (1 - z / (1 + z)) : g * (z / (1 + z));
      }),
    ], [x]);
  }
  return y;
}

export function tanhshrink(x: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("tanhshrink", tanhshrink, [x]);
  return x.sub(x.tanh());
}

export function hardshrink(x: Tensor, lambd = 0.5): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("hardshrink", hardshrink, [x, lambd]);
  const y = map(x, "hardshrink", (v) => (v >= -lambd && v <= lambd ? 0 : v));
  if (needsGrad(x)) {
    record("HardshrinkBackward0", [x], y, (gy) => [map2(gy, x, "hardshrink_backward", (g, v) => (v >= -lambd && v <= lambd ? 0 : g))], [x]);
  }
  return y;
}

export function softshrink(x: Tensor, lambd = 0.5): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("softshrink", softshrink, [x, lambd]);
  if (lambd < 0) throw new RangeError(`lambda must be greater or equal to 0, but found to be ${lambd}.`);
  const y = map(x, "softshrink", (v) => (v > lambd ? v - lambd : v < -lambd ? v + lambd : 0));
  if (needsGrad(x)) {
    record("SoftshrinkBackward0", [x], y, (gy) => [map2(gy, x, "softshrink_backward", (g, v) => (v >= -lambd && v <= lambd ? 0 : g))], [x]);
  }
  return y;
}

/** PReLU: x where x > 0, weight * x elsewhere; weight has one value or one per channel (dim 1). */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("prelu", prelu, [x, weight]);
  checkFloat(x, "prelu");
  const n = weight.numel();
  const channels = x.dim() >= 2 ? x.shape[1] : 1;
  if (n !== 1 && n !== channels) {
    throw new RangeError(`prelu: Mismatch of parameter numbers and input channel size. Found parameter numbers = ${n} and channel size = ${channels}.`);
  }
  const w = n === 1 ? weight.reshape([]) : weight.reshape([channels, ...Array(Math.max(0, x.dim() - 2)).fill(1)]);
  const wd = w.detach();
  const y = backendOf(x).binary(x, wd.expand(x.shape), { name: "prelu", fn: (v, a) => (v > 0 ? v : a * v) }, x.dtype, x.shape.slice());
  if (needsGrad(x, weight)) {
    record("PreluBackward0", [x, w], y, (gy) => [
      x.requiresGrad ? gy.mul(wd.expand(x.shape).where(x.le(0), 1)) : null,
      weight.requiresGrad ? gy.mul(x.detach().where(x.le(0), 0)) : null,
    ], [x, w]);
  }
  return y;
}

/** softmax along dim, shifted by the max so large inputs do not overflow. */
export function softmax(x: Tensor, dim: number): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("softmax", softmax, [x, dim]);
  checkFloat(x, "softmax");
  const d = normalizeDim(dim, x.dim(), "softmax");
  const xd = x.detach();
  // A backend with a softmax kernel (the native one, for large inputs) computes it in one pass.
  const y = backendOf(x).softmax?.(xd, d, false) ?? softmaxComposed(xd, d);
  if (needsGrad(x)) record("SoftmaxBackward0", [x], y, (gy) => [y.mul(gy.sub(gy.mul(y).sum(d, { keepdim: true })))], [y]);
  return y;
}

export function logSoftmax(x: Tensor, dim: number): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("logSoftmax", logSoftmax, [x, dim]);
  checkFloat(x, "log_softmax");
  const d = normalizeDim(dim, x.dim(), "log_softmax");
  const xd = x.detach();
  const y = backendOf(x).softmax?.(xd, d, true) ?? logSoftmaxComposed(xd, d);
  if (needsGrad(x)) record("LogSoftmaxBackward0", [x], y, (gy) => [gy.sub(y.exp().mul(gy.sum(d, { keepdim: true })))], [y]);
  return y;
}

function softmaxComposed(xd: Tensor, d: number): Tensor {
  const shifted = xd.sub(xd.amax(d, { keepdim: true }));
  const e = shifted.exp();
  return e.div(e.sum(d, { keepdim: true }));
}

function logSoftmaxComposed(xd: Tensor, d: number): Tensor {
  const shifted = xd.sub(xd.amax(d, { keepdim: true }));
  return shifted.sub(shifted.exp().sum(d, { keepdim: true }).log());
}

export function softmin(x: Tensor, dim: number): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("softmin", softmin, [x, dim]);
  return softmax(x.neg(), dim);
}
