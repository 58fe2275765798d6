// The learning-rate schedulers against PyTorch 1.13 (scripts/fixtures/optim.py): 30 rounds of
// optimizer.step(); scheduler.step() on SGD(lr=0.1, momentum=0.9) (and Adam for OneCycleLR): the
// lr after each round (and the momentum or beta1 OneCycleLR cycles), the scheduler's state dict,
// and the optimizer group the scheduler leaves behind.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import type { Optimizer } from "../../src/optim/index.js";
import { camel, decode, readFixture } from "./fixture.js";

interface Case {
  scheduler: string;
  optimizer: string;
  options: Record<string, unknown>;
  initial: number[];
  lrs: number[][];
  momenta: number[];
  stateDict: Record<string, unknown>;
  group: Record<string, unknown>;
}
const doc = readFixture<{ rounds: number; plateauMetrics: number[]; cases: Case[] }>("schedulers.json");
const { lrScheduler } = torch.optim;
type AnyScheduler = { step(metric?: number): void; getLastLr(): number[]; stateDict(): Record<string, unknown>; loadStateDict(sd: Record<string, unknown>): void };
const classes = lrScheduler as unknown as Record<string, new (opt: Optimizer, opts: Record<string, unknown>) => AnyScheduler>;

function optionsOf(c: Case): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.options)) out[k === "T_max" ? "tMax" : camel(k)] = decode(v);
  return out;
}

function run(c: Case): { opt: Optimizer; sched: AnyScheduler; lrs: number[][]; momenta: number[] } {
  const p = torch.tensor([1, -2], { requiresGrad: true });
  const opt = c.optimizer === "SGD" ? new torch.optim.SGD([p], { lr: 0.1, momentum: 0.9 }) : new torch.optim.Adam([p], { lr: 0.1 });
  const sched = new classes[c.scheduler](opt, optionsOf(c));
  const lrs: number[][] = [];
  const momenta: number[] = [];
  for (let i = 0; i < doc.rounds; i++) {
    p.grad = torch.tensor([0.5, -0.25]);
    opt.step();
    if (c.scheduler === "ReduceLROnPlateau") {
      const m = doc.plateauMetrics[i];
      sched.step(c.options.mode === "max" ? 1 - m : m);
    } else {
      sched.step();
    }
    lrs.push(sched.getLastLr());
    const g = opt.paramGroups[0];
    momenta.push(c.optimizer === "SGD" ? (g.momentum as number) : (g.betas as number[])[0]);
  }
  return { opt, sched, lrs, momenta };
}

/** The fixture's JSON form of a kindling value (Maps become objects with string keys). */
function plain(v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

const label = (c: Case) => `${c.scheduler}(${JSON.stringify(c.options)}) on ${c.optimizer}`;

test("every scheduler's learning rates equal PyTorch 1.13's, round by round", () => {
  assert.equal(doc.cases.length, 17);
  for (const c of doc.cases) {
    const { lrs, momenta } = run(c);
    assert.deepEqual(lrs, c.lrs, label(c));
    assert.deepEqual(momenta, c.momenta, `${label(c)} momentum`);
  }
});

test("scheduler state dicts use PyTorch's attribute names and values", () => {
  for (const c of doc.cases) {
    const { opt, sched } = run(c);
    const sd = plain(sched.stateDict()) as Record<string, unknown>;
    for (const [k, v] of Object.entries(c.stateDict)) {
      assert.ok(k in sd, `${label(c)}: state dict lacks ${k}`);
      assert.deepEqual(sd[k], decode(v), `${label(c)}: ${k}`);
    }
    assert.deepEqual(Object.keys(sd).filter((k) => k in c.stateDict), Object.keys(c.stateDict), `${label(c)}: key order`);
    const extra = Object.keys(sd).filter((k) => !(k in c.stateDict));
    assert.deepEqual(extra, c.scheduler === "OneCycleLR" ? ["_anneal_func_type"] : [], `${label(c)}: extra keys`);
    const group = opt.stateDict().param_groups[0];
    for (const [k, v] of Object.entries(c.group)) {
      const gv = group[k];
      assert.deepEqual(Array.isArray(gv) ? [...gv] : gv, decode(v), `${label(c)}: group ${k}`);
    }
  }
});

test("a scheduler resumes from its state dict", () => {
  for (const c of doc.cases.filter((x) => x.scheduler !== "OneCycleLR")) {
    const half = Math.floor(doc.rounds / 2);
    const p = torch.tensor([1, -2], { requiresGrad: true });
    const opt = new torch.optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    const first = new classes[c.scheduler](opt, optionsOf(c));
    const step = (s: AnyScheduler, i: number) => {
      p.grad = torch.tensor([0.5, -0.25]);
      opt.step();
      const m = doc.plateauMetrics[i];
      if (c.scheduler === "ReduceLROnPlateau") s.step(c.options.mode === "max" ? 1 - m : m);
      else s.step();
      return s.getLastLr();
    };
    for (let i = 0; i < half; i++) step(first, i);
    const saved = first.stateDict();
    const second = new classes[c.scheduler](opt, { ...optionsOf(c), ...(c.scheduler === "ReduceLROnPlateau" ? {} : { lastEpoch: half }) });
    second.loadStateDict(saved);
    opt.paramGroups[0].lr = c.lrs[half - 1][0];
    for (let i = half; i < doc.rounds; i++) assert.deepEqual(step(second, i), c.lrs[i], `${label(c)} resumed round ${i + 1}`);
  }
});

test("scheduler errors and initial_lr handling follow PyTorch", () => {
  const p = torch.tensor([1, 2], { requiresGrad: true });
  const opt = new torch.optim.SGD([p], { lr: 0.1 });
  assert.throws(() => new lrScheduler.StepLR(opt, { stepSize: 2, lastEpoch: 3 }), {
    message: "param 'initial_lr' is not specified in param_groups[0] when resuming an optimizer",
  });
  const s = new lrScheduler.StepLR(opt, 2);
  assert.equal(opt.paramGroups[0].initialLr, 0.1);
  assert.deepEqual(opt.stateDict().param_groups[0].initial_lr, 0.1);
  assert.deepEqual(s.getLastLr(), [0.1]);
  assert.throws(() => new lrScheduler.StepLR({} as never, 2), { name: "TypeError", message: "Object is not an Optimizer" });
  assert.throws(() => new lrScheduler.LinearLR(opt, { startFactor: 2 }), { message: "Starting multiplicative factor expected to be between 0 and 1." });
  assert.throws(() => new lrScheduler.OneCycleLR(opt, 1), { message: "You must define either total_steps OR (epochs AND steps_per_epoch)" });
  assert.throws(() => new lrScheduler.OneCycleLR(opt, 1, { totalSteps: 0 }), { message: "Expected positive integer total_steps, but got 0" });
  assert.throws(() => new lrScheduler.OneCycleLR(new torch.optim.Adagrad([torch.tensor([1], { requiresGrad: true })]), 1, { totalSteps: 5 }), {
    message: "optimizer must support momentum with `cycle_momentum` option enabled",
  });
  const onceOpt = new torch.optim.SGD([torch.tensor([1], { requiresGrad: true })], { lr: 1, momentum: 0.9 });
  const once = new lrScheduler.OneCycleLR(onceOpt, 1, { totalSteps: 2 });
  onceOpt.step();
  once.step();
  once.step();
  assert.throws(() => once.step(), { message: "Tried to step 4 times. The specified number of total steps is 2" });
  assert.throws(() => new lrScheduler.ReduceLROnPlateau(opt, { factor: 1 }), { message: "Factor should be < 1.0." });
  assert.throws(() => new lrScheduler.ReduceLROnPlateau(opt, { mode: "up" as never }), { message: "mode up is unknown!" });
  assert.throws(() => new lrScheduler.ReduceLROnPlateau(opt, { thresholdMode: "x" as never }), { message: "threshold mode x is unknown!" });
});

test("ReduceLROnPlateau takes a one-element tensor as the metric", () => {
  const p = torch.tensor([1, 2], { requiresGrad: true });
  const opt = new torch.optim.SGD([p], { lr: 1 });
  const s = new lrScheduler.ReduceLROnPlateau(opt, { patience: 0 });
  s.step(torch.tensor(1));
  s.step(torch.tensor(1));
  assert.deepEqual(s.getLastLr(), [0.1]);
});
