// LambdaLR and MultiplicativeLR against PyTorch 1.13 (scripts/fixtures/lambda_lr.py): the lrs of two
// parameter groups over 12 rounds for a Transformer warmup schedule, per-group functions, the
// deprecated step(epoch), multiplicative decay, and the state dicts (functions stored as None).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as torch from "../../src/index.js";

interface Case {
  name: string;
  optimizer: "Adam" | "SGD";
  lrs: number[][];
  stateDict: Record<string, unknown>;
  groups: number[];
}
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "book", "lambda-lr.json"), "utf8")) as {
  rounds: number;
  cases: Case[];
  error: string;
};
const { LambdaLR, MultiplicativeLR } = torch.optim.lrScheduler;
type Sched = InstanceType<typeof LambdaLR> | InstanceType<typeof MultiplicativeLR>;

// the fixture's functions, with the same arithmetic (sqrt is correctly rounded on both sides)
const noam = (e: number): number => {
  const dModel = 16;
  const warmup = 4;
  const step = e + 1;
  return (1 / Math.sqrt(dModel)) * Math.min(1 / Math.sqrt(step), step / (warmup * Math.sqrt(warmup)));
};
const linearWarmup = (e: number): number => Math.min((e + 1) / 5, 1.0);
const halving = (e: number): number => 1 / (1 + e);

function optimizer(kind: "Adam" | "SGD") {
  const a = torch.tensor([1.0, -2.0], { requiresGrad: true });
  const b = torch.tensor([0.5], { requiresGrad: true });
  const groups = [{ params: [a] }, { params: [b], lr: 0.01 }];
  const opt = kind === "Adam" ? new torch.optim.Adam(groups, { lr: 0.1 }) : new torch.optim.SGD(groups, { lr: 0.1, momentum: 0.9 });
  return { opt, params: [a, b] };
}

const makers: Record<string, (opt: torch.optim.Optimizer) => Sched> = {
  noam: (o) => new LambdaLR(o, noam),
  perGroup: (o) => new LambdaLR(o, [linearWarmup, halving]),
  epochJump: (o) => new LambdaLR(o, linearWarmup),
  multiplicative: (o) => new MultiplicativeLR(o, () => 0.9),
  multiplicativePerGroup: (o) => new MultiplicativeLR(o, [halving, () => 0.5]),
};

describe("LambdaLR and MultiplicativeLR", () => {
  for (const c of fixture.cases) {
    it(`${c.name}: lrs, groups and state dict as PyTorch`, () => {
      const { opt, params } = optimizer(c.optimizer);
      const sched = makers[c.name](opt);
      const lrs = [sched.getLastLr()];
      for (let i = 0; i < fixture.rounds; i++) {
        for (const p of params) p.grad = torch.onesLike(p).mul(0.5);
        opt.step();
        if (c.name === "epochJump" && i === 3) sched.step(8);
        else sched.step();
        lrs.push(sched.getLastLr());
      }
      assert.deepEqual(lrs, c.lrs);
      assert.deepEqual(
        opt.paramGroups.map((g) => g.lr),
        c.groups,
      );
      assert.deepEqual(sched.stateDict(), c.stateDict);
      // a state dict loads back into a scheduler with the functions in place
      const fresh = optimizer(c.optimizer);
      const again = makers[c.name](fresh.opt);
      again.loadStateDict(sched.stateDict());
      assert.deepEqual(again.stateDict(), c.stateDict);
    });
  }

  it("rejects a list of functions of another length than the parameter groups", () => {
    const { opt } = optimizer("SGD");
    assert.throws(() => new LambdaLR(opt, [noam]), { message: fixture.error });
  });
});
