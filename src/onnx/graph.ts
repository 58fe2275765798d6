// Builds an ONNX graph from a recorded forward: binds every tensor to an ONNX value name, turns
// each live op call into nodes through its mapping (mappings.ts), and tracks which dimensions are
// dynamic (they changed size between the two traces export runs when dynamicAxes is given).
import { bool, type DType, float32, float64, int32, int64, uint8 } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { AttributeType, DataType, type TensorProtoObject } from "./proto.js";
import type { OpCall } from "./recorder.js";

export type AttrValue = number | string | number[] | { floats: number[] } | { float: number } | { strings: string[] } | { tensor: TensorProtoObject };

export interface NodeObject {
  op_type: string;
  input: string[];
  output: string[];
  name: string;
  attribute: Array<Record<string, unknown>>;
}

/** What a dimension of a value is: its size in the first trace and in the second (equal when static). */
export interface ValueInfo {
  shape: number[];
  shape2: number[];
  dtype: DType;
}

/** A graph input's dimension that may serve as the source of a dynamic size. */
interface DimSource {
  value: string;
  dim: number;
  size: number;
  size2: number;
}

export function onnxType(dtype: DType): number {
  if (dtype === float32) return DataType.FLOAT;
  if (dtype === float64) return DataType.DOUBLE;
  if (dtype === int64) return DataType.INT64;
  if (dtype === int32) return DataType.INT32;
  if (dtype === bool) return DataType.BOOL;
  if (dtype === uint8) return DataType.UINT8;
  throw new TypeError(`onnx export: no ONNX type for ${dtype}`);
}

/** A tensor's values as an ONNX TensorProto (raw little-endian bytes). */
export function tensorProto(t: Tensor, name?: string): TensorProtoObject {
  const v = t.contiguous().values();
  let raw: Uint8Array;
  if (t.dtype === int64) {
    const a = new BigInt64Array(v.length);
    for (let i = 0; i < v.length; i++) a[i] = BigInt(v[i]);
    raw = new Uint8Array(a.buffer);
  } else if (t.dtype === float32) raw = new Uint8Array(Float32Array.from(v).buffer);
  else if (t.dtype === float64) raw = new Uint8Array(Float64Array.from(v).buffer);
  else if (t.dtype === int32) raw = new Uint8Array(Int32Array.from(v).buffer);
  else raw = Uint8Array.from(v, (x) => (t.dtype === bool ? (x ? 1 : 0) : x));
  const p: TensorProtoObject = { dims: t.shape.slice(), data_type: onnxType(t.dtype), raw_data: raw };
  if (name !== undefined) p.name = name;
  return p;
}

function attribute(name: string, value: AttrValue): Record<string, unknown> {
  if (typeof value === "string") return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === "number") return { name, type: AttributeType.INT, i: value };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if ("floats" in value) return { name, type: AttributeType.FLOATS, floats: value.floats };
  if ("strings" in value) return { name, type: AttributeType.STRINGS, strings: value.strings.map((v) => new TextEncoder().encode(v)) };
  if ("float" in value) return { name, type: AttributeType.FLOAT, f: value.float };
  return { name, type: AttributeType.TENSOR, t: value.tensor };
}

/** The error for an op that cannot be exported, naming the op and the module it ran in. */
export class ExportError extends Error {
  constructor(message: string, call?: OpCall) {
    const where = call ? ` (in module ${call.modulePath === "" ? "<model>" : `'${call.modulePath}'`}${call.moduleClass ? ` of type ${call.moduleClass}` : ""})` : "";
    super(`onnx export: ${message}${where}`);
    this.name = "OnnxExportError";
  }
}

export class GraphBuilder {
  nodes: NodeObject[] = [];
  /** Values computed from graph inputs (the others are constants or initializers). */
  private dynamicValues = new Set<string>();
  private constants = new Map<string, Tensor>();
  readonly info = new Map<string, ValueInfo>();
  private bound = new Map<Tensor, string>();
  private used = new Set<string>();
  private counter = 0;
  private dimSources: DimSource[] = [];
  private prefix = "";
  /** The op being converted (for error messages). */
  current: OpCall | null = null;
  /** Shapes of the tensor arguments and outputs in the second trace, for the op being converted. */
  currentShapes2: { args: Array<number[] | null>; outputs: number[][] } | null = null;

  constructor(readonly opset: number, readonly folding: boolean) {}

  // ---- names and values ----

  unique(base: string): string {
    let name = base;
    while (this.used.has(name)) name = `${base}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /** Binds a tensor to a value name (a graph input, an initializer, an op's output). */
  bind(t: Tensor, name: string, shape2: number[] = t.shape, dynamic = true): void {
    this.bound.set(t, name);
    this.used.add(name);
    if (!this.info.has(name)) this.info.set(name, { shape: t.shape.slice(), shape2: shape2.slice(), dtype: t.dtype });
    if (dynamic) this.dynamicValues.add(name);
  }
  isBound(t: Tensor): boolean {
    return this.bound.has(t);
  }
  nameOf(t: Tensor): string | undefined {
    return this.bound.get(t);
  }
  /** Whether a value depends on the graph's inputs (else it is a constant or an initializer). */
  isDynamicValue(name: string): boolean {
    return this.dynamicValues.has(name);
  }
  constantValue(name: string): Tensor | undefined {
    return this.constants.get(name);
  }

  addDimSource(value: string, shape: number[], shape2: number[]): void {
    shape.forEach((size, dim) => {
      if (size !== shape2[dim]) this.dimSources.push({ value, dim, size, size2: shape2[dim] });
    });
  }

  setModulePrefix(path: string): void {
    this.prefix = path === "" ? "" : `/${path.replaceAll(".", "/")}`;
  }

  // ---- emitting ----

  /** Adds a node; returns its output names. */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}, outputs = 1): string[] {
    const outs = Array.from({ length: outputs }, (_, i) => this.unique(`${this.prefix}/${opType}_output_${i}`));
    const attribute_ = Object.entries(attrs)
      .filter((e): e is [string, AttrValue] => e[1] !== undefined)
      .map(([k, v]) => attribute(k, v));
    this.nodes.push({ op_type: opType, input: inputs, output: outs, name: this.unique(`${this.prefix}/${opType}`), attribute: attribute_ });
    if (inputs.some((i) => this.dynamicValues.has(i))) for (const o of outs) this.dynamicValues.add(o);
    return outs;
  }
  /** One-output node. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}): string {
    return this.node(opType, inputs, attrs, 1)[0];
  }

  /** A Constant node holding t's values. */
  constant(t: Tensor): string {
    const name = this.unique(`${this.prefix}/Constant_output_0`);
    this.nodes.push({ op_type: "Constant", input: [], output: [name], name: this.unique(`${this.prefix}/Constant`), attribute: [attribute("value", { tensor: tensorProto(t) })] });
    this.constants.set(name, t);
    this.info.set(name, { shape: t.shape.slice(), shape2: t.shape.slice(), dtype: t.dtype });
    return name;
  }
  /** A 1-D int64 constant. */
  ints(values: readonly number[]): string {
    return this.constant(new Tensor(storageOf(values, int64), [values.length], [1], 0, int64));
  }
  /** A 0-d constant of the given dtype. */
  scalar(value: number, dtype: DType): string {
    return this.constant(new Tensor(storageOf([value], dtype), [], [], 0, dtype));
  }

  /**
   * The value name of an op argument: a bound tensor, else a constant made from its values (a
   * tensor created inside forward). A tensor whose shape depended on a dynamic axis cannot be a
   * constant: that is an error naming the op.
   */
  value(t: Tensor, argIndex = -1): string {
    const name = this.bound.get(t);
    if (name !== undefined) return name;
    if (t.gradFn) {
      throw new ExportError(
        `a tensor computed by ${t.gradFn.name} reached ${this.current ? `'${this.current.op}'` : "the graph's outputs"}, but the op that computed it does not report to the tracer; add the tracer line to its entry point (src/onnx/README.md)`,
        this.current ?? undefined,
      );
    }
    const s2 = argIndex >= 0 ? this.currentShapes2?.args[argIndex] : null;
    if (s2?.some((s, i) => s !== t.shape[i])) {
      throw new ExportError(`a tensor created inside forward (shape ${JSON.stringify(t.shape)}) has a size that follows a dynamic axis; create it with an op on the input (zerosLike, expand, ...)`, this.current ?? undefined);
    }
    const c = this.constant(t.detach().clone());
    this.bound.set(t, c);
    return c;
  }

  /** value() cast to dtype when it differs. */
  cast(name: string, from: DType, to: DType): string {
    return from === to ? name : this.op("Cast", [name], { to: onnxType(to) });
  }

  // ---- shapes ----

  infoOf(name: string): ValueInfo {
    const i = this.info.get(name);
    if (!i) throw new ExportError(`internal: no shape for value ${name}`);
    return i;
  }
  setInfo(name: string, shape: number[], shape2: number[], dtype: DType): void {
    this.info.set(name, { shape: shape.slice(), shape2: shape2.slice(), dtype });
  }

  /**
   * A 1-D int64 value holding a shape whose sizes are `shape` in the first trace and `shape2` in
   * the second: constants for static sizes, Shape->Gather of a graph input for a dynamic one.
   */
  shapeValue(shape: readonly number[], shape2: readonly number[]): string {
    if (shape.every((s, i) => s === shape2[i])) return this.ints(shape);
    const parts: string[] = [];
    let run: number[] = [];
    const flush = () => {
      if (run.length) parts.push(this.ints(run));
      run = [];
    };
    shape.forEach((s, i) => {
      if (s === shape2[i]) {
        run.push(s);
        return;
      }
      const src = this.dimSources.find((d) => d.size === s && d.size2 === shape2[i]);
      if (!src) {
        throw new ExportError(`cannot express a size that follows a dynamic axis (${s}, ${shape2[i]} in the two traces) from the inputs' dynamic axes`, this.current ?? undefined);
      }
      flush();
      const shapeOf = this.op("Shape", [src.value]);
      parts.push(this.op("Gather", [shapeOf, this.ints([src.dim])], { axis: 0 }));
    });
    flush();
    return parts.length === 1 ? parts[0] : this.op("Concat", parts, { axis: 0 });
  }

  /**
   * The shape input of a Reshape from `input` to (shape, shape2): static sizes as numbers, a
   * dynamic size kept from the input at the same place as 0, one other dynamic size as -1, as
   * PyTorch's exporter writes them; else a computed shape.
   */
  reshapeTarget(input: string, shape: readonly number[], shape2: readonly number[]): string {
    const inf = this.infoOf(input);
    const target: number[] = [];
    let inferred = 0;
    for (let i = 0; i < shape.length; i++) {
      if (shape[i] === shape2[i]) target.push(shape[i]);
      else if (i < inf.shape.length && inf.shape[i] === shape[i] && inf.shape2[i] === shape2[i]) target.push(0);
      else {
        target.push(-1);
        inferred++;
      }
    }
    if (inferred <= 1 && !target.some((s, i) => s === 0 && shape[i] === 0)) return this.ints(target);
    return this.shapeValue(shape, shape2);
  }

  /** Whether a value's dimension differs between the traces. */
  isDynamicDim(name: string, dim: number): boolean {
    const i = this.infoOf(name);
    return i.shape[dim] !== i.shape2[dim];
  }

  // ---- outputs ----

  /** Binds an op's output tensor to a value, with its second-trace shape. */
  bindOutput(t: Tensor, name: string, shape2: number[]): void {
    this.bound.set(t, name);
    this.info.set(name, { shape: t.shape.slice(), shape2: shape2.slice(), dtype: t.dtype });
  }

  /** Replaces an op's computed output by a constant of its traced value (constant folding). */
  fold(t: Tensor): string {
    return this.constant(t.detach().clone());
  }
}

function storageOf(values: readonly number[], dtype: DType) {
  const t = Tensor.make([values.length], dtype);
  const d = t.storage.data;
  for (let i = 0; i < values.length; i++) d[i] = values[i];
  return t.storage;
}
