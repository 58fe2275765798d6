// tensor.backward() and torch.autograd.grad.
import type { Node } from "../ops/node.js";
import { allocArray } from "../tensor/alloc.js";
import { formatShape, shapeEquals } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { type BackwardOptions, runBackward } from "./engine.js";

function seedFor(t: Tensor, g: Tensor | null | undefined): Tensor {
  if (g === null || g === undefined) {
    if (t.numel() !== 1) throw new Error("grad can be implicitly created only for scalar outputs");
    // allocArray, not `new t.dtype.ArrayType(1)`: one construction site for every dtype is
    // megamorphic, and this runs once per training step.
    const one = allocArray(t.dtype, 1);
    one[0] = 1;
    return Tensor.make(t.shape.slice(), t.dtype, one, t.device);
  }
  if (!shapeEquals(g.shape, t.shape)) {
    throw new RangeError(`Mismatch in shape: grad_output[0] has a shape of ${formatShape(g.shape)} and output[0] has a shape of ${formatShape(t.shape)}.`);
  }
  return g;
}

export function backward(t: Tensor, gradient?: Tensor | null, opts: BackwardOptions = {}): void {
  if (!t.requiresGrad) throw new Error("element 0 of tensors does not require grad and does not have a grad_fn");
  runBackward([t], [seedFor(t, gradient)], opts);
}

export function grad(
  outputs: Tensor | Tensor[],
  inputs: Tensor | Tensor[],
  opts: BackwardOptions & { gradOutputs?: Tensor | Array<Tensor | null>; allowUnused?: boolean } = {},
): Array<Tensor | null> {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const seeds = Array.isArray(opts.gradOutputs) ? opts.gradOutputs : opts.gradOutputs ? [opts.gradOutputs] : [];
  outs.forEach((o, i) => {
    if (!o.requiresGrad) throw new Error(`element ${i} of tensors does not require grad and does not have a grad_fn`);
  });
  ins.forEach((t, i) => {
    if (!t.requiresGrad) throw new Error(`One of the differentiated Tensors (input ${i}) does not require grad`);
  });
  const result = runBackward(outs, outs.map((o, i) => seedFor(o, seeds[i])), opts, ins);
  if (!opts.allowUnused) {
    result.forEach((r, i) => {
      if (r === null) {
        throw new Error(`One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior. (input ${i})`);
      }
    });
  }
  return result;
}

/** retainGrad(): keep .grad on a non-leaf after backward. */
export function retainGrad(t: Tensor): void {
  if (t.isLeaf) return;
  if (t.retainsGrad) return;
  t.retainsGrad = true;
  const node = t.gradFn as Node;
  node.outputHooks ??= [];
  (node.outputHooks[t.outputNr] ??= []).push((g) => {
    t.grad = t.grad ? t.grad.add(g) : g.detach().clone();
  });
}

/** registerHook(fn): fn sees (and may replace) the gradient flowing into t. */
export function registerHook(t: Tensor, fn: (g: Tensor) => Tensor | undefined | void): { remove(): void } {
  if (!t.requiresGrad) throw new Error("cannot register a hook on a tensor that doesn't require gradient");
  if (t.isLeaf) {
    (t.hooks ??= []).push(fn);
    return { remove: () => t.hooks?.splice(t.hooks.indexOf(fn), 1) };
  }
  const node = t.gradFn as Node;
  node.outputHooks ??= [];
  const list = (node.outputHooks[t.outputNr] ??= []);
  list.push(fn);
  return { remove: () => list.splice(list.indexOf(fn), 1) };
}
