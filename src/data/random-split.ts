// torch.utils.data.random_split (PyTorch 1.13): counts or fractions, then one randperm of the total.

import { defaultGenerator, Generator, randperm } from "../random/index.js";
import { type MapDataset, Subset } from "./dataset.js";

/** math.isclose(a, b) with Python's default rel_tol=1e-9, abs_tol=0. */
function isClose(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Split lengths as PyTorch computes them: fractions that sum to 1 become floor(n * f) each, and the
 * remainder is handed out one at a time round-robin from the first split; counts are kept.
 */
export function splitLengths(n: number, lengths: readonly number[]): number[] {
  let total = 0;
  for (const l of lengths) total += l; // Python's sum: left to right
  let counts: number[];
  if (isClose(total, 1) && total <= 1) {
    counts = lengths.map((frac, i) => {
      if (frac < 0 || frac > 1) throw new RangeError(`Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(n * frac);
    });
    let assigned = 0;
    for (const c of counts) assigned += c;
    const remainder = n - assigned;
    for (let i = 0; i < remainder; i++) counts[i % counts.length] += 1;
    counts.forEach((c, i) => {
      if (c === 0) console.warn(`UserWarning: Length of split at index ${i} is 0. This might result in an empty dataset.`);
    });
  } else counts = lengths.slice();
  let sum = 0;
  for (const c of counts) sum += c;
  if (sum !== n) throw new RangeError("Sum of input lengths does not equal the length of the input dataset!");
  for (const c of counts) {
    if (!Number.isInteger(c) || c < 0) {
      throw new TypeError(`randomSplit: lengths must be non-negative integer counts or fractions that sum to 1, got ${lengths.join(", ")}`);
    }
  }
  return counts;
}

/**
 * Splits a dataset into non-overlapping Subsets of the given lengths (counts, or fractions that sum
 * to 1), using randperm(sum(lengths), generator). The generator goes where PyTorch puts it, third
 * and positional (`torch.manualSeed(4)` returns the default generator), or as `{ generator }`;
 * without one the default generator is used.
 */
export function randomSplit<T>(
  dataset: MapDataset<T>,
  lengths: readonly number[],
  generator?: Generator | { generator?: Generator },
): Subset<T>[] {
  const gen = generator instanceof Generator ? generator : (generator?.generator ?? defaultGenerator);
  const counts = splitLengths(dataset.length, lengths);
  let total = 0;
  for (const c of counts) total += c;
  const perm = Array.from(randperm(gen, total));
  const parts: Subset<T>[] = [];
  let offset = 0;
  for (const c of counts) {
    parts.push(new Subset(dataset, perm.slice(offset, offset + c)));
    offset += c;
  }
  return parts;
}
