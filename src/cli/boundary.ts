// A classifier's probability over a grid of the plane, for decision-boundary charts.
import * as torch from "../index.js";

export interface ProbabilityGrid {
  xs: number[];
  ys: number[];
  /** p[i][j]: the model's output at (xs[j], ys[i]). */
  p: number[][];
}

/** The model's output (one probability per point) at the centres of steps × steps cells covering the ranges. */
export function probabilityGrid(
  predict: (points: torch.Tensor) => torch.Tensor,
  xRange: readonly [number, number],
  yRange: readonly [number, number],
  steps = 32,
): ProbabilityGrid {
  const centres = ([lo, hi]: readonly [number, number]) => Array.from({ length: steps }, (_, i) => lo + ((i + 0.5) * (hi - lo)) / steps);
  const xs = centres(xRange);
  const ys = centres(yRange);
  const points = ys.flatMap((y) => xs.map((x) => [x, y]));
  const out = torch.noGrad(() => predict(torch.tensor(points)).reshape([-1]).tolist() as number[]);
  const p = ys.map((_, i) => out.slice(i * steps, (i + 1) * steps));
  return { xs, ys, p };
}
