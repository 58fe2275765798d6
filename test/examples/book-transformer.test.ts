// The book's Transformer translation model (wikibook/pytorchtrf, examples 7.02-7.08) ported line by
// line, against PyTorch 1.13 (scripts/fixtures/book_transformer.py): a positional encoding built by
// slice assignment, the causal mask from triu/maskedFill, a train-mode step with dropout and Adam,
// and greedy decoding whose encoder and decoder get their masks positionally, as the book passes
// them. A mask read as an empty options object would let every step attend to the future and
// decode other tokens, so the greedy steps' logits pin that path down.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as torch from "../../src/index.js";
import { assertNear as assertNearDump, type Dump, loadBookFixture, tensorOf } from "../helpers/book-fixture.js";

const { nn } = torch;
type Tensor = torch.Tensor;

interface Fixture {
  seq2seq: {
    pe: Dump;
    tgtMask: Dump;
    logits: Dump;
    loss: number;
    generatorAfter: Dump;
    memory: Dump;
    probs: Dump[];
    ys: number[];
  };
  mha: { state: Record<string, Dump>; q: Dump; kv: Dump; kpm: boolean[][]; attnMask: boolean[][]; output: Dump; weights: Dump };
  layers: {
    enc: Record<string, Dump>;
    dec: Record<string, Dump>;
    src: Dump;
    tgt: Dump;
    srcKpm: boolean[][];
    tgtKpm: boolean[][];
    memMask: boolean[][];
    memory: Dump;
    output: Dump;
  };
}

const fixture = loadBookFixture<Fixture>("transformer.json");

/** float32 through a few layers, within rel of the values' size or of 1, whichever is larger. */
function assertNear(got: Tensor, want: Dump, what: string, rel = 2e-5): void {
  assertNearDump(got, want, what, rel, 1);
}

class PositionalEncoding extends nn.Module {
  dropout: InstanceType<typeof nn.Dropout>;
  declare pe: Tensor;
  constructor(dModel: number, maxLen: number, dropout = 0.1) {
    super();
    this.dropout = new nn.Dropout(dropout);
    const position = torch.arange(maxLen).unsqueeze(1);
    const divTerm = torch.exp(torch.arange(0, dModel, 2).mul(-Math.log(10000.0) / dModel));
    const pe = torch.zeros(maxLen, 1, dModel);
    pe.index(null, 0, { step: 2 }).copy_(torch.sin(position.mul(divTerm)));
    pe.index(null, 0, { start: 1, step: 2 }).copy_(torch.cos(position.mul(divTerm)));
    this.registerBuffer("pe", pe);
  }
  override forward(x: Tensor): Tensor {
    return this.dropout.forward(x.add(this.pe.index({ end: x.size(0) })));
  }
}

class TokenEmbedding extends nn.Module {
  embedding: InstanceType<typeof nn.Embedding>;
  embSize: number;
  constructor(vocabSize: number, embSize: number) {
    super();
    this.embedding = new nn.Embedding(vocabSize, embSize);
    this.embSize = embSize;
  }
  override forward(tokens: Tensor): Tensor {
    return this.embedding.forward(tokens.long()).mul(Math.sqrt(this.embSize));
  }
}

class Seq2SeqTransformer extends nn.Module {
  srcTokEmb: TokenEmbedding;
  tgtTokEmb: TokenEmbedding;
  positionalEncoding: PositionalEncoding;
  transformer: InstanceType<typeof nn.Transformer>;
  generator: InstanceType<typeof nn.Linear>;
  constructor(numEnc: number, numDec: number, embSize: number, maxLen: number, nhead: number, srcVocab: number, tgtVocab: number, dimFeedforward: number, dropout = 0.1) {
    super();
    this.srcTokEmb = new TokenEmbedding(srcVocab, embSize);
    this.tgtTokEmb = new TokenEmbedding(tgtVocab, embSize);
    this.positionalEncoding = new PositionalEncoding(embSize, maxLen, dropout);
    this.transformer = new nn.Transformer({ dModel: embSize, nhead, numEncoderLayers: numEnc, numDecoderLayers: numDec, dimFeedforward, dropout });
    this.generator = new nn.Linear(embSize, tgtVocab);
  }
  override forward(src: Tensor, trg: Tensor, srcMask: Tensor, tgtMask: Tensor, srcPaddingMask: Tensor, tgtPaddingMask: Tensor, memoryKeyPaddingMask: Tensor): Tensor {
    const srcEmb = this.positionalEncoding.forward(this.srcTokEmb.forward(src));
    const tgtEmb = this.positionalEncoding.forward(this.tgtTokEmb.forward(trg));
    const outs = this.transformer.forward(srcEmb, tgtEmb, {
      srcMask,
      tgtMask,
      memoryMask: null,
      srcKeyPaddingMask: srcPaddingMask,
      tgtKeyPaddingMask: tgtPaddingMask,
      memoryKeyPaddingMask,
    });
    return this.generator.forward(outs);
  }
  encode(src: Tensor, srcMask: Tensor): Tensor {
    return this.transformer.encoder.forward(this.positionalEncoding.forward(this.srcTokEmb.forward(src)), srcMask);
  }
  decode(tgt: Tensor, memory: Tensor, tgtMask: Tensor): Tensor {
    return this.transformer.decoder.forward(this.positionalEncoding.forward(this.tgtTokEmb.forward(tgt)), memory, tgtMask);
  }
}

const PAD_IDX = 1;
const BOS_IDX = 2;
const EOS_IDX = 3;

function generateSquareSubsequentMask(s: number): Tensor {
  const mask = torch.triu(torch.ones([s, s])).eq(1).transpose(0, 1);
  return mask.float().maskedFill(mask.eq(0), Number.NEGATIVE_INFINITY).maskedFill(mask.eq(1), 0.0);
}

function createMask(src: Tensor, tgt: Tensor): [Tensor, Tensor, Tensor, Tensor] {
  const tgtMask = generateSquareSubsequentMask(tgt.shape[0]);
  const srcMask = torch.zeros([src.shape[0], src.shape[0]]).type(torch.bool);
  return [srcMask, tgtMask, src.eq(PAD_IDX).transpose(0, 1), tgt.eq(PAD_IDX).transpose(0, 1)];
}

describe("book: Transformer translation model (examples 7.02-7.08)", () => {
  const want = fixture.seq2seq;
  torch.manualSeed(0);
  const model = new Seq2SeqTransformer(2, 2, 16, 32, 4, 11, 13, 32);

  it("builds the positional encoding by slice assignment and the causal mask with triu/maskedFill", () => {
    assertNear(model.positionalEncoding.pe.select(0, 3), want.pe, "pe[3]", 1e-6);
    assert.deepEqual(Object.keys(model.positionalEncoding.stateDict()), ["pe"]);
    assertNear(generateSquareSubsequentMask(3), want.tgtMask, "tgtMask", 0);
  });

  it("trains one step (dropout, padding masks, CrossEntropyLoss ignoreIndex, Adam) as PyTorch", () => {
    const src = torch.tensor([[2n, 2n], [5n, 7n], [6n, 4n], [3n, 9n], [1n, 3n]]);
    const tgt = torch.tensor([[2n, 2n], [4n, 8n], [3n, 5n], [1n, 3n]]);
    const targetInput = tgt.index({ end: -1 });
    const targetOutput = tgt.index({ start: 1 });
    const [srcMask, tgtMask, srcPad, tgtPad] = createMask(src, targetInput);
    const logits = model.forward(src, targetInput, srcMask, tgtMask, srcPad, tgtPad, srcPad);
    assertNear(logits, want.logits, "logits");
    const loss = new nn.CrossEntropyLoss({ ignoreIndex: PAD_IDX }).forward(logits.reshape(-1, logits.shape[2]), targetOutput.reshape(-1));
    assert.ok(Math.abs(loss.item() - want.loss) < 1e-5, `loss: expected ${want.loss}, got ${loss.item()}`);
    const optimizer = new torch.optim.Adam(model.parameters());
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    assertNear(model.generator.weight, want.generatorAfter, "generator.weight after Adam", 1e-5);
  });

  it("greedy-decodes in eval mode with the masks passed positionally", () => {
    model.eval();
    const source = torch.tensor([2n, 5n, 6n, 8n, 3n]).view(-1, 1);
    const n = source.shape[0];
    const sourceMask = torch.zeros(n, n).type(torch.bool);
    torch.noGrad(() => {
      const memory = model.encode(source, sourceMask);
      assertNear(memory, want.memory, "memory");
      let ys = torch.ones(1, 1).fill_(BOS_IDX).type(torch.long);
      for (let i = 0; i < n + 5 - 1; i++) {
        const targetMask = generateSquareSubsequentMask(ys.size(0)).type(torch.bool);
        const out = model.decode(ys, memory, targetMask).transpose(0, 1);
        const prob = model.generator.forward(out.index(null, -1));
        assertNear(prob, want.probs[i], `step ${i} logits`);
        const [, nextWord] = torch.max(prob, 1);
        const next = nextWord.item();
        ys = torch.cat([ys, torch.ones(1, 1).typeAs(source.data).fill_(next)], 0);
        if (next === EOS_IDX) break;
      }
      assert.deepEqual(ys.flatten().tolist(), want.ys);
    });
  });
});

function loadState(m: InstanceType<typeof nn.Module>, state: Record<string, Dump>): void {
  m.loadStateDict(Object.fromEntries(Object.entries(state).map(([k, v]) => [k, tensorOf(v)])));
}

describe("attention modules take their masks positionally, in PyTorch's order", () => {
  it("MultiheadAttention.forward(q, k, v, keyPaddingMask, needWeights, attnMask)", () => {
    const w = fixture.mha;
    const mha = new nn.MultiheadAttention(8, 2);
    loadState(mha, w.state);
    const q = tensorOf(w.q);
    const kv = tensorOf(w.kv);
    const kpm = torch.tensor(w.kpm);
    const attn = torch.tensor(w.attnMask);
    const [out, weights] = mha.forward(q, kv, kv, kpm, true, attn);
    assertNear(out, w.output, "output");
    assert.ok(weights !== null);
    assertNear(weights, w.weights, "weights");
    // a trailing options object stands in for the rest of the run
    const [out2] = mha.forward(q, kv, kv, kpm, { attnMask: attn });
    assertNear(out2, w.output, "output (keyPaddingMask positional, attnMask by name)");
  });

  it("TransformerEncoderLayer(src, srcMask, srcKeyPaddingMask) and TransformerDecoderLayer(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask)", () => {
    const w = fixture.layers;
    const enc = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 12, dropout: 0.0 });
    const dec = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 12, dropout: 0.0 });
    loadState(enc, w.enc);
    loadState(dec, w.dec);
    const srcKpm = torch.tensor(w.srcKpm);
    const memory = enc.forward(tensorOf(w.src), generateSquareSubsequentMask(4), srcKpm);
    assertNear(memory, w.memory, "encoder layer");
    const out = dec.forward(tensorOf(w.tgt), memory, generateSquareSubsequentMask(3), torch.tensor(w.memMask), torch.tensor(w.tgtKpm), srcKpm);
    assertNear(out, w.output, "decoder layer");
    const byName = dec.forward(tensorOf(w.tgt), memory, {
      tgtMask: generateSquareSubsequentMask(3),
      memoryMask: torch.tensor(w.memMask),
      tgtKeyPaddingMask: torch.tensor(w.tgtKpm),
      memoryKeyPaddingMask: srcKpm,
    });
    assertNear(byName, w.output, "decoder layer (options object)");
  });

  it("nn.Transformer.forward and the stacks take the same positional masks as the options", () => {
    torch.manualSeed(7);
    const t = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8, dropout: 0 });
    const src = torch.randn(4, 2, 8);
    const tgt = torch.randn(3, 2, 8);
    const tgtMask = generateSquareSubsequentMask(3);
    const srcKpm = torch.tensor([[false, false, true, true], [false, false, false, true]]);
    const byName = t.forward(src, tgt, { tgtMask, srcKeyPaddingMask: srcKpm, memoryKeyPaddingMask: srcKpm });
    const positional = t.forward(src, tgt, null, tgtMask, null, srcKpm, null, srcKpm);
    assert.deepEqual(positional.tolist(), byName.tolist());
    const unmasked = t.forward(src, tgt);
    assert.notDeepEqual(positional.tolist(), unmasked.tolist());
    const mem = t.encoder.forward(src, null, srcKpm);
    assert.deepEqual(mem.tolist(), t.encoder.forward(src, { srcKeyPaddingMask: srcKpm }).tolist());
    assert.deepEqual(t.decoder.forward(tgt, mem, tgtMask).tolist(), t.decoder.forward(tgt, mem, { tgtMask }).tolist());
  });
});
