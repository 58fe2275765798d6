// Random tensors, drawn exactly as PyTorch's CPU generator draws them (src/random holds the draws).
import * as rng from "../random/index.js";
import type { Generator } from "../random/index.js";
import { bool, type DType, float32, getDefaultDtype, int64 } from "../tensor/dtype.js";
import { shapeArgs } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { checkDevice } from "./device.js";
import type { TensorOptions } from "./creation.js";
import { inplaceFill } from "./random-fill.js";
import { splitOptions } from "./util.js";

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

type ShapeAndOptions = Array<number | readonly number[] | RandomOptions>;

function gen(opts: { generator?: Generator }): Generator {
  return opts.generator ?? rng.defaultGenerator;
}

function make(args: ShapeAndOptions, fallback: DType): [Tensor, RandomOptions] {
  const [rest, opts] = splitOptions<RandomOptions>(args);
  const shape = shapeArgs(rest as Array<number | number[]>);
  const dtype = opts.dtype ?? fallback;
  return [Tensor.make(shape, dtype, undefined, checkDevice(opts.device ?? "cpu")), opts];
}

function finish(t: Tensor, opts: RandomOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

/** torch.rand: uniform on [0, 1). */
export function rand(...args: ShapeAndOptions): Tensor {
  const [t, opts] = make(args, getDefaultDtype());
  rng.uniform_(gen(opts), t.storage.data, t.dtype.name, 0, 1);
  return finish(t, opts);
}

/** torch.randn: standard normal. */
export function randn(...args: ShapeAndOptions): Tensor {
  const [t, opts] = make(args, getDefaultDtype());
  rng.normal_(gen(opts), t.storage.data, t.dtype.name, 0, 1);
  return finish(t, opts);
}

/** torch.randint(high, shape) or randint(low, high, shape): int64 by default. */
export function randint(...args: Array<number | readonly number[] | RandomOptions>): Tensor {
  const [rest, opts] = splitOptions<RandomOptions>(args);
  let low = 0;
  let high: number;
  let shape: readonly number[];
  if (rest.length === 2) [high, shape] = rest as [number, number[]];
  else if (rest.length === 3) [low, high, shape] = rest as [number, number, number[]];
  else throw new TypeError("randint: expected (high, size) or (low, high, size)");
  if (!(high > low)) throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  const t = Tensor.make(shapeArgs([shape]), opts.dtype ?? int64, undefined, checkDevice(opts.device ?? "cpu"));
  rng.randint_(gen(opts), t.storage.data, t.dtype.name, low, high);
  return finish(t, opts);
}

/** torch.randperm(n): a random permutation of 0..n-1, int64. */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randperm: n must be a non-negative integer, got ${n}`);
  const dtype = opts.dtype ?? int64;
  const t = Tensor.make([n], dtype, undefined, checkDevice(opts.device ?? "cpu"));
  rng.randpermInto(gen(opts), t.storage.data, n);
  return finish(t, opts);
}

export function randLike(x: Tensor, opts: RandomOptions = {}): Tensor {
  return rand(x.shape, { dtype: x.dtype, device: x.device, ...opts });
}
export function randnLike(x: Tensor, opts: RandomOptions = {}): Tensor {
  return randn(x.shape, { dtype: x.dtype, device: x.device, ...opts });
}
export function randintLike(x: Tensor, low: number, high?: number, opts: RandomOptions = {}): Tensor {
  const [lo, hi] = high === undefined ? [0, low] : [low, high];
  return randint(lo, hi, x.shape, { dtype: x.dtype, device: x.device, ...opts });
}

/** torch.bernoulli(p): 1 with probability p, elementwise. */
export function bernoulli(p: Tensor, opts: { generator?: Generator } = {}): Tensor {
  if (!p.dtype.isFloatingPoint) throw new TypeError(`bernoulli expects a floating point tensor of probabilities, got ${p.dtype}`);
  const out = Tensor.make(p.shape.slice(), p.dtype, undefined, p.device);
  rng.bernoulliTensor_(gen(opts), out.storage.data, out.dtype.name, p.contiguous().values(), p.dtype === float32 ? "float32" : "float64");
  return out;
}

/** torch.multinomial(probs, numSamples, replacement). */
export function multinomial(probs: Tensor, numSamples: number, replacement = false, opts: { generator?: Generator } = {}): Tensor {
  if (probs.dim() < 1 || probs.dim() > 2) throw new RangeError("prob_dist must be 1 or 2 dim");
  const nDist = probs.dim() === 2 ? probs.shape[0] : 1;
  const nCat = probs.shape[probs.dim() - 1];
  const idx = rng.multinomial(gen(opts), probs.contiguous().values(), probs.dtype.name, nDist, nCat, numSamples, replacement);
  return Tensor.make(probs.dim() === 2 ? [nDist, numSamples] : [numSamples], int64, idx, probs.device);
}

/** torch.normal(mean, std, size) with numbers, or with tensor mean/std. */
export function normal(mean: number | Tensor, std: number | Tensor, size?: readonly number[] | RandomOptions, o: RandomOptions = {}): Tensor {
  const opts = size && !Array.isArray(size) ? (size as RandomOptions) : o;
  const g = gen(opts);
  if (typeof mean === "number" && typeof std === "number") {
    const shape = Array.isArray(size) ? size : [];
    const t = Tensor.make(shapeArgs([shape]), opts.dtype ?? getDefaultDtype(), undefined, checkDevice(opts.device ?? "cpu"));
    rng.normal_(g, t.storage.data, t.dtype.name, mean, std);
    return finish(t, opts);
  }
  const ref = (mean instanceof Tensor ? mean : std) as Tensor;
  const shape = mean instanceof Tensor && std instanceof Tensor ? mean.add(std).shape : ref.shape;
  const t = Tensor.make(shape.slice(), ref.dtype, undefined, ref.device);
  const mv = mean instanceof Tensor ? mean.expand(shape).contiguous().values() : mean;
  const sv = std instanceof Tensor ? std.expand(shape).contiguous().values() : std;
  rng.normalTensor_(g, t.storage.data, t.dtype.name, mv, sv);
  return t;
}

// In-place fills on an existing tensor (Tensor.uniform_, normal_, ...), also used by nn.init.
export function uniform_(t: Tensor, from = 0, to = 1, opts: { generator?: Generator } = {}): Tensor {
  return inplaceFill(t, (buf) => rng.uniform_(gen(opts), buf, t.dtype.name, from, to));
}
export function normal_(t: Tensor, mean = 0, std = 1, opts: { generator?: Generator } = {}): Tensor {
  return inplaceFill(t, (buf) => rng.normal_(gen(opts), buf, t.dtype.name, mean, std));
}
export function random_(t: Tensor, from?: number, to?: number, opts: { generator?: Generator } = {}): Tensor {
  if (from === undefined) return inplaceFill(t, (buf) => rng.random_(gen(opts), buf, t.dtype.name));
  const [lo, hi] = to === undefined ? [0, from] : [from, to];
  return inplaceFill(t, (buf) => rng.randint_(gen(opts), buf, t.dtype.name, lo, hi));
}
export function bernoulli_(t: Tensor, p = 0.5, opts: { generator?: Generator } = {}): Tensor {
  return inplaceFill(t, (buf) => rng.bernoulli_(gen(opts), buf, t.dtype.name, p));
}
export function exponential_(t: Tensor, lambd = 1, opts: { generator?: Generator } = {}): Tensor {
  return inplaceFill(t, (buf) => rng.exponential_(gen(opts), buf, t.dtype.name, lambd));
}

/** The dropout mask PyTorch draws: bernoulli(1 - p) in x's dtype (scaled by the caller). */
export function dropoutMask(x: Tensor, p: number): Tensor {
  const m = Tensor.make(x.shape.slice(), x.dtype, undefined, x.device);
  if (x.dtype === bool || !x.dtype.isFloatingPoint) throw new TypeError(`dropout expects a floating point input, got ${x.dtype}`);
  rng.dropoutMask_(rng.defaultGenerator, m.storage.data as Float32Array | Float64Array, x.dtype === float32 ? "float32" : "float64", p);
  return m;
}
