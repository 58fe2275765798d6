// Charts to SVG files: vega-lite compiles the specification, vega renders it headless (no canvas,
// no browser), and ChartWriter keeps the list of files written so the run can name them at the end.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vega from "vega";
import { compile } from "vega-lite";
import { type ChartSpec, withChartConfig } from "./charts.js";
import { vegaTextWidth } from "./text-width.js";

// vega sizes titles, legends and axes by text width; without a canvas it would overestimate them
// (textMetrics is exported by vega-scenegraph through vega, but not in vega's type declarations)
(vega as unknown as { textMetrics: { width: unknown } }).textMetrics.width = vegaTextWidth;

/** The chart as SVG text. */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const { spec: vegaSpec } = compile(withChartConfig(spec));
  const view = new vega.View(vega.parse(vegaSpec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export class ChartWriter {
  readonly files: string[] = [];

  constructor(readonly dir: string) {}

  /** Renders the chart into `<dir>/<name>.svg` and returns the path. */
  async write(name: string, spec: ChartSpec): Promise<string> {
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, `${name}.svg`);
    writeFileSync(path, await renderSvg(spec));
    this.files.push(path);
    return path;
  }
}
