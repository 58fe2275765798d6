// Generator seeding, the state byte layout of torch.get_rng_state(), and restoring PyTorch's states.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  DEFAULT_RNG_SEED,
  defaultGenerator,
  Generator,
  getRngState,
  initialSeed,
  LEGACY_STATE_SIZE,
  manualSeed,
  normal_,
  STATE_SIZE,
  seed,
  setRngState,
  uniform_,
} from "../../src/random/index.js";
import { float32 } from "../../src/tensor/dtype.js";
import { Tensor } from "../../src/tensor/tensor.js";

interface StateCase {
  name: string;
  state: string;
  initialSeed?: string;
  after: number[][];
}
const doc = JSON.parse(readFileSync(new URL("../fixtures/random/sequences.json", import.meta.url), "utf8")) as {
  states: StateCase[];
};

const fromBase64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));

test("state sizes are PyTorch's: 5056 bytes, 5048 for the legacy layout", () => {
  assert.equal(STATE_SIZE, 5056);
  assert.equal(LEGACY_STATE_SIZE, 5048);
  assert.equal(new Generator().getStateBytes().length, 5056);
});

for (const c of doc.states) {
  test(`setState restores PyTorch's state "${c.name}" and draws what PyTorch drew`, () => {
    const bytes = fromBase64(c.state);
    const g = new Generator().manualSeed(99).setState(bytes);
    if (bytes.length === STATE_SIZE) assert.deepEqual(g.getStateBytes(), bytes, "getState returns the same bytes");
    if (c.initialSeed) assert.equal(String(g.initialSeed()), c.initialSeed);
    if (c.name === "legacy layout") {
      const [n64, r32] = c.after;
      assert.deepEqual(Array.from(normal_(g, new Float64Array(2), "float64")), n64);
      assert.deepEqual(Array.from(uniform_(g, new Float32Array(2), "float32")), r32);
      return;
    }
    const [n32, r64, n1] = c.after;
    if (c.name === "Generator() default") {
      const fresh = new Generator();
      assert.deepEqual(fresh.getStateBytes(), bytes, "new Generator() has PyTorch's default state");
      assert.deepEqual(Array.from(uniform_(fresh, new Float32Array(4), "float32")), n32);
      return;
    }
    assert.deepEqual(Array.from(normal_(g, new Float32Array(3), "float32")), n32);
    assert.deepEqual(Array.from(uniform_(g, new Float64Array(2), "float64")), r64);
    assert.deepEqual(Array.from(normal_(g, new Float32Array(1), "float32")), n1);
  });
}

test("getState/setState round trip inside kindling, including the cached normal", () => {
  const a = new Generator().manualSeed(5);
  normal_(a, new Float32Array(3), "float32"); // leaves a cached normal
  uniform_(a, new Float32Array(1000), "float32");
  const saved = a.getStateBytes();
  const expected = normal_(a, new Float64Array(5), "float64");
  const b = new Generator().setState(saved);
  assert.deepEqual(normal_(b, new Float64Array(5), "float64"), expected);
  assert.deepEqual(b.getStateBytes(), a.getStateBytes());
  assert.equal(b.initialSeed(), 5);
});

test("setState rejects wrong sizes and invalid engine states with PyTorch's messages", () => {
  const g = new Generator();
  assert.throws(
    () => g.setState(new Uint8Array(10)),
    /Expected either a CPUGeneratorImplStateLegacy of size 5048 or a CPUGeneratorImplState of size 5056 but found the input RNG state size to be 10/,
  );
  const bad = g.getStateBytes();
  new DataView(bad.buffer).setInt32(8, 0, true); // left = 0
  assert.throws(() => g.setState(bad), /Invalid mt19937 state/);
});

test("manualSeed takes the seed as uint64: negatives wrap, only the low 32 bits reach the engine", () => {
  const g = new Generator();
  assert.equal(g.manualSeed(-1).initialSeed(), 18446744073709551615n);
  assert.equal(g.manualSeed(2n ** 63n - 1n).initialSeed(), 9223372036854775807n);
  assert.equal(g.manualSeed(42).initialSeed(), 42);
  assert.equal(g.manualSeed(2 ** 53).initialSeed(), 9007199254740992n);
  assert.equal(g.manualSeed(2 ** 53 - 1).initialSeed(), 2 ** 53 - 1);
  const a = uniform_(new Generator().manualSeed(2 ** 32 + 5), new Float32Array(8), "float32");
  const b = uniform_(new Generator().manualSeed(5), new Float32Array(8), "float32");
  assert.deepEqual(a, b);
  assert.throws(() => g.manualSeed(2n ** 64n), /Overflow when unpacking long/);
  assert.throws(() => g.manualSeed(-(2n ** 63n) - 1n), /Overflow when unpacking long/);
  assert.throws(() => g.manualSeed(Number.NaN), TypeError);
  assert.equal(g.manualSeed(3.7).initialSeed(), 3, "int(seed) truncates, as torch.manual_seed");
});

test("new Generator() uses PyTorch's default seed 67280421310721", () => {
  assert.equal(DEFAULT_RNG_SEED, 67280421310721);
  assert.equal(new Generator().initialSeed(), 67280421310721);
});

test("manualSeed clears the cached normal", () => {
  const g = new Generator().manualSeed(4);
  const first = normal_(g, new Float64Array(1), "float64")[0];
  g.manualSeed(4);
  normal_(g, new Float64Array(3), "float64"); // caches a value
  g.manualSeed(4);
  assert.equal(normal_(g, new Float64Array(1), "float64")[0], first);
});

test("the default generator: manualSeed returns it, seed() reseeds with a number, state helpers", () => {
  assert.equal(manualSeed(7), defaultGenerator);
  assert.equal(initialSeed(), 7);
  const saved = getRngState();
  const a = uniform_(defaultGenerator, new Float32Array(4), "float32");
  setRngState(saved);
  assert.deepEqual(uniform_(defaultGenerator, new Float32Array(4), "float32"), a);
  const s = seed();
  assert.equal(typeof s, "number");
  assert.ok(Number.isSafeInteger(s) && s >= 0);
  assert.equal(initialSeed(), s);
});

test("getState gives PyTorch's uint8 state tensor, and setState takes it back", () => {
  const g = new Generator().manualSeed(7);
  const state = g.getState();
  assert.equal(String(state.dtype), "torch.uint8");
  assert.deepEqual(state.shape, [5056]);
  const first = g.random();
  g.setState(state);
  assert.equal(g.random(), first);
  assert.throws(() => g.setState(Tensor.make([5056], float32)), /expected a torch.ByteTensor/);
});
