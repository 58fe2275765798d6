import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { crc32, inflateSync } from "node:zlib";
import { confusionMatrixChart, decisionBoundaryChart, imageGridChart, lineChart, scatterChart } from "../../src/cli/charts.js";
import { encodePng } from "../../src/cli/png.js";
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

test("encodePng writes a greyscale PNG whose chunks check out and whose rows inflate back to the pixels", () => {
  const pixels = [
    [0, 0.5, 1],
    [1, -0.2, 0.25],
  ];
  const png = Buffer.from(encodePng(pixels));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: Record<string, Buffer> = {};
  for (let o = 8; o < png.length; ) {
    const n = png.readUInt32BE(o);
    const type = png.toString("latin1", o + 4, o + 8);
    assert.equal(png.readUInt32BE(o + 8 + n), crc32(png.subarray(o + 4, o + 8 + n)), `${type} CRC`);
    chunks[type] = png.subarray(o + 8, o + 8 + n);
    o += 12 + n;
  }
  assert.deepEqual(Object.keys(chunks), ["IHDR", "IDAT", "IEND"]);
  assert.deepEqual([chunks.IHDR.readUInt32BE(0), chunks.IHDR.readUInt32BE(4), chunks.IHDR[8], chunks.IHDR[9]], [3, 2, 8, 0]);
  // each row: filter byte 0, then the values scaled to 0..255 (clamped)
  assert.deepEqual([...inflateSync(chunks.IDAT)], [0, 0, 128, 255, 0, 255, 0, 64]);
});

test("an image grid renders each image as an embedded PNG with its caption, mistakes in red", async () => {
  const img = [
    [0, 1],
    [1, 0],
  ];
  const svg = await renderSvg(
    imageGridChart({
      title: "Shapes",
      images: [
        { pixels: img, caption: "circle" },
        { pixels: img, caption: "square (circle)", highlight: true },
        { pixels: img, caption: "cross" },
      ],
      columns: 2,
    }),
  );
  assert.equal(svg.match(/<image [^>]*xlink:href="data:image\/png;base64,/g)?.length, 3);
  assert.match(svg, /fill="black">circle<\/text>/);
  assert.match(svg, /fill="#c62828">square \(circle\)<\/text>/);
});
