// torch.optim.AdamW (PyTorch 1.13, the single-tensor path): decoupled weight decay
// param.mul_(1 - lr * weight_decay), then Adam's moments and step.
import type { Tensor } from "../tensor/tensor.js";
import { type AdamParamGroup, adamMoments, checkAdamOptions, initAdamState } from "./adam.js";
import { stepTensorsFromNumbers } from "./checks.js";
import { Optimizer, type ParamsInput } from "./optimizer.js";
import { type PositionalOr, trailing } from "../nn/functional/args.js";

export interface AdamWOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  /** 1e-2 by default, unlike Adam. */
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  /** Kept for PyTorch's state-dict layout; kindling always runs the single-tensor arithmetic. */
  foreach?: boolean | null;
  capturable?: boolean;
}

export type AdamWParamGroup = AdamParamGroup;

export class AdamW extends Optimizer<AdamWParamGroup> {
  /** new AdamW(params, lr?, betas?, eps?, weightDecay?, amsgrad?) in PyTorch's order, any trailing run as one options object. */
  constructor(params: ParamsInput<AdamWOptions>, ...rest: PositionalOr<[number, readonly [number, number], number, number, boolean], AdamWOptions>) {
    const opts = trailing<AdamWOptions>(["lr", "betas", "eps", "weightDecay", "amsgrad"], rest);
    const { lr = 1e-3, betas = [0.9, 0.999] as const, eps = 1e-8, weightDecay = 1e-2, amsgrad = false, maximize = false, foreach = null, capturable = false } = opts;
    checkAdamOptions(lr, eps, betas, weightDecay);
    if (capturable) throw new Error("capturable=True needs CUDA graphs, which kindling does not have");
    super(params, { lr, betas, eps, weightDecay, amsgrad, foreach, maximize, capturable });
  }

  protected updateGroup(group: AdamWParamGroup): void {
    for (const param of group.params) {
      if (param.grad === null) continue;
      const state = this.stateOf(param);
      initAdamState(state, param, group.amsgrad);
      const grad = group.maximize ? param.grad.neg() : param.grad;
      const stepT = (state.step as Tensor).add_(1);
      param.mul_(1 - group.lr * group.weightDecay);
      adamMoments(param, grad, state, group, stepT.item());
    }
  }

  protected override afterLoad(): void {
    stepTensorsFromNumbers(this.state);
  }
}
