// Samplers as torch.utils.data defines them (sampler.py, PyTorch 1.13). Each iterator starts its
// work, random draws included, at its first next() call, as Python's generator-based __iter__
// does; the DataLoader's RNG order depends on that (see dataloader.ts).
//
// The iterators are written out by hand rather than as generator functions: the DataLoader pulls
// every index through them, and a plain next() is markedly cheaper than resuming a generator.

import { drawSeed, defaultGenerator, Generator, multinomial, randint_, randperm, randpermPrefix } from "../random/index.js";
import { Tensor } from "../tensor/tensor.js";

/** Something a DataLoader can draw indices from; `length` is optional, as Python's __len__. */
export interface SizedIterable<T> extends Iterable<T> {
  readonly length?: number;
}

/** Base class of samplers: an iterable of indices (or of batches of indices) with a length. */
export abstract class Sampler<T = number> implements SizedIterable<T> {
  abstract [Symbol.iterator](): Iterator<T>;
}

/** len(sampler), or Python's TypeError when it has none. */
export function lengthOf(sized: SizedIterable<unknown>): number {
  const n = sized.length;
  if (typeof n !== "number") throw new TypeError(`object of type '${sized.constructor?.name ?? typeof sized}' has no len()`);
  return n;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** Yields 0, 1, ..., length - 1 (torch.utils.data.SequentialSampler). */
export class SequentialSampler extends Sampler<number> {
  constructor(readonly dataSource: { readonly length: number }) {
    super();
  }

  [Symbol.iterator](): Iterator<number> {
    let i = -1;
    let n = -1;
    return {
      next: (): IteratorResult<number> => {
        if (n < 0) n = this.dataSource.length;
        if (++i < n) return { done: false, value: i };
        i = n;
        return DONE;
      },
    };
  }

  get length(): number {
    return this.dataSource.length;
  }
}

/**
 * An iterator over chunks of indices produced one chunk at a time: `full` chunks from fullChunk(),
 * then the one from lastChunk() (possibly empty, but drawn all the same, as PyTorch draws it).
 */
class ChunkIterator implements Iterator<number> {
  private chunk: ArrayLike<number> = new Float64Array(0);
  private pos = 0;
  private fullLeft = -1;
  private lastDrawn = false;

  constructor(private readonly start: () => { full: number; fullChunk: () => ArrayLike<number>; lastChunk: () => ArrayLike<number> }) {}

  private plan: ReturnType<ChunkIterator["start"]> | null = null;

  next(): IteratorResult<number> {
    if (this.pos < this.chunk.length) return { done: false, value: this.chunk[this.pos++] };
    if (this.plan === null) {
      this.plan = this.start();
      this.fullLeft = this.plan.full;
    }
    for (;;) {
      if (this.fullLeft > 0) {
        this.fullLeft--;
        this.chunk = this.plan.fullChunk();
      } else if (!this.lastDrawn) {
        this.lastDrawn = true;
        this.chunk = this.plan.lastChunk();
      } else return DONE;
      this.pos = 0;
      if (this.chunk.length > 0) return { done: false, value: this.chunk[this.pos++] };
    }
  }

  /**
   * What up to `count` next() calls would give, written into out from index `at`; returns the
   * index after the last one written. Copies straight from the current chunk, and draws the next
   * chunk exactly when next() would: a BatchSampler takes whole batches this way.
   */
  fill(out: number[], at: number, count: number): number {
    const end = at + count;
    while (at < end) {
      const chunk = this.chunk;
      let p = this.pos;
      if (p < chunk.length) {
        const stop = Math.min(end, at + chunk.length - p);
        while (at < stop) out[at++] = chunk[p++];
        this.pos = p;
      } else {
        const r = this.next();
        if (r.done) break;
        out[at++] = r.value;
      }
    }
    return at;
  }
}

export interface RandomSamplerOptions {
  /** Draw with replacement (default false). */
  replacement?: boolean;
  /** How many indices to draw (default: the dataset's length). */
  numSamples?: number;
  /** The generator to draw from; without one each iteration seeds its own from the default generator. */
  generator?: Generator;
}

/**
 * Random indices (torch.utils.data.RandomSampler): a permutation per pass over the data, or
 * indices drawn with replacement 32 at a time. Without a generator, each iteration draws a seed
 * from the default generator (torch.empty((), dtype=torch.int64).random_()) and seeds a fresh
 * generator with it, exactly as PyTorch 1.13's __iter__ does.
 */
export class RandomSampler extends Sampler<number> {
  readonly dataSource: { readonly length: number };
  readonly replacement: boolean;
  readonly generator: Generator | undefined;
  private readonly numSamplesOption: number | undefined;

  constructor(dataSource: { readonly length: number }, options: RandomSamplerOptions = {}) {
    super();
    this.dataSource = dataSource;
    this.replacement = options.replacement ?? false;
    this.numSamplesOption = options.numSamples;
    this.generator = options.generator;
    if (typeof this.replacement !== "boolean") {
      throw new TypeError(`replacement should be a boolean value, but got replacement=${String(this.replacement)}`);
    }
    const n = this.numSamples;
    if (!Number.isInteger(n) || n <= 0) {
      throw new RangeError(`numSamples should be a positive integer value, but got numSamples=${n}`);
    }
  }

  /** numSamples as given, else the dataset's current length. */
  get numSamples(): number {
    return this.numSamplesOption ?? this.dataSource.length;
  }

  get length(): number {
    return this.numSamples;
  }

  [Symbol.iterator](): Iterator<number> {
    return new ChunkIterator(() => {
      const n = this.dataSource.length;
      // Without a generator of the caller's, this pass seeds one of its own that nothing else
      // can reach: words it draws without using them cannot be observed.
      const own = this.generator === undefined;
      const gen = this.generator ?? new Generator(drawSeed(defaultGenerator));
      const numSamples = this.numSamples;
      if (this.replacement) {
        const draw = (size: number) => (size === 0 ? new Float64Array(0) : randint_(gen, new Float64Array(size), "int64", 0, n));
        return { full: Math.floor(numSamples / 32), fullChunk: () => draw(32), lastChunk: () => draw(numSamples % 32) };
      }
      if (n === 0) throw new RangeError("RandomSampler: integer division or modulo by zero (the dataset is empty)");
      return {
        full: Math.floor(numSamples / n),
        fullChunk: () => randperm(gen, n),
        // PyTorch slices a whole randperm(n). A caller's generator must end where PyTorch's does:
        // the same words are drawn, the unused tail untempered. This pass's own generator is
        // dropped right after, so an empty slice (numSamples a multiple of n: every plain
        // shuffle) draws nothing from it: ~4 µs less per epoch for n = 1000 (23 -> 19 µs of
        // sampling and indexing per epoch of the perceptron program).
        lastChunk: () => {
          const k = numSamples % n;
          return own && k === 0 ? new Float64Array(0) : randpermPrefix(gen, n, k);
        },
      };
    });
  }
}

/** The given indices in a random order, a new one each iteration (torch.utils.data.SubsetRandomSampler). */
export class SubsetRandomSampler extends Sampler<number> {
  constructor(
    readonly indices: readonly number[],
    readonly generator?: Generator,
  ) {
    super();
  }

  [Symbol.iterator](): Iterator<number> {
    const indices = this.indices;
    return new ChunkIterator(() => ({
      full: 0,
      fullChunk: () => new Float64Array(0),
      lastChunk: () => Array.from(randperm(this.generator ?? defaultGenerator, indices.length), (i) => indices[i]),
    }));
  }

  get length(): number {
    return this.indices.length;
  }
}

/**
 * Indices 0..weights.length-1 drawn with probabilities proportional to the weights
 * (torch.utils.data.WeightedRandomSampler): torch.multinomial on the weights as float64.
 */
export class WeightedRandomSampler extends Sampler<number> {
  readonly weights: Float64Array;
  readonly numSamples: number;
  readonly replacement: boolean;
  readonly generator: Generator | undefined;

  constructor(weights: readonly number[] | Tensor, numSamples: number, replacement = true, generator?: Generator) {
    super();
    if (!Number.isInteger(numSamples) || typeof numSamples !== "number" || numSamples <= 0) {
      throw new RangeError(`numSamples should be a positive integer value, but got numSamples=${numSamples}`);
    }
    if (typeof replacement !== "boolean") {
      throw new TypeError(`replacement should be a boolean value, but got replacement=${String(replacement)}`);
    }
    if (weights instanceof Tensor) {
      if (weights.dim() !== 1) {
        throw new RangeError(`weights should be a 1d sequence but given weights have shape (${weights.shape.join(", ")})`);
      }
      this.weights = Float64Array.from(weights.values() as ArrayLike<number>);
    } else {
      if (weights.some((w) => Array.isArray(w))) throw new RangeError("weights should be a 1d sequence");
      this.weights = Float64Array.from(weights);
    }
    this.numSamples = numSamples;
    this.replacement = replacement;
    this.generator = generator;
  }

  [Symbol.iterator](): Iterator<number> {
    return new ChunkIterator(() => ({
      full: 0,
      fullChunk: () => new Float64Array(0),
      lastChunk: () =>
        multinomial(this.generator ?? defaultGenerator, this.weights, "float64", 1, this.weights.length, this.numSamples, this.replacement),
    }));
  }

  get length(): number {
    return this.numSamples;
  }
}

/**
 * Groups another sampler's indices into lists of batchSize (torch.utils.data.BatchSampler); with
 * dropLast a short final batch is dropped. Either way the inner sampler is run to its end, as
 * PyTorch's loop runs it (a RandomSampler makes its last, empty draw then).
 */
export class BatchSampler extends Sampler<number[]> {
  constructor(
    readonly sampler: SizedIterable<number>,
    readonly batchSize: number,
    readonly dropLast: boolean,
  ) {
    super();
    if (typeof batchSize !== "number" || !Number.isInteger(batchSize) || batchSize <= 0) {
      throw new RangeError(`batchSize should be a positive integer value, but got batchSize=${String(batchSize)}`);
    }
    if (typeof dropLast !== "boolean") throw new TypeError(`dropLast should be a boolean value, but got dropLast=${String(dropLast)}`);
  }

  [Symbol.iterator](): Iterator<number[]> {
    const size = this.batchSize;
    const dropLast = this.dropLast;
    let inner: Iterator<number> | null = null;
    let finished = false;
    return {
      next: (): IteratorResult<number[]> => {
        if (finished) return DONE;
        if (inner === null) inner = this.sampler[Symbol.iterator]();
        const batch = new Array<number>(size);
        let k = 0;
        if (inner instanceof ChunkIterator) k = inner.fill(batch, 0, size);
        else {
          while (k < size) {
            const r = inner.next();
            if (r.done) break;
            batch[k++] = r.value;
          }
        }
        if (k === size) return { done: false, value: batch };
        finished = true;
        if (k === 0 || dropLast) return DONE;
        batch.length = k;
        return { done: false, value: batch };
      },
    };
  }

  get length(): number {
    const n = lengthOf(this.sampler);
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
}
