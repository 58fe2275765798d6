// Binary elementwise ops with broadcasting, each with its derivative beside its forward.
// Gradients come back at the broadcast shape; the engine sums them down to each input's shape
// and casts them to its dtype, as PyTorch's engine does.
import type { BinaryKernel } from "../backend/backend.js";
import { fma, fma32 } from "../random/fma.js";
import { bool, castScalar, type DType, float32, float64, getDefaultDtype, scalarTypeName } from "../tensor/dtype.js";
import { broadcastShapes } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { needsGrad, record } from "./node.js";
import { asTensor, backendOf, castTo, checkDevices, checkTensorArg, promote, type TensorOrScalar } from "./util.js";
import { tracer } from "./trace.js";

const k = (name: string, fn: (a: number, b: number) => number): BinaryKernel => ({ name, fn });

export const kernels = {
  add: k("add", (a, b) => a + b),
  sub: k("sub", (a, b) => a - b),
  mul: k("mul", (a, b) => a * b),
  div: k("div", (a, b) => a / b),
  floorDivide: k("floor_divide", (a, b) => Math.floor(a / b)),
  truncDivide: k("trunc_divide", (a, b) => Math.trunc(a / b)),
  // Python's modulo: the result takes the sign of the divisor.
  remainder: k("remainder", (a, b) => {
    const r = a % b;
    return r !== 0 && r < 0 !== b < 0 ? r + b : r;
  }),
  fmod: k("fmod", (a, b) => a % b),
  pow: k("pow", powScalar),
  maximum: k("maximum", (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : a > b ? a : b)),
  minimum: k("minimum", (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : a < b ? a : b)),
  atan2: k("atan2", Math.atan2),
  eq: k("eq", (a, b) => (a === b ? 1 : 0)),
  ne: k("ne", (a, b) => (a !== b ? 1 : 0)),
  lt: k("lt", (a, b) => (a < b ? 1 : 0)),
  le: k("le", (a, b) => (a <= b ? 1 : 0)),
  gt: k("gt", (a, b) => (a > b ? 1 : 0)),
  ge: k("ge", (a, b) => (a >= b ? 1 : 0)),
  logicalAnd: k("logical_and", (a, b) => (a !== 0 && b !== 0 ? 1 : 0)),
  logicalOr: k("logical_or", (a, b) => (a !== 0 || b !== 0 ? 1 : 0)),
  logicalXor: k("logical_xor", (a, b) => ((a !== 0) !== (b !== 0) ? 1 : 0)),
  // PyTorch's kernel: a == 0 ? b : (a > 0), so NaN steps to 0.
  heaviside: k("heaviside", (a, b) => (a === 0 ? b : a > 0 ? 1 : 0)),
};

/** C's pow, which JavaScript's ** follows except that pow(1, y) and pow(-1, ±inf) are 1 there. */
function powScalar(a: number, b: number): number {
  if (a === 1) return 1;
  if (a === -1 && (b === Number.POSITIVE_INFINITY || b === Number.NEGATIVE_INFINITY)) return 1;
  return a ** b;
}

/** Arithmetic results stored as bool (true + true) are 0 or 1, as a C++ bool is. */
function asBool(t: Tensor): Tensor {
  const d = t.storage.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i] !== 0 ? 1 : 0;
  return t;
}

/**
 * Runs a binary kernel: promotes both operands to the computing dtype first (so float32 math
 * rounds as PyTorch's does), broadcasts, and writes outDtype (bool for comparisons).
 */
export function elementwise(op: string, kern: BinaryKernel, a: TensorOrScalar, b: TensorOrScalar, outDtype?: DType, computeDtype?: DType): Tensor {
  if (!(b instanceof Tensor) && typeof b !== "number" && typeof b !== "boolean") checkTensorArg(op, "other", 1, b, true);
  if (!(a instanceof Tensor) && typeof a !== "number" && typeof a !== "boolean") checkTensorArg(op, "input", 1, a, true);
  if (!(a instanceof Tensor)) a = asTensor(a, b instanceof Tensor ? b : undefined);
  const dt = computeDtype ?? promote(a, b);
  const x = castTo(a, dt);
  let y: Tensor | number;
  let shape: number[];
  if (b instanceof Tensor) {
    checkDevices(op, a, b);
    y = castTo(b, dt);
    shape = broadcastShapes(a.shape, b.shape, op);
  } else {
    y = castScalar(Number(b), dt);
    shape = a.shape;
  }
  const out = backendOf(x).binary(x, y, kern, outDtype ?? dt, shape.slice());
  return out.dtype === bool && outDtype === undefined ? asBool(out) : out;
}

function checkAlpha(alpha: number, a: TensorOrScalar, b: TensorOrScalar, op: string): void {
  checkTensorArg(op, "input", 1, a, true);
  checkTensorArg(op, "other", 1, b, true);
  if (alpha !== 1 && !Number.isInteger(alpha) && !promote(a, b).isFloatingPoint) {
    throw new TypeError(`${op}: For integral input tensors, argument alpha must not be a floating point number.`);
  }
}

/**
 * a + alpha * b as PyTorch's CPU kernel computes it: one fused multiply-add (a single rounding)
 * in the computing dtype, alpha first cast to it.
 */
function addAlpha(op: string, a: TensorOrScalar, b: TensorOrScalar, alpha: number): Tensor {
  const dt = promote(a, b);
  let kern: BinaryKernel;
  if (dt === float32) {
    const al = Math.fround(alpha);
    kern = k("add_alpha", (x, y) => fma32(al, y, x));
  } else if (dt === float64) {
    kern = k("add_alpha", (x, y) => fma(alpha, y, x));
  } else {
    kern = k("add_alpha", (x, y) => x + alpha * y);
  }
  return elementwise(op, kern, a, b);
}

export function add(a: TensorOrScalar, b: TensorOrScalar, opts?: { alpha?: number }): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("add", add, [a, b, opts]);
  const alpha = opts?.alpha ?? 1;
  checkAlpha(alpha, a, b, "add");
  const out = alpha === 1 ? elementwise("add", kernels.add, a, b) : addAlpha("add", a, b, alpha);
  if (a instanceof Tensor && needsGrad(a, b instanceof Tensor ? b : null)) {
    record("AddBackward0", [a, b instanceof Tensor ? b : null], out, (gy) => [gy, alpha === 1 ? gy : gy.mul(alpha)]);
  } else if (b instanceof Tensor && needsGrad(b)) {
    record("AddBackward0", [null, b], out, (gy) => [null, alpha === 1 ? gy : gy.mul(alpha)]);
  }
  return out;
}

export function sub(a: TensorOrScalar, b: TensorOrScalar, opts?: { alpha?: number }): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("sub", sub, [a, b, opts]);
  const alpha = opts?.alpha ?? 1;
  const aBool = a instanceof Tensor && a.dtype === bool;
  const bBool = b instanceof Tensor && b.dtype === bool;
  if (aBool && bBool) {
    throw new TypeError("sub: Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.");
  }
  if (aBool || bBool) {
    throw new TypeError("sub: Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
  }
  checkAlpha(alpha, a, b, "sub");
  const out = alpha === 1 ? elementwise("sub", kernels.sub, a, b) : addAlpha("sub", a, b, -alpha);
  const ta = a instanceof Tensor ? a : null;
  const tb = b instanceof Tensor ? b : null;
  if ((ta && needsGrad(ta)) || (tb && needsGrad(tb))) {
    record(ta ? "SubBackward0" : "RsubBackward1", [ta, tb], out, (gy) => [gy, gy.mul(-alpha)]);
  }
  return out;
}

export function mul(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("mul", mul, [a, b]);
  const out = elementwise("mul", kernels.mul, a, b);
  const ta = a instanceof Tensor ? a : null;
  const tb = b instanceof Tensor ? b : null;
  if ((ta && needsGrad(ta)) || (tb && needsGrad(tb))) {
    // Save only what the formulas read: x.mul_(2) must not trip the in-place check on x.
    const saved: Tensor[] = [];
    if (ta?.requiresGrad && tb) saved.push(tb);
    if (tb?.requiresGrad && ta) saved.push(ta);
    record("MulBackward0", [ta, tb], out, (gy) => [
      ta?.requiresGrad ? gy.mul(tb ?? (b as number)) : null,
      tb?.requiresGrad ? gy.mul(ta ?? (a as number)) : null,
    ], saved);
  }
  return out;
}

export type RoundingMode = "trunc" | "floor" | null;

/**
 * Integer division, remainder and fmod by zero: PyTorch raises "ZeroDivisionError" (there is no
 * integer to give); without this check the kernels, computing in doubles, would store Infinity
 * or NaN in an integer tensor.
 */
function checkIntegerDivisor(a: TensorOrScalar, b: TensorOrScalar): void {
  if (promote(a, b).isFloatingPoint) return;
  if (b instanceof Tensor) {
    const d = b.values();
    for (let i = 0; i < d.length; i++) if (d[i] === 0) throw new RangeError("ZeroDivisionError");
  } else if (Number(b) === 0) throw new RangeError("ZeroDivisionError");
}

export function div(a: TensorOrScalar, b: TensorOrScalar, opts?: { roundingMode?: RoundingMode }): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("div", div, [a, b, opts]);
  const mode = opts?.roundingMode ?? null;
  const ta = a instanceof Tensor ? a : null;
  const tb = b instanceof Tensor ? b : null;
  if (mode !== null) {
    checkIntegerDivisor(a, b);
    const kern = mode === "floor" ? kernels.floorDivide : kernels.truncDivide;
    const rounded = elementwise("div", kern, a, b);
    // Piecewise constant: PyTorch's derivative is zeros (not None).
    if (rounded.dtype.isFloatingPoint && ((ta && needsGrad(ta)) || (tb && needsGrad(tb)))) {
      record("DivBackward2", [ta, tb], rounded, (gy) => [ta?.requiresGrad ? gy.mul(0) : null, tb?.requiresGrad ? gy.mul(0) : null]);
    }
    return rounded;
  }
  // True division: integer operands divide as floats.
  let dt = promote(a, b);
  if (!dt.isFloatingPoint) dt = getDefaultDtype();
  const out = elementwise("div", kernels.div, a, b, dt, dt);
  if ((ta && needsGrad(ta)) || (tb && needsGrad(tb))) {
    record("DivBackward0", [ta, tb], out, (gy) => [
      ta?.requiresGrad ? gy.div(tb ?? (b as number)) : null,
      tb?.requiresGrad ? gy.neg().mul(div(ta ?? (a as number), tb).div(tb)) : null,
    ], tb ? (tb.requiresGrad && ta ? [ta, tb] : [tb]) : []);
  }
  return out;
}

export function pow(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("pow", pow, [a, b]);
  const ta = a instanceof Tensor ? a : null;
  const tb = b instanceof Tensor ? b : null;
  if (ta && !tb && typeof b === "number" && !ta.dtype.isFloatingPoint && b < 0 && Number.isInteger(b)) {
    throw new RangeError("Integers to negative integer powers are not allowed.");
  }
  const out = elementwise("pow", kernels.pow, a, b);
  if ((ta && needsGrad(ta)) || (tb && needsGrad(tb))) {
    const name = tb ? (ta ? "PowBackward1" : "PowBackward2") : "PowBackward0";
    record(name, [ta, tb], out, (gy) => {
      let ga: Tensor | null = null;
      let gb: Tensor | null = null;
      if (ta?.requiresGrad) {
        if (tb) {
          // d/da a^b = b a^(b-1), taken as 0 where b == 0 (even at a == 0); grouped as PyTorch's pow_backward
          ga = gy.mul(tb.mul(ta.pow(tb.sub(1)))).maskedFill(tb.eq(0), 0);
        } else {
          const e = Number(b);
          ga = e === 0 ? gy.mul(0) : gy.mul(ta.pow(e - 1).mul(e));
        }
      }
      if (tb?.requiresGrad) {
        // d/db a^b = a^b log a, taken as 0 where a == 0 and b >= 0
        const base = ta ?? asTensor(a as number, tb);
        gb = gy.mul(out.mul(base.log()).maskedFill(base.eq(0).logicalAnd(tb.ge(0)), 0));
      }
      return [ga, gb];
    }, [ta, tb, out].filter((t): t is Tensor => t !== null));
  }
  return out;
}

function minmaxGrad(name: string, kern: BinaryKernel, isMax: boolean) {
  const op = (a: Tensor, b: Tensor | number): Tensor => {
    if (tracer !== null && tracer.depth === 0) return tracer.call(name, op, [a, b]);
    const out = elementwise(name, kern, a, b);
    const tb = b instanceof Tensor ? b : null;
    if (needsGrad(a, tb)) {
      record(isMax ? "MaximumBackward0" : "MinimumBackward0", [a, tb], out, (gy) => {
        // PyTorch's formula: ties share the gradient equally, and where either side is NaN
        // (no comparison holds) both get all of it.
        const bt = tb ?? asTensor(b as number, a);
        const shared = where(a.eq(bt), gy.div(2), gy);
        const ga = a.requiresGrad ? shared.maskedFill(isMax ? a.lt(bt) : a.gt(bt), 0) : null;
        const gb = tb?.requiresGrad ? shared.maskedFill(isMax ? a.gt(bt) : a.lt(bt), 0) : null;
        return [ga, gb];
      }, tb ? [a, tb] : [a]);
    }
    return out;
  };
  return op;
}
export const maximum = minmaxGrad("maximum", kernels.maximum, true);
export const minimum = minmaxGrad("minimum", kernels.minimum, false);

export function atan2(a: Tensor, b: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("atan2", atan2, [a, b]);
  const out = elementwise("atan2", kernels.atan2, a, b);
  if (needsGrad(a, b)) {
    record("Atan2Backward0", [a, b], out, (gy) => {
      const r = a.square().add(b.square());
      return [gy.mul(b).div(r), gy.mul(a.neg()).div(r)];
    }, [a, b]);
  }
  return out;
}

export function remainder(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("remainder", remainder, [a, b]);
  checkIntegerDivisor(a, b);
  const out = elementwise("remainder", kernels.remainder, a, b);
  const ta = a instanceof Tensor ? a : null;
  const tb = b instanceof Tensor ? b : null;
  if ((ta && needsGrad(ta)) || (tb && needsGrad(tb))) {
    record("RemainderBackward0", [ta, tb], out, (gy) => [
      gy,
      tb?.requiresGrad ? gy.mul(div(ta ?? (a as number), tb, { roundingMode: "floor" })).neg() : null,
    ]);
  }
  return out;
}

export function fmod(a: Tensor, b: TensorOrScalar): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("fmod", fmod, [a, b]);
  checkIntegerDivisor(a, b);
  const out = elementwise("fmod", kernels.fmod, a, b);
  const tb = b instanceof Tensor ? b : null;
  if (needsGrad(a, tb)) {
    record("FmodBackward0", [a, tb], out, (gy) => [gy, tb?.requiresGrad ? gy.mul(div(a, tb, { roundingMode: "trunc" })).neg() : null]);
  }
  return out;
}

export function floorDivide(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("floorDivide", floorDivide, [a, b]);
  checkIntegerDivisor(a, b);
  return elementwise("floor_divide", kernels.floorDivide, a, b);
}

// Comparisons and logic: results are bool and carry no gradient.
const compare = (name: keyof typeof kernels) => {
  const op = (a: TensorOrScalar, b: TensorOrScalar): Tensor =>
    tracer !== null && tracer.depth === 0 ? tracer.call(name, op, [a, b]) : elementwise(name, kernels[name], a, b, bool);
  return op;
};
export const eq = compare("eq");
export const ne = compare("ne");
export const lt = compare("lt");
export const le = compare("le");
export const gt = compare("gt");
export const ge = compare("ge");

const logical = (name: "logicalAnd" | "logicalOr" | "logicalXor") => {
  const op = (a: TensorOrScalar, b: TensorOrScalar): Tensor =>
    tracer !== null && tracer.depth === 0 ? tracer.call(name, op, [a, b]) : elementwise(name, kernels[name], a, b, bool);
  return op;
};
export const logicalAnd = logical("logicalAnd");
export const logicalOr = logical("logicalOr");
export const logicalXor = logical("logicalXor");

/** torch.heaviside: the step function, `values` where x == 0. Not differentiable, as in PyTorch. */
export function heaviside(x: Tensor, values: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("heaviside", heaviside, [x, values]);
  if (x.dtype !== values.dtype) {
    throw new TypeError(`heaviside is not yet implemented for tensors with different dtypes (got ${x.dtype} and ${values.dtype})`);
  }
  const out = elementwise("heaviside", kernels.heaviside, x, values);
  if (needsGrad(x, values)) {
    throw new Error("the derivative for 'heaviside' is not implemented.");
  }
  return out;
}

/** torch.where(condition, a, b): a where condition holds, else b (both broadcast). */
export function where(condition: Tensor, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("where", where, [condition, a, b]);
  if (condition.dtype !== bool) {
    throw new TypeError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${condition.dtype}`);
  }
  const ta = a instanceof Tensor ? a : asTensor(a, b instanceof Tensor ? b : undefined);
  const tb = b instanceof Tensor ? b : asTensor(b, ta);
  if (a instanceof Tensor) checkDevices("where", condition, a);
  if (b instanceof Tensor) checkDevices("where", condition, b);
  const dt = promote(a, b);
  const shape = broadcastShapes(broadcastShapes(condition.shape, ta.shape, "where"), tb.shape, "where");
  // where = b + cond * (a - b) would lose infinities; select instead.
  const ce = condition.expand(shape).contiguous().values();
  const ae = castTo(ta, dt).expand(shape).contiguous().values();
  const be = castTo(tb, dt).expand(shape).contiguous().values();
  const out = Tensor.make(shape, dt, undefined, ta.device);
  const o = out.storage.data;
  for (let i = 0; i < o.length; i++) o[i] = ce[i] ? ae[i] : be[i];
  const ga = a instanceof Tensor ? a : null;
  const gb = b instanceof Tensor ? b : null;
  if ((ga && needsGrad(ga)) || (gb && needsGrad(gb))) {
    record("WhereBackward0", [ga, gb], out, (gy) => [
      ga?.requiresGrad ? gy.where(condition, 0) : null,
      gb?.requiresGrad ? gy.where(condition.logicalNot(), 0) : null,
    ], [condition]);
  }
  return out;
}

export interface IscloseOptions {
  rtol?: number;
  atol?: number;
  equalNan?: boolean;
}

/**
 * torch.isclose, in PyTorch's steps: a == b (equal infinities included; NaNs too with equalNan),
 * or a finite |a - b| <= atol + |rtol * b|. Both must have one dtype.
 */
export function isclose(a: Tensor, b: Tensor, opts: IscloseOptions = {}): Tensor {
  const { rtol = 1e-5, atol = 1e-8, equalNan = false } = opts;
  if (a.dtype !== b.dtype) throw new TypeError(`${scalarTypeName(a.dtype)} did not match ${scalarTypeName(b.dtype)}`);
  if (!(rtol >= 0)) throw new RangeError(`rtol must be greater than or equal to zero, but got ${rtol}`);
  if (!(atol >= 0)) throw new RangeError(`atol must be greater than or equal to zero, but got ${atol}`);
  let close = a.eq(b);
  if (equalNan) close = close.logicalOr(a.isnan().logicalAnd(b.isnan()));
  if (rtol === 0 && atol === 0) return close;
  const actual = a.sub(b).abs();
  return close.logicalOr(actual.isfinite().logicalAnd(actual.le(b.mul(rtol).abs().add(atol))));
}

/** torch.allclose: whether isclose holds everywhere (shapes broadcast, as in PyTorch). */
export function allclose(a: Tensor, b: Tensor, opts: IscloseOptions = {}): boolean {
  return (isclose(a, b, opts).all().item() as unknown) === true;
}

/** torch.equal: the same shape and the same values (NaN never equals itself; dtypes may differ). */
export function equal(a: Tensor, b: Tensor): boolean {
  if (!(b instanceof Tensor)) throw new TypeError(`equal(): argument 'other' (position 2) must be Tensor, not ${typeof b}`);
  if (a.shape.length !== b.shape.length || a.shape.some((s, i) => s !== b.shape[i])) return false;
  return (eq(a, b).all().item() as unknown) === true;
}
