// Issue 12's fidelity checks against PyTorch (scripts/fixtures/fidelity.py): legacy constructors,
// dtype inference from mixed data, integer division by zero, int64 overflow, type errors,
// duplicate permute dims, allocation failures, .grad assignment, a DataLoader over an array, and
// BCE's target range (PyTorch 2.x's check; 1.13 computed a value).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { nn } from "../../src/index.js";

type Result =
  | { error: string; message: string }
  | { dtype: string; shape: number[]; values: Array<number | boolean | string> }
  | { list: Result[] }
  | { value: unknown };

const NON_FINITE: Record<string, number> = { inf: Number.POSITIVE_INFINITY, "-inf": Number.NEGATIVE_INFINITY, nan: Number.NaN };
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "fidelity", "fidelity.json"), "utf8"), (_k, v) =>
  typeof v === "string" && v in NON_FINITE ? NON_FINITE[v] : v,
) as { cases: Record<string, Result> };

const p = new nn.Parameter(torch.ones(2));
function setGrad(g: torch.Tensor): torch.Tensor | null {
  p.grad = g;
  return p.grad;
}

// Each case as a kindling program: Python ints are BigInts here, Python floats numbers.
const CASES: Record<string, () => unknown> = {
  "FloatTensor([1, 2])": () => torch.FloatTensor([1, 2]),
  "FloatTensor([[1, 2], [3, 4]])": () => new torch.FloatTensor([[1, 2], [3, 4]]),
  "DoubleTensor([1.5, 2])": () => torch.DoubleTensor([1.5, 2]),
  "LongTensor([1.7, -1.7, 2.5])": () => torch.LongTensor([1.7, -1.7, 2.5]),
  "IntTensor([1.7, -1.7])": () => torch.IntTensor([1.7, -1.7]),
  "BoolTensor([0, 2, 0.5])": () => torch.BoolTensor([0, 2, 0.5]),
  "Tensor([1, 2])": () => new torch.Tensor([1, 2]),
  "Tensor(2, 3)": () => new torch.Tensor(2, 3),
  "LongTensor(3)": () => torch.LongTensor(3),
  "tensor([1, 2.5])": () => torch.tensor([1n, 2.5]),
  "tensor([[1, 2], [3.5, 4]])": () => torch.tensor([[1n, 2n], [3.5, 4n]]),
  "tensor([True, 1])": () => torch.tensor([true, 1n]),
  "tensor([True, 1.5])": () => torch.tensor([true, 1.5]),
  "tensor([2**70])": () => torch.tensor([2n ** 70n]),
  "tensor([-2**63])": () => torch.tensor([-(2n ** 63n)]),
  "tensor([1e20], int64)": () => torch.tensor([1e20], { dtype: torch.int64 }),
  "tensor([3e9], int32)": () => torch.tensor([3e9], { dtype: torch.int32 }),
  "div floor int by 0": () => torch.div(torch.tensor([1n]), torch.tensor([0n]), { roundingMode: "floor" }),
  "div trunc int by 0": () => torch.div(torch.tensor([1n, 2n]), torch.tensor([2n, 0n]), { roundingMode: "trunc" }),
  "floor_divide int by 0": () => torch.floorDivide(torch.tensor([1n]), torch.tensor([0n])),
  "remainder int by 0": () => torch.remainder(torch.tensor([1n]), torch.tensor([0n])),
  "remainder int by scalar 0": () => torch.remainder(torch.tensor([1n]), 0),
  "fmod int by 0": () => torch.fmod(torch.tensor([5n]), torch.tensor([0n])),
  "div int by 0 (true division)": () => torch.div(torch.tensor([1n]), torch.tensor([0n])),
  "div floor float by 0": () => torch.div(torch.tensor([1, -1]), torch.tensor([0, 0]), { roundingMode: "floor" }),
  "remainder int by 3": () => torch.remainder(torch.tensor([-7n, 7n]), torch.tensor([3n, -3n])),
  "ones(2).add('a')": () => torch.ones(2).add("a" as never),
  "linear(None)": () => new nn.Linear(2, 1).forward(null as never),
  "linear([[1, 2]])": () => new nn.Linear(2, 1).forward([[1, 2]] as never),
  "relu([[1, 2]])": () => torch.relu([[1, 2]] as never),
  "permute(0, 0)": () => torch.ones(2, 2).permute(0, 0),
  "zeros(1e10)": () => torch.zeros(1e10),
  "grad float64 on float32": () => setGrad(torch.ones(2, { dtype: torch.float64 })),
  "grad of size 3 on size 2": () => setGrad(torch.ones(3)),
  "grad int64 on float32": () => setGrad(torch.ones(2, { dtype: torch.int64 })),
  "grad matching": () => setGrad(torch.full([2], 3)),
  "DataLoader([1, 2, 3], batch_size=2)": () => [...new torch.utils.data.DataLoader([1n, 2n, 3n], { batchSize: 2 })],
  "DataLoader([1.5, 2.5, 3.5], batch_size=2)": () => [...new torch.utils.data.DataLoader([1.5, 2.5, 3.5], { batchSize: 2 })],
};

// Where kindling's message says more than PyTorch's (JavaScript's type names), it starts with PyTorch's up to this point.
const PREFIX: Record<string, string> = {
  "ones(2).add('a')": "add(): argument 'other' (position 1) must be Tensor",
  "linear(None)": "linear(): argument 'input' (position 1) must be Tensor",
  "linear([[1, 2]])": "linear(): argument 'input' (position 1) must be Tensor",
  "relu([[1, 2]])": "relu(): argument 'input' (position 1) must be Tensor",
  "zeros(1e10)": "DefaultCPUAllocator: can't allocate memory: you tried to allocate 40000000000 bytes.",
};

function check(got: () => unknown, want: Result, name: string): void {
  if ("error" in want) {
    let err: unknown = null;
    try {
      got();
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof Error, `${name}: expected PyTorch's ${want.error} "${want.message}", got a result`);
    const prefix = PREFIX[name];
    if (prefix) assert.ok(err.message.startsWith(prefix), `${name}: "${err.message}" should start with "${prefix}"`);
    else assert.equal(err.message, want.message, name);
    if (want.error === "TypeError") assert.ok(err instanceof TypeError, `${name}: a TypeError`);
    return;
  }
  checkValue(got(), want, name);
}

function checkValue(v: unknown, want: Result, name: string): void {
  if ("list" in want) {
    assert.ok(Array.isArray(v), `${name}: expected a list`);
    assert.equal(v.length, want.list.length, `${name}: length`);
    want.list.forEach((w, i) => {
      checkValue(v[i], w, `${name}[${i}]`);
    });
    return;
  }
  assert.ok("dtype" in want);
  assert.ok(v instanceof torch.Tensor, `${name}: expected a tensor`);
  assert.equal(String(v.dtype), `torch.${want.dtype}`, `${name}: dtype`);
  assert.deepEqual(v.shape, want.shape, `${name}: shape`);
  assert.deepEqual(v.reshape(-1).tolist(), want.values, `${name}: values`);
}

for (const [name, want] of Object.entries(fixture.cases)) {
  if (name === "bce target 2") continue;
  test(`as PyTorch: ${name}`, () => {
    const f = CASES[name];
    assert.ok(f, `no kindling program for fixture case ${name}`);
    check(f, want, name);
  });
}

test("BCELoss: a target outside [0, 1] is an error, as in PyTorch 2.x (1.13 computed a value)", () => {
  assert.ok("values" in fixture.cases["bce target 2"], "1.13 gives a value");
  for (const dtype of [torch.float32, torch.float64]) {
    const x = torch.tensor([0.5, 0.25], { dtype });
    for (const bad of [2, -0.5, Number.NaN]) {
      assert.throws(() => new nn.BCELoss().forward(x, torch.tensor([0, bad], { dtype })), /^RangeError: all elements of target should be between 0 and 1$/);
    }
    // In range, including the ends: the value PyTorch gives (ln 2 for 0.5 against any target).
    assert.equal(torch.nn.functional.binaryCrossEntropy(torch.tensor([0.5], { dtype }), torch.tensor([1], { dtype })).item(), dtype === torch.float32 ? Math.fround(Math.LN2) : Math.LN2);
  }
});

test("legacy constructors: instanceof tests the dtype; new and plain calls agree; bad arguments say what to use", () => {
  assert.ok(torch.LongTensor([1]) instanceof torch.LongTensor);
  assert.ok(!(torch.tensor([1]) instanceof torch.LongTensor));
  assert.ok(torch.tensor([1]) instanceof torch.FloatTensor);
  assert.ok(new torch.Tensor([1]) instanceof torch.Tensor);
  assert.deepEqual(new torch.DoubleTensor([[1, 2]]).tolist(), torch.DoubleTensor([[1, 2]]).tolist());
  assert.throws(() => new torch.Tensor("abc" as never), /torch\.tensor\(data/);
  assert.throws(() => torch.FloatTensor(2, -1), /non-negative ints/);
});

test("a BigInt an int64 stored as float64 cannot hold exactly is an error, not a rounded value", () => {
  assert.equal(torch.tensor([2n ** 53n]).item(), 2 ** 53);
  assert.equal(torch.tensor([-(2n ** 53n)]).item(), -(2 ** 53));
  assert.throws(() => torch.tensor([2n ** 53n + 1n]), /cannot be held exactly/);
  assert.throws(() => torch.tensor([[1n], [2n ** 60n + 1n]]), /cannot be held exactly/);
  // As a float, the nearest float is what PyTorch gives too.
  assert.equal(torch.tensor([2n ** 53n + 1n], { dtype: torch.float64 }).item(), 2 ** 53);
});

test("the gradient engine and optimizers still assign matching gradients; a matching .grad is kept as given", () => {
  const w = torch.ones(2, 3, { requiresGrad: true });
  w.mul(2).sum().backward();
  assert.deepEqual(w.grad!.tolist(), [[2, 2, 2], [2, 2, 2]]);
  w.grad = null;
  assert.equal(w.grad, null);
  assert.throws(() => {
    w.grad = torch.ones(3, 2);
  }, /^RangeError: assigned grad has data of a different size$/);
});
