// nn.init and default initialisation against PyTorch 1.13 (test/fixtures/nn/init.json): same seed,
// same draws, bit for bit.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { nn } from "../../src/index.js";
import { assertClose, loadFixture } from "./fixture.js";

interface InitFixture {
  cases: Array<{ name: string; dtype: string; shape: number[]; kwargs: Record<string, number | string>; values: number[] }>;
  gains: Record<string, number>;
  fans: Record<string, [number, number]>;
  defaults: Record<string, Record<string, number[]>>;
}
const fx = loadFixture<InitFixture>("init");
const { init } = nn;

const FNS: Record<string, (t: torch.Tensor, k: Record<string, number | string>) => torch.Tensor> = {
  uniform_: (t, k) => init.uniform_(t, k.a as number, k.b as number),
  normal_: (t, k) => init.normal_(t, k.mean as number, k.std as number),
  "normal_ large": (t, k) => init.normal_(t, k.mean as number, k.std as number),
  constant_: (t, k) => init.constant_(t, k.val as number),
  zeros_: (t) => init.zeros_(t),
  ones_: (t) => init.ones_(t),
  eye_: (t) => init.eye_(t),
  xavier_uniform_: (t) => init.xavierUniform_(t),
  "xavier_uniform_ gain": (t, k) => init.xavierUniform_(t, k.gain as number),
  xavier_normal_: (t) => init.xavierNormal_(t),
  kaiming_uniform_: (t) => init.kaimingUniform_(t),
  "kaiming_uniform_ a=sqrt5": (t, k) => init.kaimingUniform_(t, { a: k.a as number }),
  "kaiming_uniform_ fan_out relu": (t) => init.kaimingUniform_(t, { mode: "fan_out", nonlinearity: "relu" }),
  kaiming_normal_: (t) => init.kaimingNormal_(t),
  "kaiming_normal_ fan_out": (t) => init.kaimingNormal_(t, { mode: "fan_out" }),
  trunc_normal_: (t, k) => init.truncNormal_(t, { mean: k.mean as number, std: k.std as number, a: k.a as number, b: k.b as number }),
  // positional, in PyTorch's order, and mixed (a trailing options object for the rest)
  "trunc_normal_ positional": (t, k) => init.truncNormal_(t, k.mean as number, k.std as number, k.a as number, k.b as number),
  "trunc_normal_ mixed": (t, k) => init.truncNormal_(t, k.mean as number, { std: k.std as number, a: k.a as number, b: k.b as number }),
};

const truncCases = fx.cases.filter((c) => c.name === "trunc_normal_");
const cases = [...fx.cases, ...truncCases.map((c) => ({ ...c, name: "trunc_normal_ positional" })), ...truncCases.map((c) => ({ ...c, name: "trunc_normal_ mixed" }))];

for (const c of cases) {
  test(`nn.init ${c.name} ${c.dtype}`, () => {
    torch.manualSeed(3);
    const t = torch.empty(c.shape, { dtype: c.dtype === "float64" ? torch.float64 : torch.float32 });
    const r = FNS[c.name](t, c.kwargs);
    assert.equal(r, t, "returns the tensor");
    // erfinv (trunc_normal_) goes through libm in PyTorch: allow float rounding there, exact elsewhere.
    assertClose(t, { shape: c.shape, dtype: c.dtype, values: c.values }, c.name.startsWith("trunc_normal_") ? c.dtype : "exact", c.name);
  });
}

test("nn.init calculateGain and fans", () => {
  for (const [k, v] of Object.entries(fx.gains)) {
    const [name, param] = k.split(" ");
    assert.equal(init.calculateGain(name as nn.init.Nonlinearity, param === undefined ? undefined : Number(param)), v, k);
  }
  for (const [shape, fans] of Object.entries(fx.fans)) assert.deepEqual(init.calculateFanInAndFanOut(torch.empty(JSON.parse(shape))), fans);
});

test("nn.init does not record history on a parameter", () => {
  const p = new nn.Parameter(torch.zeros(2, 3));
  init.kaimingUniform_(p);
  assert.equal(p.gradFn, null);
  assert.equal(p.requiresGrad, true);
});

const DEFAULTS: Record<string, () => nn.Module> = {
  "Linear(5,3)": () => new nn.Linear(5, 3),
  "Bilinear(2,3,4)": () => new nn.Bilinear(2, 3, 4),
  "Embedding(4,3)": () => new nn.Embedding(4, 3),
  "PReLU(3)": () => new nn.PReLU(3),
  "BatchNorm1d(2)": () => new nn.BatchNorm1d(2),
  "LayerNorm(3)": () => new nn.LayerNorm(3),
};
for (const [name, want] of Object.entries(fx.defaults)) {
  test(`default initialisation of ${name}`, () => {
    torch.manualSeed(11);
    const sd = DEFAULTS[name]().stateDict();
    assert.deepEqual(Object.keys(sd), Object.keys(want));
    for (const [k, v] of Object.entries(want)) assertClose(Array.from(sd[k].values() as ArrayLike<number>, Number), v, "exact", k);
  });
}
