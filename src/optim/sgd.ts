// torch.optim.SGD (PyTorch 1.13, the single-tensor path): momentum, dampening, Nesterov, weight
// decay and maximize, with PyTorch's update order so float32 runs round as PyTorch's do.
import { mulAddInto } from "../ops/inplace.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroup, type ParamsInput, pyNumber, required } from "./optimizer.js";
import { type PositionalOr, trailing } from "../nn/functional/args.js";

export interface SGDOptions {
  /** Required, as in PyTorch 1.13 (a group without one is an error). */
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
  /** Kept for PyTorch's state-dict layout; kindling always runs the single-tensor arithmetic. */
  foreach?: boolean | null;
  differentiable?: boolean;
}

export interface SGDParamGroup extends ParamGroup {
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
  foreach: boolean | null;
  differentiable: boolean;
}

export class SGD extends Optimizer<SGDParamGroup> {
  /** new SGD(params, lr, momentum?, dampening?, weightDecay?, nesterov?) in PyTorch's order, any trailing run as one options object. */
  constructor(params: ParamsInput<SGDOptions>, ...rest: PositionalOr<[number, number, number, number, boolean], SGDOptions>) {
    const opts = trailing<SGDOptions>(["lr", "momentum", "dampening", "weightDecay", "nesterov"], rest);
    const { lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, maximize = false, foreach = null, differentiable = false } = opts;
    if (lr !== undefined && lr < 0) throw new Error(`Invalid learning rate: ${pyNumber(lr)}`);
    if (momentum < 0) throw new Error(`Invalid momentum value: ${pyNumber(momentum)}`);
    if (weightDecay < 0) throw new Error(`Invalid weight_decay value: ${pyNumber(weightDecay)}`);
    if (differentiable) throw new Error("kindling's optimizers do not support differentiable=True");
    const defaults = { lr: lr ?? required, momentum, dampening, weightDecay, nesterov, maximize, foreach, differentiable };
    if (nesterov && (momentum <= 0 || dampening !== 0)) throw new Error("Nesterov momentum requires a momentum and zero dampening");
    super(params, defaults);
  }

  protected updateGroup(group: SGDParamGroup): void {
    const { weightDecay, momentum, lr, dampening, nesterov, maximize } = group;
    for (const param of group.params) {
      if (param.grad === null) continue;
      const state = this.stateOf(param);
      let dp: Tensor = maximize ? param.grad.neg() : param.grad;
      if (weightDecay !== 0) dp = dp.add(param, { alpha: weightDecay });
      if (momentum !== 0) {
        let buf = state.momentum_buffer as Tensor | undefined | null;
        if (buf === undefined || buf === null) {
          buf = dp.clone().detach();
        } else {
          buf.mul_(momentum).add_(dp, { alpha: 1 - dampening });
        }
        dp = nesterov ? dp.add(buf, { alpha: momentum }) : buf;
        state.momentum_buffer = buf;
      } else if (!("momentum_buffer" in state)) {
        // PyTorch records a None buffer for every parameter that took a step.
        state.momentum_buffer = null;
      }
      // add_'s own fast path (the update written in place, rounded once), taken directly: no
      // options object and method dispatch per parameter per step. add_ does the rest.
      if (!mulAddInto(param, dp, -lr)) param.add_(dp, { alpha: -lr });
    }
  }
}
