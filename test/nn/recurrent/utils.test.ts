// nn.utils against PyTorch 1.13 (test/fixtures/recurrent/utils.json): clipGradNorm_ (norm types
// 2, inf, 1, 3; float32 and float64; clipping and not), clipGradValue_, parametersToVector,
// padSequence / packPaddedSequence / padPackedSequence / packSequence, Embedding's maxNorm and
// fromPretrained.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../../src/index.js";
import { nn } from "../../../src/index.js";
import { close, fromDump, loadRecurrent, type TDump } from "./fixture.js";

interface Utils {
  clipGradNorm: Array<{ dtype: string; normType: number; maxNorm: number; grads: TDump[]; total: TDump; after: TDump[] }>;
  clipNonfinite: { total: TDump; after: TDump[] };
  clipGradValue: { clip: number; grads: TDump[]; after: TDump[] };
  parametersToVector: TDump;
  sequences: TDump[];
  packing: Array<{ batchFirst: boolean; padded: TDump; data: TDump; batchSizes: TDump; sortedIndices: TDump; unsortedIndices: TDump; back: TDump; lengths: TDump }>;
  packSequence: { data: TDump; batchSizes: TDump };
  embeddingMaxNorm: Array<{ normType: number; dtype: string; before: TDump; indices: TDump; output: TDump; weightAfter: TDump; grad: TDump; repr: string }>;
  fromPretrained: { weight: TDump; frozenRequiresGrad: boolean; frozenRepr: string; repr: string; requiresGrad: boolean; output: TDump; grad: TDump };
}
const u = loadRecurrent<Utils>("utils");

function withGrads(grads: TDump[]): torch.Tensor[] {
  return grads.map((g) => {
    const p = torch.zeros(g.shape, { dtype: g.dtype === "float64" ? torch.float64 : torch.float32, requiresGrad: true });
    p.grad = fromDump(g);
    return p;
  });
}

test("clipGradNorm_ matches PyTorch for norm types 2, inf, 1 and 3", () => {
  for (const c of u.clipGradNorm) {
    const params = withGrads(c.grads);
    const total = nn.utils.clipGradNorm_(params, c.maxNorm, { normType: c.normType });
    const what = `${c.dtype} p=${c.normType} max=${c.maxNorm}`;
    close(total, c.total, c.dtype, `${what} total`);
    params.forEach((p, i) => {
      close(p.grad, c.after[i], c.dtype, `${what} grad ${i}`);
    });
  }
  // Positional form and a single tensor.
  const p = withGrads([u.clipGradNorm[0].grads[0]])[0];
  const t = nn.utils.clipGradNorm_(p, 0.5, 2);
  assert.equal(t.dim(), 0);
  assert.equal(nn.utils.clipGradNorm_([torch.zeros([2], { requiresGrad: true })], 1).item(), 0);
});

test("clipGradNorm_ with a non-finite gradient scales by nan unless errorIfNonfinite", () => {
  const params = withGrads([
    { shape: [3], dtype: "float32", values: [1, Number.POSITIVE_INFINITY, 2] },
    { shape: [2], dtype: "float32", values: [1, 2] },
  ]);
  const total = nn.utils.clipGradNorm_(params, 1.0);
  close(total, u.clipNonfinite.total, "float32", "total");
  params.forEach((p, i) => {
    close(p.grad, u.clipNonfinite.after[i], "float32", `grad ${i}`);
  });
});

test("clipGradValue_ clamps every gradient", () => {
  const params = withGrads(u.clipGradValue.grads);
  nn.utils.clipGradValue_(params, u.clipGradValue.clip);
  params.forEach((p, i) => {
    close(p.grad, u.clipGradValue.after[i], "float64", `grad ${i}`);
  });
});

test("parametersToVector and vectorToParameters", () => {
  torch.manualSeed(0);
  const lin = new nn.Linear(3, 2);
  const vec = nn.utils.parametersToVector(lin.parameters());
  close(vec, u.parametersToVector, "float32", "vector");
  assert.equal(vec.gradFn?.name, "CatBackward0");
  const other = new nn.Linear(3, 2);
  nn.utils.vectorToParameters(vec.detach().mul(2), other.parameters());
  close(other.weight, { shape: [2, 3], dtype: "float32", values: u.parametersToVector.values.slice(0, 6).map((v) => v * 2) }, "float32", "weight");
  close(other.bias, { shape: [2], dtype: "float32", values: u.parametersToVector.values.slice(6).map((v) => v * 2) }, "float32", "bias");
  assert.ok(other.weight instanceof nn.Parameter && other.weight.requiresGrad);
});

test("padSequence, packPaddedSequence (enforceSorted false), padPackedSequence and packSequence", () => {
  const seqs = u.sequences.map(fromDump);
  for (const c of u.packing) {
    const padded = nn.utils.rnn.padSequence(seqs, { batchFirst: c.batchFirst, paddingValue: -1 });
    close(padded, c.padded, "float64", "padded");
    const packed = nn.utils.rnn.packPaddedSequence(padded, torch.tensor([3, 5, 1, 4]), { batchFirst: c.batchFirst, enforceSorted: false });
    close(packed.data, c.data, "float64", "data");
    assert.deepEqual(Array.from(packed.batchSizes.values(), Number), c.batchSizes.values);
    assert.deepEqual(Array.from(packed.sortedIndices!.values(), Number), c.sortedIndices.values);
    assert.deepEqual(Array.from(packed.unsortedIndices!.values(), Number), c.unsortedIndices.values);
    const [back, lengths] = nn.utils.rnn.padPackedSequence(packed, { batchFirst: c.batchFirst, paddingValue: 9, totalLength: 6 });
    close(back, c.back, "float64", "back");
    assert.equal(lengths.dtype, torch.int64);
    assert.deepEqual(Array.from(lengths.values(), Number), c.lengths.values);
  }
  const ps = nn.utils.rnn.packSequence([seqs[1], seqs[3], seqs[0], seqs[2]]);
  close(ps.data, u.packSequence.data, "float64", "packSequence data");
  assert.deepEqual(Array.from(ps.batchSizes.values(), Number), u.packSequence.batchSizes.values);
  assert.equal(ps.sortedIndices, null);
});

test("packing passes gradients back to the padded input", () => {
  const x = torch.randn([4, 2, 3], { dtype: torch.float64, requiresGrad: true });
  const packed = nn.utils.rnn.packPaddedSequence(x, [2, 4], { enforceSorted: false });
  const [back] = nn.utils.rnn.padPackedSequence(packed);
  back.sum().backward();
  // Positions past a sequence's length take no part.
  assert.deepEqual(Array.from(x.grad!.select(1, 0).sum(1).values()), [3, 3, 0, 0]);
  assert.deepEqual(Array.from(x.grad!.select(1, 1).sum(1).values()), [3, 3, 3, 3]);
});

test("Embedding maxNorm renormalises the looked-up rows in place as PyTorch", () => {
  for (const c of u.embeddingMaxNorm) {
    const dtype = c.dtype === "float64" ? torch.float64 : torch.float32;
    torch.manualSeed(0);
    const emb = new nn.Embedding(6, 3, { maxNorm: 1.5, normType: c.normType }).to(dtype);
    close(emb.weight, c.before, c.dtype, "initial weight");
    const y = emb.forward(fromDump(c.indices));
    close(y, c.output, c.dtype, "output");
    close(emb.weight, c.weightAfter, c.dtype, "weight after");
    y.sum().backward();
    close(emb.weight.grad, c.grad, c.dtype, "grad");
    assert.equal(emb.toString(), c.repr);
  }
});

test("Embedding.fromPretrained keeps the weights, frozen unless freeze is false", () => {
  const f = u.fromPretrained;
  const w = fromDump(f.weight);
  const frozen = nn.Embedding.fromPretrained(w);
  assert.equal(frozen.weight.requiresGrad, f.frozenRequiresGrad);
  assert.equal(frozen.toString(), f.frozenRepr);
  const e = nn.Embedding.fromPretrained(w, { freeze: false, paddingIdx: 1 });
  assert.equal(e.toString(), f.repr);
  assert.equal(e.weight.requiresGrad, f.requiresGrad);
  const y = e.forward(torch.tensor([1, 2, 1], { dtype: torch.int64 }));
  close(y, f.output, "float32", "output");
  y.sum().backward();
  close(e.weight.grad, f.grad, "float32", "grad");
  // The same memory as the given tensor.
  w.data.select(0, 0).fill_(7);
  assert.equal(e.weight.select(0, 0).select(0, 0).item(), 7);
});

test("Embedding sparse: true says why it is not available", () => {
  assert.throws(() => new nn.Embedding(3, 2, { sparse: true }), /kindling has no sparse tensors/);
  assert.throws(() => nn.functional.embedding(torch.tensor([0], { dtype: torch.int64 }), torch.zeros([3, 2]), { sparse: true }), /kindling has no sparse tensors/);
});
