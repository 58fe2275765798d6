// Module hooks as PyTorch's Module._call_impl runs them: forward pre-hooks (which may replace the
// inputs), forward, forward hooks (which may replace the output), and full backward hooks, set up
// as torch.utils.hooks.BackwardHook does: the module's tensor inputs and outputs pass through an
// identity node (BackwardHookFunctionBackward); the output side's node records the gradients of
// the outputs as they arrive, the input side's node calls the user hooks with the gradients of
// the inputs once they are computed, and may replace them.
import { isGradEnabled, type Grad, type Node, recordMulti } from "../ops/node.js";
import { Tensor, viewOf } from "../tensor/tensor.js";

/** (module, gradInput, gradOutput): arrays as long as the module's inputs and outputs, null where no gradient flows. */
export type FullBackwardHook<M = any> = (module: M, gradInput: Array<Tensor | null>, gradOutput: Array<Tensor | null>) => Array<Tensor | null> | undefined | void;

/** What one use of a tensor-aliasing identity node gave: the new arguments and where the differentiable tensors sit. */
interface Wrapped {
  args: unknown[];
  /** The argument positions of the tensors routed through the node, in the node's input order. */
  positions: number[];
  node: Node;
}

/** Routes the tensors of args that require grad through one identity node (PyTorch's BackwardHookFunction). */
function wrapTensors(args: unknown[]): Wrapped | null {
  if (!isGradEnabled()) return null;
  const positions: number[] = [];
  const inputs: Tensor[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a instanceof Tensor && a.requiresGrad) {
      positions.push(i);
      inputs.push(a);
    }
  }
  if (inputs.length === 0) return null;
  const outs = inputs.map((t) => viewOf(t, t.shape.slice(), t.strides.slice(), t.offset));
  recordMulti("BackwardHookFunctionBackward", inputs, outs, (grads) => grads);
  const res = args.slice();
  for (let k = 0; k < positions.length; k++) res[positions[k]] = outs[k];
  return { args: res, positions, node: outs[0].gradFn as Node };
}

function pack(positions: readonly number[], values: ReadonlyArray<Grad>, size: number): Array<Tensor | null> {
  const res = new Array<Tensor | null>(size).fill(null);
  for (let k = 0; k < positions.length; k++) res[positions[k]] = values[k] ?? null;
  return res;
}

/** One module call's backward hooks (a module called twice gets two). */
export class BackwardHook {
  private gradOutputs: Array<Tensor | null> | null = null;
  private nInputs = 0;
  private inputsWrapped = false;

  constructor(
    private readonly module: unknown,
    private readonly hooks: FullBackwardHook[],
  ) {}

  /** Wraps the module's inputs; the user hooks run once the inputs' gradients are computed. */
  setupInput(args: unknown[]): unknown[] {
    this.nInputs = args.length;
    const w = wrapTensors(args);
    if (w === null) return args;
    this.inputsWrapped = true;
    const { positions, node } = w;
    (node.postHooks ??= []).push((gradInputs) => {
      // Gradient that reached the inputs without passing through the outputs (double backward).
      if (this.gradOutputs === null) return undefined;
      let res = pack(positions, gradInputs, this.nInputs);
      for (const hook of this.hooks) {
        const out = hook(this.module, res, this.gradOutputs);
        if (out === undefined || out === null) continue;
        if (!Array.isArray(out) || out.length !== res.length) {
          throw new Error(`Backward hook returned an invalid number of grad_input, got ${Array.isArray(out) ? out.length : 1}, but expected ${res.length}`);
        }
        res = out;
      }
      this.gradOutputs = null;
      return positions.map((p) => res[p]);
    });
    return w.args;
  }

  /** Wraps the module's output (a tensor, or the tensors of an array); records its gradients as they arrive. */
  setupOutput(output: unknown): unknown {
    const isArray = Array.isArray(output);
    const outs = isArray ? (output as unknown[]) : [output];
    const w = wrapTensors(outs);
    if (w === null) return output;
    const { positions, node } = w;
    const nOutputs = outs.length;
    (node.preHooks ??= []).push((grads) => {
      this.gradOutputs = pack(positions, grads, nOutputs);
      // No input requires grad: nothing will reach the input side, so the hooks run here.
      if (!this.inputsWrapped) {
        const gradInputs = new Array<Tensor | null>(this.nInputs).fill(null);
        for (const hook of this.hooks) {
          const r = hook(this.module, gradInputs, this.gradOutputs);
          if (r !== undefined && r !== null && !(Array.isArray(r) && r.every((g) => g === null || g === undefined))) {
            throw new Error("Backward hook for Modules where no input requires gradient should always return None or None for all gradients.");
          }
        }
        this.gradOutputs = null;
      }
    });
    return isArray ? w.args : w.args[0];
  }
}
