// Records a model's forward as a list of op calls: the OpTracer that src/ops/trace.ts's hook
// reports to, plus the module each call ran in (for error messages and node names).
import type { Module } from "../nn/module.js";
import { type OpTracer, setTracer } from "../ops/trace.js";
import { Tensor } from "../tensor/tensor.js";

export interface OpCall {
  /** The reporting op's name (src/ops entry point: "linear", "relu", "reshape", ...). */
  op: string;
  /** Its arguments as given: tensors, numbers, arrays, options objects. */
  args: readonly unknown[];
  /** What it returned. */
  result: unknown;
  /** The tensors of the result, in order (a tensor, an array's tensors, or values/indices). */
  outputs: Tensor[];
  /** The module path it ran in ("" for the model itself), and that module's class. */
  modulePath: string;
  moduleClass: string;
  /** For an in-place write of a constant (fill_): the values written. */
  snapshot?: Tensor;
}

/** The tensors inside an op's result. */
export function tensorsOf(result: unknown): Tensor[] {
  if (result instanceof Tensor) return [result];
  if (Array.isArray(result)) return result.filter((r): r is Tensor => r instanceof Tensor);
  if (result !== null && typeof result === "object") {
    const r = result as { values?: unknown; indices?: unknown };
    if (r.values instanceof Tensor && r.indices instanceof Tensor) return [r.values, r.indices];
  }
  return [];
}

class Recorder implements OpTracer {
  depth = 0;
  calls: OpCall[] = [];
  private modules: Array<[string, string]> = [["", ""]];

  constructor(private names: Map<Module, string>) {}

  call<R>(op: string, fn: (...a: any[]) => R, args: readonly unknown[]): R {
    this.depth++;
    let result: R;
    try {
      result = fn(...args);
    } finally {
      this.depth--;
    }
    const [modulePath, moduleClass] = this.modules[this.modules.length - 1];
    this.calls.push({ op, args, result, outputs: tensorsOf(result), modulePath, moduleClass });
    return result;
  }

  assign(self: Tensor, value: Tensor): void {
    const [modulePath, moduleClass] = this.modules[this.modules.length - 1];
    let snapshot: Tensor | undefined;
    if (value === self) {
      this.depth++; // the copy is the recorder's, not the model's
      try {
        snapshot = self.detach().clone();
      } finally {
        this.depth--;
      }
    }
    this.calls.push({ op: "assign_", args: [self, value], result: self, outputs: [self], modulePath, moduleClass, snapshot });
  }

  enter(m: Module): void {
    this.modules.push([this.names.get(m) ?? "", m.constructor.name]);
  }
  leave(): void {
    this.modules.pop();
  }
}

/**
 * Runs fn with the tracer installed and each submodule's forward wrapped (on the instance, for
 * the duration) so each op knows its module, whether the module runs through call() or forward().
 * Returns fn's result and the ops it ran.
 */
export function traceCalls<R>(model: Module, fn: () => R): { result: R; calls: OpCall[] } {
  const names = new Map<Module, string>();
  for (const [name, m] of model.namedModules()) names.set(m, name);
  names.set(model, "");
  const recorder = new Recorder(names);
  const restore: Array<() => void> = [];
  for (const m of names.keys()) {
    const own = Object.getOwnPropertyDescriptor(m, "forward");
    const forward = m.forward;
    Object.defineProperty(m, "forward", {
      configurable: true,
      writable: true,
      value: (...inputs: unknown[]) => {
        recorder.enter(m);
        try {
          return forward.apply(m, inputs);
        } finally {
          recorder.leave();
        }
      },
    });
    restore.push(() => {
      if (own) Object.defineProperty(m, "forward", own);
      else delete (m as { forward?: unknown }).forward;
    });
  }
  const prev = setTracer(recorder);
  try {
    const result = fn();
    return { result, calls: recorder.calls };
  } finally {
    setTracer(prev);
    for (const r of restore) r();
  }
}
