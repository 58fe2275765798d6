// Finite-difference gradient checks in float64, as torch.autograd.gradcheck / gradgradcheck do:
// the analytical Jacobian (one backward pass per output element) is compared with central
// differences (f(x + eps) - f(x - eps)) / 2eps, element by element, with |a - n| <= atol + rtol |n|.
//
// Inputs that require grad must be float64; other inputs (index tensors, masks, float inputs that
// do not require grad) are passed through unchanged. The analytical side runs fn on the inputs as
// given (so a non-contiguous input exercises the strided paths); the numerical side runs it on
// contiguous detached copies, perturbing one element at a time.
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

export interface GradcheckOptions {
  /** Finite-difference step (torch default 1e-6). */
  eps?: number;
  /** Absolute tolerance (torch default 1e-5). */
  atol?: number;
  /** Relative tolerance (torch default 1e-3). */
  rtol?: number;
  /** A name for failure messages. */
  name?: string;
}

type Fn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

function outputsOf(r: Tensor | readonly Tensor[]): Tensor[] {
  return (Array.isArray(r) ? [...r] : [r as Tensor]).filter((t) => t.dtype.isFloatingPoint);
}

/** All output elements of fn at these inputs, as one flat list. Grad mode stays on: gradgradcheck's fn differentiates inside. */
function evaluate(fn: Fn, inputs: Tensor[]): number[] {
  return outputsOf(fn(...inputs)).flatMap((o) => Array.from(o.detach().contiguous().values()));
}

/**
 * The numerical Jacobian of fn's (float) outputs with respect to input `which`:
 * jac[k][j] = d out_j / d x_k by central differences.
 */
export function numericalJacobian(fn: Fn, inputs: readonly Tensor[], which: number, eps = 1e-6): number[][] {
  const copies = inputs.map((t) => (t.requiresGrad ? t.detach().clone().requiresGrad_() : t));
  const x = copies[which];
  const data = x.storage.data;
  const jac: number[][] = [];
  for (let k = 0; k < x.numel(); k++) {
    const orig = data[k];
    data[k] = orig + eps;
    const plus = evaluate(fn, copies);
    data[k] = orig - eps;
    const minus = evaluate(fn, copies);
    data[k] = orig;
    jac.push(plus.map((p, j) => (p - minus[j]) / (2 * eps)));
  }
  return jac;
}

/**
 * The analytical Jacobians with respect to every input that requires grad: result[i][k][j] =
 * d out_j / d x_k for the i-th such input, one backward pass per output element.
 */
export function analyticalJacobians(fn: Fn, inputs: readonly Tensor[]): number[][][] {
  const diff = inputs.filter((t) => t.requiresGrad);
  const outs = outputsOf(fn(...inputs));
  const jacs = diff.map((x) => Array.from({ length: x.numel() }, () => [] as number[]));
  for (let oi = 0; oi < outs.length; oi++) {
    const o = outs[oi];
    for (let j = 0; j < o.numel(); j++) {
      if (!o.requiresGrad) {
        for (const jac of jacs) for (const row of jac) row.push(0);
        continue;
      }
      const seeds = outs.map((p, pi) => {
        const s = torch.zeros(p.shape, { dtype: p.dtype });
        if (pi === oi) s.storage.data[j] = 1;
        return s;
      });
      const live = outs.map((p, pi) => [p, seeds[pi]] as const).filter(([p]) => p.requiresGrad);
      const grads = torch.autograd.grad(
        live.map(([p]) => p),
        diff,
        { gradOutputs: live.map(([, s]) => s), retainGraph: true, allowUnused: true },
      );
      grads.forEach((g, i) => {
        const vals = g ? Array.from(g.contiguous().values()) : new Array<number>(diff[i].numel()).fill(0);
        if (g && (g.shape.length !== diff[i].shape.length || g.shape.some((s, d) => s !== diff[i].shape[d]))) {
          throw new Error(`gradient shape [${g.shape}] does not match input shape [${diff[i].shape}]`);
        }
        if (g && g.dtype !== diff[i].dtype) throw new Error(`gradient dtype ${g.dtype} does not match input dtype ${diff[i].dtype}`);
        for (let k = 0; k < vals.length; k++) jacs[i][k].push(vals[k]);
      });
    }
  }
  return jacs;
}

/** Throws (with the first mismatching element) unless fn's analytical and numerical Jacobians agree. */
export function gradcheck(fn: Fn, inputs: readonly Tensor[], opts: GradcheckOptions = {}): true {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, name = "gradcheck" } = opts;
  inputs.forEach((t, i) => {
    if (t.requiresGrad && t.dtype !== torch.float64) {
      throw new Error(`${name}: input ${i} requires grad but is ${t.dtype}; gradcheck needs float64`);
    }
  });
  const analytical = analyticalJacobians(fn, inputs);
  let a = 0;
  inputs.forEach((t, i) => {
    if (!t.requiresGrad) return;
    const num = numericalJacobian(fn, inputs, i, eps);
    const ana = analytical[a++];
    for (let k = 0; k < num.length; k++) {
      for (let j = 0; j < num[k].length; j++) {
        const n = num[k][j];
        const an = ana[k][j];
        const ok = (Number.isNaN(n) && Number.isNaN(an)) || Math.abs(an - n) <= atol + rtol * Math.abs(n);
        if (!ok) {
          throw new Error(
            `${name}: Jacobian mismatch for output ${j} with respect to input ${i}, element ${k}: ` +
              `numerical ${n}, analytical ${an}\nnumerical: ${JSON.stringify(num)}\nanalytical: ${JSON.stringify(ana)}`,
          );
        }
      }
    }
  });
  return true;
}

/** Deterministic values in (-1, 1) for the upstream gradients of gradgradcheck. */
function pseudoRandom(n: number, seed: number): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

/**
 * Second derivatives, as torch.autograd.gradgradcheck: checks (by gradcheck) the function that
 * maps (inputs, upstream gradients) to autograd.grad(fn(inputs), inputs, upstream, createGraph).
 */
export function gradgradcheck(fn: Fn, inputs: readonly Tensor[], opts: GradcheckOptions = {}): true {
  const outs = torch.noGrad(() => outputsOf(fn(...inputs)));
  const vs = outs.map((o, i) => torch.tensor(pseudoRandom(o.numel(), 7 + i), { dtype: torch.float64 }).reshape(o.shape).requiresGrad_());
  const nIn = inputs.length;
  const diffIdx = inputs.map((t, i) => (t.requiresGrad ? i : -1)).filter((i) => i >= 0);
  const gradFn: Fn = (...all: Tensor[]) => {
    const xs = all.slice(0, nIn);
    const gs = all.slice(nIn);
    const ys = outputsOf(fn(...xs));
    const live = ys.map((y, i) => [y, gs[i]] as const).filter(([y]) => y.requiresGrad);
    const grads = torch.autograd.grad(
      live.map(([y]) => y),
      diffIdx.map((i) => xs[i]),
      { gradOutputs: live.map(([, g]) => g), createGraph: true, allowUnused: true },
    );
    return grads.map((g, k) => g ?? torch.zerosLike(xs[diffIdx[k]]));
  };
  return gradcheck(gradFn, [...inputs, ...vs], { ...opts, name: `${opts.name ?? "gradgradcheck"} (second order)` });
}
