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

/**
 * RMSE, MAE and R², computed on values divided by a power of two near their largest magnitude when
 * that is extreme (a target of 1e300 squares past the largest double); exact scaling, so ordinary
 * targets get the plain formula's bits.
 */
export function regressionMetrics(actual: readonly number[], predicted: readonly number[]): RegressionMetrics {
  const n = actual.length;
  if (n === 0) return { rmse: Number.NaN, mae: Number.NaN, r2: Number.NaN };
  let largest = 0;
  actual.forEach((a, i) => {
    largest = Math.max(largest, Math.abs(a), Math.abs(predicted[i]));
  });
  const exponent = largest > 0 && Number.isFinite(largest) ? Math.floor(Math.log2(largest)) : 0;
  const scale = exponent > 500 || exponent < -500 ? 2 ** exponent : 1;
  const mean = actual.reduce((a, b) => a + b / scale, 0) / n;
  let se = 0;
  let ae = 0;
  let total = 0;
  actual.forEach((a, i) => {
    const e = predicted[i] / scale - a / scale;
    se += e * e;
    ae += Math.abs(e);
    total += (a / scale - mean) ** 2;
  });
  return { rmse: Math.sqrt(se / n) * scale, mae: (ae / n) * scale, r2: total > 0 ? 1 - se / total : Number.NaN };
}
