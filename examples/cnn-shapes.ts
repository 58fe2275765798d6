// A small convolutional network learns to tell four shapes apart: circles, squares, triangles and
// crosses, drawn here as 28x28 greyscale images at random places and sizes, with random
// brightness and noise (every draw from one seeded torch.Generator, so each run is the same).
// Two Conv2d + ReLU + MaxPool2d stages, then a small classifier; cross-entropy, Adam, DataLoader.
// It prints the loss and accuracies per epoch and the final test accuracy, and charts a few test
// images with the labels the network gives them.
// Run: npx tsx examples/cnn-shapes.ts [EPOCHS=3] [CHART=out/cnn-shapes.svg]
import { basename, dirname } from "node:path";
import * as torch from "kindling";
import { data, F, nn, optim } from "kindling";
import { imageGridChart } from "../src/cli/charts.js";
import { ChartWriter } from "../src/cli/render-svg.js";

const epochs = Number(process.argv[2] ?? 3);
const chartPath = process.argv[3] ?? "out/cnn-shapes.svg";

const CLASSES = ["circle", "square", "triangle", "cross"];
const SIDE = 28;

/** n images [n, 1, 28, 28] in [0, 1] and their labels [n] (int64). */
function drawShapes(n: number, generator: torch.Generator): { images: torch.Tensor; labels: torch.Tensor } {
  const labels = torch.randint(0, CLASSES.length, [n], { generator });
  // radius 5..10 pixels, centre far enough from the edges that the whole shape shows
  const r = torch.rand([n, 1, 1], { generator }).mul(5).add(5);
  const room = r.mul(-2).add(SIDE - 2);
  const cx = torch.rand([n, 1, 1], { generator }).mul(room).add(r).add(0.5);
  const cy = torch.rand([n, 1, 1], { generator }).mul(room).add(r).add(0.5);
  const dx = torch.arange(SIDE).view(1, 1, SIDE).sub(cx);
  const dy = torch.arange(SIDE).view(1, SIDE, 1).sub(cy);
  const ax = dx.abs();
  const ay = dy.abs();

  const circle = dx.square().add(dy.square()).le(r.square());
  const square = ax.maximum(ay).le(r.mul(0.8));
  // apex r above the centre, base 0.8 r below it and 2 r wide
  const triangle = dy.ge(r.neg()).logicalAnd(dy.le(r.mul(0.8))).logicalAnd(ax.le(dy.add(r).div(1.8)));
  const bar = r.mul(0.25);
  const cross = ax.le(bar).logicalAnd(ay.le(r)).logicalOr(ay.le(bar).logicalAnd(ax.le(r)));

  const masks = torch.stack([circle, square, triangle, cross], 1).float(); // [n, 4, 28, 28]
  const pick = F.oneHot(labels, CLASSES.length).float().view(n, CLASSES.length, 1, 1);
  const shape = masks.mul(pick).sum(1, { keepdim: true });
  const brightness = torch.rand([n, 1, 1, 1], { generator }).mul(0.5).add(0.5);
  const noise = torch.randn([n, 1, SIDE, SIDE], { generator }).mul(0.15);
  return { images: shape.mul(brightness).add(noise).clamp(0, 1), labels };
}

class ShapesCNN extends nn.Module {
  features = new nn.Sequential(
    new nn.Conv2d(1, 8, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2), // 8 x 14 x 14
    new nn.Conv2d(8, 16, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2), // 16 x 7 x 7
  );
  classifier = new nn.Sequential(new nn.Flatten(), new nn.Linear(16 * 7 * 7, 32), new nn.ReLU(), new nn.Linear(32, CLASSES.length));

  override forward(x: torch.Tensor): torch.Tensor {
    return this.classifier.forward(this.features.forward(x));
  }
}

function accuracy(model: nn.Module, images: torch.Tensor, labels: torch.Tensor): { correct: number; predicted: torch.Tensor } {
  model.eval();
  const predicted = torch.noGrad(() => model.forward(images).argmax(1));
  return { correct: predicted.eq(labels).sum().item(), predicted };
}

torch.manualSeed(0);
const generator = new torch.Generator().manualSeed(0);
const train = drawShapes(2000, generator);
const test = drawShapes(500, generator);
const loader = new data.DataLoader(new data.TensorDataset(train.images, train.labels), { batchSize: 32, shuffle: true });

const model = new ShapesCNN();
console.log(model.toString());
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });

for (let epoch = 1; epoch <= epochs; epoch++) {
  model.train();
  let total = 0;
  let right = 0;
  let seen = 0;
  for (const [x, y] of loader) {
    const logits = model.forward(x);
    const loss = criterion.forward(logits, y);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    total += loss.item() * y.shape[0];
    right += logits.argmax(1).eq(y).sum().item();
    seen += y.shape[0];
  }
  // the training figures are over the epoch's batches, as the weights changed during it
  const trainAcc = (100 * right) / seen;
  const testAcc = (100 * accuracy(model, test.images, test.labels).correct) / test.labels.shape[0];
  console.log(`epoch ${epoch}  loss ${(total / seen).toFixed(4)}  train accuracy ${trainAcc.toFixed(1)}%  test accuracy ${testAcc.toFixed(1)}%`);
}

const { correct, predicted } = accuracy(model, test.images, test.labels);
const n = test.labels.shape[0];
console.log(`test accuracy: ${correct}/${n} = ${((100 * correct) / n).toFixed(1)}%`);

const shown = 12;
const images = test.images.narrow(0, 0, shown).squeeze(1).tolist() as number[][][];
const guesses = predicted.tolist() as number[];
const truths = test.labels.tolist() as number[];
const charts = new ChartWriter(dirname(chartPath));
const path = await charts.write(
  basename(chartPath, ".svg"),
  imageGridChart({
    title: "Shapes: what the CNN sees and says",
    subtitle: `the first ${shown} test images and the predicted class; a wrong prediction names the true class in brackets (test accuracy ${((100 * correct) / n).toFixed(1)}%)`,
    images: images.map((pixels, i) => ({
      pixels,
      caption: guesses[i] === truths[i] ? CLASSES[guesses[i]] : `${CLASSES[guesses[i]]} (${CLASSES[truths[i]]})`,
      highlight: guesses[i] !== truths[i],
    })),
    columns: 6,
  }),
);
console.log(`chart: ${path}`);
