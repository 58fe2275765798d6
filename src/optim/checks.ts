// Argument checks and state upgrades the optimizers share, with PyTorch's messages.
import { tensor } from "../ops/creation.js";
import { Tensor } from "../tensor/tensor.js";
import type { ParamState } from "./optimizer.js";
import { pyNumber } from "./optimizer.js";

export function checkBetas(betas: readonly number[]): void {
  if (!(betas[0] >= 0 && betas[0] < 1)) throw new Error(`Invalid beta parameter at index 0: ${pyNumber(betas[0])}`);
  if (!(betas[1] >= 0 && betas[1] < 1)) throw new Error(`Invalid beta parameter at index 1: ${pyNumber(betas[1])}`);
}

/** Throws PyTorch's "Invalid <name> value: v" unless v >= 0. */
export function checkNonNegative(name: string, v: number): void {
  if (!(v >= 0)) throw new Error(`Invalid ${name} value: ${pyNumber(v)}`);
}

export function checkLr(lr: number): void {
  if (!(lr >= 0)) throw new Error(`Invalid learning rate: ${pyNumber(lr)}`);
}

/** State saved before PyTorch 1.12 holds `step` as a number; 1.13's __setstate__ makes it a tensor. */
export function stepTensorsFromNumbers(state: Map<Tensor, ParamState>, keys: readonly string[] = ["step"]): void {
  const values = [...state.values()];
  for (const key of keys) {
    if (values.length === 0 || values[0][key] instanceof Tensor) continue;
    for (const s of values) if (key in s) s[key] = tensor(Number(s[key]));
  }
}
