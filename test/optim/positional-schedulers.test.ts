// The lr schedulers and the kaiming initialisers with PyTorch's positional parameters
// (StepLR(opt, 3, 0.5), CosineAnnealingLR(opt, 10, 0.1), ReduceLROnPlateau(opt, "max", 0.5, 1),
// kaiming_normal_(w, 0, "fan_out", "relu")), against PyTorch 1.13
// (scripts/fixtures/positional_schedulers.py). Before, everything after the first argument was
// dropped (gamma 0.1, eta_min 0, mode "min", fan_in) or, for OneCycleLR, an error.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as torch from "../../src/index.js";

const { lrScheduler: S } = torch.optim;
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "book", "positional-schedulers.json"), "utf8")) as {
  metrics: number[];
  schedulers: Record<string, number[]>;
  init: Record<string, number[]>;
};

type Steppable = InstanceType<typeof S.LRScheduler> | InstanceType<typeof S.ReduceLROnPlateau>;
const MAKERS: Record<string, (o: torch.optim.Optimizer) => Steppable> = {
  "StepLR(opt, 3, 0.5)": (o) => new S.StepLR(o, 3, 0.5),
  "MultiStepLR(opt, [2, 4], 0.5)": (o) => new S.MultiStepLR(o, [2, 4], 0.5),
  "CosineAnnealingLR(opt, 10, 0.1)": (o) => new S.CosineAnnealingLR(o, 10, 0.1),
  "LinearLR(opt, 0.5, 1.0, 4)": (o) => new S.LinearLR(o, 0.5, 1.0, 4),
  "OneCycleLR(opt, 0.1, 20)": (o) => new S.OneCycleLR(o, 0.1, 20),
  "ReduceLROnPlateau(opt, 'max', 0.5, 1)": (o) => new S.ReduceLROnPlateau(o, "max", 0.5, 1),
};

describe("schedulers and kaiming initialisers take PyTorch's positional parameters", () => {
  for (const [name, want] of Object.entries(fixture.schedulers)) {
    it(name, () => {
      const p = torch.zeros(2, { requiresGrad: true });
      const opt = new torch.optim.SGD([p], { lr: 1.0, momentum: 0.9 });
      const sched = MAKERS[name](opt);
      const lrs: number[] = [];
      for (let i = 0; i < 8; i++) {
        p.grad = torch.ones(2);
        opt.step();
        if (sched instanceof S.ReduceLROnPlateau) sched.step(fixture.metrics[i]);
        else sched.step();
        lrs.push(opt.paramGroups[0].lr);
      }
      lrs.forEach((v, i) => {
        assert.ok(Math.abs(v - want[i]) <= 1e-12 * Math.max(1, Math.abs(want[i])), `${name} round ${i}: ${v} vs ${want[i]}`);
      });
    });
  }

  const inits: Record<string, (w: torch.Tensor) => torch.Tensor> = {
    "kaiming_normal_(w, 0, 'fan_out', 'relu')": (w) => torch.nn.init.kaimingNormal_(w, 0, "fan_out", "relu"),
    "kaiming_uniform_(w, 0.2, 'fan_in', 'leaky_relu')": (w) => torch.nn.init.kaimingUniform_(w, 0.2, "fan_in", "leaky_relu"),
  };
  for (const [name, want] of Object.entries(fixture.init)) {
    it(name, () => {
      torch.manualSeed(0);
      const w = torch.empty(4, 3);
      inits[name](w);
      assert.deepEqual(w.flatten().tolist(), want);
    });
  }
});
