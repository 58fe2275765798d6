// The backward pass: walks the graph from the outputs in reverse topological order, adding up
// each node's incoming gradients before running it, exactly once, and accumulating into leaves.
import type { BinaryKernel } from "../backend/backend.js";
import { AccumulateGrad, type Edge, edgeOf, type Grad, isGradEnabled, type Node, setGradEnabled } from "../ops/node.js";
import { backendOf, sumTo } from "../ops/util.js";
import { formatShape, shapeEquals } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";

export interface BackwardOptions {
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order derivatives. */
  createGraph?: boolean;
  inputs?: Tensor[];
}

/** Makes a gradient fit the tensor it flows into: sums broadcast dims, casts the dtype (validate_outputs). */
function fit(grad: Tensor, meta: { shape: number[]; dtype: Tensor["dtype"] }, node: Node): Tensor {
  let g = grad;
  if (!shapeEquals(g.shape, meta.shape)) {
    try {
      g = sumTo(g, meta.shape);
    } catch {
      throw new Error(`Function ${node.name} returned an invalid gradient - got ${formatShape(grad.shape)} but expected shape compatible with ${formatShape(meta.shape)}`);
    }
    if (!shapeEquals(g.shape, meta.shape)) {
      throw new Error(`Function ${node.name} returned an invalid gradient - got ${formatShape(grad.shape)} but expected shape compatible with ${formatShape(meta.shape)}`);
    }
  }
  if (g.dtype !== meta.dtype) g = g.to(meta.dtype);
  return g;
}

/** The id of the latest backward pass; each pass marks the nodes it works on with its own. */
let lastTask = 0;
/** How many backward passes are running (more than one: a hook started another). */
let running = 0;

/** A node's bookkeeping as a pass found it, for a nested pass to put back when it ends. */
interface SavedState {
  node: Node;
  task: number;
  dependencies: number;
  grads: Array<Tensor | null> | null;
}

/**
 * Runs backward from `roots` with their seed gradients. Leaves get `.grad` accumulated, unless
 * `capture` is given: then the gradients reaching those tensors are returned instead (autograd.grad).
 */
export function runBackward(roots: Tensor[], seeds: Tensor[], opts: BackwardOptions, capture?: Tensor[]): Array<Tensor | null> {
  const retain = opts.retainGraph ?? opts.createGraph ?? false;
  const rootEdges: Edge[] = [];
  for (const r of roots) {
    const e = edgeOf(r);
    if (!e) throw new Error("element 0 of tensors does not require grad and does not have a grad_fn");
    rootEdges.push(e);
  }
  const task = ++lastTask;
  // A pass started from inside another (by a hook) may share nodes with it: it keeps their
  // state as it found it and puts it back at the end, so the outer pass goes on undisturbed.
  const saved: SavedState[] | null = running > 0 ? [] : null;
  running++;
  const prevGradMode = isGradEnabled();
  try {
    // Count how many edges point at each node, so a node runs only when all its inputs are in.
    const stack: Node[] = [];
    for (const e of rootEdges) {
      if (e.node.backwardTask !== task) {
        join(e.node, task, saved);
        stack.push(e.node);
      }
    }
    while (stack.length) {
      const next = stack.pop()!.next;
      for (let i = 0; i < next.length; i++) {
        const edge = next[i];
        if (!edge) continue;
        const node = edge.node;
        if (node.backwardTask !== task) {
          join(node, task, saved);
          stack.push(node);
        }
        node.backwardDependencies++;
      }
    }
    const captured = capture ? new Map<Tensor, Tensor | null>(capture.map((t) => [t, null])) : null;
    const captureEdges = capture?.map((t) => edgeOf(t)) ?? null;
    for (let i = 0; i < rootEdges.length; i++) addGrad(rootEdges[i], seeds[i]);
    const ready: Node[] = [];
    for (const e of rootEdges) if (e.node.backwardDependencies === 0 && !ready.includes(e.node)) ready.push(e.node);

    setGradEnabled(opts.createGraph ?? false);
    while (ready.length) {
      const node = ready.pop()!;
      const grads = node.backwardGrads ?? [];
      node.backwardGrads = null;
      if (captureEdges !== null && captured !== null) {
        for (let i = 0; i < captureEdges.length; i++) {
          const ce = captureEdges[i];
          if (ce && ce.node === node && grads[ce.nr]) {
            const t = capture![i];
            const prev = captured.get(t);
            captured.set(t, prev ? prev.add(grads[ce.nr]!) : grads[ce.nr]!);
          }
        }
      }
      if (node instanceof AccumulateGrad) {
        if (!captured) accumulate(node.variable, grads[0]);
        continue;
      }
      if (node.outputHooks !== null) runHooks(node, grads);
      if (node.preHooks !== null) for (const h of node.preHooks) h(grads);
      let inputGrads: Grad[] = NO_GRADS;
      if (anySet(grads)) {
        // The buffer is this node's alone now: outputs no gradient reached get zeros in place.
        for (let i = 0; i < grads.length; i++) if (!grads[i]) grads[i] = zerosFor(node, i);
        inputGrads = node.apply(grads as Tensor[]);
        if (node.postHooks !== null) {
          for (const h of node.postHooks) inputGrads = h(inputGrads, grads) ?? inputGrads;
        }
        if (!retain) node.release();
      }
      const next = node.next;
      for (let i = 0; i < next.length; i++) {
        const edge = next[i];
        if (!edge) continue;
        const g = inputGrads[i];
        if (g) addGrad(edge, fit(g, edge.node.outputs[edge.nr], node));
        if (--edge.node.backwardDependencies === 0) ready.push(edge.node);
      }
    }
    return capture ? capture.map((t) => captured!.get(t) ?? null) : [];
  } finally {
    setGradEnabled(prevGradMode);
    running--;
    if (saved) {
      for (let i = saved.length - 1; i >= 0; i--) {
        const s = saved[i];
        s.node.backwardTask = s.task;
        s.node.backwardDependencies = s.dependencies;
        s.node.backwardGrads = s.grads;
      }
    }
  }
}

/** Makes node part of backward pass `task`, with no dependencies counted and no gradients yet. */
function join(node: Node, task: number, saved: SavedState[] | null): void {
  if (saved) saved.push({ node, task: node.backwardTask, dependencies: node.backwardDependencies, grads: node.backwardGrads });
  node.backwardTask = task;
  node.backwardDependencies = 0;
  node.backwardGrads = null;
}

const NO_GRADS: Grad[] = [];
const ACCUMULATE: BinaryKernel = { name: "add", fn: (a, b) => a + b };
// A loop, not grads.some(callback): this runs for every node of every backward pass.
function anySet(grads: ReadonlyArray<Tensor | null>): boolean {
  for (let i = 0; i < grads.length; i++) if (grads[i]) return true;
  return false;
}

/** Adds g to the gradient pending for the edge's node output (summing when several edges meet). */
function addGrad(edge: Edge, g: Tensor): void {
  const node = edge.node;
  let buf = node.backwardGrads;
  if (!buf) {
    const n = node.outputs.length;
    // Most nodes have one output: its gradient is the whole buffer.
    if (n === 1) {
      node.backwardGrads = [g];
      return;
    }
    buf = new Array<Tensor | null>(n);
    for (let i = 0; i < n; i++) buf[i] = null;
    node.backwardGrads = buf;
  }
  const prev = buf[edge.nr];
  buf[edge.nr] = prev ? prev.add(g) : g;
}

function zerosFor(node: Node, i: number): Tensor {
  const m = node.outputs[i];
  return Tensor.make(m.shape.slice(), m.dtype, undefined, m.device);
}

// Hooks on a non-leaf's gradient (retainGrad, registerHook) run before its node does.
function runHooks(node: Node, grads: Array<Tensor | null>): void {
  if (!node.outputHooks) return;
  node.outputHooks.forEach((hooks, i) => {
    if (!hooks || !grads[i]) return;
    for (const h of hooks) {
      const r = h(grads[i]!);
      if (r instanceof Tensor) grads[i] = r;
    }
  });
}

function accumulate(leaf: Tensor, g: Tensor | null): void {
  if (!g) return;
  if (leaf.hooks) {
    for (const h of leaf.hooks) {
      const r = h(g);
      if (r instanceof Tensor) g = r;
    }
  }
  if (leaf.grad === null) {
    // A fresh tensor the graph does not hold on to (grads may alias saved values).
    leaf.grad = g.requiresGrad ? g : backendOf(g).copy(g, g.dtype);
  } else if (g.requiresGrad || leaf.grad.requiresGrad) {
    leaf.grad = leaf.grad.add(g);
  } else if (leaf.grad.dtype === g.dtype && leaf.grad.device === g.device && shapeEquals(leaf.grad.shape, g.shape)) {
    // .grad += g, as PyTorch's AccumulateGrad: the sum straight from the kernel (no op layers,
    // no graph: neither side requires grad here), written back into the same gradient tensor.
    const b = backendOf(g);
    // Added in place by the backend's multiply-add (g * 1 is exact, so the sum is rounded once,
    // as the add below), without a temporary the size of the parameter.
    if (b.addMulInPlace?.(leaf.grad, g, 1)) return;
    b.assign(leaf.grad, b.binary(leaf.grad, g, ACCUMULATE, g.dtype, g.shape.slice()));
  } else {
    backendOf(g).assign(leaf.grad, leaf.grad.add(g));
  }
}
