// examples/models/resnet.ts against torchvision's ResNet in PyTorch 1.13 (scripts/fixtures/resnet.py,
// which transcribes torchvision's model since torchvision is not installed): state-dict keys and
// shapes of full-size resnet18/34/50, reprs, initial weights after manualSeed(0), and a PyTorch
// state dict loaded with torch.load: eval and train outputs, running statistics, gradients.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as torch from "../../src/index.js";
import { BasicBlock, Bottleneck, ResNet, resnet18, resnet34, resnet50 } from "../../examples/models/resnet.js";

interface TDump {
  shape: number[];
  dtype: string;
  values: number[];
}
interface SmallCase {
  block: "BasicBlock" | "Bottleneck";
  layers: [number, number, number, number];
  width: number;
  numClasses: number;
  repr: string;
  keys: string[];
  target: TDump;
  evalOutput: TDump;
  trainOutput: TDump;
  loss: number;
  runningAfterTrain: Record<string, TDump>;
  grads: Record<string, TDump>;
}
interface Fixture {
  small: Record<string, SmallCase>;
  full: Record<"resnet18" | "resnet34" | "resnet50", [string, number[], string][]>;
}

const dir = join(import.meta.dirname, "..", "fixtures", "resnet");
const fixture = JSON.parse(readFileSync(join(dir, "resnet.json"), "utf8")) as Fixture;

function values(t: torch.Tensor): number[] {
  return Array.from(t.contiguous().values() as ArrayLike<number>, Number);
}

/**
 * Within a tolerance scaled to the largest magnitude expected: some twenty float32 convolutions
 * and batch norms in a row, each summing in an order of its own (PyTorch's oneDNN blocking, ours),
 * so rounding differences of ~1e-7 grow through the layers; a wrong weight or a missed term is off
 * by far more.
 */
function assertNear(got: torch.Tensor, want: TDump, rel: number, what: string): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const g = values(got);
  let scale = 0;
  for (const v of want.values) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < g.length; i++) {
    const w = want.values[i];
    if (!(Math.abs(g[i] - w) <= rel * scale)) assert.fail(`${what}[${i}]: expected ${w}, got ${g[i]} (scale ${scale})`);
  }
}

function input(): torch.Tensor {
  return torch.randn([2, 3, 64, 64], { generator: new torch.Generator().manualSeed(2) });
}

function build(c: SmallCase): ResNet {
  return new ResNet(c.block === "BasicBlock" ? BasicBlock : Bottleneck, c.layers, { numClasses: c.numClasses, width: c.width });
}

describe("full-size ResNets have torchvision's state-dict keys and shapes", () => {
  const ctors = { resnet18, resnet34, resnet50 };
  for (const [name, entries] of Object.entries(fixture.full) as [keyof typeof ctors, [string, number[], string][]][]) {
    it(name, () => {
      const sd = ctors[name]().stateDict();
      assert.deepEqual(Object.keys(sd), entries.map(([k]) => k));
      for (const [k, shape, dtype] of entries) {
        assert.deepEqual(sd[k].shape, shape, k);
        assert.equal(sd[k].dtype.name, dtype, k);
      }
    });
  }
});

for (const [name, c] of Object.entries(fixture.small)) {
  describe(`${name}: ${c.block} ${JSON.stringify(c.layers)}, width ${c.width}, ${c.numClasses} classes`, () => {
    const path = join(dir, `${name}.pt`);

    it("prints as PyTorch prints it", () => {
      assert.equal(String(build(c)), c.repr);
    });

    it("draws PyTorch's initial weights after manualSeed(0): kaiming_normal_ (fan_out, relu) convolutions, default fc, batch norms 1 and 0", () => {
      torch.manualSeed(0);
      const sd = build(c).stateDict();
      assert.deepEqual(Object.keys(sd), c.keys);
      // The fixture's convolutions and fc are the ones PyTorch drew (resnet.py asserts it); only
      // its batch norms were changed after initialisation.
      const saved = torch.load(path) as Record<string, torch.Tensor>;
      for (const [k, t] of Object.entries(sd)) {
        const isBatchNorm = /(^|\.)bn\d\.|downsample\.1\./.test(k);
        if (!isBatchNorm) {
          assert.deepEqual(values(t), values(saved[k]), k);
          continue;
        }
        const want = k.endsWith("num_batches_tracked") ? 0 : k.endsWith("weight") || k.endsWith("running_var") ? 1 : 0;
        assert.ok(
          values(t).every((v) => v === want),
          `${k}: every value ${want}`,
        );
      }
    });

    it("loads PyTorch's state dict (torch.load) and gives its eval-mode output", () => {
      const model = build(c);
      const sd = torch.load(path) as Record<string, torch.Tensor>;
      assert.deepEqual(Object.keys(sd), c.keys);
      const result = model.loadStateDict(sd);
      assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
      model.eval();
      const out = torch.noGrad(() => model.forward(input()));
      assertNear(out, c.evalOutput, 1e-5, "eval output");
    });

    it("gives PyTorch's train-mode output, running statistics, loss and gradients", () => {
      const model = build(c);
      model.loadStateDict(torch.load(path));
      model.train();
      const out = model.forward(input());
      assertNear(out, c.trainOutput, 1e-5, "train output");
      const target = torch.tensor(c.target.values, { dtype: torch.int64 });
      const loss = torch.nn.functional.crossEntropy(out, target);
      assert.ok(Math.abs(loss.item() - c.loss) <= 1e-5 * Math.abs(c.loss), `loss ${loss.item()} vs ${c.loss}`);
      loss.backward();
      const sd = model.stateDict();
      for (const [k, want] of Object.entries(c.runningAfterTrain)) {
        if (k.endsWith("num_batches_tracked")) assert.deepEqual(values(sd[k]), want.values, k);
        else assertNear(sd[k], want, 1e-5, k);
      }
      const params = Object.fromEntries(model.namedParameters());
      for (const [k, want] of Object.entries(c.grads)) assertNear(params[k].grad!, want, 3e-5, `${k}.grad`);
    });
  });
}

it("zeroInitResidual starts each BasicBlock's bn2 (Bottleneck's bn3) at weight 0 and draws the same weights", () => {
  for (const [block, last] of [
    [BasicBlock, "bn2"],
    [Bottleneck, "bn3"],
  ] as const) {
    torch.manualSeed(0);
    const plain = new ResNet(block, [1, 1, 1, 1], { width: 4, numClasses: 3 }).stateDict();
    torch.manualSeed(0);
    const zeroed = new ResNet(block, [1, 1, 1, 1], { width: 4, numClasses: 3, zeroInitResidual: true }).stateDict();
    for (const [k, t] of Object.entries(zeroed)) {
      const want = k.endsWith(`.${last}.weight`) ? values(t).map(() => 0) : values(plain[k]);
      assert.deepEqual(values(t), want, k);
    }
  }
});
