// torch.nn.init: fills a tensor in place without recording history and returns it, drawing from the
// generator exactly as PyTorch's init functions draw (same bounds arithmetic, same draw order).
import { noGrad } from "../autograd/index.js";
import { eye } from "../ops/creation.js";
import { erf } from "../ops/special/erf.js";
import { normal_ as normalFill, uniform_ as uniformFill } from "../ops/random.js";
import type { Generator } from "../random/index.js";
import type { Tensor } from "../tensor/tensor.js";
import { type PositionalOr, trailing } from "./functional/args.js";

export type Nonlinearity =
  | "linear"
  | "conv1d"
  | "conv2d"
  | "conv3d"
  | "conv_transpose1d"
  | "conv_transpose2d"
  | "conv_transpose3d"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leaky_relu"
  | "selu";
export type FanMode = "fan_in" | "fan_out";
interface GenOpt {
  generator?: Generator;
}

/** The recommended gain for a nonlinearity (param: leaky_relu's negative slope, default 0.01). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  switch (nonlinearity) {
    case "linear":
    case "conv1d":
    case "conv2d":
    case "conv3d":
    case "conv_transpose1d":
    case "conv_transpose2d":
    case "conv_transpose3d":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5.0 / 3;
    case "relu":
      return Math.sqrt(2.0);
    case "leaky_relu": {
      if (param !== undefined && param !== null && typeof param !== "number") throw new RangeError(`negative_slope ${param} not a valid number`);
      const slope = param ?? 0.01;
      return Math.sqrt(2.0 / (1 + slope ** 2));
    }
    case "selu":
      return 3.0 / 4;
    default:
      throw new RangeError(`Unsupported nonlinearity ${nonlinearity}`);
  }
}

/** [fanIn, fanOut] of a weight: dims 1 and 0 times the receptive field (the product of dims 2..). */
export function calculateFanInAndFanOut(tensor: Tensor): [number, number] {
  if (tensor.dim() < 2) throw new RangeError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  let receptive = 1;
  for (const s of tensor.shape.slice(2)) receptive *= s;
  return [tensor.shape[1] * receptive, tensor.shape[0] * receptive];
}
export { calculateFanInAndFanOut as _calculateFanInAndFanOut };

function correctFan(tensor: Tensor, mode: string): number {
  const m = mode.toLowerCase();
  if (m !== "fan_in" && m !== "fan_out") throw new RangeError(`Mode ${mode} not supported, please use one of fan_in, fan_out`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return m === "fan_in" ? fanIn : fanOut;
}

export function uniform_(tensor: Tensor, a = 0, b = 1, opts: GenOpt = {}): Tensor {
  return noGrad(() => uniformFill(tensor, a, b, opts));
}
export function normal_(tensor: Tensor, mean = 0, std = 1, opts: GenOpt = {}): Tensor {
  return noGrad(() => normalFill(tensor, mean, std, opts));
}
export function constant_(tensor: Tensor, val: number): Tensor {
  return noGrad(() => tensor.fill_(val));
}
export function ones_(tensor: Tensor): Tensor {
  return constant_(tensor, 1);
}
export function zeros_(tensor: Tensor): Tensor {
  return noGrad(() => tensor.zero_());
}
/** The identity matrix, for 2-D tensors. */
export function eye_(tensor: Tensor): Tensor {
  if (tensor.dim() !== 2) throw new RangeError("Only tensors with 2 dimensions are supported");
  return noGrad(() => tensor.copy_(eye(tensor.shape[0], tensor.shape[1], { dtype: tensor.dtype })));
}

/** Uniform on [-a, a] with a = gain sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform_(tensor: Tensor, gain = 1, opts: GenOpt = {}): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return uniform_(tensor, -a, a, opts);
}
export function xavierNormal_(tensor: Tensor, gain = 1, opts: GenOpt = {}): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  return normal_(tensor, 0, std, opts);
}

export interface KaimingOptions extends GenOpt {
  /** The negative slope of the rectifier after this layer (leaky_relu only). */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}
/** Uniform on [-bound, bound], bound = gain sqrt(3 / fan) (He et al.). */
/** kaimingUniform_(t, a?, mode?, nonlinearity?), any trailing run as one options object. */
export function kaimingUniform_(tensor: Tensor, ...rest: PositionalOr<[number, FanMode, Nonlinearity], KaimingOptions>): Tensor {
  const o = trailing<KaimingOptions>(["a", "mode", "nonlinearity"], rest);
  if (tensor.shape.includes(0)) return tensor;
  const fan = correctFan(tensor, o.mode ?? "fan_in");
  const gain = calculateGain(o.nonlinearity ?? "leaky_relu", o.a ?? 0);
  const std = gain / Math.sqrt(fan);
  const bound = Math.sqrt(3.0) * std;
  return uniform_(tensor, -bound, bound, o);
}
/** kaimingNormal_(t, a?, mode?, nonlinearity?), any trailing run as one options object. */
export function kaimingNormal_(tensor: Tensor, ...rest: PositionalOr<[number, FanMode, Nonlinearity], KaimingOptions>): Tensor {
  const o = trailing<KaimingOptions>(["a", "mode", "nonlinearity"], rest);
  if (tensor.shape.includes(0)) return tensor;
  const fan = correctFan(tensor, o.mode ?? "fan_in");
  const gain = calculateGain(o.nonlinearity ?? "leaky_relu", o.a ?? 0);
  const std = gain / Math.sqrt(fan);
  return normal_(tensor, 0, std, o);
}

export type TruncNormalOptions = { mean?: number; std?: number; a?: number; b?: number } & GenOpt;

/**
 * Normal(mean, std) truncated to [a, b], by the inverse-CDF method PyTorch uses:
 * truncNormal_(t, mean?, std?, a?, b?) in PyTorch's order, or an options object for any trailing
 * run (truncNormal_(t, { std: 0.02 })). A positional std must not be read as empty options and
 * draw with std 1.
 */
export function truncNormal_(tensor: Tensor, ...rest: Array<number | TruncNormalOptions | undefined>): Tensor {
  const opts = trailing<TruncNormalOptions>(["mean", "std", "a", "b"], rest);
  const { mean = 0, std = 1, a = -2, b = 2 } = opts;
  const normCdf = (x: number) => (1 + erf(x / Math.sqrt(2))) / 2;
  const l = normCdf((a - mean) / std);
  const u = normCdf((b - mean) / std);
  return noGrad(() => {
    uniformFill(tensor, 2 * l - 1, 2 * u - 1, opts);
    tensor.copy_(tensor.erfinv());
    tensor.mul_(std * Math.sqrt(2));
    tensor.add_(mean);
    tensor.clamp_(a, b);
    return tensor;
  });
}
export { truncNormal_ as trunc_normal_ };
