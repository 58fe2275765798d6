// Elementwise ops on 1M-element float32 tensors (each makes a new tensor, as `a + b` does).
import * as torch from "kindling";
import type { Step } from "../harness.js";

const N = 1 << 20;

export function prepareAdd(): Step {
  torch.manualSeed(0);
  const a = torch.randn(N);
  const b = torch.randn(N);
  return () => a.add(b);
}

export function prepareMulScalar(): Step {
  torch.manualSeed(0);
  const a = torch.randn(N);
  return () => a.mul(1.5);
}

export function prepareExp(): Step {
  torch.manualSeed(0);
  const a = torch.randn(N);
  return () => a.exp();
}

export function prepareRelu(): Step {
  torch.manualSeed(0);
  const a = torch.randn(N);
  return () => a.relu();
}
