// The tracing hook: while an exporter (src/onnx) traces a model, each op entry point reports the
// call to it. Outside tracing `tracer` is null and an op pays one null check:
//
//   export function relu(x: Tensor): Tensor {
//     if (tracer !== null && tracer.depth === 0) return tracer.call("relu", relu, [x]);
//     ...
//
// call() runs the op itself (with depth raised, so the ops it is built from are not reported
// again) and records the op's name, its arguments exactly as given (tensors, numbers, options
// objects) and its result. A new op becomes exportable by adding that line to its entry point and
// a mapping for its name in src/onnx/mappings.ts.
import type { Tensor } from "../tensor/tensor.js";

export interface OpTracer {
  /** How many reported ops are running now; only calls at depth 0 are recorded. */
  depth: number;
  /** Runs fn(...args) and records the call as one op named `op`. */
  call<R>(op: string, fn: (...a: any[]) => R, args: readonly unknown[]): R;
  /** An in-place op wrote `value` into `self`: later reads of self see that value. */
  assign(self: Tensor, value: Tensor): void;
}

/** The active tracer, or null (the usual case). */
export let tracer: OpTracer | null = null;

/** Installs a tracer (or removes it with null); returns the previous one. */
export function setTracer(t: OpTracer | null): OpTracer | null {
  const prev = tracer;
  tracer = t;
  return prev;
}
