// The in-place pointwise updates of PyTorch's optimizers, in the order PyTorch's CPU kernels
// evaluate them (PointwiseOpsKernel.cpp): addcmul is self + value * t1 * t2 and addcdiv is
// self + value * t1 / t2, each product and quotient rounded to the tensor's dtype in turn. The
// Tensor methods addcmul_/addcdiv_ group the operands differently, which moves float32 results
// by an ulp now and then; optimizers run thousands of these, so they use these helpers.
import type { Tensor } from "../tensor/tensor.js";

/** self += value * t1 * t2, rounded as PyTorch's addcmul_ kernel rounds. */
export function addcmul_(self: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
  return self.add_(t1.mul(value).mul(t2));
}

/** self += value * t1 / t2, rounded as PyTorch's addcdiv_ kernel rounds. */
export function addcdiv_(self: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
  return self.add_(t1.mul(value).div(t2));
}
