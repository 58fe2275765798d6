// What export refuses, and how: an op without a mapping names the op and its module; ONNX
// Runtime's loader rejects a broken graph; bad options and untraceable sizes are clear errors.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { nn, type Tensor } from "../../src/index.js";
import { encodeModel } from "../../src/onnx/proto.js";
import { record } from "../../src/ops/node.js";
import { backendOf } from "../../src/ops/util.js";
import { assertSameOutput, runOnnx, skip } from "./ort.js";

class Odd extends nn.Module {
  override forward(x: Tensor): Tensor {
    return x.nonzero().float();
  }
}
class Host extends nn.Module {
  fc = new nn.Linear(3, 3);
  body = new nn.Sequential(new nn.ReLU(), new Odd());
  override forward(x: Tensor): Tensor {
    return this.body.call(this.fc.call(x));
  }
}

test("an op without a mapping is an error naming the op and the module it ran in", () => {
  const host = new Host();
  const fcForward = host.fc.forward;
  assert.throws(() => torch.onnx.exportBuffer(host, torch.randn(2, 3)), {
    name: "OnnxExportError",
    message: "onnx export: op 'nonzero' has no ONNX mapping (yet) (in module 'body.1' of type Odd)",
  });
  // Modules run through forward() directly are named too, and export leaves forward as it was.
  class Direct extends nn.Module {
    inner = new Odd();
    override forward(x: Tensor): Tensor {
      return this.inner.forward(x);
    }
  }
  const direct = new Direct();
  // forward is the instance's own hook-running function (nn.Module installs it): export must put back that very one.
  const innerForward = direct.inner.forward;
  assert.throws(() => torch.onnx.exportBuffer(direct, torch.randn(2, 3)), /op 'nonzero' has no ONNX mapping \(yet\) \(in module 'inner' of type Odd\)/);
  assert.equal(direct.inner.forward, innerForward);
  assert.equal(host.fc.forward, fcForward);
  class Angle extends nn.Module {
    override forward(x: Tensor): Tensor {
      return torch.atan2(x, x.add(1));
    }
  }
  assert.throws(() => torch.onnx.exportBuffer(new Angle(), torch.randn(2)), /atan2: atan2 has no ONNX operator \(in module <model> of type Angle\)/);
});

test("real modules without a mapping name the op and the module: max pooling with indices", () => {
  class Pooler extends nn.Module {
    conv = new nn.Conv2d(1, 2, 3);
    pool = new nn.MaxPool2d(2, { returnIndices: true });
    override forward(x: Tensor): Tensor {
      return this.pool.call(this.conv.call(x)) as unknown as Tensor;
    }
  }
  assert.throws(() => torch.onnx.exportBuffer(new Pooler(), torch.randn(1, 1, 6, 6)), {
    name: "OnnxExportError",
    message: "onnx export: op 'maxPool2dWithIndices' has no ONNX mapping (yet) (in module 'pool' of type MaxPool2d)",
  });
  class Functional extends nn.Module {
    override forward(x: Tensor): Tensor {
      return nn.functional.maxPool2d(x, 2, { returnIndices: true })[1].float();
    }
  }
  assert.throws(() => torch.onnx.exportBuffer(new Functional(), torch.randn(1, 1, 4, 4)), /maxPool2d: max pooling with returnIndices has no ONNX mapping .*\(in module <model> of type Functional\)/);
});

test("a tensor from an op that does not report to the tracer is an error, not a silently baked constant", () => {
  /** An op outside the table and without the tracer line (as a newly added op might be). */
  function unreported(x: Tensor): Tensor {
    const y = backendOf(x).copy(x, x.dtype);
    return record("MysteryBackward0", [x], y, (gy) => [gy]);
  }
  class Mystery extends nn.Module {
    fc = new nn.Linear(2, 2);
    override forward(x: Tensor): Tensor {
      return unreported(this.fc.call(x)).relu();
    }
  }
  assert.throws(
    () => torch.onnx.exportBuffer(new Mystery(), torch.randn(3, 2)),
    /a tensor computed by MysteryBackward0 reached 'relu', but the op that computed it does not report to the tracer.*\(in module <model> of type Mystery\)/,
  );
});

test("an op whose result is unused is dropped, even without a mapping", { skip }, async () => {
  class Debug extends nn.Module {
    fc = new nn.Linear(2, 2);
    override forward(x: Tensor): Tensor {
      x.nonzero(); // computed and thrown away: not part of the graph
      return this.fc.call(x);
    }
  }
  const model = new Debug();
  const x = torch.randn(3, 2);
  const out = await runOnnx(torch.onnx.exportBuffer(model, x), { input: x });
  assertSameOutput(out.output, torch.noGrad(() => model.forward(x)), "Debug");
});

test("ONNX Runtime's loader rejects a broken graph (and accepts the same graph unbroken)", { skip }, async () => {
  const model = new nn.Sequential(new nn.Linear(3, 2), new nn.ReLU());
  const x = torch.randn(2, 3);
  const good = torch.onnx.exportBuffer(model, x);
  await runOnnx(good, { input: x });
  const m = torch.onnx.decodeModel(good);
  // A node reading a value that nothing defines.
  const dangling = structuredClone(m);
  dangling.graph.node[1].input = ["no_such_value"];
  await assert.rejects(runOnnx(encodeModel(dangling), { input: x }));
  // An operator that does not exist.
  const unknown = structuredClone(m);
  unknown.graph.node[1].op_type = "NoSuchOp";
  await assert.rejects(runOnnx(encodeModel(unknown), { input: x }));
  // An initializer of the wrong size for Gemm.
  const wrong = structuredClone(m);
  wrong.graph.initializer[0].dims = [2, 2];
  wrong.graph.initializer[0].raw_data = new Uint8Array(16);
  await assert.rejects(runOnnx(encodeModel(wrong), { input: x }));
});

test("opsetVersion is 13 to 18 (17 by default)", () => {
  const model = new nn.Linear(2, 2);
  const x = torch.randn(1, 2);
  for (const bad of [12, 19, 17.5]) assert.throws(() => torch.onnx.exportBuffer(model, x, { opsetVersion: bad }), /opsetVersion must be an integer from 13 to 18/);
  for (const v of [13, 18]) assert.equal(torch.onnx.decodeModel(torch.onnx.exportBuffer(model, x, { opsetVersion: v })).opset_import[0].version, v);
  assert.equal(torch.onnx.DEFAULT_OPSET, 17);
});

test("dropout forced into training mode inside forward is refused", () => {
  class Noisy extends nn.Module {
    override forward(x: Tensor): Tensor {
      return nn.functional.dropout(x, { p: 0.5, training: true });
    }
  }
  assert.throws(() => torch.onnx.exportBuffer(new Noisy(), torch.randn(4, 4)), /dropout in training mode cannot be exported/);
});

test("a size fixed inside forward cannot follow a dynamic axis: a clear error, not a file that fails later", () => {
  class Fixed extends nn.Module {
    override forward(x: Tensor): Tensor {
      return x.view(4, -1).sum(1);
    }
  }
  assert.throws(() => torch.onnx.exportBuffer(new Fixed(), torch.randn(4, 3), { dynamicAxes: { input: { 0: "batch" } } }), /fails when a dynamic axis changes size/);
  class Branchy extends nn.Module {
    override forward(x: Tensor): Tensor {
      return x.shape[0] > 4 ? x.relu() : x.sigmoid();
    }
  }
  assert.throws(() => torch.onnx.exportBuffer(new Branchy(), torch.randn(4, 3), { dynamicAxes: { input: { 0: "batch" } } }), /depend on the size of a dynamic axis/);
  class Baked extends nn.Module {
    override forward(x: Tensor): Tensor {
      return x.add(torch.tensor(Array(x.shape[0]).fill(1)).unsqueeze(1));
    }
  }
  assert.throws(() => torch.onnx.exportBuffer(new Baked(), torch.randn(4, 3), { dynamicAxes: { input: { 0: "batch" } } }), /created inside forward .* follows a dynamic axis/);
  assert.throws(() => torch.onnx.exportBuffer(new Baked(), torch.randn(4, 3), { dynamicAxes: { input: [5] } }), /dynamic axis 5 of input 'input' is out of range/);
});

test("bad arguments: names that do not match the inputs or outputs", () => {
  const model = new nn.Linear(2, 2);
  assert.throws(() => torch.onnx.exportBuffer(model, torch.randn(1, 2), { inputNames: ["a", "b"] }), /2 input names for 1 inputs/);
  assert.throws(() => torch.onnx.exportBuffer(model, torch.randn(1, 2), { outputNames: ["a", "b"] }), /2 output names for 1 outputs/);
  assert.throws(() => torch.onnx.exportBuffer(model, [42 as unknown as Tensor]), /args\[0\] is not a tensor/);
  assert.throws(
    () => torch.onnx.exportBuffer(model, torch.randn(1, 2), { dynamicAxes: { x: { 0: "batch" } } }),
    /dynamicAxes names 'x', which is neither an input \(input\) nor an output \(output\)/,
  );
});

test("exportParams: false makes the weights graph inputs instead of initializers", { skip }, async () => {
  torch.manualSeed(12);
  const model = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 1));
  const x = torch.randn(5, 3);
  const bytes = torch.onnx.exportBuffer(model, x, { exportParams: false });
  const m = torch.onnx.decodeModel(bytes);
  assert.equal(m.graph.initializer.length, 0);
  assert.deepEqual(
    m.graph.input.map((i: { name: string }) => i.name),
    ["input", "0.weight", "0.bias", "2.weight", "2.bias"],
  );
  const feeds: Record<string, Tensor> = { input: x, ...model.stateDict() };
  const out = await runOnnx(bytes, feeds);
  assertSameOutput(out.output, torch.noGrad(() => model.forward(x)), "exportParams false");
});

test("in-place writes into a view: the view follows; reading its base afterwards is refused", { skip }, async () => {
  const model = new nn.Sequential(new nn.Flatten(), new nn.ReLU({ inplace: true }), new nn.Linear(6, 2));
  const x = torch.randn(3, 2, 3);
  const out = await runOnnx(torch.onnx.exportBuffer(model, x.clone(), { dynamicAxes: { input: { 0: "batch" } } }), { input: x });
  assertSameOutput(out.output, torch.noGrad(() => model.forward(x.clone())), "Flatten then ReLU(inplace)");
  class ReadsBase extends nn.Module {
    override forward(x: Tensor): Tensor {
      const h = x.mul(1);
      h.view(-1).relu_();
      return h.add(1);
    }
  }
  assert.throws(() => torch.onnx.exportBuffer(new ReadsBase(), torch.randn(2, 2)), /'add' reads a tensor changed in place through another view of its memory/);
  class ReadsView extends nn.Module {
    override forward(x: Tensor): Tensor {
      const h = x.mul(1);
      const v = h.view(-1);
      h.relu_();
      return v.add(h.view(-1)); // the new view of h is fine, the old one is stale
    }
  }
  assert.throws(() => torch.onnx.exportBuffer(new ReadsView(), torch.randn(2, 2)), /'add' reads a tensor changed in place through another view/);
});
