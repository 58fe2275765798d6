// The kindling call for each op name of scripts/fixtures/ops.py, with PyTorch's arguments
// (positional `a`, keyword `kw`, both as the fixture stores them) translated to kindling's API.
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { type DTypeName, dtypes } from "../../src/tensor/dtype.js";

type Args = any[];
type Kw = Record<string, any>;
export type OpResult = Tensor | readonly Tensor[];
export type OpCall = (a: Args, kw: Kw) => OpResult;

const dt = (name?: DTypeName | null) => (name ? dtypes[name] : undefined);
const keep = (kw: Kw) => ({ keepdim: kw.keepdim ?? false });

const unary = (name: string): OpCall => (a) => (torch as any)[name](a[0]);

export const OPS: Record<string, OpCall> = {
  // creation
  tensor: (a, kw) => torch.tensor(a[0], { dtype: dt(kw.dtype) }),
  zeros: (a, kw) => torch.zeros(a[0], { dtype: dt(kw.dtype) }),
  ones: (a, kw) => torch.ones(a[0], { dtype: dt(kw.dtype) }),
  full: (a, kw) => torch.full(a[0], a[1], { dtype: dt(kw.dtype) }),
  arange: (a, kw) => torch.arange(...a, { dtype: dt(kw.dtype) }),
  linspace: (a, kw) => torch.linspace(a[0], a[1], a[2], { dtype: dt(kw.dtype) }),
  eye: (a, kw) => (a.length > 1 ? torch.eye(a[0], a[1], { dtype: dt(kw.dtype) }) : torch.eye(a[0], { dtype: dt(kw.dtype) })),
  zeros_like: (a, kw) => torch.zerosLike(a[0], { dtype: dt(kw.dtype) }),
  ones_like: (a, kw) => torch.onesLike(a[0], { dtype: dt(kw.dtype) }),
  full_like: (a) => torch.fullLike(a[0], a[1]),
  cat: (a, kw) => torch.cat(a, kw.dim ?? 0),
  stack: (a, kw) => torch.stack(a, kw.dim ?? 0),
  where: (a) => torch.where(a[0], a[1], a[2]),
  clone: (a) => a[0].clone(),
  detach: (a) => a[0].detach(),
  contiguous: (a) => a[0].contiguous(),
  to: (a) => a[0].to(dtypes[a[1] as DTypeName]),
  // binary elementwise
  add: (a, kw) => (a[0] instanceof torch.Tensor ? a[0].add(a[1], { alpha: kw.alpha }) : torch.add(a[0], a[1], { alpha: kw.alpha })),
  sub: (a, kw) => torch.sub(a[0], a[1], { alpha: kw.alpha }),
  mul: (a) => torch.mul(a[0], a[1]),
  div: (a, kw) => torch.div(a[0], a[1], { roundingMode: kw.rounding_mode ?? null }),
  pow: (a) => torch.pow(a[0], a[1]),
  maximum: (a) => torch.maximum(a[0], a[1]),
  minimum: (a) => torch.minimum(a[0], a[1]),
  eq: (a) => torch.eq(a[0], a[1]),
  ne: (a) => torch.ne(a[0], a[1]),
  lt: (a) => torch.lt(a[0], a[1]),
  le: (a) => torch.le(a[0], a[1]),
  gt: (a) => torch.gt(a[0], a[1]),
  ge: (a) => torch.ge(a[0], a[1]),
  logical_and: (a) => torch.logicalAnd(a[0], a[1]),
  logical_or: (a) => torch.logicalOr(a[0], a[1]),
  logical_not: (a) => torch.logicalNot(a[0]),
  heaviside: (a) => torch.heaviside(a[0], a[1]),
  clamp: (a, kw) => torch.clamp(a[0], kw.min, kw.max),
  clip: (a, kw) => a[0].clip(kw.min, kw.max),
  // reductions
  sum: (a, kw) => (kw.dim === undefined ? a[0].sum() : a[0].sum(kw.dim, keep(kw))),
  mean: (a, kw) => (kw.dim === undefined ? a[0].mean() : a[0].mean({ dim: kw.dim, keepdim: kw.keepdim ?? false })),
  prod: (a, kw) => (kw.dim === undefined ? a[0].prod() : a[0].prod(kw.dim, keep(kw))),
  max: (a, kw) => (kw.dim === undefined ? a[0].max() : a[0].max(kw.dim, keep(kw))),
  min: (a, kw) => (kw.dim === undefined ? torch.min(a[0]) : torch.min(a[0], kw.dim, keep(kw))),
  amax: (a, kw) => a[0].amax(kw.dim, keep(kw)),
  amin: (a, kw) => torch.amin(a[0], kw.dim, keep(kw)),
  argmax: (a, kw) => a[0].argmax(kw.dim, keep(kw)),
  argmin: (a, kw) => torch.argmin(a[0], kw.dim, keep(kw)),
  var: (a, kw) => a[0].var(kw.dim, { correction: kw.correction, keepdim: kw.keepdim }),
  std: (a, kw) => torch.std(a[0], { dim: kw.dim, correction: kw.correction, keepdim: kw.keepdim }),
  logsumexp: (a, kw) => a[0].logsumexp(a[1], keep(kw)),
  all: (a, kw) => a[0].all(kw.dim, keep(kw)),
  any: (a, kw) => torch.any(a[0], kw.dim, keep(kw)),
  norm: (a, kw) => a[0].norm(a[1] ?? 2, a[2], keep(kw)),
  // linear algebra
  matmul: (a) => a[0].matmul(a[1]),
  mm: (a) => torch.mm(a[0], a[1]),
  bmm: (a) => a[0].bmm(a[1]),
  dot: (a) => torch.dot(a[0], a[1]),
  outer: (a) => a[0].outer(a[1]),
  // indexing
  index_select: (a) => a[0].indexSelect(a[1], a[2]),
  gather: (a) => torch.gather(a[0], a[1], a[2]),
  scatter: (a) => a[0].scatter(a[1], a[2], a[3]),
  masked_fill: (a) => a[0].maskedFill(a[1], a[2]),
  masked_select: (a) => torch.maskedSelect(a[0], a[1]),
  // views
  view: (a) => a[0].view(a[1]),
  reshape: (a) => a[0].reshape(a[1]),
  transpose: (a) => a[0].transpose(a[1], a[2]),
  t: (a) => a[0].t(),
  permute: (a) => a[0].permute(a[1]),
  expand: (a) => a[0].expand(a[1]),
  squeeze: (a, kw) => a[0].squeeze(kw.dim),
  unsqueeze: (a) => a[0].unsqueeze(a[1]),
  flatten: (a) => a[0].flatten(a[1], a[2]),
  narrow: (a) => a[0].narrow(a[1], a[2], a[3]),
  select: (a) => a[0].select(a[1], a[2]),
  unbind: (a) => a[0].unbind(a[1]),
  chunk: (a) => a[0].chunk(a[1], a[2]),
  split: (a) => a[0].split(a[1], a[2]),
};
for (const name of ["neg", "abs", "exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid", "relu", "sign", "floor", "ceil", "round", "reciprocal", "erf"]) {
  OPS[name] = unary(name);
}

/** Ops whose float32 results come from PyTorch's vectorised (SLEEF) transcendental kernels, 1-2 ulp from correctly rounded. */
export const TRANSCENDENTAL = new Set(["exp", "log", "log1p", "expm1", "sin", "cos", "tanh", "sigmoid", "erf", "pow", "logsumexp", "rsqrt", "norm", "std"]);
/** Ops that add up many terms: PyTorch's summation order (pairwise, vectorised) differs from ours. */
export const ACCUMULATING = new Set(["sum", "mean", "var", "std", "logsumexp", "norm", "matmul", "mm", "bmm", "dot", "prod"]);
/**
 * Ops whose result is one correctly rounded operation (or no arithmetic at all) per element:
 * computed in double and rounded once, they must equal PyTorch's bit for bit in float32 too.
 */
export const EXACT = new Set([
  "tensor", "zeros", "ones", "full", "arange", "linspace", "eye", "zeros_like", "ones_like", "full_like",
  "cat", "stack", "where", "clone", "detach", "contiguous", "to",
  "add", "sub", "mul", "div", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge",
  "logical_and", "logical_or", "logical_not", "heaviside", "clamp", "clip",
  "neg", "abs", "sqrt", "relu", "sign", "floor", "ceil", "round", "reciprocal",
  "max", "min", "amax", "amin", "argmax", "argmin", "all", "any",
  "index_select", "gather", "scatter", "masked_fill", "masked_select",
  "view", "reshape", "transpose", "t", "permute", "expand", "squeeze", "unsqueeze", "flatten",
  "narrow", "select", "unbind", "chunk", "split",
]);
