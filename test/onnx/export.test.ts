// torch.onnx.exportBuffer: models exported from kindling run in ONNX Runtime with kindling's own
// outputs (float32, 1e-5), on several inputs and batch sizes (dynamic axes), at every opset.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { nn, type Tensor } from "../../src/index.js";
import { assertSameOutput, runOnnx, skip } from "./ort.js";

type Inputs = (batch: number) => Tensor[];

/**
 * Exports `model` traced on inputs(traceBatch), then for each batch size runs fresh inputs through
 * ONNX Runtime and through kindling, and compares every output.
 */
async function check(model: nn.Module, inputs: Inputs, opts: torch.onnx.OnnxExportOptions = {}, batches = [1, 3, 8], traceBatch = 4): Promise<Uint8Array> {
  model.eval();
  const bytes = torch.onnx.exportBuffer(model, inputs(traceBatch), opts);
  for (const b of batches) {
    const xs = inputs(b);
    const names = opts.inputNames ?? (xs.length === 1 ? ["input"] : xs.map((_, i) => `input_${i}`));
    const feeds = Object.fromEntries(xs.map((x, i) => [names[i], x]));
    const got = await runOnnx(bytes, feeds);
    const raw = torch.noGrad(() => model.forward(...xs));
    const want: Tensor[] = Array.isArray(raw) ? raw : [raw];
    const outNames = opts.outputNames ?? (want.length === 1 ? ["output"] : want.map((_, i) => `output_${i}`));
    want.forEach((w, k) => {
      assertSameOutput(got[outNames[k]], w, `${model.constructor.name} output ${outNames[k]} at batch ${b}`);
    });
  }
  return bytes;
}

const batchAxis = { input: { 0: "batch" } };

test("an MLP runs in ONNX Runtime with kindling's outputs at several batch sizes", { skip }, async () => {
  torch.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(6, 16), new nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(16, 8), new nn.Tanh(), new nn.Linear(8, 3), new nn.Softmax(1));
  await check(model, (b) => [torch.randn(b, 6)], { dynamicAxes: batchAxis });
  // Export leaves the module's mode as it found it.
  model.train();
  torch.onnx.exportBuffer(model, torch.randn(2, 6));
  assert.equal(model.training, true);
  assert.equal(model.at(2).training, true);
});

test("without dynamicAxes the batch size is fixed, and ONNX Runtime rejects another", { skip }, async () => {
  torch.manualSeed(1);
  const model = new nn.Sequential(new nn.Linear(3, 2), new nn.Sigmoid());
  await check(model, (b) => [torch.randn(b, 3)], {}, [4]);
  const bytes = torch.onnx.exportBuffer(model, torch.randn(4, 3));
  await assert.rejects(runOnnx(bytes, { input: torch.randn(5, 3) }));
});

class Activations extends nn.Module {
  l1 = new nn.Linear(5, 12);
  bn = new nn.BatchNorm1d(12);
  ln = new nn.LayerNorm(12);
  l2 = new nn.Linear(12, 12);
  prelu = new nn.PReLU();
  acts = [
    new nn.GELU(),
    new nn.GELU({ approximate: "tanh" }),
    new nn.SiLU(),
    new nn.ELU(),
    new nn.SELU(),
    new nn.CELU(0.5),
    new nn.LeakyReLU(0.2),
    new nn.Softplus({ beta: 2 }),
    new nn.Hardtanh(-0.5, 0.5),
    new nn.ReLU6(),
    new nn.Mish(),
    new nn.Softsign(),
    new nn.Hardsigmoid(),
    new nn.Hardswish(),
    new nn.LogSigmoid(),
    new nn.Tanhshrink(),
    new nn.Threshold(0.1, -1),
    new nn.Hardshrink(0.3),
    new nn.Softshrink(0.3),
  ];
  override forward(x: Tensor): Tensor {
    let h = this.ln.call(this.bn.call(this.l1.call(x)));
    h = this.prelu.call(this.l2.call(h));
    const parts = this.acts.map((a) => a.call(h));
    return torch.cat([...parts, torch.logSoftmax(h, -1), torch.softmax(h.mul(2), 0), nn.functional.softmin(h, { dim: 1 })], 1);
  }
}

test("activations, BatchNorm1d (eval, trained statistics) and LayerNorm match at opsets 13 to 18", { skip }, async () => {
  torch.manualSeed(2);
  const model = new Activations();
  // A few training forwards give the batch norm non-trivial running statistics.
  model.train();
  torch.noGrad(() => {
    for (let i = 0; i < 3; i++) model.forward(torch.randn(16, 5).mul(3).add(1));
  });
  for (let opset = 13; opset <= 18; opset++) {
    await check(model, (b) => [torch.randn(b, 5).mul(2)], { dynamicAxes: batchAxis, opsetVersion: opset }, [2, 7]);
  }
});

class Embedder extends nn.Module {
  emb = new nn.Embedding(20, 6, { paddingIdx: 0 });
  head = new nn.Linear(6, 4);
  override forward(tokens: Tensor): Tensor {
    // [B, T] -> [B, T, 6] -> Linear on a 3-D input (MatMul + Add) -> mean over T
    return this.head.call(this.emb.call(tokens)).mean(1);
  }
}

test("Embedding (Gather) with int64 tokens, dynamic batch and sequence length", { skip }, async () => {
  torch.manualSeed(3);
  const model = new Embedder();
  let t = 5;
  const inputs = (b: number) => [torch.randint(0, 20, [b, t++])];
  await check(model, inputs, { dynamicAxes: { input: { 0: "batch", 1: "time" } } });
});

class Shapes extends nn.Module {
  proj = new nn.Linear(4, 4);
  override forward(x: Tensor): Tensor {
    // x: [B, 3, 4]
    const b = x.shape[0];
    const y = this.proj.call(x); // [B, 3, 4]
    const v = y.view(b, 12).reshape(-1, 2, 6); // batch kept through view/reshape
    const p = v.permute(0, 2, 1).transpose(1, 2).contiguous(); // [B, 2, 6]
    const f = p.flatten(1); // [B, 12]
    const u = f.unsqueeze(1).squeeze(1).unflatten(1, [3, 4]); // [B, 3, 4]
    const s = torch.stack([u, y], 1).sum(1); // [B, 3, 4]
    const sl = s.index(null, { start: 1 }, { start: 0, end: 4, step: 2 }); // [B, 2, 2]
    const n = s.narrow(2, 1, 2).select(1, -1); // [B, 2]
    const [c1, c2] = s.split(2, 2); // [B, 3, 2] x2
    const ch = torch.chunk(s, 2, 1)[0]; // [B, 2, 4]
    const e = n.unsqueeze(1).expand(b, 2, 2); // [B, 2, 2]
    const m = s.matmul(s.transpose(1, 2)); // [B, 3, 3] bmm-like
    const flipped = s.flip([2]);
    const moved = torch.movedim(s, 2, 1); // [B, 4, 3]
    return torch.cat(
      [sl.reshape(b, -1), n, c1.mul(c2).flatten(1), ch.flatten(1), e.flatten(1), m.flatten(1), flipped.flatten(1), moved.flatten(1), s.index("...", -1), s.index(0).unsqueeze(0).expand(b, 3, 4).flatten(1)],
      1,
    );
  }
}

test("view, reshape, flatten, permute, transpose, stack, cat, slicing, narrow, select, split, chunk, expand, flip, movedim with a dynamic batch", { skip }, async () => {
  torch.manualSeed(4);
  await check(new Shapes(), (b) => [torch.randn(b, 3, 4)], { dynamicAxes: batchAxis });
});

class Arithmetic extends nn.Module {
  w = new nn.Parameter(torch.randn(5));
  override forward(x: Tensor, y: Tensor): Tensor[] {
    const a = x.add(y, { alpha: 2 }).sub(1.5).mul(this.w).div(3).sub(y, { alpha: 0.5 });
    const b = x.abs().add(1).sqrt().log().exp().pow(2).rsqrt().reciprocal().neg();
    const c = x.clamp(-0.5, 0.7).add(x.clampMin(0)).add(torch.clamp(x, null, 0.2));
    const d = torch.maximum(x, y).sub(torch.minimum(x, y)).add(x.sigmoid()).add(x.tanh());
    const e = torch.where(x.gt(y), x, y.mul(2)).add(x.maskedFill(x.lt(0), 0.25));
    const cmp = x.ge(0).logicalAnd(y.le(0)).logicalOr(x.eq(y)).logicalXor(x.ne(0.5));
    const f = cmp.float().add(x.sin()).add(x.cos()).add(x.atan()).add(x.erf()).add(x.floor()).add(x.ceil()).add(x.square());
    const g = x.div(y.abs().add(0.5), { roundingMode: "floor" }).add(x.div(0.3, { roundingMode: "trunc" })).add(x.remainder(0.7)).add(x.fmod(0.4));
    const h = x.mul(3).round().add(x.sign()).add(x.expm1()).add(x.abs().log1p()).add(x.abs().add(1).log2()).add(torch.exp2(x)).add(x.trunc()).add(x.frac());
    return [a, b, c, d, e, f, g, h, cmp];
  }
}

test("arithmetic with tensors and numbers, unary math, clamp, comparisons, logic, where and maskedFill", { skip }, async () => {
  torch.manualSeed(5);
  const model = new Arithmetic();
  await check(model, (b) => [torch.randn(b, 5), torch.randn(b, 5)], { dynamicAxes: { input_0: { 0: "n" }, input_1: { 0: "n" } } }, [1, 6]);
});

class Reductions extends nn.Module {
  override forward(x: Tensor): Tensor[] {
    // x: [B, 4, 5]
    const mx = x.max(2);
    const mn = x.min(1, { keepdim: true });
    return [
      x.sum(2),
      x.sum([1, 2], { keepdim: true }).squeeze(-1).squeeze(-1),
      x.mean({ dim: -1, keepdim: true }),
      x.amax(1),
      x.amin([1, 2]),
      mx.values,
      mx.indices,
      mn.values,
      mn.indices,
      x.argmax(-1),
      x.argmin(1, { keepdim: true }),
      x.prod(2),
      x.std(2),
      x.var(1, { correction: 0 }),
      torch.logsumexp(x, 2),
      x.norm(2, 2),
      x.norm(1, 1),
      x.cumsum(2),
      x.gt(0).all(2),
      x.gt(1).any(1),
      x.sort(2, { descending: true }).values,
      x.topk(2, 2).indices,
    ];
  }
}

test("reductions, max/min with indices, argmax, std/var, logsumexp, norm, cumsum, all/any, sort and topk", { skip }, async () => {
  torch.manualSeed(6);
  await check(new Reductions(), (b) => [torch.randn(b, 4, 5)], { dynamicAxes: batchAxis }, [1, 5]);
});

class InPlace extends nn.Module {
  fc = new nn.Linear(4, 4);
  act = new nn.ReLU({ inplace: true });
  override forward(x: Tensor): Tensor {
    const h = this.fc.call(x);
    h.mul_(2);
    h.add_(x);
    const z = torch.zerosLike(h).add(1); // an op on the input, not a baked constant
    const r = this.act.call(h);
    return r.add(z).add(torch.onesLike(x)).add(torch.fullLike(x, 0.5));
  }
}

test("in-place ops inside forward, and zerosLike/onesLike/fullLike follow the batch size", { skip }, async () => {
  torch.manualSeed(7);
  await check(new InPlace(), (b) => [torch.randn(b, 4)], { dynamicAxes: batchAxis });
});

class Control extends nn.Module {
  a = new nn.Linear(3, 3);
  b = new nn.Linear(3, 3);
  constant = torch.tensor([0.5, -1, 2]);
  override forward(x: Tensor): Tensor {
    // Python-side control flow: the trace records the branch taken (as PyTorch's tracer).
    let h = x;
    for (let i = 0; i < 3; i++) h = (i % 2 === 0 ? this.a : this.b).call(h).relu();
    // A tensor created inside forward becomes a constant; arithmetic on constants alone folds.
    const c = torch.arange(3).float().mul(0.1).add(this.constant);
    const z = torch.zeros(x.shape[0], 3); // size from the input: must follow the batch
    return h.add(c).add(z);
  }
}

test("control flow is traced as run; constants fold; zeros(x.shape[0], ...) follows the batch", { skip }, async () => {
  torch.manualSeed(8);
  await check(new Control(), (b) => [torch.randn(b, 3)], { dynamicAxes: batchAxis });
  await check(new Control(), (b) => [torch.randn(b, 3)], { dynamicAxes: batchAxis, doConstantFolding: false });
});

class TwoHeads extends nn.Module {
  trunk = new nn.Linear(4, 8);
  cls = new nn.Linear(8, 3);
  reg = new nn.Linear(8, 1);
  override forward(x: Tensor, mask: Tensor): Tensor[] {
    const h = this.trunk.call(x).relu().mul(mask.unsqueeze(1).float());
    return [torch.logSoftmax(this.cls.call(h), 1), this.reg.call(h).squeeze(1)];
  }
}

test("several inputs (one bool) and outputs, with names", { skip }, async () => {
  torch.manualSeed(9);
  const model = new TwoHeads();
  const opts = { inputNames: ["x", "mask"], outputNames: ["logp", "value"], dynamicAxes: { x: { 0: "batch" }, mask: { 0: "batch" }, logp: { 0: "batch" }, value: { 0: "batch" } } };
  await check(model, (b) => [torch.randn(b, 4), torch.rand(b).gt(0.3)], opts, [2, 9]);
});

test("float64 models export as double", { skip }, async () => {
  torch.manualSeed(10);
  const model = new nn.Sequential(new nn.Linear(3, 5), new nn.Tanh(), new nn.Linear(5, 2)).double();
  const bytes = await check(model, (b) => [torch.randn(b, 3, { dtype: torch.float64 })], { dynamicAxes: batchAxis }, [2, 4]);
  const m = torch.onnx.decodeModel(bytes);
  assert.equal(m.graph.input[0].type.tensor_type.elem_type, 11);
});

test("the graph's inputs and outputs declare the dynamic axes by name", { skip }, () => {
  const model = new nn.Sequential(new nn.Linear(3, 2));
  const m = torch.onnx.decodeModel(torch.onnx.exportBuffer(model, torch.randn(4, 3), { dynamicAxes: { input: { 0: "batch" } } }));
  assert.deepEqual(m.graph.input[0].type.tensor_type.shape.dim, [{ dim_param: "batch" }, { dim_value: 3 }]);
  // The output's first dim follows the input's: it takes the same name.
  assert.deepEqual(m.graph.output[0].type.tensor_type.shape.dim, [{ dim_param: "batch" }, { dim_value: 2 }]);
  assert.equal(m.opset_import[0].version, 17);
  assert.equal(m.producer_name, "kindling");
});

class LastSteps extends nn.Module {
  fc = new nn.Linear(4, 2);
  override forward(x: Tensor, h: Tensor): Tensor {
    // x: [B, T, 4] with B and T dynamic; h: [B, 2]
    const last = x.select(1, -1); // [B, 4]
    const tail = x.narrow(1, -2, 2).sum(1); // [B, 4]
    const fromEnd = x.index(null, { start: -3 }).mean(1); // [B, 4]
    const t = x.shape[1];
    const flat = x.reshape(-1, 4); // [B*T, 4]
    const back = this.fc.call(flat).view(-1, t, 2).amax(1); // [B, 2]
    return this.fc.call(last.add(tail).add(fromEnd)).add(h).add(back);
  }
}

test("negative positions along a dynamic axis, two dynamic axes, and axes given as lists", { skip }, async () => {
  torch.manualSeed(13);
  const model = new LastSteps();
  let t = 4;
  const inputs = (b: number) => [torch.randn(b, t++, 4), torch.randn(b, 2)];
  await check(model, inputs, { dynamicAxes: { input_0: { 0: "batch", 1: "time" }, input_1: { 0: "batch" } } }, [1, 3, 6]);
  t = 4;
  const batchOnly = (b: number) => [torch.randn(b, 5, 4), torch.randn(b, 2)];
  await check(model, batchOnly, { dynamicAxes: { input_0: [0], input_1: [0] } }, [2, 5]);
});

class Composites extends nn.Module {
  bil = new nn.Bilinear(3, 4, 2);
  flat = new nn.Flatten();
  unflat = new nn.Unflatten(1, [2, 6]);
  id = new nn.Identity();
  override forward(x: Tensor, y: Tensor): Tensor {
    // x: [B, 3], y: [B, 4]; composites recorded through the ops they are made of
    const b = this.bil.call(x, y); // [B, 2]
    const n = nn.functional.normalize(x, { dim: 1 }); // [B, 3]
    const cos = nn.functional.cosineSimilarity(x, y.narrow(1, 0, 3), { dim: 1 }).unsqueeze(1); // [B, 1]
    const p = nn.functional.pad(y, [1, 2], { value: 0.5 }); // [B, 7]
    const crop = nn.functional.pad(y, [-1, 0]); // [B, 3]
    const u = this.flat.call(this.unflat.call(torch.cat([p, crop, n.mul(0)], 1).narrow(1, 0, 12))); // [B, 12]
    return torch.cat([b, n, cos, this.id.call(u), torch.outer(x.sum(1), torch.tensor([1, -1]))], 1);
  }
}

test("composites (Bilinear, normalize, cosineSimilarity, pad, Flatten/Unflatten, outer) through their parts", { skip }, async () => {
  torch.manualSeed(14);
  await check(new Composites(), (b) => [torch.randn(b, 3), torch.randn(b, 4)], { dynamicAxes: { input_0: { 0: "batch" }, input_1: { 0: "batch" } } }, [1, 4]);
});
