import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { confusionMatrixChart, decisionBoundaryChart, lineChart, scatterChart } from "../../src/cli/charts.js";
import { ChartWriter, renderSvg } from "../../src/cli/render-svg.js";

test("a line chart renders to SVG with its title, axis titles and legend entries", async () => {
  const svg = await renderSvg(
    lineChart({
      title: "Cost per epoch",
      subtitle: "binary cross-entropy",
      xTitle: "epoch",
      yTitle: "cost",
      series: [
        { name: "training", points: [[1, 0.7], [2, 0.5], [3, 0.4]] },
        { name: "validation", points: [[1, 0.72], [2, 0.55], [3, 0.45]], dashed: true },
      ],
    }),
  );
  assert.match(svg, /^<svg [^>]*width="\d+" height="\d+"/);
  for (const text of ["Cost per epoch", "binary cross-entropy", ">epoch<", ">cost<", ">training<", ">validation<"]) {
    assert.ok(svg.includes(text), `missing ${text}`);
  }
});

test("decision boundary, confusion matrix and scatter charts render", async () => {
  const boundary = await renderSvg(
    decisionBoundaryChart({
      title: "XOR",
      xTitle: "x1",
      yTitle: "x2",
      grid: { xs: [0, 1], ys: [0, 1], p: [[0.1, 0.9], [0.8, 0.2]] },
      points: [{ x: 0, y: 0, label: 0 }, { x: 1, y: 0, label: 1 }],
      classNames: ["False", "True"],
    }),
  );
  assert.ok(boundary.includes("P(True)") && boundary.includes(">False<"));
  const confusion = await renderSvg(confusionMatrixChart({ title: "Test set", labels: ["fail", "pass"], matrix: [[7, 1], [2, 9]] }));
  for (const text of ["predicted class", "actual class", ">7<", ">9<"]) assert.ok(confusion.includes(text), `missing ${text}`);
  const scatter = await renderSvg(scatterChart({ title: "Predictions", xTitle: "actual", yTitle: "predicted", points: [{ x: 1, y: 1.1 }, { x: 2, y: 1.9 }], diagonal: true }));
  assert.ok(scatter.includes("Predictions"));
});

test("ChartWriter writes <dir>/<name>.svg and remembers the files", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kindling-charts-"));
  try {
    const writer = new ChartWriter(join(dir, "nested"));
    const path = await writer.write("cost", lineChart({ title: "c", xTitle: "x", yTitle: "y", series: [{ name: "a", points: [[0, 1]] }] }));
    assert.equal(path, join(dir, "nested", "cost.svg"));
    assert.deepEqual(writer.files, [path]);
    assert.match(readFileSync(path, "utf8"), /^<svg /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
