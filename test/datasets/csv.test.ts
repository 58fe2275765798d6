import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as torch from "kindling";
import { formatFloat32, makeMoons, makePassFail, makeXor, toCsv, writeCsv } from "kindling/datasets";

test("formatFloat32 writes the shortest text that reads back as the same float32", () => {
  assert.equal(formatFloat32(Math.fround(0.1)), "0.1");
  assert.equal(formatFloat32(Math.fround(1 / 3)), "0.33333334");
  assert.equal(formatFloat32(2), "2");
  assert.equal(formatFloat32(-0.5), "-0.5");
  assert.equal(formatFloat32(Number.NaN), "nan");
  assert.equal(formatFloat32(Number.NEGATIVE_INFINITY), "-inf");
});

test("the XOR table is written as the chapter's: booleans as True/False", () => {
  const text = toCsv(makeXor({ n: 3, generator: new torch.Generator().manualSeed(0) }));
  const lines = text.trimEnd().split("\n");
  assert.equal(lines[0], "x1,x2,y");
  assert.equal(lines.length, 4);
  for (const line of lines.slice(1)) {
    const [a, b, y] = line.split(",");
    assert.ok(["True", "False"].includes(a) && ["True", "False"].includes(b));
    assert.equal(y, a !== b ? "True" : "False");
  }
});

test("written tables read back with data.readCsv to the same numbers", () => {
  const dir = mkdtempSync(join(tmpdir(), "kindling-datasets-"));
  try {
    for (const data of [
      makePassFail({ n: 50, generator: new torch.Generator().manualSeed(1) }),
      makeMoons({ n: 40, generator: new torch.Generator().manualSeed(2) }),
    ]) {
      const path = writeCsv(data, join(dir, "sub", `${data.targetName}.csv`));
      const table = torch.data.readCsv(path);
      assert.deepEqual(table.columns, [...data.featureNames, data.targetName]);
      const x = data.x.tolist() as number[][];
      data.featureNames.forEach((name, j) => {
        assert.deepEqual(table.column(name).map(Math.fround), x.map((r) => r[j]));
      });
      assert.deepEqual(table.column(data.targetName), data.y.tolist());
    }
    assert.equal(readFileSync(join(dir, "sub", "pass.csv"), "utf8").split("\n")[0], "x,y,z,pass");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
