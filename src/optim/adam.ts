// torch.optim.Adam (PyTorch 1.13, the single-tensor path, capturable = false): bias corrections
// computed in double from the step count, denom = (exp_avg_sq.sqrt() / sqrt(bc2)).add_(eps),
// param.addcdiv_(exp_avg, denom, value = -lr / bc1), each tensor op rounding as PyTorch's does.
import { tensor, zerosLike } from "../ops/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkBetas, checkLr, checkNonNegative, stepTensorsFromNumbers } from "./checks.js";
import { Optimizer, type ParamGroup, type ParamState, type ParamsInput } from "./optimizer.js";
import { addcdiv_, addcmul_ } from "./pointwise.js";
import { pyPow } from "./pow.js";
import { type PositionalOr, trailing } from "../nn/functional/args.js";

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  /** Kept for PyTorch's state-dict layout; kindling always runs the single-tensor arithmetic. */
  foreach?: boolean | null;
  capturable?: boolean;
  differentiable?: boolean;
  fused?: boolean;
}

export interface AdamParamGroup extends ParamGroup {
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/** Validation shared by the Adam family, with PyTorch's messages. */
export function checkAdamOptions(lr: number, eps: number, betas: readonly [number, number], weightDecay: number): void {
  checkLr(lr);
  checkNonNegative("epsilon", eps);
  checkBetas(betas);
  checkNonNegative("weight_decay", weightDecay);
}

/** Adam's lazily made state: step (a 0-d tensor of the default dtype, as in 1.13), exp_avg, exp_avg_sq, max_exp_avg_sq. */
export function initAdamState(state: ParamState, p: Tensor, amsgrad: boolean): void {
  if (Object.keys(state).length !== 0) return;
  state.step = tensor(0);
  state.exp_avg = zerosLike(p);
  state.exp_avg_sq = zerosLike(p);
  if (amsgrad) state.max_exp_avg_sq = zerosLike(p);
}

/**
 * The moment updates and the parameter step, after the step count and any weight decay:
 * PyTorch's _single_tensor_adam/_single_tensor_adamw from `exp_avg.mul_(beta1)` on.
 */
export function adamMoments(param: Tensor, grad: Tensor, state: ParamState, group: AdamParamGroup, step: number): void {
  const [beta1, beta2] = group.betas;
  const expAvg = state.exp_avg as Tensor;
  const expAvgSq = state.exp_avg_sq as Tensor;
  expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
  addcmul_(expAvgSq.mul_(beta2), grad, grad, 1 - beta2);
  const biasCorrection1 = 1 - pyPow(beta1, step);
  const biasCorrection2 = 1 - pyPow(beta2, step);
  const stepSize = group.lr / biasCorrection1;
  const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
  let denom: Tensor;
  if (group.amsgrad) {
    const maxExpAvgSq = state.max_exp_avg_sq as Tensor;
    maxExpAvgSq.maximum_(expAvgSq);
    denom = maxExpAvgSq.sqrt().div(biasCorrection2Sqrt).add_(group.eps);
  } else {
    denom = expAvgSq.sqrt().div(biasCorrection2Sqrt).add_(group.eps);
  }
  addcdiv_(param, expAvg, denom, -stepSize);
}

export class Adam extends Optimizer<AdamParamGroup> {
  /** new Adam(params, lr?, betas?, eps?, weightDecay?, amsgrad?) in PyTorch's order, any trailing run as one options object. */
  constructor(params: ParamsInput<AdamOptions>, ...rest: PositionalOr<[number, readonly [number, number], number, number, boolean], AdamOptions>) {
    const opts = trailing<AdamOptions>(["lr", "betas", "eps", "weightDecay", "amsgrad"], rest);
    const {
      lr = 1e-3,
      betas = [0.9, 0.999] as const,
      eps = 1e-8,
      weightDecay = 0,
      amsgrad = false,
      foreach = null,
      maximize = false,
      capturable = false,
      differentiable = false,
      fused = false,
    } = opts;
    checkAdamOptions(lr, eps, betas, weightDecay);
    if (differentiable) throw new Error("kindling's optimizers do not support differentiable=True");
    if (capturable) throw new Error("capturable=True needs CUDA graphs, which kindling does not have");
    super(params, { lr, betas, eps, weightDecay, amsgrad, maximize, foreach, capturable, differentiable, fused });
    if (fused) throw new Error("FusedAdam requires all the params to be CUDA, floating point");
  }

  protected updateGroup(group: AdamParamGroup): void {
    for (const param of group.params) {
      if (param.grad === null) continue;
      const state = this.stateOf(param);
      initAdamState(state, param, group.amsgrad);
      let grad = group.maximize ? param.grad.neg() : param.grad;
      const stepT = (state.step as Tensor).add_(1);
      if (group.weightDecay !== 0) grad = grad.add(param, { alpha: group.weightDecay });
      adamMoments(param, grad, state, group, stepT.item());
    }
  }

  protected override afterLoad(): void {
    stepTensorsFromNumbers(this.state);
  }
}
