// torch.autograd and the grad-mode switches (torch.noGrad, torch.enableGrad).
import { isGradEnabled, setGradEnabled, withGradMode } from "../ops/node.js";
import { Tensor } from "../tensor/tensor.js";
import { type BackwardOptions, runBackward } from "./engine.js";
import { backward, grad, registerHook, retainGrad } from "./backward.js";

/** Python's `with torch.no_grad():` — runs fn without recording, returns its value. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}
/** Python's `with torch.enable_grad():`. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}
/** Python's `with torch.inference_mode():` (the same as noGrad here). */
export function inferenceMode<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Tensor.backward's keywords in one object, gradient among them (`y.backward(gradient=g, retain_graph=True)`). */
export interface TensorBackwardOptions extends BackwardOptions {
  gradient?: Tensor | null;
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    /** backward(gradient?, { retainGraph, createGraph, inputs }), or backward({ gradient, retainGraph, ... }) as PyTorch's keywords. */
    backward(gradient?: Tensor | null | TensorBackwardOptions, opts?: BackwardOptions): void;
    retainGrad(): void;
    registerHook(fn: (grad: Tensor) => Tensor | undefined | void): { remove(): void };
  }
}
Object.defineProperty(Tensor.prototype, "backward", {
  value(this: Tensor, gradient?: Tensor | null | TensorBackwardOptions, opts?: BackwardOptions) {
    if (gradient !== null && gradient !== undefined && !(gradient instanceof Tensor)) {
      const { gradient: g, ...rest } = gradient;
      backward(this, g, rest);
    } else backward(this, gradient, opts);
  },
  writable: true,
  configurable: true,
});
Object.defineProperty(Tensor.prototype, "retainGrad", {
  value(this: Tensor) {
    retainGrad(this);
  },
  writable: true,
  configurable: true,
});
Object.defineProperty(Tensor.prototype, "registerHook", {
  value(this: Tensor, fn: (grad: Tensor) => Tensor | undefined | void) {
    return registerHook(this, fn);
  },
  writable: true,
  configurable: true,
});

export const autograd = {
  grad,
  backward: (tensors: Tensor | Tensor[], gradTensors?: Tensor | Tensor[] | null, opts: BackwardOptions = {}) => {
    const ts = Array.isArray(tensors) ? tensors : [tensors];
    const gs = Array.isArray(gradTensors) ? gradTensors : gradTensors ? [gradTensors] : [];
    runBackward(ts, ts.map((t, i) => gs[i] ?? Tensor.make(t.shape.slice(), t.dtype, new t.dtype.ArrayType(Math.max(1, t.numel())).fill(1), t.device)), opts);
  },
};

export { isGradEnabled, setGradEnabled, type BackwardOptions };
