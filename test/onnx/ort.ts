// ONNX Runtime (onnxruntime-node, a devDependency) for the export tests: loaded once; the tests
// are skipped, with the reason, only when it truly cannot load on this machine.
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

type Ort = typeof import("onnxruntime-node");
let ort: Ort | null = null;
let reason = "";
try {
  ort = await import("onnxruntime-node");
  // A trivial session proves the native binding loads (an import alone may not).
  await ort.InferenceSession.create(torch.onnx.exportBuffer(new torch.nn.Identity(), torch.zeros(1)));
} catch (e) {
  ort = null;
  reason = `onnxruntime-node cannot load here: ${(e as Error).message}`;
}

/** For node:test's { skip }: false when ONNX Runtime loads, else why not. */
export const skip: string | false = ort ? false : reason;

export function ortRuntime(): Ort {
  if (!ort) throw new Error(reason);
  return ort;
}

const ORT_TYPES: Record<string, "float32" | "float64" | "int64" | "int32" | "bool"> = {
  float32: "float32",
  float64: "float64",
  int64: "int64",
  int32: "int32",
  bool: "bool",
};

/** A kindling tensor as an ONNX Runtime tensor. */
export function toOrt(t: Tensor): import("onnxruntime-node").Tensor {
  const o = ortRuntime();
  const v = t.contiguous().values();
  const type = ORT_TYPES[t.dtype.name];
  const dims = t.shape.slice();
  if (type === "int64") return new o.Tensor("int64", BigInt64Array.from(v, (x) => BigInt(x)), dims);
  if (type === "float32") return new o.Tensor("float32", Float32Array.from(v), dims);
  if (type === "float64") return new o.Tensor("float64", Float64Array.from(v), dims);
  if (type === "int32") return new o.Tensor("int32", Int32Array.from(v), dims);
  return new o.Tensor("bool", Uint8Array.from(v, (x) => (x ? 1 : 0)), dims);
}

/** An ONNX Runtime result as a kindling tensor of the same dtype. */
export function fromOrt(r: import("onnxruntime-node").Tensor): Tensor {
  const dims = r.dims.map(Number);
  const data = r.data as ArrayLike<number | bigint | boolean>;
  const values = Array.from(data, (x) => Number(x));
  const dtype = { float32: torch.float32, float64: torch.float64, int64: torch.int64, int32: torch.int32, bool: torch.bool }[r.type as string];
  if (!dtype) throw new Error(`unexpected ONNX Runtime type ${r.type}`);
  return torch.tensor(values, { dtype }).reshape(dims);
}

/** Loads the bytes in ONNX Runtime (its loader validates the graph) and runs it on named inputs. */
export async function runOnnx(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const o = ortRuntime();
  const session = await o.InferenceSession.create(bytes);
  const inputs: Record<string, import("onnxruntime-node").Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) inputs[k] = toOrt(v);
  const result = await session.run(inputs);
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(result)) out[k] = fromOrt(v);
  return out;
}

/** Asserts ONNX Runtime's output equals kindling's: same shape and dtype, values within 1e-5. */
export function assertSameOutput(got: Tensor, want: Tensor, what: string, tol = 1e-5): void {
  if (got.shape.join(",") !== want.shape.join(",")) throw new Error(`${what}: shape [${got.shape}] from ONNX Runtime, [${want.shape}] from kindling`);
  if (got.dtype !== want.dtype) throw new Error(`${what}: dtype ${got.dtype} from ONNX Runtime, ${want.dtype} from kindling`);
  const g = got.contiguous().values();
  const w = want.contiguous().values();
  for (let i = 0; i < w.length; i++) {
    const a = g[i];
    const b = w[i];
    if (Number.isNaN(b) && Number.isNaN(a)) continue;
    if (!(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)))) {
      throw new Error(`${what}: element ${i} is ${a} from ONNX Runtime, ${b} from kindling (tolerance ${tol})`);
    }
  }
}

/** A forward's tensors in order, nested arrays flattened (LSTM: [output, [h, c]]). */
export function flatTensors(r: unknown): Tensor[] {
  if (Array.isArray(r)) return r.flatMap(flatTensors);
  return r instanceof torch.Tensor ? [r] : [];
}

/**
 * Exports `model` traced on inputs(...trace), then for each case runs fresh inputs through ONNX
 * Runtime (whose loader rejects a malformed graph) and through kindling's forward, and compares
 * every output. A case is the arguments of `inputs` (batch size, sequence length, ...), so a case
 * differing from the trace in a dim exercises that dim being dynamic.
 */
export async function checkExport(
  model: torch.nn.Module,
  inputs: (...sizes: number[]) => Tensor[],
  opts: import("../../src/index.js").onnx.OnnxExportOptions,
  trace: number[],
  cases: number[][],
  tol = 1e-5,
): Promise<Uint8Array> {
  model.eval();
  const bytes = torch.onnx.exportBuffer(model, inputs(...trace), opts);
  for (const sizes of cases) {
    const xs = inputs(...sizes);
    const names = opts.inputNames ?? (xs.length === 1 ? ["input"] : xs.map((_, i) => `input_${i}`));
    const got = await runOnnx(bytes, Object.fromEntries(xs.map((x, i) => [names[i], x])));
    const want = flatTensors(torch.noGrad(() => model.forward(...xs)));
    const outNames = opts.outputNames ?? (want.length === 1 ? ["output"] : want.map((_, i) => `output_${i}`));
    want.forEach((w, k) => {
      assertSameOutput(got[outNames[k]], w, `${model.constructor.name} output ${outNames[k]} at sizes [${sizes}]`, tol);
    });
  }
  return bytes;
}
