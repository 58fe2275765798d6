import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { type DTypeName, dtypes, float32, float64, int64, setDefaultDtype } from "../../src/tensor/dtype.js";
import { formatTensor } from "../../src/tensor/format.js";
import { getPrintoptions, setPrintoptions } from "../../src/tensor/print-options.js";
import { formatExponential, formatFixed } from "../../src/tensor/python-format.js";

interface Case {
  name: string;
  shape: number[];
  dtype: DTypeName;
  values: (number | string)[];
  extras: { gradFn?: string; requiresGrad?: boolean; device?: string };
  options: { precision: number; threshold: number | "inf"; edgeitems: number; linewidth: number; sciMode: boolean | null };
  defaultDtype?: DTypeName;
  expected: string;
}

const fixture = JSON.parse(readFileSync(new URL("../fixtures/format/cases.json", import.meta.url), "utf8")) as {
  cases: Case[];
};

function decode(v: number | string): number {
  if (typeof v === "number") return v;
  if (v === "nan") return Number.NaN;
  if (v === "inf") return Number.POSITIVE_INFINITY;
  if (v === "-inf") return Number.NEGATIVE_INFINITY;
  throw new Error(`bad fixture value ${v}`);
}

test(`formatTensor matches PyTorch's str(tensor) in all ${fixture.cases.length} fixture cases`, async (t) => {
  assert.ok(fixture.cases.length > 100);
  for (const c of fixture.cases) {
    await t.test(c.name, () => {
      const o = c.options;
      setPrintoptions({
        precision: o.precision,
        threshold: o.threshold === "inf" ? Number.POSITIVE_INFINITY : o.threshold,
        edgeitems: o.edgeitems,
        linewidth: o.linewidth,
        sciMode: o.sciMode,
      });
      if (c.defaultDtype) setDefaultDtype(dtypes[c.defaultDtype]);
      try {
        const dtype = dtypes[c.dtype];
        const values = new dtype.ArrayType(c.values.map(decode));
        assert.equal(formatTensor(values, c.shape, dtype, c.extras), c.expected);
      } finally {
        setDefaultDtype(float32);
        setPrintoptions({ profile: "default" });
      }
    });
  }
});

test("formatTensor accepts plain number arrays and rounds float32 input to float32", () => {
  // 0.1 as a double prints the same, but 1/3 stored as float32 is 0.3333333432674408
  assert.equal(formatTensor([0.1, 1 / 3], [2], float32, {}), "tensor([0.1000, 0.3333])");
  assert.equal(formatTensor([1, 2], [2], int64, { requiresGrad: false }), "tensor([1, 2])");
  assert.equal(formatTensor([1.5], [], float64, { requiresGrad: true }), "tensor(1.5000, dtype=torch.float64, requires_grad=True)");
});

test("a grad_fn hides requires_grad=True, as PyTorch prints it", () => {
  assert.equal(
    formatTensor([0.6565, 0.6732], [1, 2], float32, { gradFn: "SigmoidBackward0", requiresGrad: true }),
    "tensor([[0.6565, 0.6732]], grad_fn=<SigmoidBackward0>)",
  );
});

test("setPrintoptions: profiles, and every call resets sciMode like torch.set_printoptions", () => {
  try {
    setPrintoptions({ profile: "short" });
    assert.deepEqual(getPrintoptions(), { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80, sciMode: null });
    setPrintoptions({ profile: "full", linewidth: 120, sciMode: true });
    assert.deepEqual(getPrintoptions(), {
      precision: 4,
      threshold: Number.POSITIVE_INFINITY,
      edgeitems: 3,
      linewidth: 120,
      sciMode: true,
    });
    setPrintoptions({ precision: 3 });
    assert.equal(getPrintoptions().sciMode, null);
    assert.equal(getPrintoptions().precision, 3);
    assert.equal(getPrintoptions().linewidth, 120);
    const copy = getPrintoptions();
    copy.precision = 9;
    assert.equal(getPrintoptions().precision, 3);
  } finally {
    setPrintoptions({ profile: "default" });
  }
  assert.deepEqual(getPrintoptions(), { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null });
});

test("Python's 'f' and 'e' formats: exact ties round half to even, -0 keeps its sign", () => {
  // expected strings are Python 3's format(x, spec)
  assert.equal(formatFixed(0.03125, 4), "0.0312");
  assert.equal(formatFixed(0.09375, 4), "0.0938");
  assert.equal(formatFixed(2.5, 0), "2");
  assert.equal(formatFixed(3.5, 0), "4");
  assert.equal(formatFixed(-0, 4), "-0.0000");
  assert.equal(formatFixed(-0.00001, 4), "-0.0000");
  assert.equal(formatFixed(1e22, 0), "10000000000000000000000");
  assert.equal(formatFixed(0.1, 20), "0.10000000000000000555");
  assert.equal(formatFixed(5e-324, 3), "0.000");
  assert.equal(formatExponential(0, 4), "0.0000e+00");
  assert.equal(formatExponential(-0, 2), "-0.00e+00");
  assert.equal(formatExponential(1.03125e-5, 4), "1.0312e-05");
  assert.equal(formatExponential(9.99996e-6, 4), "1.0000e-05");
  assert.equal(formatExponential(1e-200, 4), "1.0000e-200");
  assert.equal(formatExponential(5, 0), "5e+00");
  assert.equal(formatExponential(5e-324, 4), "4.9407e-324");
  assert.equal(formatExponential(Number.MAX_VALUE, 4), "1.7977e+308");
  assert.equal(formatExponential(Number.NaN, 4), "nan");
  assert.equal(formatFixed(Number.NEGATIVE_INFINITY, 4), "-inf");
});
