// The random parts of the rng-parity acceptance program and of DataLoader / random_split,
// reproduced with the typed-array functions against PyTorch 1.13's output.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { drawSeed, Generator, manualSeed, normal_, randint_, randperm, uniform_ } from "../../src/random/index.js";

const parity = JSON.parse(readFileSync(new URL("../fixtures/random/rng-parity.json", import.meta.url), "utf8"));
const { loaders } = JSON.parse(readFileSync(new URL("../fixtures/random/sequences.json", import.meta.url), "utf8"));

const f32 = (n: number) => new Float32Array(n);
const list = (a: ArrayLike<number>) => Array.from(a);

test("rng-parity: rand, randn (scalar and vectorised paths), randint, randperm after manual_seed(4)", () => {
  const g = manualSeed(4);
  assert.deepEqual(list(uniform_(g, f32(5), "float32")), parity.rand);
  assert.deepEqual(list(normal_(g, f32(7), "float32")), parity.randn_small);
  const large = list(normal_(g, f32(40), "float32"));
  assert.deepEqual([large.slice(0, 20), large.slice(20)], parity.randn_large);
  assert.deepEqual(list(randint_(g, new Float64Array(12), "int64", 0, 10)), parity.randint);
  assert.deepEqual(list(randperm(g, 10)), parity.randperm);
});

// nn.Linear's reset_parameters: kaiming_uniform_(a=sqrt(5)) on the weight, then the bias.
function linear(g: Generator, inF: number, outF: number): { weight: number[][]; bias: number[] } {
  const gain = Math.sqrt(2 / (1 + Math.sqrt(5) ** 2));
  const bound = Math.sqrt(3) * (gain / Math.sqrt(inF));
  const w = list(uniform_(g, f32(inF * outF), "float32", -bound, bound));
  const b = 1 / Math.sqrt(inF);
  const bias = list(uniform_(g, f32(outF), "float32", -b, b));
  return { weight: Array.from({ length: outF }, (_, r) => w.slice(r * inF, (r + 1) * inF)), bias };
}

test("rng-parity: nn.Linear initialisation draws", () => {
  const l = linear(manualSeed(4), 3, 1);
  assert.deepEqual(l.weight, parity.linear_weight);
  assert.deepEqual(l.bias, parity.linear_bias);
  const g = manualSeed(0);
  const l0 = linear(g, 2, 2);
  const l2 = linear(g, 2, 1);
  assert.deepEqual(l0.weight, parity.mlp["0.weight"]);
  assert.deepEqual(l0.bias, parity.mlp["0.bias"]);
  assert.deepEqual(l2.weight, parity.mlp["2.weight"]);
  assert.deepEqual(l2.bias, parity.mlp["2.bias"]);
});

function split(perm: ArrayLike<number>, lengths: number[]): number[][] {
  const out: number[][] = [];
  let off = 0;
  for (const len of lengths) {
    out.push(list(perm).slice(off, off + len));
    off += len;
  }
  return out;
}

test("rng-parity: random_split(range(100), [80, 10, 10], manual_seed(4)) is randperm(100) sliced", () => {
  assert.deepEqual(split(randperm(manualSeed(4), 100), [80, 10, 10]), parity.split);
});

// One epoch of DataLoader(shuffle=True) over n items as PyTorch runs it: the iterator's base seed,
// then (without a loader generator) a sampler seed from the global generator seeding a fresh
// Generator for randperm; after the last batch the sampler draws one more randperm.
function epoch(global: Generator, loaderGen: Generator | null, n: number, batch: number, dropLast: boolean): number[][] {
  drawSeed(loaderGen ?? global); // _base_seed
  const samplerGen = loaderGen ?? new Generator().manualSeed(drawSeed(global));
  const perm = list(randperm(samplerGen, n));
  const batches: number[][] = [];
  for (let i = 0; i < n; i += batch) {
    const b = perm.slice(i, i + batch);
    if (b.length === batch || !dropLast) batches.push(b);
  }
  randperm(samplerGen, n); // RandomSampler's trailing call when the epoch ends
  return batches;
}

test("rng-parity: DataLoader(shuffle=True, drop_last=True) epochs after manual_seed(7)", () => {
  const g = manualSeed(7);
  assert.deepEqual([epoch(g, null, 10, 4, true), epoch(g, null, 10, 4, true)], parity.loader);
});

test("DataLoader with the global generator: 3 epochs, then the global stream has moved 4 words per epoch", () => {
  const c = loaders.global;
  const g = manualSeed(c.seed);
  const epochs = [0, 1, 2].map(() => epoch(g, null, c.n, c.batchSize, false));
  assert.deepEqual(epochs, c.epochs);
  assert.deepEqual(list(uniform_(g, f32(2), "float32")), c.randAfter);
});

test("DataLoader with an explicit generator: epochs, then both generators' positions", () => {
  const c = loaders.explicit;
  const global = manualSeed(c.globalSeed);
  const g = new Generator().manualSeed(c.generatorSeed);
  const epochs = [0, 1].map(() => epoch(global, g, c.n, c.batchSize, false));
  assert.deepEqual(epochs, c.epochs);
  assert.deepEqual(list(uniform_(g, f32(2), "float32")), c.randAfterGenerator);
  assert.deepEqual(list(uniform_(global, f32(2), "float32")), c.randAfterGlobal);
});

test("random_split with fractions: floor, remainder round-robin, then randperm(n, generator)", () => {
  const c = loaders.splitFractions;
  const lengths = c.fractions.map((f: number) => Math.floor(c.n * f));
  let rest = c.n - lengths.reduce((a: number, b: number) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % lengths.length, rest--) lengths[i]++;
  assert.deepEqual(split(randperm(new Generator().manualSeed(c.generatorSeed), c.n), lengths), c.parts);
});

test("rng-parity: torch.Generator().manual_seed(123) then rand(3)", () => {
  assert.deepEqual(list(uniform_(new Generator().manualSeed(123), f32(3), "float32")), parity.generator_rand);
});

test("drawSeed is int64 random_(): random64() mod 2**63, exact", () => {
  const g = new Generator().manualSeed(4);
  const w = [g.random(), g.random()];
  const expected = ((BigInt(w[0]) << 32n) | BigInt(w[1])) & ((1n << 63n) - 1n);
  assert.equal(drawSeed(new Generator().manualSeed(4)), expected);
});
