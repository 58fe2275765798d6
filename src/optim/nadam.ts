// torch.optim.NAdam (PyTorch 1.13, the single-tensor path). mu_product is a 0-d tensor of the
// default dtype (float32), so its rounding enters the update even for float64 parameters, as in
// PyTorch. 1.13's NAdam has no maximize option.
import { tensor, zerosLike } from "../ops/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkBetas, checkLr, checkNonNegative, stepTensorsFromNumbers } from "./checks.js";
import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.js";
import { addcdiv_, addcmul_ } from "./pointwise.js";
import { pyPow } from "./pow.js";
import { type PositionalOr, trailing } from "../nn/functional/args.js";

export interface NAdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
  momentumDecay?: number;
  /** Kept for PyTorch's state-dict layout; kindling always runs the single-tensor arithmetic. */
  foreach?: boolean | null;
}

export interface NAdamParamGroup extends ParamGroup {
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  momentumDecay: number;
}

export class NAdam extends Optimizer<NAdamParamGroup> {
  /** new NAdam(params, lr?, betas?, eps?, weightDecay?, momentumDecay?) in PyTorch's order, any trailing run as one options object. */
  constructor(params: ParamsInput<NAdamOptions>, ...rest: PositionalOr<[number, readonly [number, number], number, number, number], NAdamOptions>) {
    const opts = trailing<NAdamOptions>(["lr", "betas", "eps", "weightDecay", "momentumDecay"], rest);
    const { lr = 2e-3, betas = [0.9, 0.999] as const, eps = 1e-8, weightDecay = 0, momentumDecay = 4e-3, foreach = null } = opts;
    checkLr(lr);
    checkNonNegative("epsilon", eps);
    checkBetas(betas);
    checkNonNegative("weight_decay", weightDecay);
    checkNonNegative("momentum_decay", momentumDecay);
    super(params, { lr, betas, eps, weightDecay, momentumDecay, foreach });
  }

  protected updateGroup(group: NAdamParamGroup): void {
    const [beta1, beta2] = group.betas;
    const { lr, weightDecay, momentumDecay, eps } = group;
    for (const param of group.params) {
      if (param.grad === null) continue;
      const state = this.stateOf(param);
      if (Object.keys(state).length === 0) {
        state.step = tensor(0);
        state.mu_product = tensor(1);
        state.exp_avg = zerosLike(param);
        state.exp_avg_sq = zerosLike(param);
      }
      let grad = param.grad;
      const step = (state.step as Tensor).add_(1).item();
      const biasCorrection2 = 1 - pyPow(beta2, step);
      if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
      const mu = beta1 * (1 - 0.5 * pyPow(0.96, step * momentumDecay));
      const muNext = beta1 * (1 - 0.5 * pyPow(0.96, (step + 1) * momentumDecay));
      const muProduct = (state.mu_product as Tensor).mul_(mu);
      const muProductNext = muProduct.mul(mu).mul(muNext);
      const expAvg = state.exp_avg as Tensor;
      const expAvgSq = state.exp_avg_sq as Tensor;
      expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
      addcmul_(expAvgSq.mul_(beta2), grad, grad, 1 - beta2);
      const denom = expAvgSq.div(biasCorrection2).sqrt().add_(eps);
      addcdiv_(param, grad, denom, (-lr * (1 - mu)) / (1 - muProduct.item()));
      addcdiv_(param, expAvg, denom, (-lr * muNext) / (1 - muProductNext.item()));
    }
  }

  protected override afterLoad(): void {
    stepTensorsFromNumbers(this.state, ["step", "mu_product"]);
  }
}
