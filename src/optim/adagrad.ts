// torch.optim.Adagrad (PyTorch 1.13, the single-tensor path, dense gradients): every parameter's
// state (step, sum = initial_accumulator_value) is made by the constructor, as PyTorch does.
import { fullLike, tensor } from "../ops/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkLr, checkNonNegative, stepTensorsFromNumbers } from "./checks.js";
import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.js";
import { addcdiv_, addcmul_ } from "./pointwise.js";
import { type PositionalOr, trailing } from "../nn/functional/args.js";

export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  /** Kept for PyTorch's state-dict layout; kindling always runs the single-tensor arithmetic. */
  foreach?: boolean | null;
  maximize?: boolean;
}

export interface AdagradParamGroup extends ParamGroup {
  lrDecay: number;
  eps: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  maximize: boolean;
}

export class Adagrad extends Optimizer<AdagradParamGroup> {
  /** new Adagrad(params, lr?, lrDecay?, weightDecay?, initialAccumulatorValue?, eps?) in PyTorch's order, any trailing run as one options object. */
  constructor(params: ParamsInput<AdagradOptions>, ...rest: PositionalOr<[number, number, number, number, number], AdagradOptions>) {
    const opts = trailing<AdagradOptions>(["lr", "lrDecay", "weightDecay", "initialAccumulatorValue", "eps"], rest);
    const { lr = 1e-2, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10, foreach = null, maximize = false } = opts;
    checkLr(lr);
    checkNonNegative("lr_decay", lrDecay);
    checkNonNegative("weight_decay", weightDecay);
    checkNonNegative("initial_accumulator_value", initialAccumulatorValue);
    checkNonNegative("epsilon", eps);
    super(params, { lr, lrDecay, eps, weightDecay, initialAccumulatorValue, foreach, maximize });
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const state = this.stateOf(p);
        state.step = tensor(0);
        state.sum = fullLike(p, initialAccumulatorValue);
      }
    }
  }

  protected updateGroup(group: AdagradParamGroup): void {
    const { lr, weightDecay, lrDecay, eps, maximize } = group;
    for (const param of group.params) {
      if (param.grad === null) continue;
      const state = this.stateOf(param);
      const step = (state.step as Tensor).add_(1).item();
      let grad = maximize ? param.grad.neg() : param.grad;
      if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
      const clr = lr / (1 + (step - 1) * lrDecay);
      const stateSum = state.sum as Tensor;
      addcmul_(stateSum, grad, grad, 1);
      const std = stateSum.sqrt().add_(eps);
      addcdiv_(param, grad, std, -clr);
    }
  }

  protected override afterLoad(): void {
    stepTensorsFromNumbers(this.state);
  }
}
