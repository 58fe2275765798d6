// A character-level GPT: a decoder-only Transformer (TransformerEncoderLayers with a causal mask,
// so each position sees only the characters before it) learns to continue a short text that ships
// with kindling (examples/data/kindling-verses.txt, written for these examples). It prints the
// loss as it falls, a sample the model writes, and saves the loss curve as an SVG chart.
// Run: npx tsx examples/char-gpt.ts [STEPS=250] [CHART=out/char-gpt-loss.svg]
import { readFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import * as torch from "kindling";
import { F, nn, optim } from "kindling";
import { lineChart } from "../src/cli/charts.js";
import { ChartWriter } from "../src/cli/render-svg.js";

const steps = Number(process.argv[2] ?? 250);
const chartPath = process.argv[3] ?? "out/char-gpt-loss.svg";

const text = readFileSync(new URL("./data/kindling-verses.txt", import.meta.url), "utf8");
const chars = [...new Set(text)].sort();
const vocab = chars.length;
const stoi = new Map(chars.map((c, i) => [c, i]));
const encode = (s: string) => [...s].map((c) => stoi.get(c) ?? 0);
const decode = (ids: number[]) => ids.map((i) => chars[i]).join("");
const data = torch.tensor(encode(text), { dtype: torch.int64 });

const BLOCK = 32;
const BATCH = 16;
const D_MODEL = 48;
const HEADS = 4;
const LAYERS = 2;

torch.manualSeed(0);

class CharGPT extends nn.Module {
  tokens = new nn.Embedding(vocab, D_MODEL);
  positions = new nn.Embedding(BLOCK, D_MODEL);
  blocks = new nn.TransformerEncoder(
    new nn.TransformerEncoderLayer(D_MODEL, HEADS, { dimFeedforward: 4 * D_MODEL, dropout: 0, batchFirst: true, normFirst: true }),
    LAYERS,
  );
  norm = new nn.LayerNorm(D_MODEL);
  head = new nn.Linear(D_MODEL, vocab);

  override forward(idx: torch.Tensor): torch.Tensor {
    const T = idx.shape[1];
    const x = this.tokens.forward(idx).add(this.positions.forward(torch.arange(T, { dtype: torch.int64 })));
    // -inf above the diagonal: position t attends to positions 0..t only
    const mask = nn.Transformer.generateSquareSubsequentMask(T);
    return this.head.forward(this.norm.forward(this.blocks.forward(x, { mask })));
  }
}

/** BATCH random windows of the text, and the same windows one character later (the targets). */
function batch(): [torch.Tensor, torch.Tensor] {
  const starts = torch.randint(0, data.shape[0] - BLOCK - 1, [BATCH]).tolist() as number[];
  const x = torch.stack(starts.map((s) => data.narrow(0, s, BLOCK)));
  const y = torch.stack(starts.map((s) => data.narrow(0, s + 1, BLOCK)));
  return [x, y];
}

const model = new CharGPT();
const optimizer = new optim.AdamW(model.parameters(), { lr: 3e-3 });
const nParams = model.parameters().reduce((n, p) => n + p.numel(), 0);
console.log(`${text.length} characters, vocabulary of ${vocab}; a ${LAYERS}-layer GPT with ${nParams} parameters`);

const losses: Array<[number, number]> = [];
let running = 0;
for (let step = 1; step <= steps; step++) {
  const [x, y] = batch();
  const logits = model.forward(x);
  const loss = F.crossEntropy(logits.reshape(-1, vocab), y.reshape(-1));
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  const value = loss.item();
  losses.push([step, value]);
  running += value;
  const every = Math.max(1, Math.floor(steps / 10));
  if (step % every === 0 || step === 1) {
    console.log(`step ${String(step).padStart(4)}  loss ${(step === 1 ? value : running / every).toFixed(4)}`);
    running = 0;
  }
}

// Sampling: feed the last BLOCK characters, draw the next from softmax(logits / temperature).
model.eval();
const generator = new torch.Generator().manualSeed(1);
const prompt = "the fire ";
const ids = encode(prompt);
torch.noGrad(() => {
  for (let i = 0; i < 160; i++) {
    const context = torch.tensor([ids.slice(-BLOCK)], { dtype: torch.int64 });
    const logits = model.forward(context).select(1, -1).div(0.8);
    const next = torch.multinomial(logits.softmax(-1), 1, false, { generator }).item();
    ids.push(next);
  }
});
console.log(`\nsample:\n${decode(ids)}\n`);

const first = losses[0][1];
const last = losses.slice(-10).reduce((s, [, l]) => s + l, 0) / Math.min(10, losses.length);
console.log(`loss fell from ${first.toFixed(4)} to ${last.toFixed(4)} (mean of the last 10 steps)`);

const charts = new ChartWriter(dirname(chartPath));
const path = await charts.write(basename(chartPath, ".svg"), lineChart({
  title: "Character-level GPT: training loss",
  subtitle: `${LAYERS} layers, d_model ${D_MODEL}, ${HEADS} heads, causal mask; batch ${BATCH} windows of ${BLOCK} characters, AdamW`,
  xTitle: "step",
  yTitle: "cross-entropy loss",
  series: [{ name: "training loss", points: losses }],
}));
console.log(`loss curve: ${path}`);
