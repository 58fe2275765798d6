// A sentence classifier: word ids -> Embedding (id 0 pads) -> bidirectional LSTM over packed
// sequences -> Linear on the two directions' last hidden states, trained with Adam, cross-entropy
// and gradient-norm clipping. The sentences are generated here: ids 1-14 are "positive" words,
// 15-28 "negative" ones, 29 a neutral word; a sentence is positive when it has more positive
// words than negative ones.
// Run: npx tsx examples/sentence-classifier.ts [EPOCHS=8]
import * as torch from "kindling";
import { nn, optim } from "kindling";

const epochs = Number(process.argv[2] ?? 8);
const VOCAB = 30;

/** n sentences of 3 to 12 words, padded with 0 to 12, their lengths and labels. */
function makeSentences(n: number): { tokens: torch.Tensor; lengths: number[]; labels: torch.Tensor } {
  const lengths = Array.from(torch.randint(3, 13, [n]).values(), Number);
  const rows: torch.Tensor[] = [];
  const labels: number[] = [];
  for (const len of lengths) {
    const words = torch.randint(1, VOCAB, [len]);
    const positive = words.le(14).sum().item();
    const negative = words.ge(15).logicalAnd(words.le(28)).sum().item();
    labels.push(positive > negative ? 1 : 0);
    rows.push(words);
  }
  const tokens = nn.utils.rnn.padSequence(rows, { batchFirst: true, paddingValue: 0 });
  return { tokens, lengths, labels: torch.tensor(labels, { dtype: torch.int64 }) };
}

class SentenceClassifier extends nn.Module {
  embedding = new nn.Embedding(VOCAB, 16, { paddingIdx: 0 });
  lstm = new nn.LSTM(16, 24, { batchFirst: true, bidirectional: true });
  head = new nn.Linear(48, 2);

  override forward(tokens: torch.Tensor, lengths: number[]): torch.Tensor {
    // Packing skips the padding: each direction's final state is its sentence's own last word.
    const packed = nn.utils.rnn.packPaddedSequence(this.embedding.forward(tokens), lengths, { batchFirst: true, enforceSorted: false });
    const [, [hN]] = this.lstm.forward(packed);
    return this.head.forward(torch.cat([hN.select(0, 0), hN.select(0, 1)], 1));
  }
}

torch.manualSeed(0);
const train = makeSentences(640);
const test = makeSentences(256);
const model = new SentenceClassifier();
console.log(model.toString());
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
const batchSize = 32;

for (let epoch = 1; epoch <= epochs; epoch++) {
  model.train();
  const order = Array.from(torch.randperm(train.lengths.length).values(), Number);
  let total = 0;
  let batches = 0;
  for (let start = 0; start < order.length; start += batchSize) {
    const idx = order.slice(start, start + batchSize);
    const index = torch.tensor(idx, { dtype: torch.int64 });
    const logits = model.forward(train.tokens.indexSelect(0, index), idx.map((i) => train.lengths[i]));
    const loss = criterion.forward(logits, train.labels.indexSelect(0, index));
    optimizer.zeroGrad();
    loss.backward();
    nn.utils.clipGradNorm_(model.parameters(), 1.0);
    optimizer.step();
    total += loss.item();
    batches++;
  }
  console.log(`epoch ${epoch}: loss ${(total / batches).toFixed(4)}`);
}

model.eval();
const correct = torch.noGrad(() => model.forward(test.tokens, test.lengths).argmax(1).eq(test.labels).sum().item());
console.log(`test accuracy: ${correct}/${test.lengths.length} = ${((100 * correct) / test.lengths.length).toFixed(1)}%`);
