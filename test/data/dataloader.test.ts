import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { data } from "../../src/index.js";
import { after, fixture } from "./fixture.js";

interface LoaderCase {
  seed: number;
  generatorSeed?: number;
  n: number;
  batchSize: number;
  dropLast: boolean;
  shuffle: boolean;
  length: number;
  epochs: number[][][];
  between?: number[][];
  globalAfter: number[];
  generatorAfter?: number[];
}

test("DataLoader: shuffled batches over 3 epochs, other draws between epochs, as PyTorch's", () => {
  const cases = fixture.loaders.cases as LoaderCase[];
  for (const c of cases) {
    torch.manualSeed(c.seed);
    const generator = c.generatorSeed !== undefined ? new torch.Generator().manualSeed(c.generatorSeed) : undefined;
    const loader = new data.DataLoader(new data.TensorDataset(torch.arange(c.n)), {
      batchSize: c.batchSize,
      shuffle: c.shuffle,
      dropLast: c.dropLast,
      generator,
    });
    const where = `seed ${c.seed} gen ${c.generatorSeed} n=${c.n} batch ${c.batchSize} dropLast ${c.dropLast} shuffle ${c.shuffle}`;
    assert.equal(loader.length, c.length, where);
    const epochs: number[][][] = [];
    const between: number[][] = [];
    for (let e = 0; e < c.epochs.length; e++) {
      const batches: number[][] = [];
      for (const [xb] of loader) {
        assert.equal(xb.dtype, torch.int64);
        batches.push(xb.tolist() as number[]);
      }
      epochs.push(batches);
      if (c.between) between.push(torch.rand(1).tolist() as number[]);
    }
    assert.deepEqual(epochs, c.epochs, where);
    if (c.between) assert.deepEqual(between, c.between, where);
    assert.deepEqual(after(), c.globalAfter, `${where}: default generator position`);
    if (generator) assert.deepEqual(after(generator), c.generatorAfter, `${where}: generator position`);
  }
  assert.ok(cases.length > 80);
});

test("DataLoader: an epoch left after one batch skips the sampler's last draw", () => {
  const c = fixture.loaders.abandoned;
  torch.manualSeed(c.seed);
  const loader = new data.DataLoader(new data.TensorDataset(torch.arange(c.n)), { batchSize: c.batchSize, shuffle: true });
  const first: number[][] = [];
  for (let e = 0; e < 2; e++) {
    for (const [xb] of loader) {
      first.push(xb.tolist() as number[]);
      break;
    }
  }
  assert.deepEqual(first, c.firstBatches);
  assert.deepEqual(after(), c.globalAfter);
});

test("DataLoader: batchSize null yields samples one at a time, converted not collated", () => {
  const c = fixture.loaders.unbatched;
  torch.manualSeed(c.seed);
  const loader = new data.DataLoader(new data.TensorDataset(torch.arange(c.n)), { batchSize: null, shuffle: true });
  assert.equal(loader.length, c.length);
  const epochs = [0, 1].map(() => [...loader].map((sample) => (sample as unknown as torch.Tensor[]).map((t) => t.tolist())));
  assert.deepEqual(epochs, c.epochs);
  assert.deepEqual(after(), c.globalAfter);
});

test("DataLoader: the acceptance loader (rng-parity) and typed destructuring", () => {
  torch.manualSeed(7);
  const loader = new data.DataLoader(new data.TensorDataset(torch.arange(10)), { batchSize: 4, shuffle: true, dropLast: true });
  const epochs = [0, 1].map(() => {
    const out: number[][] = [];
    for (const [xb] of loader) out.push(xb.tolist() as number[]);
    return out;
  });
  assert.deepEqual(epochs, [
    [[3, 2, 7, 8], [6, 1, 5, 9]],
    [[1, 3, 5, 2], [8, 9, 6, 7]],
  ]);
  assert.equal(loader.length, 2);
});

class Pairs extends data.Dataset<[torch.Tensor, torch.Tensor]> {
  getItem(index: number): [torch.Tensor, torch.Tensor] {
    return [torch.tensor([index, -index], { dtype: torch.float32 }), torch.tensor([index % 2], { dtype: torch.float32 })];
  }
  get length(): number {
    return 5;
  }
}

test("DataLoader: a Dataset subclass of [x, y] pairs gives stacked float32 batches", () => {
  const loader = new data.DataLoader(new Pairs(), { batchSize: 2 });
  const batches = [...loader];
  assert.equal(batches.length, 3);
  assert.equal(loader.length, 3);
  const [x, y] = batches[2];
  assert.deepEqual(x.shape, [1, 2]);
  assert.deepEqual(batches[0][0].tolist(), [[0, -0], [1, -1]]);
  assert.deepEqual(batches[1][1].tolist(), [[0], [1]]);
  assert.equal(y.dtype, torch.float32);
  assert.equal(new data.DataLoader(new Pairs(), { batchSize: 2, dropLast: true }).length, 2);
});

test("DataLoader: custom sampler, batchSampler and collateFn", () => {
  const ds = new data.TensorDataset(torch.arange(10).mul(10));
  const viaSampler = new data.DataLoader(ds, { sampler: [9, 0, 4], batchSize: 2 });
  assert.deepEqual([...viaSampler].map(([x]) => x.tolist()), [[90, 0], [40]]);
  const viaBatches = new data.DataLoader(ds, { batchSampler: [[1, 2, 3], [7]] });
  assert.deepEqual([...viaBatches].map(([x]) => x.tolist()), [[10, 20, 30], [70]]);
  assert.equal(viaBatches.length, 2);
  const summed = new data.DataLoader(ds, { batchSize: 4, collateFn: (batch) => batch.reduce((s, [x]) => s + x.item(), 0) });
  assert.deepEqual([...summed], [60, 220, 170]);
});

test("DataLoader: the option conflicts PyTorch rejects", () => {
  const ds = new data.TensorDataset(torch.arange(4));
  assert.throws(() => new data.DataLoader(ds, { sampler: [0], shuffle: true }), { message: "sampler option is mutually exclusive with shuffle" });
  assert.throws(() => new data.DataLoader(ds, { batchSampler: [[0]], batchSize: 2 }), /batchSampler option is mutually exclusive/);
  assert.throws(() => new data.DataLoader(ds, { batchSampler: [[0]], dropLast: true }), /batchSampler option is mutually exclusive/);
  assert.throws(() => new data.DataLoader(ds, { batchSize: null, dropLast: true }), /mutually exclusive with dropLast/);
  assert.throws(() => new data.DataLoader(ds, { batchSize: 0 }), /batchSize should be a positive integer value/);
  assert.throws(() => new data.DataLoader(new data.TensorDataset(torch.zeros(0)), { shuffle: true }), /numSamples should be a positive integer/);
});

class Countdown extends data.IterableDataset<number> {
  constructor(private readonly from: number) {
    super();
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let i = this.from; i > 0; i--) yield i;
  }
  get length(): number {
    return this.from;
  }
}

test("DataLoader: iterable datasets are read in order, batched, with dropLast", () => {
  const loader = new data.DataLoader(new Countdown(5), { batchSize: 2 });
  assert.deepEqual([...loader].map((b) => b.tolist()), [[5, 4], [3, 2], [1]]);
  assert.equal(loader.length, 3);
  const dropped = new data.DataLoader(new Countdown(5), { batchSize: 2, dropLast: true });
  assert.deepEqual([...dropped].map((b) => b.tolist()), [[5, 4], [3, 2]]);
  assert.equal(dropped.length, 2);
  assert.deepEqual([...new data.DataLoader(new Countdown(3), { batchSize: null })], [3, 2, 1]);
  assert.throws(() => new data.DataLoader(new Countdown(3), { shuffle: true }), /expected unspecified shuffle option/);
  // each epoch draws a base seed, from the generator when there is one
  const g = new torch.Generator().manualSeed(1);
  const before = g.getStateBytes();
  [...new data.DataLoader(new Countdown(3), { generator: g })];
  assert.notDeepEqual(g.getStateBytes(), before);
});
