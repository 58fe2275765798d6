// Gaussian clusters around centres, as scikit-learn's make_blobs: the simplest multi-class table.
import * as torch from "../index.js";
import type { GeneratedData } from "./generated-data.js";
import { checkCount, checkNonNegative, type GeneratorOptions } from "./options.js";

export interface BlobsOptions extends GeneratorOptions {
  /** Points in all (default 300), shared as evenly as possible, the first centres taking the rest. */
  n?: number;
  /** The number of centres (drawn uniformly in `box`), or the centres themselves (default 3). */
  centers?: number | number[][];
  /** Features per point when the centres are drawn (default 2). */
  features?: number;
  /** Standard deviation of every cluster (default 1). */
  std?: number;
  /** The range drawn centres lie in (default [-10, 10]). */
  box?: [number, number];
}

/**
 * Points around centres with int64 class labels. The draws, as PyTorch would make them: the centres
 * `torch.rand(k, features, generator=g) * (hi - lo) + lo` (when not given), then
 * `torch.randn(n, features, generator=g) * std` around them, then `torch.randperm(n, generator=g)`.
 */
export function makeBlobs(options: BlobsOptions = {}): GeneratedData {
  const n = checkCount("makeBlobs", "n", options.n ?? 300);
  const std = checkNonNegative("makeBlobs", "std", options.std ?? 1);
  const { generator } = options;
  const given = options.centers ?? 3;
  let centers: torch.Tensor;
  if (typeof given === "number") {
    const k = checkCount("makeBlobs", "centers", given);
    const features = checkCount("makeBlobs", "features", options.features ?? 2);
    const [lo, hi] = options.box ?? [-10, 10];
    if (!(hi > lo)) throw new RangeError(`makeBlobs: box must be [low, high] with low < high, got [${lo}, ${hi}]`);
    centers = torch.rand(k, features, { generator }).mul(hi - lo).add(lo);
  } else {
    if (given.length === 0 || given.some((c) => c.length !== given[0].length || c.length === 0)) {
      throw new RangeError("makeBlobs: centers must be a non-empty list of points of one length");
    }
    centers = torch.tensor(given);
  }
  const k = centers.shape[0];
  const labels: bigint[] = [];
  for (let c = 0; c < k; c++) {
    const count = Math.floor(n / k) + (c < n % k ? 1 : 0);
    for (let i = 0; i < count; i++) labels.push(BigInt(c));
  }
  const y = torch.tensor(labels, { dtype: torch.int64 }).reshape([n]);
  const x = centers.indexSelect(0, y).add(torch.randn(n, centers.shape[1], { generator }).mul(std));
  const order = torch.randperm(n, { generator });
  return {
    x: x.indexSelect(0, order),
    y: y.indexSelect(0, order),
    featureNames: Array.from({ length: centers.shape[1] }, (_, i) => `x${i + 1}`),
    targetName: "label",
    featureKind: "float",
    targetKind: "integer",
  };
}
