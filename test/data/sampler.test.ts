import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { data } from "../../src/index.js";
import { after, fixture } from "./fixture.js";

interface SamplerCase {
  kind: "random" | "subset" | "weighted" | "batch";
  seed?: number;
  generatorSeed?: number;
  n?: number;
  replacement?: boolean;
  numSamples?: number;
  indices?: number[];
  weights?: number[];
  batchSize?: number;
  dropLast?: boolean;
  length?: number;
  epochs: number[][] | number[][][];
  globalAfter?: number[];
  generatorAfter?: number[];
}

const range = (n: number) => ({ length: n });

function makeSampler(c: SamplerCase, gen: torch.Generator | undefined): data.Sampler<number> | data.Sampler<number[]> {
  switch (c.kind) {
    case "random":
      return new data.RandomSampler(range(c.n as number), { generator: gen, replacement: c.replacement, numSamples: c.numSamples });
    case "subset":
      return new data.SubsetRandomSampler(c.indices as number[], gen);
    case "weighted":
      return new data.WeightedRandomSampler(c.weights as number[], c.numSamples as number, c.replacement, gen);
    case "batch":
      return new data.BatchSampler(new data.SequentialSampler(range(c.n as number)), c.batchSize as number, c.dropLast as boolean);
  }
}

test("samplers: RandomSampler, SubsetRandomSampler, WeightedRandomSampler and BatchSampler yield PyTorch's indices", () => {
  const cases = fixture.samplers as SamplerCase[];
  const kinds = new Set<string>();
  for (const c of cases) {
    if (c.seed !== undefined) torch.manualSeed(c.seed);
    const gen = c.generatorSeed !== undefined ? new torch.Generator().manualSeed(c.generatorSeed) : undefined;
    const sampler = makeSampler(c, gen);
    const where = JSON.stringify({ ...c, epochs: undefined, globalAfter: undefined, generatorAfter: undefined });
    const epochs = c.epochs.map(() => [...(sampler as Iterable<unknown>)]);
    assert.deepEqual(epochs, c.epochs, where);
    if (c.length !== undefined) assert.equal((sampler as data.BatchSampler).length, c.length, where);
    if (c.globalAfter) assert.deepEqual(after(), c.globalAfter, `${where}: default generator position`);
    if (c.generatorAfter) assert.deepEqual(after(gen), c.generatorAfter, `${where}: generator position`);
    kinds.add(c.kind);
  }
  assert.deepEqual([...kinds].sort(), ["batch", "random", "subset", "weighted"]);
  assert.ok(cases.length > 150);
});

test("samplers: draws start at the first next(), not when the iterator is made", () => {
  torch.manualSeed(3);
  const sampler = new data.RandomSampler(range(5));
  const it = sampler[Symbol.iterator]();
  const before = torch.getRngState();
  assert.deepEqual(torch.getRngState(), before);
  it.next();
  assert.notDeepEqual(torch.getRngState(), before);
});

test("samplers: a BatchSampler over random samplers groups their indices and draws as they do, chunk borders included", () => {
  const inner = (seed: number, replacement: boolean, numSamples: number) =>
    new data.RandomSampler(range(5), { generator: new torch.Generator().manualSeed(seed), replacement, numSamples });
  for (const replacement of [false, true]) {
    for (const numSamples of [3, 5, 12, 40, 70]) {
      for (const batchSize of [1, 4, 5, 7, 64]) {
        for (const dropLast of [false, true]) {
          const where = `replacement ${replacement}, numSamples ${numSamples}, batchSize ${batchSize}, dropLast ${dropLast}`;
          const plain = inner(1, replacement, numSamples);
          const flat = [...plain];
          const expected: number[][] = [];
          for (let i = 0; i < flat.length; i += batchSize) expected.push(flat.slice(i, i + batchSize));
          if (dropLast && expected.length > 0 && expected[expected.length - 1].length < batchSize) expected.pop();
          const batched = new data.BatchSampler(inner(1, replacement, numSamples), batchSize, dropLast);
          assert.deepEqual([...batched], expected, where);
          // Both generators drew the same words: the next draw agrees.
          assert.equal(batched.sampler instanceof data.RandomSampler && batched.sampler.generator!.initialSeed(), 1, where);
          assert.deepEqual(
            torch.rand(2, { generator: (batched.sampler as data.RandomSampler).generator }).tolist(),
            torch.rand(2, { generator: plain.generator }).tolist(),
            where,
          );
        }
      }
    }
  }
});

test("samplers: RandomSampler without a generator seeds each pass from the default generator, passes run one after another or side by side", () => {
  // What each pass must yield: a generator seeded with drawSeed(default) when the pass starts,
  // randperm(n) from it, numSamples at a time (numSamples 7 of n 5: one whole permutation, then
  // two entries of another); with replacement, randint(0, n) 32 at a time.
  const expected = (n: number, numSamples: number, replacement: boolean): number[] => {
    const gen = new torch.Generator(torch.random.drawSeed(torch.random.defaultGenerator));
    if (replacement) return Array.from(torch.random.randint_(gen, new Float64Array(numSamples), "int64", 0, n));
    const out: number[] = [];
    while (out.length < numSamples) out.push(...Array.from(torch.random.randperm(gen, n)).slice(0, numSamples - out.length));
    return out;
  };
  for (const [n, numSamples, replacement] of [[5, 5, false], [5, 7, false], [6, 3, false], [4, 10, true]] as const) {
    const sampler = new data.RandomSampler(range(n), { numSamples, replacement });
    torch.manualSeed(21);
    const passes = [0, 1, 2].map(() => [...sampler]);
    torch.manualSeed(21);
    assert.deepEqual(passes, [0, 1, 2].map(() => expected(n, numSamples, replacement)), `n ${n}, numSamples ${numSamples}`);
    // Side by side: b starts (and seeds) while a is running, a third pass after both ended.
    torch.manualSeed(22);
    const a = sampler[Symbol.iterator]();
    const got: number[][] = [[a.next().value as number]];
    const b = sampler[Symbol.iterator]();
    got.push([b.next().value as number]);
    for (let r = a.next(); !r.done; r = a.next()) got[0].push(r.value);
    for (let r = b.next(); !r.done; r = b.next()) got[1].push(r.value);
    got.push([...sampler]);
    torch.manualSeed(22);
    assert.deepEqual(got, [0, 1, 2].map(() => expected(n, numSamples, replacement)), `side by side: n ${n}, numSamples ${numSamples}`);
  }
});

test("samplers: PyTorch's argument errors", () => {
  assert.throws(() => new data.RandomSampler(range(0)), { message: "numSamples should be a positive integer value, but got numSamples=0" });
  assert.throws(() => new data.RandomSampler(range(3), { numSamples: 1.5 }), /numSamples should be a positive integer/);
  assert.throws(() => new data.BatchSampler([0, 1], 0, false), { message: "batchSize should be a positive integer value, but got batchSize=0" });
  assert.throws(() => new data.WeightedRandomSampler([1, 2], 0), /numSamples should be a positive integer/);
  assert.throws(() => new data.WeightedRandomSampler(torch.ones(2, 2), 1), { message: "weights should be a 1d sequence but given weights have shape (2, 2)" });
  // a plain array is a sampler too, and a BatchSampler needs its length only for its own length
  assert.deepEqual([...new data.BatchSampler([4, 5, 6], 2, false)], [[4, 5], [6]]);
  assert.equal(new data.BatchSampler([4, 5, 6], 2, true).length, 1);
  const noLength = { *[Symbol.iterator]() { yield 1; } };
  assert.throws(() => new data.BatchSampler(noLength, 2, false).length, /has no len\(\)/);
});
