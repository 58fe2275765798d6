// nn.Parameter: a tensor that a Module registers as one of its parameters.
import { Tensor } from "../tensor/tensor.js";
import { empty } from "../ops/creation.js";

/**
 * A leaf tensor sharing `data`'s memory, with requiresGrad on by default. Modules find their
 * parameters by this type, as PyTorch's do. `new nn.Parameter()` holds an empty float tensor.
 */
export class Parameter extends Tensor {
  constructor(data?: Tensor, requiresGrad = true) {
    const src = data ?? empty(0);
    super(src.storage, src.shape.slice(), src.strides.slice(), src.offset, src.dtype);
    this.requiresGrad = requiresGrad;
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
