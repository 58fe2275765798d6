// Unary elementwise math, each with its derivative beside it (PyTorch's derivatives.yaml, in TypeScript).
import type { BinaryKernel, UnaryKernel } from "../backend/backend.js";
import { sigmoid32, sigmoid64, sigmoidBackward32, sigmoidBackward64 } from "../backend/cpu/elementwise.js";
import { bool, type DType, float32, getDefaultDtype } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { fma32, fma64 } from "../random/fma.js";
import { broadcastShapes, shapeEquals } from "../tensor/shape.js";
import { isGradEnabled, needsGrad, record } from "./node.js";
import { erf as erfScalar, erfc as erfcScalar, erfinv as erfinvScalar } from "./special/erf.js";
import { backendOf, castTo, checkTensorArg } from "./util.js";
import { tracer } from "./trace.js";

/** How the output dtype follows the input: "float" ops (exp, log, ...) turn integers into the default float. */
type Kind = "float" | "same" | "bool";

function outDtype(x: Tensor, kind: Kind): DType {
  if (kind === "bool") return bool;
  if (kind === "float" && !x.dtype.isFloatingPoint) return getDefaultDtype();
  return x.dtype;
}

interface UnaryDef {
  kernel: UnaryKernel;
  kind: Kind;
  /** PyTorch's grad_fn name. */
  node: string;
  /** The gradient of the input; x is the input, y the output. Absent: not differentiable. */
  grad?: (gy: Tensor, x: Tensor, y: Tensor) => Tensor;
  /** Which of x and y the formula reads (so in-place changes to them are caught). */
  saves?: "x" | "y" | "xy";
}

function defineUnary(def: UnaryDef): (x: Tensor) => Tensor {
  const op = (x: Tensor): Tensor => {
    if (tracer !== null && tracer.depth === 0) return tracer.call(def.kernel.name, op, [x]);
    checkTensorArg(def.kernel.name, "input", 1, x);
    if (def.kind === "float" && x.dtype === bool) x = x.to(getDefaultDtype());
    const y = backendOf(x).unary(x, def.kernel, outDtype(x, def.kind));
    if (def.grad && needsGrad(x)) {
      const grad = def.grad;
      const saved = def.saves === "y" ? [y] : def.saves === "xy" ? [x, y] : def.saves === "x" ? [x] : [];
      record(def.node, [x], y, (gy) => [grad(gy, x, y)], saved);
    }
    return y;
  };
  return op;
}

const u = (name: string, fn: (x: number) => number): UnaryKernel => ({ name, fn });
const LN2 = Math.LN2;
const LN10 = Math.LN10;

export const neg = defineUnary({ kernel: u("neg", (x) => -x), kind: "same", node: "NegBackward0", grad: (gy) => gy.neg() });
export const abs = defineUnary({ kernel: u("abs", Math.abs), kind: "same", node: "AbsBackward0", grad: (gy, x) => gy.mul(x.sign()), saves: "x" });
export const sign = defineUnary({ kernel: u("sign", (x) => (x > 0 ? 1 : x < 0 ? -1 : 0)), kind: "same", node: "SignBackward0", grad: (gy) => gy.mul(0) });
export const exp = defineUnary({ kernel: u("exp", Math.exp), kind: "float", node: "ExpBackward0", grad: (gy, _x, y) => gy.mul(y), saves: "y" });
export const exp2 = defineUnary({ kernel: u("exp2", (x) => 2 ** x), kind: "float", node: "Exp2Backward0", grad: (gy, _x, y) => gy.mul(y).mul(LN2), saves: "y" });
export const expm1 = defineUnary({ kernel: u("expm1", Math.expm1), kind: "float", node: "Expm1Backward0", grad: (gy, _x, y) => gy.mul(y.add(1)), saves: "y" });
export const log = defineUnary({ kernel: u("log", Math.log), kind: "float", node: "LogBackward0", grad: (gy, x) => gy.div(x), saves: "x" });
export const log2 = defineUnary({ kernel: u("log2", Math.log2), kind: "float", node: "Log2Backward0", grad: (gy, x) => gy.div(x.mul(LN2)), saves: "x" });
export const log10 = defineUnary({ kernel: u("log10", Math.log10), kind: "float", node: "Log10Backward0", grad: (gy, x) => gy.div(x.mul(LN10)), saves: "x" });
export const log1p = defineUnary({ kernel: u("log1p", Math.log1p), kind: "float", node: "Log1PBackward0", grad: (gy, x) => gy.div(x.add(1)), saves: "x" });
export const sqrt = defineUnary({ kernel: u("sqrt", Math.sqrt), kind: "float", node: "SqrtBackward0", grad: (gy, _x, y) => gy.div(y.mul(2)), saves: "y" });
export const rsqrt = defineUnary({ kernel: u("rsqrt", (x) => 1 / Math.sqrt(x)), kind: "float", node: "RsqrtBackward0", grad: (gy, _x, y) => gy.mul(-0.5).mul(y.pow(3)), saves: "y" });
export const square = (x: Tensor): Tensor =>
  tracer !== null && tracer.depth === 0 ? tracer.call("square", square, [x]) : (x.dtype === bool ? x.to(getDefaultDtype()) : x).pow(2);
export const reciprocal = defineUnary({ kernel: u("reciprocal", (x) => 1 / x), kind: "float", node: "ReciprocalBackward0", grad: (gy, _x, y) => gy.mul(y.mul(y).neg()), saves: "y" });
export const sin = defineUnary({ kernel: u("sin", Math.sin), kind: "float", node: "SinBackward0", grad: (gy, x) => gy.mul(x.cos()), saves: "x" });
export const cos = defineUnary({ kernel: u("cos", Math.cos), kind: "float", node: "CosBackward0", grad: (gy, x) => gy.mul(x.sin().neg()), saves: "x" });
export const tan = defineUnary({ kernel: u("tan", Math.tan), kind: "float", node: "TanBackward0", grad: (gy, _x, y) => gy.mul(y.square().add(1)), saves: "y" });
export const asin = defineUnary({ kernel: u("asin", Math.asin), kind: "float", node: "AsinBackward0", grad: (gy, x) => gy.mul(x.square().neg().add(1).rsqrt()), saves: "x" });
export const acos = defineUnary({ kernel: u("acos", Math.acos), kind: "float", node: "AcosBackward0", grad: (gy, x) => gy.mul(x.square().neg().add(1).rsqrt().neg()), saves: "x" });
export const atan = defineUnary({ kernel: u("atan", Math.atan), kind: "float", node: "AtanBackward0", grad: (gy, x) => gy.div(x.square().add(1)), saves: "x" });
export const sinh = defineUnary({ kernel: u("sinh", Math.sinh), kind: "float", node: "SinhBackward0", grad: (gy, x) => gy.mul(x.cosh()), saves: "x" });
export const cosh = defineUnary({ kernel: u("cosh", Math.cosh), kind: "float", node: "CoshBackward0", grad: (gy, x) => gy.mul(x.sinh()), saves: "x" });
export const asinh = defineUnary({ kernel: u("asinh", Math.asinh), kind: "float", node: "AsinhBackward0", grad: (gy, x) => gy.mul(x.square().add(1).rsqrt()), saves: "x" });
export const acosh = defineUnary({ kernel: u("acosh", Math.acosh), kind: "float", node: "AcoshBackward0", grad: (gy, x) => gy.mul(x.square().sub(1).rsqrt()), saves: "x" });
export const atanh = defineUnary({ kernel: u("atanh", Math.atanh), kind: "float", node: "AtanhBackward0", grad: (gy, x) => gy.div(x.square().neg().add(1)), saves: "x" });
export const tanh = defineUnary({ kernel: u("tanh", Math.tanh), kind: "float", node: "TanhBackward0", grad: (gy, _x, y) => tanhBackward(gy, y), saves: "y" });

/**
 * PyTorch's tanh_backward, grad * (1 - y * y), whose CPU kernel is compiled with the product and
 * the subtraction fused (one rounding). When the backward pass is itself recorded (createGraph),
 * the same formula is built from differentiable ops instead.
 */
export function tanhBackward(gy: Tensor, y: Tensor): Tensor {
  if (isGradEnabled()) return gy.mul(y.mul(y).neg().add(1));
  const dt = gy.dtype.isFloatingPoint ? gy.dtype : y.dtype;
  const g = castTo(gy, dt);
  const kernel = dt === float32 ? TANH_BACKWARD_F32 : TANH_BACKWARD_F64;
  return backendOf(g).binary(g, castTo(y, dt), kernel, dt, broadcastShapes(g.shape, y.shape, "tanh_backward"));
}
// The backward kernels are made once: a kernel object built per call is garbage per call.
const TANH_BACKWARD_F32: BinaryKernel = { name: "tanh_backward", fn: (a, b) => a * fma32(-b, b, 1) };
const TANH_BACKWARD_F64: BinaryKernel = { name: "tanh_backward", fn: (a, b) => a * fma64(-b, b, 1) };
// sigmoid's derivative is written as PyTorch's kernel computes it: grad * (1 - y) * y.
export const sigmoid = defineUnary({
  kernel: { name: "sigmoid", fn: sigmoid64, f32: sigmoid32 },
  kind: "float",
  node: "SigmoidBackward0",
  grad: (gy, _x, y) => sigmoidBackward(gy, y),
  saves: "y",
});
export const erf = defineUnary({ kernel: u("erf", erfScalar), kind: "float", node: "ErfBackward0", grad: (gy, x) => gy.mul(x.square().neg().exp().mul(2 / Math.sqrt(Math.PI))), saves: "x" });
export const erfc = defineUnary({ kernel: u("erfc", erfcScalar), kind: "float", node: "ErfcBackward0", grad: (gy, x) => gy.mul(x.square().neg().exp().mul(-2 / Math.sqrt(Math.PI))), saves: "x" });
export const erfinv = defineUnary({ kernel: u("erfinv", erfinvScalar), kind: "float", node: "ErfinvBackward0", grad: (gy, _x, y) => gy.mul(y.square().exp().mul(Math.sqrt(Math.PI) / 2)), saves: "y" });
// Rounding: piecewise constant, so zero gradient (PyTorch returns zeros, not None).
const zeroGrad = (gy: Tensor) => gy.mul(0);
export const floor = defineUnary({ kernel: u("floor", Math.floor), kind: "same", node: "FloorBackward0", grad: zeroGrad });
export const ceil = defineUnary({ kernel: u("ceil", Math.ceil), kind: "same", node: "CeilBackward0", grad: zeroGrad });
export const trunc = defineUnary({ kernel: u("trunc", Math.trunc), kind: "same", node: "TruncBackward0", grad: zeroGrad });
// Round half to even, as C's nearbyint in PyTorch's kernel.
export const round = defineUnary({
  kernel: u("round", (x) => {
    const r = Math.round(x);
    return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
  }),
  kind: "same",
  node: "RoundBackward0",
  grad: zeroGrad,
});
export const frac = defineUnary({ kernel: u("frac", (x) => x - Math.trunc(x)), kind: "same", node: "FracBackward0", grad: (gy) => gy });
export const logicalNot = defineUnary({ kernel: u("logical_not", (x) => (x === 0 ? 1 : 0)), kind: "bool", node: "" });
export const isnan = defineUnary({ kernel: u("isnan", (x) => (Number.isNaN(x) ? 1 : 0)), kind: "bool", node: "" });
export const isinf = defineUnary({ kernel: u("isinf", (x) => (x === Infinity || x === -Infinity ? 1 : 0)), kind: "bool", node: "" });
export const isfinite = defineUnary({ kernel: u("isfinite", (x) => (Number.isFinite(x) ? 1 : 0)), kind: "bool", node: "" });

/**
 * PyTorch's sigmoid_backward: grad * (1 - y) * y, one kernel as PyTorch's, each step rounded to
 * the dtype as its float kernel rounds them. Under createGraph (grad mode on) it is built from
 * differentiable ops instead, and mixed dtypes or shapes take that route too.
 */
export function sigmoidBackward(gy: Tensor, y: Tensor): Tensor {
  if (isGradEnabled() || gy.dtype !== y.dtype || !y.dtype.isFloatingPoint || !shapeEquals(gy.shape, y.shape)) {
    return gy.mul(y.neg().add(1)).mul(y);
  }
  const kernel = y.dtype === float32 ? SIGMOID_BACKWARD_F32 : SIGMOID_BACKWARD_F64;
  return backendOf(y).binary(gy, y, kernel, y.dtype, y.shape.slice());
}
const SIGMOID_BACKWARD_F32: BinaryKernel = { name: "sigmoid_backward", fn: sigmoidBackward32 };
const SIGMOID_BACKWARD_F64: BinaryKernel = { name: "sigmoid_backward", fn: sigmoidBackward64 };

/**
 * clamp(min, max): the gradient passes where min <= x <= max. PyTorch names the node
 * ClampBackward1 for clamp/clip with either bound, ClampMinBackward0 / ClampMaxBackward0 for
 * clamp_min / clamp_max.
 */
/** clamp(x, min?, max?), or clamp(x, { min, max }) for PyTorch's keywords (x.clamp(min=0)). */
export function clamp(x: Tensor, minOrOpts?: number | null | { min?: number | null; max?: number | null }, max?: number | null): Tensor {
  let min: number | null | undefined;
  if (minOrOpts !== null && typeof minOrOpts === "object") {
    min = minOrOpts.min;
    max = minOrOpts.max ?? max;
  } else min = minOrOpts;
  if (tracer !== null && tracer.depth === 0) return tracer.call("clamp", clamp, [x, min, max]);
  return clampNamed(x, min, max, "ClampBackward1");
}
export function clampMin(x: Tensor, min: number): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("clampMin", clampMin, [x, min]);
  return clampNamed(x, min, null, "ClampMinBackward0");
}
export function clampMax(x: Tensor, max: number): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("clampMax", clampMax, [x, max]);
  return clampNamed(x, null, max, "ClampMaxBackward0");
}

function clampNamed(x: Tensor, min: number | null | undefined, max: number | null | undefined, node: string): Tensor {
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw new TypeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  }
  const lo = min ?? Number.NEGATIVE_INFINITY;
  const hi = max ?? Number.POSITIVE_INFINITY;
  const y = backendOf(x).unary(
    x,
    u("clamp", (v) => (Number.isNaN(v) ? v : v < lo ? lo : v > hi ? hi : v)),
    x.dtype,
  );
  if (needsGrad(x)) {
    record(node, [x], y, (gy) => [gy.where(x.ge(lo).logicalAnd(x.le(hi)), 0)], [x]);
  }
  return y;
}
