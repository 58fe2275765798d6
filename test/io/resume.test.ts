// A training run checkpointed by PyTorch 1.13 (scripts/fixtures/io_resume.py), resumed in kindling:
// torch.load the checkpoint, load the model and optimizer state dicts, train on, and reach
// PyTorch's next losses and final parameters.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { fixtureDir } from "./expected.js";

const { nn, optim } = torch;

interface TensorDesc {
  tensor: { dtype: string; shape: number[]; values: number[] };
}
interface Run {
  losses_before: number[];
  losses_after: number[];
  checkpoint_model: { ordereddict: [string, TensorDesc][] };
  final_model: { ordereddict: [string, TensorDesc][] };
}
const fixture: { x: number[][]; y: number[][]; steps_before: number; steps_after: number; runs: Record<string, Run> } = JSON.parse(
  readFileSync(new URL("resume.json", fixtureDir), "utf8"),
);
const path = (name: string) => fileURLToPath(new URL(name, fixtureDir));

function makeModel() {
  return new nn.Sequential(new nn.Linear(2, 4), new nn.Tanh(), new nn.Linear(4, 1), new nn.Sigmoid());
}

function train(model: ReturnType<typeof makeModel>, opt: torch.optim.Optimizer, steps: number): number[] {
  const x = torch.tensor(fixture.x);
  const y = torch.tensor(fixture.y);
  const lossFn = new nn.BCELoss();
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  return losses;
}

/** Exact equality of a state dict with PyTorch's description of one. */
function assertStateDict(sd: Record<string, torch.Tensor>, desc: Run["checkpoint_model"], what: string): void {
  assert.deepEqual(Object.keys(sd), desc.ordereddict.map(([k]) => k), `${what}: keys`);
  for (const [k, { tensor }] of desc.ordereddict) {
    assert.equal(sd[k]!.dtype, torch.float32, `${what}: ${k} dtype`);
    assert.deepEqual(sd[k]!.shape, tensor.shape, `${what}: ${k} shape`);
    assert.deepEqual(Array.from(sd[k]!.contiguous().values()), tensor.values, `${what}: ${k} values`);
  }
}

function assertClose(actual: number[], expected: number[], rel: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    assert.ok(Math.abs(a - e) <= rel * Math.max(Math.abs(e), 1), `${what}[${i}]: ${a} vs PyTorch's ${e}`);
  });
}

const optimizers: Record<string, (params: Iterable<torch.Tensor>) => torch.optim.Optimizer> = {
  // Deliberately different options: loadStateDict must restore PyTorch's.
  sgd: (params) => new optim.SGD(params, { lr: 0.001 }),
  adam: (params) => new optim.Adam(params, { lr: 0.001, betas: [0.5, 0.5] }),
};

for (const [name, makeOpt] of Object.entries(optimizers)) {
  test(`${name}: a PyTorch checkpoint resumes in kindling with PyTorch's next losses and final parameters`, () => {
    const run = fixture.runs[name]!;
    const ck = torch.load(path(`resume-${name}.pt`));
    assert.deepEqual(Object.keys(ck), ["model", "optimizer", "epoch", "loss"]);
    assert.equal(ck.epoch, fixture.steps_before);
    assert.equal(ck.loss, run.losses_before.at(-1));
    assert.ok(ck.optimizer.state instanceof Map, "optimizer state keeps its integer keys");
    assert.deepEqual([...ck.optimizer.state.keys()], [0, 1, 2, 3]);

    torch.manualSeed(1234);
    const model = makeModel();
    model.loadStateDict(ck.model);
    assertStateDict(model.stateDict(), run.checkpoint_model, "loaded model");
    const opt = makeOpt(model.parameters());
    opt.loadStateDict(ck.optimizer);
    const group = opt.paramGroups[0]!;
    if (name === "sgd") {
      assert.equal(group.lr, 0.5);
      assert.equal(group.momentum, 0.9);
    } else {
      assert.equal(group.lr, 0.05);
      assert.deepEqual(group.betas, [0.9, 0.999]);
      assert.ok(Object.isFrozen(group.betas), "betas is a tuple");
      const state = opt.stateDict().state.get(0)!;
      assert.equal((state.step as torch.Tensor).item(), fixture.steps_before);
    }

    const after = train(model, opt, fixture.steps_after);
    assertClose(after, run.losses_after, 1e-6, `${name} losses after resuming`);
    const final = model.stateDict();
    for (const [k, { tensor }] of run.final_model.ordereddict) {
      assertClose(Array.from(final[k]!.values()), tensor.values, 1e-6, `${name} final ${k}`);
    }
  });
}

test("a state dict PyTorch wrote as safetensors loads with model.loadStateDict(torch.load(...))", () => {
  const model = makeModel();
  const sd = torch.load(path("resume-model.safetensors"));
  const result = model.loadStateDict(sd);
  assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
  const desc = fixture.runs.sgd!.checkpoint_model;
  assertStateDict(model.stateDict(), desc, "safetensors model");
  // The same tensors as in the .pt checkpoint.
  const fromPt = torch.load(path("resume-sgd.pt")).model;
  for (const k of Object.keys(fromPt)) assert.ok(sd[k].equal(fromPt[k]), k);
});

test("a PyTorch checkpoint loaded and saved again by kindling reads back the same", () => {
  for (const name of Object.keys(optimizers)) {
    const ck = torch.load(path(`resume-${name}.pt`));
    const again = torch.loadBuffer(torch.saveBuffer(ck));
    assert.deepEqual(again, ck);
    assert.ok(again.optimizer.state instanceof Map);
    assert.deepEqual([...again.optimizer.state.keys()], [0, 1, 2, 3]);
    if (name === "adam") assert.ok(Object.isFrozen(again.optimizer.param_groups[0].betas));
  }
});
