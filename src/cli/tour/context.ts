// What every section of the tour writes to: the results, the charts and the progress of training.
import type { ChartWriter } from "../render-svg.js";
import type { Progress } from "../progress.js";

export interface TourContext {
  /** Lines of results on stdout. */
  print: (...lines: string[]) => void;
  charts: ChartWriter;
  /** A progress display for `total` epochs of `label`'s training. */
  progress: (label: string, total: number) => Progress;
  /** The folder charts and tables go into. */
  outDir: string;
  /** Epochs scale: 1 for the tour's defaults. */
  epochScale: number;
}

/** A section heading, numbered like the tour's steps. */
export function heading(context: TourContext, number: number, title: string, ...intro: string[]): void {
  const text = `${number}. ${title}`;
  context.print("", text, "═".repeat([...text].length), ...intro.map((line) => (line ? `  ${line}` : line)));
}
