// Sums: over everything, along contiguous rows (dim 1) and across rows (dim 0).
import * as torch from "kindling";
import type { Step } from "../harness.js";

function input(): torch.Tensor {
  torch.manualSeed(0);
  return torch.randn(1024, 1024);
}

export function prepareSumAll(): Step {
  const a = input().flatten();
  return () => a.sum();
}

export function prepareSumRows(): Step {
  const a = input();
  return () => a.sum(1);
}

export function prepareSumCols(): Step {
  const a = input();
  return () => a.sum(0);
}
