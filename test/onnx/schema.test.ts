// The vendored schema: the committed descriptor is the one scripts/onnx-schema.mjs makes from
// onnx.proto, and an exported file read back through onnx.proto itself (parsed here, not through
// the exporter's descriptor) holds the state dict's tensors under their names.
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { test } from "node:test";
import protobuf from "protobufjs";
import * as torch from "../../src/index.js";
import { nn } from "../../src/index.js";
import { onnxDescriptor } from "../../src/onnx/schema/onnx-descriptor.js";

const protoText = readFileSync(new URL("../../src/onnx/schema/onnx.proto", import.meta.url), "utf8");

test("the committed descriptor matches onnx.proto (rerun scripts/onnx-schema.mjs after updating it)", () => {
  const fresh = protobuf.parse(protoText, { keepCase: true }).root.toJSON();
  assert.deepEqual(JSON.parse(JSON.stringify(fresh)), JSON.parse(JSON.stringify(onnxDescriptor)));
});

test("the vendored schema carries its Apache-2.0 licence", () => {
  const licence = readFileSync(new URL("../../src/onnx/schema/LICENSE", import.meta.url), "utf8");
  assert.match(licence, /Apache License\s+Version 2\.0/);
  assert.match(protoText, /SPDX-License-Identifier: Apache-2\.0/);
});

/** Decodes a TensorProto's raw little-endian bytes. */
function rawValues(t: { data_type: number; raw_data: Uint8Array }): number[] {
  const bytes = new Uint8Array(t.raw_data).slice().buffer;
  if (t.data_type === 1) return Array.from(new Float32Array(bytes));
  if (t.data_type === 11) return Array.from(new Float64Array(bytes));
  if (t.data_type === 7) return Array.from(new BigInt64Array(bytes), Number);
  throw new Error(`unexpected data type ${t.data_type}`);
}

test("an exported file read back with onnx.proto has every state-dict tensor as an initializer, by name and value", () => {
  torch.manualSeed(11);
  const model = new nn.Sequential(new nn.Linear(4, 6), new nn.BatchNorm1d(6), new nn.ReLU(), new nn.Linear(6, 2));
  model.train();
  torch.noGrad(() => model.forward(torch.randn(8, 4))); // moves the running statistics
  model.eval();
  const path = `${process.env.TMPDIR ?? "/tmp"}/kindling-onnx-${process.pid}.onnx`;
  torch.onnx.export(model, torch.randn(3, 4), path, { dynamicAxes: { input: { 0: "batch" } } });
  const bytes = readFileSync(path);
  rmSync(path);
  const m = assertInitializersMatchState(bytes, model);
  assert.equal(m.ir_version, 8);
  assert.equal(m.opset_import[0].version, 17);
  // The bytes written to the file are those exportBuffer gives.
  assert.deepEqual(new Uint8Array(bytes), torch.onnx.exportBuffer(model, torch.randn(3, 4), { dynamicAxes: { input: { 0: "batch" } } }));
});

/** Decodes kindling's bytes with onnx.proto itself and checks every state-dict tensor is an initializer of that name and value. */
function assertInitializersMatchState(bytes: Uint8Array, model: nn.Module): any {
  const root = protobuf.parse(protoText, { keepCase: true }).root;
  const ModelProto = root.lookupType("onnx.ModelProto");
  const m = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, bytes: Uint8Array as any, arrays: true }) as any;
  const inits = new Map<string, any>(m.graph.initializer.map((t: any) => [t.name, t]));
  const state = model.stateDict();
  // num_batches_tracked is not read by the eval-mode graph, as in PyTorch's export.
  const expected = Object.keys(state).filter((k) => !k.endsWith("num_batches_tracked"));
  assert.deepEqual([...inits.keys()].sort(), expected.sort());
  for (const name of expected) {
    const t = inits.get(name);
    assert.deepEqual(t.dims.map(Number), state[name].shape, name);
    assert.deepEqual(rawValues(t), Array.from(state[name].contiguous().values()), name);
  }
  return m;
}

test("a CNN's conv, transposed-conv and batch-norm tensors are initializers under their state-dict names", () => {
  torch.manualSeed(12);
  const model = new nn.Sequential(
    new nn.Conv2d(2, 4, 3, { padding: 1 }),
    new nn.BatchNorm2d(4),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.ConvTranspose2d(4, 3, 2, { stride: 2 }),
    new nn.GroupNorm(3, 3),
    new nn.Flatten(),
    new nn.Linear(3 * 6 * 6, 2),
  );
  model.train();
  torch.noGrad(() => model.forward(torch.randn(4, 2, 6, 6)));
  model.eval();
  const m = assertInitializersMatchState(torch.onnx.exportBuffer(model, torch.randn(2, 2, 6, 6), { dynamicAxes: { input: { 0: "batch" } } }), model);
  const ops = m.graph.node.map((n: any) => n.op_type);
  for (const op of ["Conv", "BatchNormalization", "MaxPool", "ConvTranspose", "InstanceNormalization", "Gemm"]) assert.ok(ops.includes(op), op);
  // The nodes read the weights by those names (no copies baked into Constant nodes).
  const inputs = new Set(m.graph.node.flatMap((n: any) => n.input));
  for (const name of ["0.weight", "0.bias", "1.running_mean", "1.running_var", "4.weight"]) assert.ok(inputs.has(name), name);
});

test("an LSTM's weights stay the state dict's tensors: the gate reordering happens in the graph", () => {
  torch.manualSeed(13);
  const model = new nn.Sequential(new nn.Embedding(10, 4), new nn.LSTM(4, 5, { numLayers: 2, bidirectional: true, batchFirst: true }));
  const m = assertInitializersMatchState(torch.onnx.exportBuffer(model, torch.randint(0, 10, [2, 3])), model);
  const inputs = new Set(m.graph.node.flatMap((n: any) => n.input));
  for (const name of ["1.weight_ih_l0", "1.weight_hh_l1_reverse", "1.bias_ih_l1", "1.bias_hh_l0_reverse"]) assert.ok(inputs.has(name), name);
  assert.equal(m.graph.node.filter((n: any) => n.op_type === "LSTM").length, 2);
});
