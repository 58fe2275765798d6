// The tour's and `kindling train`'s charts as vega-lite specifications: what each chart shows is
// decided here, how it becomes an SVG file in render-svg.ts (Node) or a live view in web/ (browser).
// No Node import here: the browser page builds its charts from these same functions.
import type { TopLevelSpec } from "vega-lite";
import { pngDataUrl } from "./png.js";

export type ChartSpec = TopLevelSpec;

/** Fonts, sizes and grid shared by every chart, wherever it is drawn. */
export const CHART_CONFIG = {
  font: "Helvetica, Arial, sans-serif",
  title: { fontSize: 15, subtitleFontSize: 12, subtitleColor: "#555" },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: "#e6e6e6" },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  view: { stroke: "#bbb" },
};

/** The spec with the shared configuration, ready for vega-lite's compile (its own config wins). */
export function withChartConfig(spec: ChartSpec): ChartSpec {
  return { ...spec, config: { ...CHART_CONFIG, ...(spec.config ?? {}) } } as ChartSpec;
}

export interface Series {
  /** The legend's entry. */
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
  /** Drawn dashed (a derivative next to its function, a reference value). */
  dashed?: boolean;
}

export interface LineChartOptions {
  title: string;
  subtitle?: string;
  xTitle: string;
  yTitle: string;
  series: readonly Series[];
  /** The legend's title (default none). */
  legendTitle?: string;
  /** A logarithmic y axis (cost curves that fall by orders of magnitude). */
  logY?: boolean;
}

const WIDTH = 400;
const HEIGHT = 280;

/** Subtitle lines of at most `width` characters, broken at spaces, so a long one never widens the chart. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function heading(title: string, subtitle: string | undefined, width: number) {
  const chars = Math.floor(width / 6.8);
  return subtitle
    ? { text: title, subtitle: wrapText(subtitle, chars), anchor: "start" as const }
    : { text: title, anchor: "start" as const };
}

/** What every chart spec starts with: the schema, the title block, the size and a white background. */
function frame(options: { title: string; subtitle?: string }, width: number, height: number, titleWidth = width) {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: heading(options.title, options.subtitle, titleWidth),
    width,
    height,
    background: "white",
  };
}

/** Lines of y against x, one colour per series, with a legend naming them. */
export function lineChart(options: LineChartOptions): ChartSpec {
  const values = options.series.flatMap((s) =>
    s.points.map(([x, y]) => ({ x, y, series: s.name, dashed: s.dashed === true })),
  );
  return {
    ...frame(options, WIDTH, HEIGHT),
    data: { values },
    mark: { type: "line", strokeWidth: 2, clip: true },
    encoding: {
      x: {
        field: "x",
        type: "quantitative",
        title: options.xTitle,
        scale: { nice: false, zero: false },
        axis: { labelOverlap: "greedy", labelFlush: true },
      },
      y: {
        field: "y",
        type: "quantitative",
        title: options.yTitle,
        scale: options.logY ? { type: "log" } : { zero: false },
      },
      color: {
        field: "series",
        type: "nominal",
        title: options.legendTitle ?? null,
        sort: options.series.map((s) => s.name),
        legend: { orient: "right", symbolType: "stroke" },
      },
      strokeDash: {
        field: "dashed",
        type: "nominal",
        scale: { domain: [false, true], range: [[1, 0], [6, 4]] },
        legend: null,
      },
    },
  };
}

export interface BoundaryChartOptions {
  title: string;
  subtitle?: string;
  xTitle: string;
  yTitle: string;
  /** The model's probability of class 1 at grid cells: cell centres xs × ys, p[i][j] at (xs[j], ys[i]). */
  grid: { xs: readonly number[]; ys: readonly number[]; p: ReadonlyArray<readonly number[]> };
  /** The data points, label 0 or 1. */
  points: ReadonlyArray<{ x: number; y: number; label: number }>;
  /** Legend names of the two classes (default "0", "1"). */
  classNames?: readonly [string, string];
}

/** The model's probability as a shaded map, with the data points on top coloured by their class. */
export function decisionBoundaryChart(options: BoundaryChartOptions): ChartSpec {
  const { xs, ys, p } = options.grid;
  const half = (v: readonly number[]) => (v.length > 1 ? (v[1] - v[0]) / 2 : 0.5);
  const hx = half(xs);
  const hy = half(ys);
  const cells = ys.flatMap((y, i) =>
    xs.map((x, j) => ({ x0: x - hx, x1: x + hx, y0: y - hy, y1: y + hy, p: p[i][j] })),
  );
  const [name0, name1] = options.classNames ?? ["0", "1"];
  const points = options.points.map((pt) => ({ x: pt.x, y: pt.y, cls: pt.label >= 0.5 ? name1 : name0 }));
  const xDomain = [xs[0] - hx, xs[xs.length - 1] + hx];
  const yDomain = [ys[0] - hy, ys[ys.length - 1] + hy];
  return {
    ...frame(options, 360, 360),
    layer: [
      {
        data: { values: cells },
        mark: { type: "rect", strokeWidth: 0 },
        encoding: {
          x: { field: "x0", type: "quantitative", title: options.xTitle, scale: { domain: xDomain, nice: false, zero: false } },
          x2: { field: "x1" },
          y: { field: "y0", type: "quantitative", title: options.yTitle, scale: { domain: yDomain, nice: false, zero: false } },
          y2: { field: "y1" },
          color: {
            field: "p",
            type: "quantitative",
            title: `P(${name1})`,
            scale: { domain: [0, 1], scheme: "blueorange" },
          },
        },
      },
      {
        data: { values: points },
        mark: { type: "point", filled: true, size: 40, stroke: "black", strokeWidth: 1, opacity: 1 },
        encoding: {
          x: { field: "x", type: "quantitative" },
          y: { field: "y", type: "quantitative" },
          fill: {
            field: "cls",
            type: "nominal",
            title: "class",
            scale: { domain: [name0, name1], range: ["white", "black"] },
          },
          shape: { field: "cls", type: "nominal", title: "class", scale: { domain: [name0, name1], range: ["circle", "square"] } },
        },
      },
    ],
    resolve: { scale: { color: "independent" } },
  };
}

export interface ConfusionChartOptions {
  title: string;
  subtitle?: string;
  /** Class names, in the matrix's order. */
  labels: readonly string[];
  /** matrix[actual][predicted] counts. */
  matrix: ReadonlyArray<readonly number[]>;
}

/** Counts of actual against predicted class, each cell shaded and labelled with its count. */
export function confusionMatrixChart(options: ConfusionChartOptions): ChartSpec {
  const values = options.matrix.flatMap((row, i) =>
    row.map((count, j) => ({ actual: options.labels[i], predicted: options.labels[j], count })),
  );
  const max = Math.max(1, ...values.map((v) => v.count));
  const side = Math.max(160, 60 * options.labels.length);
  return {
    ...frame(options, side, side, side + 80),
    data: { values },
    encoding: {
      x: { field: "predicted", type: "ordinal", title: "predicted class", sort: [...options.labels], axis: { labelAngle: 0, grid: false } },
      y: { field: "actual", type: "ordinal", title: "actual class", sort: [...options.labels], axis: { grid: false } },
    },
    layer: [
      {
        mark: "rect",
        encoding: {
          color: { field: "count", type: "quantitative", title: "rows", scale: { domain: [0, max], scheme: "blues" } },
        },
      },
      {
        mark: { type: "text", fontSize: 14 },
        encoding: {
          text: { field: "count", type: "quantitative" },
          color: { condition: { test: `datum.count > ${max / 2}`, value: "white" }, value: "black" },
        },
      },
    ],
  };
}

export interface ScatterChartOptions {
  title: string;
  subtitle?: string;
  xTitle: string;
  yTitle: string;
  points: ReadonlyArray<{ x: number; y: number }>;
  /** Draw the line y = x (predicted against actual). */
  diagonal?: boolean;
}

/** Points of y against x (a regressor's predictions against the true values). */
export function scatterChart(options: ScatterChartOptions): ChartSpec {
  const xs = options.points.map((p) => p.x);
  const ys = options.points.map((p) => p.y);
  const lo = Math.min(...xs, ...ys);
  const hi = Math.max(...xs, ...ys);
  const points = {
    data: { values: options.points.map((p) => ({ ...p })) },
    mark: { type: "point" as const, filled: true, size: 30, opacity: 0.7 },
    encoding: {
      x: { field: "x", type: "quantitative" as const, title: options.xTitle, scale: { zero: false } },
      y: { field: "y", type: "quantitative" as const, title: options.yTitle, scale: { zero: false } },
    },
  };
  const diagonal = {
    data: { values: [{ x: lo, y: lo }, { x: hi, y: hi }] },
    mark: { type: "line" as const, color: "gray", strokeDash: [6, 4] },
    encoding: { x: { field: "x", type: "quantitative" as const }, y: { field: "y", type: "quantitative" as const } },
  };
  return {
    ...frame(options, 360, 360),
    layer: options.diagonal ? [points, diagonal] : [points],
  };
}

export interface ImageGridOptions {
  title: string;
  subtitle?: string;
  /** Greyscale images, each rows of pixel values (0 black .. 1 white), with a caption under each. */
  images: ReadonlyArray<{ pixels: ReadonlyArray<readonly number[]>; caption: string; highlight?: boolean }>;
  columns?: number;
  /** Each image's side in the chart, in pixels (default 84). */
  size?: number;
}

/**
 * Small greyscale images in a grid, a caption under each (a classifier's inputs with its
 * predictions); highlighted captions (the mistakes) in red. Each image is embedded as a PNG: one
 * rect per pixel would make a dozen 28x28 images a 2 MB SVG.
 */
export function imageGridChart(options: ImageGridOptions): ChartSpec {
  const columns = options.columns ?? 4;
  const size = options.size ?? 84;
  const rows = Math.ceil(options.images.length / columns);
  const cellHeight = size + 22;
  const values = options.images.map((img, i) => ({
    col: i % columns,
    row: Math.floor(i / columns),
    url: pngDataUrl(img.pixels),
    caption: img.caption,
    highlight: img.highlight === true,
  }));
  const position = {
    x: { field: "col", type: "ordinal" as const, axis: null, scale: { paddingInner: 0.1, paddingOuter: 0.05 } },
    y: { field: "row", type: "ordinal" as const, axis: null, scale: { padding: 0 } },
  };
  return {
    ...frame(options, columns * (size + 12), rows * cellHeight),
    data: { values },
    layer: [
      {
        mark: { type: "image", width: size, height: size, aspect: false, smooth: false, yOffset: -10, aria: false },
        encoding: { ...position, url: { field: "url", type: "nominal" } },
      },
      {
        mark: { type: "text", fontSize: 11, baseline: "top", yOffset: size / 2 - 8, aria: false },
        encoding: {
          ...position,
          text: { field: "caption", type: "nominal" },
          color: { condition: { test: "datum.highlight", value: "#c62828" }, value: "black" },
        },
      },
    ],
    config: { view: { stroke: null } },
  };
}
