// Datasets as torch.utils.data defines them (dataset.py, PyTorch 1.13): map-style datasets indexed
// by position, iterable datasets that stream samples, and the wrappers that combine them.

import { select } from "../ops/view.js";
import type { Tensor } from "../tensor/tensor.js";

/** What the DataLoader and the wrappers need of a map-style dataset (Python's __getitem__ and __len__). */
export interface MapDataset<T> {
  getItem(index: number): T;
  readonly length: number;
}

/** A map-style dataset: subclass it with `getItem(index)` and a `length` getter. */
export abstract class Dataset<T> implements MapDataset<T> {
  abstract getItem(index: number): T;
  abstract get length(): number;
}

/** A dataset that streams its samples (torch.utils.data.IterableDataset): subclass it with an iterator. */
export abstract class IterableDataset<T> implements Iterable<T> {
  abstract [Symbol.iterator](): Iterator<T>;
}

/** Whether a dataset streams its samples (an IterableDataset) rather than being indexed. */
export function isIterableDataset<T>(dataset: unknown): dataset is IterableDataset<T> {
  return dataset instanceof IterableDataset;
}

/** Python's list indexing: a negative index counts from the end; out of range is an error. */
function listIndex(index: number, length: number, what: string): number {
  if (!Number.isInteger(index)) throw new TypeError(`${what} indices must be integers, not ${index}`);
  if (index < -length || index >= length) throw new RangeError(`${what} index ${index} out of range for length ${length}`);
  return index < 0 ? index + length : index;
}

/** Samples are the i-th slices of each tensor along the first dimension (torch.utils.data.TensorDataset). */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new RangeError("TensorDataset needs at least one tensor");
    for (const t of tensors) {
      if (t.dim() === 0) throw new RangeError("TensorDataset: tensors must have at least one dimension");
    }
    const n = tensors[0].shape[0];
    if (!tensors.every((t) => t.shape[0] === n)) throw new RangeError("Size mismatch between tensors");
    this.tensors = tensors;
  }

  /** [x[index], y[index], ...]: views of each tensor, as tensor[index] in PyTorch. */
  getItem(index: number): Tensor[] {
    const ts = this.tensors;
    const out = new Array<Tensor>(ts.length);
    for (let k = 0; k < ts.length; k++) {
      const size = ts[k].shape[0];
      if (!Number.isInteger(index) || index < -size || index >= size) {
        throw new RangeError(`index ${index} is out of bounds for dimension 0 with size ${size}`);
      }
      out[k] = select(ts[k], 0, index);
    }
    return out;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }
}

/** The samples of `dataset` at `indices`, in that order (torch.utils.data.Subset). */
export class Subset<T> extends Dataset<T> {
  readonly dataset: MapDataset<T>;
  readonly indices: readonly number[];

  constructor(dataset: MapDataset<T>, indices: readonly number[]) {
    super();
    this.dataset = dataset;
    this.indices = indices;
  }

  getItem(index: number): T {
    return this.dataset.getItem(this.indices[listIndex(index, this.indices.length, "Subset")]);
  }

  get length(): number {
    return this.indices.length;
  }
}

/** Datasets one after another (torch.utils.data.ConcatDataset). */
export class ConcatDataset<T> extends Dataset<T> {
  readonly datasets: MapDataset<T>[];
  /** Running totals of the datasets' lengths. */
  readonly cumulativeSizes: number[];

  constructor(datasets: Iterable<MapDataset<T>>) {
    super();
    this.datasets = [...datasets];
    if (this.datasets.length === 0) throw new RangeError("datasets should not be an empty iterable");
    for (const d of this.datasets) {
      if (isIterableDataset(d)) throw new TypeError("ConcatDataset does not support IterableDataset");
    }
    let total = 0;
    this.cumulativeSizes = this.datasets.map((d) => (total += d.length));
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1];
  }

  getItem(index: number): T {
    let idx = index;
    if (idx < 0) {
      if (-idx > this.length) throw new RangeError("absolute value of index should not exceed dataset length");
      idx += this.length;
    }
    // bisect_right: the first dataset whose running total exceeds idx
    const sizes = this.cumulativeSizes;
    let lo = 0;
    let hi = sizes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (idx < sizes[mid]) hi = mid;
      else lo = mid + 1;
    }
    if (lo >= this.datasets.length) throw new RangeError(`index ${index} out of range for ConcatDataset of length ${this.length}`);
    return this.datasets[lo].getItem(lo === 0 ? idx : idx - sizes[lo - 1]);
  }
}

/** Iterable datasets one after another (torch.utils.data.ChainDataset). */
export class ChainDataset<T> extends IterableDataset<T> {
  readonly datasets: Iterable<IterableDataset<T>>;

  constructor(datasets: Iterable<IterableDataset<T>>) {
    super();
    this.datasets = datasets;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (const d of this.datasets) {
      if (!isIterableDataset(d)) throw new TypeError("ChainDataset only supports IterableDataset");
      yield* d as Iterable<T>;
    }
  }
}
