// torch.utils.data.DataLoader (dataloader.py and _utils/fetch.py, PyTorch 1.13), single process.
//
// The random draws happen where PyTorch makes them, so a seeded program shuffles the same way:
// 1. `for (... of loader)` makes an iterator, which takes the index sampler's iterator (lazy:
//    nothing is drawn yet) and then draws the iterator's base seed, an int64 random_() from
//    `generator` or the default generator (_BaseDataLoaderIter.__init__). PyTorch draws it even
//    with no worker processes; kindling has none and only keeps the value (`baseSeed`).
// 2. The first batch starts the sampler: a RandomSampler without a generator draws its own seed
//    from the default generator then (see sampler.ts), and draws its permutation.
// 3. Running the epoch to its end runs the sampler to its end, where PyTorch's RandomSampler
//    draws one more (empty) permutation slice.

import { defaultGenerator, drawSeed, type Generator } from "../random/index.js";
import { type Collated, defaultCollate, defaultConvert } from "./collate.js";
import { type IterableDataset, isIterableDataset, type MapDataset } from "./dataset.js";
import { BatchSampler, lengthOf, RandomSampler, SequentialSampler, type SizedIterable } from "./sampler.js";
import { type PositionalOr, trailing } from "../nn/functional/args.js";

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1); null turns batching off: each sample is converted, not collated. */
  batchSize?: number | null;
  /** Reshuffle the data at every epoch (default false). */
  shuffle?: boolean;
  /** Where indices come from (exclusive with shuffle). */
  sampler?: SizedIterable<number>;
  /** Where batches of indices come from (exclusive with batchSize, shuffle, sampler and dropLast). */
  batchSampler?: SizedIterable<number[]>;
  /** Drop the last batch when it is short (default false). */
  dropLast?: boolean;
  /** The generator for shuffling and the base seed; default: the default generator. */
  generator?: Generator;
  /** Makes a batch from a list of samples (default: defaultCollate); with batchSize null, from one sample. */
  collateFn?: (batch: T[]) => B;
  /** Accepted for ported code; kindling loads in the calling thread, which gives the same batches in the same order. */
  numWorkers?: number;
}

/** A map-style dataset may also fetch a whole batch of indices at once (Python's __getitems__). */
interface BatchFetching<T> {
  getItems?(indices: number[]): T[];
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** A dataset as the fetcher reads it: an array (a map-style dataset, as a Python list is) indexed directly. */
function asMapDataset<T>(dataset: MapDataset<T> | readonly T[]): MapDataset<T> & BatchFetching<T> {
  if (!Array.isArray(dataset)) return dataset as MapDataset<T> & BatchFetching<T>;
  const arr = dataset as readonly T[];
  return { getItem: (i: number) => arr[i], length: arr.length, getItems: (indices: number[]) => indices.map((i) => arr[i]) };
}

function checkDataset(dataset: unknown): void {
  if (Array.isArray(dataset) || isIterableDataset(dataset)) return;
  const d = dataset as { getItem?: unknown; length?: unknown } | null;
  if (d !== null && typeof d === "object" && typeof d.getItem === "function") return;
  const what = d === null || d === undefined ? String(d) : typeof d === "object" ? ((d as object).constructor?.name ?? "object") : typeof d;
  throw new TypeError(`DataLoader(): argument 'dataset' must be a map-style dataset (getItem(index) and length), an IterableDataset or an array, not ${what}`);
}

/** Indices for iterable datasets: null forever (_InfiniteConstantSampler). */
class InfiniteConstantSampler implements SizedIterable<null> {
  [Symbol.iterator](): Iterator<null> {
    return { next: () => ({ done: false, value: null }) };
  }
}

/**
 * Batches of samples from a dataset: `for (const [x, y] of loader)`. `length` is the number of
 * batches. Map-style datasets (getItem + length) are indexed through a sampler; iterable datasets
 * (IterableDataset) are read in order.
 */
export class DataLoader<T, B = Collated<T>> implements Iterable<B> {
  readonly dataset: MapDataset<T> | IterableDataset<T> | readonly T[];
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly sampler: SizedIterable<number> | SizedIterable<null>;
  readonly batchSampler: SizedIterable<number[]> | SizedIterable<null[]> | null;
  readonly generator: Generator | undefined;
  readonly collateFn: (batch: T[]) => B;
  readonly numWorkers: number;

  /** dataset: a map-style dataset, an IterableDataset, or an array of samples (as PyTorch takes a list). */
  /**
   * new DataLoader(dataset, batchSize?, shuffle?, sampler?, batchSampler?, numWorkers?, collateFn?),
   * PyTorch's order, any trailing run as one options object: DataLoader(ds, 32, True) must not
   * read its batch size as absent.
   */
  constructor(
    dataset: MapDataset<T> | IterableDataset<T> | readonly T[],
    ...rest: PositionalOr<
      [number | null, boolean, SizedIterable<number> | null, SizedIterable<number[]> | null, number, (batch: T[]) => B],
      DataLoaderOptions<T, B>
    >
  ) {
    const options = trailing<DataLoaderOptions<T, B>>(["batchSize", "shuffle", "sampler", "batchSampler", "numWorkers", "collateFn"], rest);
    // Python's None for a sampler or collate_fn means "not given"
    for (const k of ["sampler", "batchSampler", "collateFn"] as const) if (options[k] === null) delete options[k];
    checkDataset(dataset);
    this.dataset = dataset;
    let batchSize = options.batchSize === undefined ? 1 : options.batchSize;
    let dropLast = options.dropLast ?? false;
    const shuffle = options.shuffle ?? false;
    let sampler = options.sampler;
    let batchSampler: SizedIterable<number[]> | SizedIterable<null[]> | undefined = options.batchSampler;
    this.numWorkers = options.numWorkers ?? 0;
    if (!Number.isInteger(this.numWorkers) || this.numWorkers < 0) {
      throw new RangeError("numWorkers option should be non-negative; use numWorkers: 0 to disable multiprocessing.");
    }
    const iterable = isIterableDataset(dataset);
    if (iterable) {
      if (options.shuffle !== undefined && options.shuffle !== false) {
        throw new RangeError(`DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=${String(options.shuffle)}`);
      }
      if (sampler !== undefined) throw new RangeError("DataLoader with IterableDataset: expected unspecified sampler option");
      if (batchSampler !== undefined) throw new RangeError("DataLoader with IterableDataset: expected unspecified batchSampler option");
    }
    if (sampler !== undefined && shuffle) throw new RangeError("sampler option is mutually exclusive with shuffle");
    if (batchSampler !== undefined) {
      if (batchSize !== 1 || shuffle || sampler !== undefined || dropLast) {
        throw new RangeError("batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast");
      }
      batchSize = null;
      dropLast = false;
    } else if (batchSize === null && dropLast) {
      throw new RangeError("batchSize: null disables auto-batching and is mutually exclusive with dropLast");
    }
    let indexSampler: SizedIterable<number> | SizedIterable<null>;
    if (sampler !== undefined) indexSampler = sampler;
    else if (iterable) indexSampler = new InfiniteConstantSampler();
    else {
      const ds = asMapDataset(dataset as MapDataset<T> | readonly T[]);
      indexSampler = shuffle ? new RandomSampler(ds, { generator: options.generator }) : new SequentialSampler(ds);
    }
    sampler = indexSampler as SizedIterable<number>;
    if (batchSize !== null && batchSampler === undefined) {
      batchSampler = new BatchSampler(indexSampler as SizedIterable<number>, batchSize, dropLast);
    }
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    this.sampler = indexSampler;
    this.batchSampler = batchSampler ?? null;
    this.generator = options.generator;
    this.collateFn = options.collateFn ?? ((batchSampler !== undefined ? defaultCollate : defaultConvert) as unknown as (batch: T[]) => B);
  }

  /** Whether samples are grouped into batches (a batch sampler is in use). */
  get autoCollation(): boolean {
    return this.batchSampler !== null;
  }

  /** The number of batches per epoch (for an iterable dataset: from its length, if it has one). */
  get length(): number {
    if (isIterableDataset(this.dataset)) {
      const n = lengthOf(this.dataset as SizedIterable<T>);
      if (this.batchSize === null) return n;
      return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
    }
    return lengthOf((this.batchSampler ?? this.sampler) as SizedIterable<unknown>);
  }

  /** One pass over the data; draws the base seed now (see the file comment). */
  [Symbol.iterator](): DataLoaderIterator<T, B> {
    return new DataLoaderIterator(this);
  }
}

/** One epoch of a DataLoader (_SingleProcessDataLoaderIter). */
export class DataLoaderIterator<T, B> implements IterableIterator<B> {
  /** The int64 seed PyTorch draws for worker processes at the start of every epoch. */
  readonly baseSeed: bigint;
  private readonly indices: Iterator<number | null | Array<number | null>>;
  private readonly dataset: MapDataset<T> & BatchFetching<T>;
  private readonly datasetIterator: Iterator<T> | null;
  private readonly autoCollation: boolean;
  private readonly dropLast: boolean;
  private readonly collateFn: (batch: T[]) => B;
  private ended = false;

  constructor(loader: DataLoader<T, B>) {
    this.autoCollation = loader.autoCollation;
    this.dropLast = loader.dropLast;
    this.collateFn = loader.collateFn;
    const indexSampler = (loader.batchSampler ?? loader.sampler) as Iterable<number | null | Array<number | null>>;
    this.indices = indexSampler[Symbol.iterator]();
    this.baseSeed = drawSeed(loader.generator ?? defaultGenerator);
    this.dataset = asMapDataset(loader.dataset as MapDataset<T> | readonly T[]);
    this.datasetIterator = isIterableDataset<T>(loader.dataset) ? loader.dataset[Symbol.iterator]() : null;
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<B> {
    if (this.ended) return DONE;
    const r = this.indices.next();
    if (r.done) return DONE;
    if (this.datasetIterator !== null) return this.nextStreamed(r.value);
    const dataset = this.dataset;
    if (!this.autoCollation) return { done: false, value: this.collateFn(dataset.getItem(r.value as number) as unknown as T[]) };
    const batch = r.value as number[];
    let samples: T[];
    if (typeof dataset.getItems === "function") samples = dataset.getItems(batch);
    else {
      samples = new Array<T>(batch.length);
      for (let i = 0; i < batch.length; i++) samples[i] = dataset.getItem(batch[i]);
    }
    return { done: false, value: this.collateFn(samples) };
  }

  /** _IterableDatasetFetcher.fetch: up to one batch from the dataset's own iterator. */
  private nextStreamed(index: unknown): IteratorResult<B> {
    const it = this.datasetIterator as Iterator<T>;
    if (!this.autoCollation) {
      const r = it.next();
      if (r.done) {
        this.ended = true;
        return DONE;
      }
      return { done: false, value: this.collateFn(r.value as unknown as T[]) };
    }
    const wanted = (index as unknown[]).length;
    const samples: T[] = [];
    for (let i = 0; i < wanted; i++) {
      const r = it.next();
      if (r.done) {
        this.ended = true;
        break;
      }
      samples.push(r.value);
    }
    if (samples.length === 0 || (this.dropLast && samples.length < wanted)) {
      this.ended = true;
      return DONE;
    }
    return { done: false, value: this.collateFn(samples) };
  }
}
