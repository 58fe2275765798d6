// nn.utils.parametersToVector / vectorToParameters, as PyTorch's convert_parameters.
import { cat } from "../../ops/view.js";
import { Tensor } from "../../tensor/tensor.js";

function checkDevice(param: Tensor, device: string | null): string {
  if (device === null) return param.device;
  if (param.device !== device) throw new TypeError("Found two parameters on different devices, this is currently not supported.");
  return device;
}

/** The parameters flattened and joined into one vector (differentiable, as PyTorch's). */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  let device: string | null = null;
  const vec: Tensor[] = [];
  for (const p of parameters) {
    device = checkDevice(p, device);
    vec.push(p.view(-1));
  }
  return cat(vec);
}

/** Points each parameter's data at its slice of vec (the same memory, as PyTorch's `param.data = ...`). */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  if (!(vec instanceof Tensor)) throw new TypeError(`expected torch.Tensor, but got: ${typeof vec}`);
  let device: string | null = null;
  let pointer = 0;
  for (const p of parameters) {
    device = checkDevice(p, device);
    const n = p.numel();
    p.data = vec.slice(0, pointer, pointer + n).viewAs(p).data;
    pointer += n;
  }
}
