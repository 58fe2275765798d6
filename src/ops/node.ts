// Graph nodes: what an op records so backward can run. Each op calls record() right after its
// forward, handing over its backward formula; the engine in src/autograd walks these nodes.
import { type DType, tensorTypeName } from "../tensor/dtype.js";
import { formatShape } from "../tensor/shape.js";
import type { GradFn, Tensor } from "../tensor/tensor.js";

export type Grad = Tensor | null | undefined;
/** Where an input's gradient goes: the node that made it, and which of that node's outputs it was. */
export interface Edge {
  node: Node;
  nr: number;
}

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}
export function setGradEnabled(on: boolean): void {
  gradEnabled = on;
}

/** Runs fn with gradient recording switched on or off, restoring the previous mode afterwards. */
export function withGradMode<T>(on: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = on;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

interface SavedTensor {
  tensor: Tensor;
  version: number;
  /** For a node's own output: which output it is (PyTorch's message names the saving node then). */
  outputNr?: number;
}

export interface OutputMeta {
  shape: number[];
  dtype: DType;
  device: string;
}

/** The saved list of a released node (never written to: one array serves every node). */
const NONE_SAVED: SavedTensor[] = [];

export class Node implements GradFn {
  /** Set once backward ran without retainGraph. */
  released = false;
  /** Set when that release dropped saved values: running again is PyTorch's "backward a second time" error. */
  private freed = false;
  /** Hooks registered on non-leaf outputs (retainGrad, registerHook), by output number. */
  outputHooks: Array<Array<(g: Tensor) => Tensor | undefined | void>> | null = null;
  // The backward engine's bookkeeping (src/autograd/engine.ts), kept here rather than in Maps
  // keyed by node, which cost several hash lookups per node per backward. Valid only while
  // `backwardTask` is the id of the backward pass that is running.
  backwardTask = 0;
  /** Edges from nodes of that pass still to run that point here. */
  backwardDependencies = 0;
  /** The gradients gathered so far for this node's outputs. */
  backwardGrads: Array<Tensor | null> | null = null;
  /** The edge into output 0, made once and shared by every op that reads that output. */
  edge0: Edge | null = null;
  /** Called with the gradients of the outputs (null where none arrived) before the node runs (module backward hooks). */
  preHooks: Array<(grads: ReadonlyArray<Tensor | null>) => void> | null = null;
  /** Called with the node's input gradients and its output gradients after it ran; a returned array replaces the input gradients. */
  postHooks: Array<(gradInputs: Grad[], gradOutputs: ReadonlyArray<Tensor | null>) => Grad[] | undefined> | null = null;

  constructor(
    readonly name: string,
    readonly next: Array<Edge | null>,
    private backwardFn: ((grads: Tensor[]) => Grad[]) | null,
    private saved: SavedTensor[],
    readonly outputs: OutputMeta[],
    /** One output, whose backward takes its gradient alone (record's ops): no wrapper closure per node. */
    private backwardOne: ((gy: Tensor) => Grad[]) | null = null,
  ) {}

  /** Whether input i takes part in the graph (its gradient is wanted). */
  needsInputGrad(i: number): boolean {
    return this.next[i] !== null;
  }

  apply(grads: Tensor[]): Grad[] {
    if (this.freed) {
      throw new Error(
        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). " +
          "Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). " +
          "Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.",
      );
    }
    for (const s of this.saved) {
      if (s.tensor.version !== s.version) {
        const t = s.tensor;
        // An output names the node that saved it; an input its history now, as PyTorch's SavedVariable does.
        const where =
          s.outputNr !== undefined
            ? `, which is output ${s.outputNr} of ${this.name},`
            : t.gradFn
              ? `, which is output ${t.outputNr} of ${t.gradFn.name},`
              : "";
        throw new Error(
          `one of the variables needed for gradient computation has been modified by an inplace operation: ` +
            `[torch.${tensorTypeName(t.dtype)} ${formatShape(t.shape)}]${where} is at version ${t.version}; ` +
            `expected version ${s.version} instead. Hint: the operation that modified it ran after ${this.name} saved it; ` +
            "clone the tensor before changing it in place.",
        );
      }
    }
    return this.backwardOne ? this.backwardOne(grads[0]) : this.backwardFn!(grads);
  }

  /** Frees the saved values (and the closure holding them) once they are no longer needed. */
  release(): void {
    this.released = true;
    if (this.saved.length > 0) {
      this.freed = true;
      this.saved = NONE_SAVED;
      this.backwardFn = null;
      this.backwardOne = null;
    }
  }
}

/** The node at a leaf that adds incoming gradients into leaf.grad. */
export class AccumulateGrad extends Node {
  constructor(readonly variable: Tensor) {
    super("AccumulateGrad", [], null, [], [{ shape: variable.shape, dtype: variable.dtype, device: variable.device }]);
  }
  override apply(): Grad[] {
    throw new Error("AccumulateGrad is handled by the engine");
  }
}

/** The edge a tensor's gradient flows along, or null where it takes no part. */
export function edgeOf(t: Tensor): Edge | null {
  let node: Node;
  if (t.gradFn) {
    node = t.gradFn as Node;
    if (t.outputNr !== 0) return { node, nr: t.outputNr };
  } else {
    if (!t.requiresGrad) return null;
    if (!t.gradAccumulator) t.gradAccumulator = new AccumulateGrad(t);
    node = t.gradAccumulator as Node;
  }
  if (node.edge0 === null) node.edge0 = { node, nr: 0 };
  return node.edge0;
}

/** True when an op on these inputs must be recorded. */
export function needsGrad(a: Tensor, b?: Tensor | number | null, c?: Tensor | number | null): boolean {
  if (!gradEnabled) return false;
  return a.requiresGrad || (typeof b === "object" && b !== null && b.requiresGrad) || (typeof c === "object" && c !== null && c.requiresGrad);
}

export function anyNeedsGrad(inputs: ReadonlyArray<Tensor | null | undefined>): boolean {
  if (!gradEnabled) return false;
  for (const t of inputs) if (t?.requiresGrad) return true;
  return false;
}

/**
 * Records a one-output op: `out` becomes a non-leaf whose gradFn runs `backward(gradOut)`, which
 * returns one gradient per input (null where none is needed). `saved` lists the tensors the
 * formula reads, so an in-place change to one of them is caught instead of giving a wrong gradient.
 */
export function record(
  name: string,
  inputs: ReadonlyArray<Tensor | null | undefined>,
  out: Tensor,
  backward: (gy: Tensor) => Grad[],
  saved: ReadonlyArray<Tensor> = [],
): Tensor {
  const node = new Node(name, edgesOf(inputs), null, savedOf(saved, out), [meta(out)], backward);
  out.gradFn = node;
  out.outputNr = 0;
  out.setRequiresGradUnchecked(true);
  return out;
}

/** Records an op with several differentiable outputs (unbind, split, chunk). */
export function recordMulti(
  name: string,
  inputs: ReadonlyArray<Tensor | null | undefined>,
  outs: Tensor[],
  backward: (grads: Tensor[]) => Grad[],
  saved: ReadonlyArray<Tensor> = [],
): Tensor[] {
  const next = inputs.map((t) => (t ? edgeOf(t) : null));
  const node = new Node(name, next, backward, saved.map((t) => saveOf(t, outs)), outs.map(meta));
  outs.forEach((o, i) => {
    o.gradFn = node;
    o.outputNr = i;
    o.setRequiresGradUnchecked(true);
  });
  return outs;
}

// Loops rather than map(): record() runs for every differentiable op.
function edgesOf(inputs: ReadonlyArray<Tensor | null | undefined>): Array<Edge | null> {
  const next = new Array<Edge | null>(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i];
    next[i] = t ? edgeOf(t) : null;
  }
  return next;
}
function savedOf(saved: ReadonlyArray<Tensor>, out: Tensor): SavedTensor[] {
  const list = new Array<SavedTensor>(saved.length);
  for (let i = 0; i < saved.length; i++) {
    const t = saved[i];
    list[i] = t === out ? { tensor: t, version: t.version, outputNr: 0 } : { tensor: t, version: t.version };
  }
  return list;
}

function saveOf(t: Tensor, outs: readonly Tensor[]): SavedTensor {
  const nr = outs.indexOf(t);
  return nr >= 0 ? { tensor: t, version: t.version, outputNr: nr } : { tensor: t, version: t.version };
}
function meta(t: Tensor): OutputMeta {
  return { shape: t.shape, dtype: t.dtype, device: t.device };
}
