// torch.onnx.export / exportBuffer: trace the model's forward on example inputs (each op that
// runs is recorded, whatever the control flow), map the ops to ONNX nodes, and write a ModelProto
// with the weights as initializers under their state-dict names.
//
// Dynamic axes: with dynamicAxes the forward is traced a second time on inputs one larger along
// each dynamic axis. The ops must be the same; every size that changed between the two traces is
// dynamic, and shapes written into the graph (Reshape targets, Expand shapes, ...) follow it (as
// 0 / -1, or computed from the inputs' shapes) instead of baking the example's size.
import { withGradMode } from "../ops/node.js";
import { cat, narrow } from "../ops/view.js";
import type { Module } from "../nn/module.js";
import { Tensor } from "../tensor/tensor.js";
import { ExportError, GraphBuilder, onnxType, tensorProto } from "./graph.js";
import { MappingContext, mappings } from "./mappings.js";
import { encodeModel } from "./proto.js";
import { type OpCall, tensorsOf, traceCalls } from "./recorder.js";

/** Sizes that may change: per input or output name, the dims (as a list, or dim -> name). */
export type DynamicAxes = Record<string, number[] | Record<number, string>>;

export interface OnnxExportOptions {
  /** Names of the graph's inputs, in the order of args (default "input", or "input_0", "input_1", ...). */
  inputNames?: string[];
  /** Names of the graph's outputs (default "output", or "output_0", ...). */
  outputNames?: string[];
  /** `{ input: { 0: "batch" } }`: dims whose size the exported model accepts changing. */
  dynamicAxes?: DynamicAxes;
  /** ONNX opset, 13 to 18 (default 17). */
  opsetVersion?: number;
  /** Store the weights in the file as initializers (default true); false makes them graph inputs. */
  exportParams?: boolean;
  /** Replace ops on constants (tensors created inside forward) by their values (default true). */
  doConstantFolding?: boolean;
}

export const DEFAULT_OPSET = 17;
export const MIN_OPSET = 13;
export const MAX_OPSET = 18;

interface Trace {
  calls: OpCall[];
  outputs: Tensor[];
}

function argsList(args: Tensor | readonly Tensor[]): Tensor[] {
  const list = args instanceof Tensor ? [args] : [...args];
  list.forEach((a, i) => {
    if (!(a instanceof Tensor)) throw new TypeError(`onnx export: args[${i}] is not a tensor`);
  });
  return list;
}

function dynamicDims(axes: number[] | Record<number, string> | undefined, name: string): Map<number, string> {
  const m = new Map<number, string>();
  if (!axes) return m;
  if (Array.isArray(axes)) for (const d of axes) m.set(d, `${name}_dynamic_axes_${d}`);
  else for (const [d, n] of Object.entries(axes)) m.set(Number(d), n);
  return m;
}

function run(model: Module, inputs: Tensor[]): Trace {
  // Grad mode on, as PyTorch traces: a tensor computed from the weights by an op that does not
  // report to the tracer then shows itself by its grad_fn (see GraphBuilder.value).
  const { result, calls } = traceCalls(model, () => withGradMode(true, () => model.call(...inputs)));
  const outputs = outputTensors(result);
  if (outputs.length === 0) throw new ExportError("the model's forward returned no tensor");
  return { calls, outputs };
}

/** A forward's outputs in order, nested arrays flattened as PyTorch flattens nested tuples (an LSTM's [output, [h, c]]). */
function outputTensors(result: unknown): Tensor[] {
  if (Array.isArray(result)) return result.flatMap(outputTensors);
  return tensorsOf(result);
}

/** Exports the model as ONNX ModelProto bytes (works in a browser). */
export function exportBuffer(model: Module, args: Tensor | readonly Tensor[], options: OnnxExportOptions = {}): Uint8Array {
  const opset = options.opsetVersion ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new RangeError(`onnx export: opsetVersion must be an integer from ${MIN_OPSET} to ${MAX_OPSET}, got ${opset}`);
  }
  const inputs = argsList(args);
  const inputNames = options.inputNames ?? (inputs.length === 1 ? ["input"] : inputs.map((_, i) => `input_${i}`));
  if (inputNames.length !== inputs.length) throw new RangeError(`onnx export: ${inputNames.length} input names for ${inputs.length} inputs`);
  const dynamicAxes = options.dynamicAxes ?? {};

  // Export in eval mode (dropout off, batch norm on running statistics), as PyTorch's exporter.
  const modes = model.modules().map((m) => [m, m.training] as const);
  model.eval();
  try {
    const first = run(model, inputs);
    // Inputs larger along each dynamic axis, for the second trace: axes of one name grow alike
    // (inputs sharing a batch must still agree), axes of different names by different amounts, so
    // that each dynamic size is told apart by its pair of sizes. Axes given as a list grow by one.
    const growth = new Map<string, number>();
    const inputs2 = inputs.map((x, i) => {
      let y = x;
      const axes = dynamicAxes[inputNames[i]];
      for (const [d, name] of dynamicDims(axes, inputNames[i])) {
        if (d < 0 || d >= x.dim()) throw new RangeError(`onnx export: dynamic axis ${d} of input '${inputNames[i]}' is out of range for its ${x.dim()} dims`);
        const key = Array.isArray(axes) ? "" : name;
        if (!growth.has(key)) growth.set(key, key === "" ? 1 : growth.size + 2);
        for (let k = 0; k < growth.get(key)!; k++) y = cat([y, narrow(y, d, 0, 1)], d);
      }
      return y;
    });
    const anyDynamic = inputs2.some((y, i) => y !== inputs[i]);
    let second: Trace = first;
    if (anyDynamic) {
      try {
        second = run(model, inputs2);
      } catch (e) {
        throw new ExportError(`the model fails when a dynamic axis changes size (a size fixed inside forward?): ${(e as Error).message}`);
      }
      const same = second.calls.length === first.calls.length && second.calls.every((c, i) => c.op === first.calls[i].op) && second.outputs.length === first.outputs.length;
      if (!same) throw new ExportError("the ops the model runs depend on the size of a dynamic axis (control flow on a size); export without dynamicAxes for it");
    }
    return build(model, inputs, inputs2, inputNames, first, second, opset, options);
  } finally {
    for (const [m, t] of modes) m.training = t;
  }
}

function build(model: Module, inputs: Tensor[], inputs2: Tensor[], inputNames: string[], first: Trace, second: Trace, opset: number, options: OnnxExportOptions): Uint8Array {
  const g = new GraphBuilder(opset, options.doConstantFolding ?? true);
  const dynamicAxes = options.dynamicAxes ?? {};
  const exportParams = options.exportParams ?? true;
  const outputNames = options.outputNames ?? (first.outputs.length === 1 ? ["output"] : first.outputs.map((_, i) => `output_${i}`));
  if (outputNames.length !== first.outputs.length) throw new RangeError(`onnx export: ${outputNames.length} output names for ${first.outputs.length} outputs`);
  for (const key of Object.keys(dynamicAxes)) {
    if (!inputNames.includes(key) && !outputNames.includes(key)) {
      throw new RangeError(`onnx export: dynamicAxes names '${key}', which is neither an input (${inputNames.join(", ")}) nor an output (${outputNames.join(", ")})`);
    }
  }

  // Graph inputs, their dynamic dims named.
  const inputInfos: Array<Record<string, unknown>> = [];
  const dimNames = new Map<string, string>(); // "size,size2" -> dim_param, to name outputs' dims
  inputs.forEach((x, i) => {
    const name = inputNames[i];
    g.bind(x, name, inputs2[i].shape);
    g.addDimSource(name, x.shape, inputs2[i].shape);
    const dyn = dynamicDims(dynamicAxes[name], name);
    for (const [d, n] of dyn) dimNames.set(`${x.shape[d]},${inputs2[i].shape[d]}`, n);
    inputInfos.push(valueInfo(name, x, (d) => dyn.get(d)));
  });

  // Parameters and buffers under their state-dict names.
  const stateNames = new Map<Tensor, string>();
  for (const [name, p] of model.namedParameters()) stateNames.set(p, name);
  for (const [name, b] of model.namedBuffers()) if (b) stateNames.set(b, name);

  // Liveness: which calls the outputs depend on (others, e.g. a value printed for debugging, are dropped).
  const producer = new Map<Tensor, number>();
  const deps: number[][] = first.calls.map((call, index) => {
    const d: number[] = [];
    for (const t of tensorArgs(call.args)) {
      const p = producer.get(t);
      if (p !== undefined) d.push(p);
    }
    for (const o of call.outputs) producer.set(o, index);
    return d;
  });
  const live = new Set<number>();
  const stack = first.outputs.map((o) => producer.get(o)).filter((p): p is number => p !== undefined);
  while (stack.length) {
    const i = stack.pop()!;
    if (live.has(i)) continue;
    live.add(i);
    stack.push(...deps[i]);
  }

  const initializers: unknown[] = [];
  const paramInputs: Array<Record<string, unknown>> = [];
  const bindParam = (t: Tensor) => {
    const name = stateNames.get(t);
    if (name === undefined || g.isBound(t)) return;
    g.bind(t, name, t.shape, false);
    if (exportParams) initializers.push(tensorProto(t.detach(), name));
    else paramInputs.push(valueInfo(name, t, () => undefined));
  };

  // In-place writes: the written tensor takes the new value. Its other aliases (its base, the
  // base's other views) would need it too, which the graph cannot give, so reading one of those
  // afterwards is an error. Tensors made after the write are fine.
  const aliases = new Map<Tensor, Set<Tensor>>();
  const stale = new Set<Tensor>();
  const seen = (t: Tensor) => {
    const key = t.base ?? t;
    const set = aliases.get(key) ?? new Set<Tensor>();
    set.add(t);
    aliases.set(key, set);
  };
  first.calls.forEach((call, i) => {
    for (const t of tensorArgs(call.args)) {
      if (live.has(i) && stale.has(t)) {
        throw new ExportError(`'${call.op}' reads a tensor changed in place through another view of its memory; use the out-of-place op (x = x.relu() rather than x.relu_())`, call);
      }
      seen(t);
    }
    if (call.op === "assign_") {
      const self = call.args[0] as Tensor;
      for (const a of aliases.get(self.base ?? self) ?? []) if (a !== self) stale.add(a);
      stale.delete(self);
    }
    for (const o of call.outputs) {
      seen(o);
      if (call.op !== "assign_") stale.delete(o);
    }
    if (!live.has(i)) return;
    const call2 = second.calls[i];
    const shapes2 = {
      args: call2.args.map((a) => (a instanceof Tensor ? a.shape : null)),
      outputs: call2.outputs.map((o) => o.shape),
    };
    for (const t of tensorArgs(call.args)) bindParam(t);
    g.current = call;
    g.currentShapes2 = shapes2;
    g.setModulePrefix(call.modulePath);
    // Constant folding: an op on constants alone, with a static result, becomes its value.
    const staticOut = call.outputs.every((o, k) => o.shape.every((s, d) => s === shapes2.outputs[k][d]));
    const onConstants = tensorArgs(call.args).every((t) => (g.isBound(t) ? !g.isDynamicValue(g.nameOf(t)!) && !stateNames.has(t) : t.gradFn === null));
    // Creation ops (zeros, arange, ...) with a static shape are constants even without folding.
    const creation = tensorArgs(call.args).length === 0;
    if ((g.folding || creation) && staticOut && onConstants && call.op !== "assign_") {
      for (const o of call.outputs) g.bindOutput(o, g.fold(o), o.shape);
      return;
    }
    const mapping = mappings[call.op];
    if (!mapping) throw new ExportError(`op '${call.op}' has no ONNX mapping (yet)`, call);
    const produced = mapping(new MappingContext(g, call, shapes2));
    const names = Array.isArray(produced) ? produced : [produced];
    if (names.length !== call.outputs.length) throw new ExportError(`internal: mapping of '${call.op}' gave ${names.length} outputs for ${call.outputs.length}`, call);
    call.outputs.forEach((o, k) => {
      g.bindOutput(o, names[k], shapes2.outputs[k]);
    });
  });
  g.current = null;
  g.currentShapes2 = null;
  g.setModulePrefix("");

  // Graph outputs: an Identity names each (as PyTorch's exporter renames the last value).
  const outputInfos = first.outputs.map((o, k) => {
    bindParam(o);
    const name = outputNames[k];
    const value = g.value(o);
    g.nodes.push({ op_type: "Identity", input: [value], output: [name], name: g.unique(`/Identity_${name}`), attribute: [] });
    const o2 = second.outputs[k].shape;
    const dyn = dynamicDims(dynamicAxes[name], name);
    return valueInfo(name, o, (d) => dyn.get(d) ?? (o.shape[d] !== o2[d] ? (dimNames.get(`${o.shape[d]},${o2[d]}`) ?? `${name}_dim_${d}`) : undefined));
  });

  // Nodes nothing reads (constants folded into later ones, unused outputs of multi-output ops) go.
  const needed = new Set(outputInfos.map((o) => o.name as string));
  const kept: typeof g.nodes = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i];
    if (!n.output.some((o) => needed.has(o))) continue;
    kept.push(n);
    for (const inp of n.input) needed.add(inp);
  }
  kept.reverse();
  const usedInitializers = initializers.filter((t) => needed.has((t as { name: string }).name));
  const usedParamInputs = paramInputs.filter((p) => needed.has(p.name as string));

  return encodeModel({
    ir_version: 8,
    producer_name: "kindling",
    producer_version: "0.1.0",
    opset_import: [{ domain: "", version: opset }],
    graph: {
      name: model.constructor.name,
      node: kept,
      initializer: usedInitializers,
      input: [...inputInfos, ...usedParamInputs],
      output: outputInfos,
    },
  });
}

/** The tensors among an op's arguments (an array argument's too, for cat and stack). */
function tensorArgs(args: readonly unknown[]): Tensor[] {
  const out: Tensor[] = [];
  for (const a of args) {
    if (a instanceof Tensor) {
      out.push(a);
    } else if (Array.isArray(a)) {
      for (const b of a) if (b instanceof Tensor) out.push(b);
    } else if (a !== null && typeof a === "object") {
      for (const v of Object.values(a)) if (v instanceof Tensor) out.push(v);
    }
  }
  return out;
}

function valueInfo(name: string, t: Tensor, dimParam: (d: number) => string | undefined): Record<string, unknown> {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: onnxType(t.dtype),
        shape: { dim: t.shape.map((s, d) => (dimParam(d) !== undefined ? { dim_param: dimParam(d) } : { dim_value: s })) },
      },
    },
  };
}
