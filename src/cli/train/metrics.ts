// How well a model does: accuracy and the confusion matrix for classifiers, RMSE/MAE/R² for regressors.

/** matrix[actual][predicted] counts. */
export function confusionMatrix(actual: readonly number[], predicted: readonly number[], classes: number): number[][] {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  actual.forEach((a, i) => {
    matrix[a][predicted[i]]++;
  });
  return matrix;
}

export function accuracy(actual: readonly number[], predicted: readonly number[]): number {
  if (actual.length === 0) return Number.NaN;
  let right = 0;
  actual.forEach((a, i) => {
    if (a === predicted[i]) right++;
  });
  return right / actual.length;
}

export interface RegressionMetrics {
  rmse: number;
  mae: number;
  /** Coefficient of determination: 1 is perfect, 0 is no better than predicting the mean. */
  r2: number;
}

export function regressionMetrics(actual: readonly number[], predicted: readonly number[]): RegressionMetrics {
  const n = actual.length;
  if (n === 0) return { rmse: Number.NaN, mae: Number.NaN, r2: Number.NaN };
  const mean = actual.reduce((a, b) => a + b, 0) / n;
  let se = 0;
  let ae = 0;
  let total = 0;
  actual.forEach((a, i) => {
    const e = predicted[i] - a;
    se += e * e;
    ae += Math.abs(e);
    total += (a - mean) ** 2;
  });
  return { rmse: Math.sqrt(se / n), mae: ae / n, r2: total > 0 ? 1 - se / total : Number.NaN };
}
