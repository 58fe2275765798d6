// Draws the tour's Vega-Lite specifications (src/cli/charts.ts, the one definition of every chart)
// as live SVG in the page, where the CLI renders the same specs to SVG files.
import * as vega from "vega";
import { compile } from "vega-lite";
import { type ChartSpec, withChartConfig } from "../src/cli/charts.js";

const views = new WeakMap<HTMLElement, vega.View>();

/** Replaces the chart in `container` with `spec`, drawn as SVG (testable and crisp when zoomed). */
export async function drawChart(container: HTMLElement, spec: ChartSpec): Promise<void> {
  views.get(container)?.finalize();
  const { spec: vegaSpec } = compile(withChartConfig(spec));
  const view = new vega.View(vega.parse(vegaSpec), { renderer: "svg", container, hover: true });
  views.set(container, view);
  await view.runAsync();
  const title = typeof spec.title === "object" && spec.title && "text" in spec.title ? spec.title.text : spec.title;
  if (title) container.setAttribute("aria-label", String(title));
}

/** At most one drawing in flight per container, the latest spec winning, so live training never queues stale frames. */
export function liveChart(container: HTMLElement): (spec: ChartSpec) => Promise<void> {
  let pending: ChartSpec | null = null;
  let running: Promise<void> | null = null;
  const pump = async () => {
    while (pending) {
      const spec = pending;
      pending = null;
      await drawChart(container, spec);
    }
    running = null;
  };
  return (spec) => {
    pending = spec;
    running ??= pump();
    return running;
  };
}
