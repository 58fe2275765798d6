// Square float32 matrix products.
import * as torch from "kindling";
import type { Step } from "../harness.js";

export function prepareMatmul(n: number): () => Step {
  return () => {
    torch.manualSeed(0);
    const a = torch.randn(n, n);
    const b = torch.randn(n, n);
    return () => a.matmul(b);
  };
}
