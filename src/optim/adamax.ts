// torch.optim.Adamax (PyTorch 1.13, the single-tensor path): exp_inf = max(beta2 * exp_inf, |g| + eps).
import { tensor, zerosLike } from "../ops/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkBetas, checkLr, checkNonNegative, stepTensorsFromNumbers } from "./checks.js";
import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.js";
import { addcdiv_ } from "./pointwise.js";
import { pyPow } from "./pow.js";
import { type PositionalOr, trailing } from "../nn/functional/args.js";

export interface AdamaxOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
  /** Kept for PyTorch's state-dict layout; kindling always runs the single-tensor arithmetic. */
  foreach?: boolean | null;
  maximize?: boolean;
}

export interface AdamaxParamGroup extends ParamGroup {
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

export class Adamax extends Optimizer<AdamaxParamGroup> {
  /** new Adamax(params, lr?, betas?, eps?, weightDecay?) in PyTorch's order, any trailing run as one options object. */
  constructor(params: ParamsInput<AdamaxOptions>, ...rest: PositionalOr<[number, readonly [number, number], number, number], AdamaxOptions>) {
    const opts = trailing<AdamaxOptions>(["lr", "betas", "eps", "weightDecay"], rest);
    const { lr = 2e-3, betas = [0.9, 0.999] as const, eps = 1e-8, weightDecay = 0, foreach = null, maximize = false } = opts;
    checkLr(lr);
    checkNonNegative("epsilon", eps);
    checkBetas(betas);
    checkNonNegative("weight_decay", weightDecay);
    super(params, { lr, betas, eps, weightDecay, foreach, maximize });
  }

  protected updateGroup(group: AdamaxParamGroup): void {
    const [beta1, beta2] = group.betas;
    const { eps, lr, weightDecay, maximize } = group;
    for (const param of group.params) {
      if (param.grad === null) continue;
      const state = this.stateOf(param);
      if (Object.keys(state).length === 0) {
        state.step = tensor(0);
        state.exp_avg = zerosLike(param);
        state.exp_inf = zerosLike(param);
      }
      let grad = maximize ? param.grad.neg() : param.grad;
      const step = (state.step as Tensor).add_(1).item();
      if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
      const expAvg = state.exp_avg as Tensor;
      const expInf = state.exp_inf as Tensor;
      expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
      // torch.amax(cat([exp_inf * beta2, |grad| + eps]), 0): the elementwise maximum, NaN-propagating.
      expInf.mul_(beta2).maximum_(grad.abs().add_(eps));
      const clr = lr / (1 - pyPow(beta1, step));
      addcdiv_(param, expAvg, expInf, -clr);
    }
  }

  protected override afterLoad(): void {
    stepTensorsFromNumbers(this.state);
  }
}
