// torch.optim.RMSprop (PyTorch 1.13, the single-tensor path): square_avg (and grad_avg when
// centered) as running averages, avg = sqrt(...) + eps, optional momentum buffer.
import { zerosLike } from "../ops/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkLr, checkNonNegative } from "./checks.js";
import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.js";
import { addcdiv_, addcmul, addcmul_ } from "./pointwise.js";
import { type PositionalOr, trailing } from "../nn/functional/args.js";

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  /** Kept for PyTorch's state-dict layout; kindling always runs the single-tensor arithmetic. */
  foreach?: boolean | null;
  maximize?: boolean;
  differentiable?: boolean;
}

export interface RMSpropParamGroup extends ParamGroup {
  momentum: number;
  alpha: number;
  eps: number;
  centered: boolean;
  weightDecay: number;
  maximize: boolean;
}

export class RMSprop extends Optimizer<RMSpropParamGroup> {
  /** new RMSprop(params, lr?, alpha?, eps?, weightDecay?, momentum?, centered?) in PyTorch's order, any trailing run as one options object. */
  constructor(params: ParamsInput<RMSpropOptions>, ...rest: PositionalOr<[number, number, number, number, number, boolean], RMSpropOptions>) {
    const opts = trailing<RMSpropOptions>(["lr", "alpha", "eps", "weightDecay", "momentum", "centered"], rest);
    const { lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false, foreach = null, maximize = false, differentiable = false } = opts;
    checkLr(lr);
    checkNonNegative("epsilon", eps);
    checkNonNegative("momentum", momentum);
    checkNonNegative("weight_decay", weightDecay);
    checkNonNegative("alpha", alpha);
    if (differentiable) throw new Error("kindling's optimizers do not support differentiable=True");
    super(params, { lr, momentum, alpha, eps, centered, weightDecay, foreach, maximize, differentiable });
  }

  protected updateGroup(group: RMSpropParamGroup): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    for (const param of group.params) {
      if (param.grad === null) continue;
      const state = this.stateOf(param);
      if (Object.keys(state).length === 0) {
        state.step = 0;
        state.square_avg = zerosLike(param);
        if (momentum > 0) state.momentum_buffer = zerosLike(param);
        if (centered) state.grad_avg = zerosLike(param);
      }
      // PyTorch 1.13 keeps RMSprop's step a Python int.
      state.step = (state.step as number) + 1;
      let grad = maximize ? param.grad.neg() : param.grad;
      if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
      const squareAvg = state.square_avg as Tensor;
      addcmul_(squareAvg.mul_(alpha), grad, grad, 1 - alpha);
      let avg: Tensor;
      if (centered) {
        const gradAvg = state.grad_avg as Tensor;
        gradAvg.mul_(alpha).add_(grad, { alpha: 1 - alpha });
        avg = addcmul(squareAvg, gradAvg, gradAvg, -1).sqrt_();
      } else {
        avg = squareAvg.sqrt();
      }
      avg = avg.add_(eps);
      if (momentum > 0) {
        const buf = state.momentum_buffer as Tensor;
        addcdiv_(buf.mul_(momentum), grad, avg);
        param.add_(buf, { alpha: -lr });
      } else {
        addcdiv_(param, grad, avg, -lr);
      }
    }
  }
}
