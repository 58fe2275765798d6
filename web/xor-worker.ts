// Section 3's training, off the page's thread: the tour's XorTrainer, epoch by epoch, posting the
// cost and (every few epochs) the decision regions so the page redraws while training goes on.
import { probabilityGrid } from "../src/cli/boundary.js";
import { MultiLayer, SingleLayer, XorTrainer, type XorModel, xorDataset } from "../src/cli/tour/xor-training.js";

export type XorModelName = "single" | "two";

export type XorMessage =
  | { type: "progress"; model: XorModelName; epoch: number; costs: Array<[number, number]>; grid: ReturnType<typeof probabilityGrid> }
  | { type: "done"; model: XorModelName; costs: Array<[number, number]>; outputs: number[]; grid: ReturnType<typeof probabilityGrid> }
  | { type: "finished"; ms: number }
  | { type: "error"; message: string };

const MODELS: ReadonlyArray<[XorModelName, () => XorModel]> = [
  ["single", () => new SingleLayer()],
  ["two", () => new MultiLayer()],
];

const post = (message: XorMessage) => (self as unknown as Worker).postMessage(message);
const regions = (model: XorModel) => probabilityGrid((p) => model.forward(p), [-0.5, 1.5], [-0.5, 1.5]);

self.onmessage = (event: MessageEvent<{ epochs: number }>) => {
  try {
    const started = performance.now();
    const { epochs } = event.data;
    const dataset = xorDataset();
    // one after the other, each from torch.manualSeed(0), exactly as the tour trains them
    for (const [name, make] of MODELS) {
      const trainer = new XorTrainer(make, dataset);
      const every = Math.max(1, Math.round(epochs / 30));
      let lastPost = 0;
      for (let epoch = 1; epoch <= epochs; epoch++) {
        trainer.epoch();
        const now = performance.now();
        if (epoch % every === 0 && now - lastPost > 50) {
          lastPost = now;
          post({ type: "progress", model: name, epoch, costs: trainer.costs, grid: regions(trainer.model) });
        }
      }
      const outputs = trainer.outputs();
      post({ type: "done", model: name, costs: trainer.costs, outputs, grid: regions(trainer.model) });
    }
    post({ type: "finished", ms: performance.now() - started });
  } catch (error) {
    post({ type: "error", message: error instanceof Error ? error.message : String(error) });
  }
};
