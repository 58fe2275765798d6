// torch.onnx: export a model to ONNX, which ONNX Runtime (servers, onnxruntime-web in browsers,
// mobile) runs with the same outputs.
//   torch.onnx.export(model, args, path, { inputNames, outputNames, dynamicAxes, opsetVersion, exportParams, doConstantFolding })
//   torch.onnx.exportBuffer(model, args, options) -> Uint8Array (no file system: browsers)
// See export.ts for how tracing and dynamic axes work, mappings.ts for the op table (and how to
// add an op to it).
import { writeFileAtomic } from "../io/file-node.js";
import type { Module } from "../nn/module.js";
import type { Tensor } from "../tensor/tensor.js";
import { exportBuffer, type OnnxExportOptions } from "./export.js";

export { exportBuffer, DEFAULT_OPSET, MIN_OPSET, MAX_OPSET, type DynamicAxes, type OnnxExportOptions } from "./export.js";
export { ExportError } from "./graph.js";
export { decodeModel } from "./proto.js";

/** Exports the model to an ONNX file at path (Node); exportBuffer gives the bytes. */
function exportModel(model: Module, args: Tensor | readonly Tensor[], path: string, options: OnnxExportOptions = {}): void {
  writeFileAtomic(path, exportBuffer(model, args, options));
}
export { exportModel as export };
