// Train in kindling, serve with ONNX Runtime: a small classifier of three blobs of points is
// trained, exported with torch.onnx.export (any batch size), loaded by ONNX Runtime, and both
// run on the same points; their outputs are printed side by side.
// Run: npx tsx examples/onnx-export.ts [EPOCHS=50] [ONNX_PATH=out/blobs-classifier.onnx]
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import * as torch from "kindling";
import { data, nn, optim } from "kindling";
import { makeBlobs } from "kindling/datasets";
import * as ort from "onnxruntime-node";

const epochs = Number(process.argv[2] ?? 50);
const onnxPath = process.argv[3] ?? "out/blobs-classifier.onnx";

torch.manualSeed(0);
const blobs = makeBlobs({ n: 300, centers: 3, generator: new torch.Generator().manualSeed(1) });
const loader = new data.DataLoader(new data.TensorDataset(blobs.x, blobs.y), { batchSize: 32, shuffle: true });

const model = new nn.Sequential(new nn.Linear(2, 16), new nn.ReLU(), new nn.Dropout(0.1), new nn.Linear(16, 3));
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.Adam(model.parameters(), { lr: 0.02 });
for (let epoch = 1; epoch <= epochs; epoch++) {
  let total = 0;
  for (const [x, y] of loader) {
    optimizer.zeroGrad();
    const loss = criterion.forward(model.forward(x), y);
    loss.backward();
    optimizer.step();
    total += loss.item() * x.shape[0];
  }
  if (epoch === 1 || epoch === epochs || epoch % 10 === 0) console.log(`epoch ${epoch}: loss ${(total / blobs.x.shape[0]).toFixed(4)}`);
}

// Export: a Softmax on top so the file gives probabilities; the batch dimension stays free.
model.eval();
const classifier = new nn.Sequential(model, new nn.Softmax(1));
mkdirSync(dirname(onnxPath), { recursive: true });
torch.onnx.export(classifier, blobs.x.narrow(0, 0, 4), onnxPath, {
  inputNames: ["points"],
  outputNames: ["probabilities"],
  dynamicAxes: { points: { 0: "batch" }, probabilities: { 0: "batch" } },
});
console.log(`\nwrote ${onnxPath}`);

// Serve: ONNX Runtime runs the file on points it has not seen (a batch of 5).
const points = torch.tensor([
  [0, 0],
  [5, 5],
  [-5, 2],
  [8, -3],
  [1.5, 7],
]);
const session = await ort.InferenceSession.create(onnxPath);
const result = await session.run({ points: new ort.Tensor("float32", Float32Array.from(points.contiguous().values()), points.shape) });
const served = result.probabilities.data as Float32Array;
const local = torch.noGrad(() => classifier.forward(points));

console.log("\npoint          kindling                    ONNX Runtime");
let maxDiff = 0;
const rows = local.tolist() as number[][];
rows.forEach((row, i) => {
  const fromOrt = Array.from(served.subarray(i * 3, i * 3 + 3));
  row.forEach((v, j) => {
    maxDiff = Math.max(maxDiff, Math.abs(v - fromOrt[j]));
  });
  const fmt = (v: number[]) => v.map((p) => p.toFixed(4)).join(" ");
  console.log(`${JSON.stringify(points.tolist()[i]).padEnd(14)} ${fmt(row)}   ${fmt(fromOrt)}`);
});
console.log(`\nlargest difference: ${maxDiff.toExponential(2)}`);
if (!(maxDiff <= 1e-5)) {
  console.error("kindling and ONNX Runtime disagree");
  process.exit(1);
}
