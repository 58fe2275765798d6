// Softmax along the last dim of a 1024x1024 float32 tensor.
import * as torch from "kindling";
import type { Step } from "../harness.js";

export function prepare(): Step {
  torch.manualSeed(0);
  const a = torch.randn(1024, 1024);
  return () => a.softmax(-1);
}
