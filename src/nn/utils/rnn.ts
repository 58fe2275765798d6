// nn.utils.rnn: variable-length batches for the recurrent modules. A PackedSequence stores the
// sequences time step by time step, longest first: data [sum(lengths), *] and batchSizes[t], the
// number of sequences still running at step t, as PyTorch's.
import { full, tensor } from "../../ops/creation.js";
import { cat, stack } from "../../ops/view.js";
import { int64 } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { type PositionalOr, trailing as positional } from "../functional/args.js";

function pyShape(s: readonly number[]): string {
  return `[${s.join(", ")}]`;
}

/** The inverse of a permutation (an int64 tensor), or null. */
function invertPermutation(permutation: Tensor | null): Tensor | null {
  if (permutation === null) return null;
  const p = Array.from(permutation.contiguous().values() as ArrayLike<number | bigint>, Number);
  const inv = new Array<number>(p.length);
  for (let i = 0; i < p.length; i++) inv[p[i]] = i;
  return tensor(inv, { dtype: int64, device: permutation.device });
}

/**
 * Sequences packed time step by time step. `sortedIndices` is the order (longest first) the
 * sequences were packed in when the caller's batch was not sorted; `unsortedIndices` puts them back.
 */
export class PackedSequence {
  readonly data: Tensor;
  readonly batchSizes: Tensor;
  readonly sortedIndices: Tensor | null;
  readonly unsortedIndices: Tensor | null;

  constructor(data: Tensor, batchSizes: Tensor, sortedIndices: Tensor | null = null, unsortedIndices?: Tensor | null) {
    this.data = data;
    this.batchSizes = batchSizes;
    this.sortedIndices = sortedIndices;
    this.unsortedIndices = unsortedIndices === undefined || unsortedIndices === null ? invertPermutation(sortedIndices) : unsortedIndices;
  }

  /** batchSizes as numbers. */
  batchSizesArray(): number[] {
    return Array.from(this.batchSizes.contiguous().values() as ArrayLike<number | bigint>, Number);
  }

  get isCuda(): boolean {
    return this.data.device.startsWith("cuda");
  }

  /** A PackedSequence whose data is moved or cast (the indices stay int64). */
  to(target: Parameters<Tensor["to"]>[0]): PackedSequence {
    const data = this.data.to(target);
    return data === this.data ? this : new PackedSequence(data, this.batchSizes, this.sortedIndices, this.unsortedIndices);
  }

  float(): PackedSequence {
    return this.to(this.data.float().dtype);
  }
  double(): PackedSequence {
    return this.to(this.data.double().dtype);
  }

  /** [data, batchSizes, sortedIndices, unsortedIndices], as Python unpacks the namedtuple. */
  *[Symbol.iterator](): Generator<Tensor | null> {
    yield this.data;
    yield this.batchSizes;
    yield this.sortedIndices;
    yield this.unsortedIndices;
  }

  toString(): string {
    return `PackedSequence(data=${this.data.toString()}, batch_sizes=${this.batchSizes.toString()}, sorted_indices=${this.sortedIndices?.toString() ?? "None"}, unsorted_indices=${this.unsortedIndices?.toString() ?? "None"})`;
  }
}

function lengthsArray(lengths: Tensor | readonly number[]): number[] {
  if (lengths instanceof Tensor) {
    if (lengths.dim() !== 1) throw new RangeError(`lengths must be a 1-D tensor, got ${lengths.dim()}-D`);
    return Array.from(lengths.contiguous().values() as ArrayLike<number | bigint>, Number);
  }
  return lengths.map(Number);
}

export interface PackPaddedOptions {
  batchFirst?: boolean;
  enforceSorted?: boolean;
}

/**
 * Packs a padded batch [T, B, *] ([B, T, *] with batchFirst) of sequences of the given lengths.
 * With enforceSorted (the default) the lengths must be decreasing; otherwise the batch is sorted
 * here and the permutation kept, so the recurrent modules answer in the caller's order.
 */
/** packPaddedSequence(input, lengths, batchFirst?, enforceSorted?), any trailing run as one options object. */
export function packPaddedSequence(input: Tensor, lengths: Tensor | readonly number[], ...rest: PositionalOr<[boolean, boolean], PackPaddedOptions>): PackedSequence {
  const opts = positional<PackPaddedOptions>(["batchFirst", "enforceSorted"], rest);
  const batchFirst = opts.batchFirst ?? false;
  const enforceSorted = opts.enforceSorted ?? true;
  let lens = lengthsArray(lengths);
  let sortedIndices: Tensor | null = null;
  if (!enforceSorted) {
    // torch.sort(lengths, descending=True): a stable order among equal lengths.
    const order = lens.map((_, i) => i).sort((a, b) => lens[b] - lens[a] || a - b);
    lens = order.map((i) => lens[i]);
    sortedIndices = tensor(order, { dtype: int64, device: input.device });
    input = input.indexSelect(batchFirst ? 0 : 1, sortedIndices);
  }
  const [data, batchSizes] = packPadded(input, lens, batchFirst);
  return new PackedSequence(data, tensor(batchSizes, { dtype: int64 }), sortedIndices, null);
}

// PyTorch's _pack_padded_sequence, its checks and messages included.
function packPadded(input: Tensor, lens: number[], batchFirst: boolean): [Tensor, number[]] {
  const x = batchFirst ? input.transpose(0, 1) : input;
  if (x.numel() === 0) throw new RangeError("Cannot pack empty tensors.");
  const [T, B] = x.shape;
  if (lens.length !== B) throw new RangeError(`Expected \`len(lengths)\` to be equal to batch_size, but got ${lens.length} (batch_size=${B})`);
  if (!(lens[B - 1] > 0)) throw new RangeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0");
  for (let i = 0; i < B - 1; i++) {
    if (lens[B - 1 - i] > lens[B - 2 - i]) {
      throw new RangeError(
        "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement if you do not need ONNX exportability.",
      );
    }
  }
  if (lens[0] > T) {
    throw new RangeError(`pack_padded_sequence: a length of ${lens[0]} is longer than the sequences' ${T} steps (input of shape ${pyShape(input.shape)})`);
  }
  const batchSizes: number[] = [];
  const rows: number[] = [];
  for (let t = 0; t < lens[0]; t++) {
    let bs = 0;
    while (bs < B && lens[bs] > t) bs++;
    batchSizes.push(bs);
    for (let b = 0; b < bs; b++) rows.push(t * B + b);
  }
  const flat = x.reshape([T * B, ...x.shape.slice(2)]);
  const data = flat.indexSelect(0, tensor(rows, { dtype: int64, device: input.device }));
  return [data, batchSizes];
}

export interface PadPackedOptions {
  batchFirst?: boolean;
  paddingValue?: number;
  totalLength?: number | null;
}

/** The inverse of packPaddedSequence: [padded, lengths], lengths an int64 tensor, in the caller's order. */
/** padPackedSequence(sequence, batchFirst?, paddingValue?, totalLength?), any trailing run as one options object. */
export function padPackedSequence(sequence: PackedSequence, ...rest: PositionalOr<[boolean, number, number | null], PadPackedOptions>): [Tensor, Tensor] {
  const opts = positional<PadPackedOptions>(["batchFirst", "paddingValue", "totalLength"], rest);
  const batchFirst = opts.batchFirst ?? false;
  const paddingValue = opts.paddingValue ?? 0;
  const batchSizes = sequence.batchSizesArray();
  let T = batchSizes.length;
  const total = opts.totalLength ?? null;
  if (total !== null) {
    if (total < T) {
      throw new RangeError(
        `Expected total_length to be at least the length of the longest sequence in input, but got total_length=${total} and max sequence length being ${T}`,
      );
    }
    T = total;
  }
  const data = sequence.data;
  const B = batchSizes[0];
  const N = data.shape[0];
  const feature = data.shape.slice(1);
  // Each of the T * B padded positions takes a packed row, or row N: the padding value.
  const index = new Array<number>(T * B).fill(N);
  const lengths = new Array<number>(B).fill(0);
  let offset = 0;
  for (let t = 0; t < batchSizes.length; t++) {
    for (let b = 0; b < batchSizes[t]; b++) {
      index[batchFirst ? b * T + t : t * B + b] = offset + b;
      lengths[b] = t + 1;
    }
    offset += batchSizes[t];
  }
  const pad = full([1, ...feature], paddingValue, { dtype: data.dtype, device: data.device });
  const rows = cat([data, pad], 0).indexSelect(0, tensor(index, { dtype: int64, device: data.device }));
  let padded = rows.reshape(batchFirst ? [B, T, ...feature] : [T, B, ...feature]);
  let lens = tensor(lengths, { dtype: int64 });
  const unsorted = sequence.unsortedIndices;
  if (unsorted !== null) {
    padded = padded.indexSelect(batchFirst ? 0 : 1, unsorted);
    lens = lens.indexSelect(0, unsorted);
  }
  return [padded, lens];
}

export interface PadSequenceOptions {
  batchFirst?: boolean;
  paddingValue?: number;
}

/** Stacks sequences [L_i, *] into [max L, B, *] ([B, max L, *] with batchFirst), padding the short ones. */
/** padSequence(sequences, batchFirst?, paddingValue?), any trailing run as one options object. */
export function padSequence(sequences: Tensor | readonly Tensor[], ...rest: PositionalOr<[boolean, number], PadSequenceOptions>): Tensor {
  const opts = positional<PadSequenceOptions>(["batchFirst", "paddingValue"], rest);
  const seqs = sequences instanceof Tensor ? sequences.unbind(0) : sequences;
  if (seqs.length === 0) throw new RangeError("received an empty list of sequences");
  const batchFirst = opts.batchFirst ?? false;
  const paddingValue = opts.paddingValue ?? 0;
  const maxLen = Math.max(...seqs.map((s) => s.shape[0]));
  const trailing = seqs[0].shape.slice(1);
  const padded = seqs.map((s) => {
    const short = maxLen - s.shape[0];
    if (short === 0) return s;
    return cat([s, full([short, ...trailing], paddingValue, { dtype: s.dtype, device: s.device })], 0);
  });
  return stack(padded, batchFirst ? 0 : 1);
}

/** Packs a list of sequences [L_i, *]: packPaddedSequence(padSequence(sequences), lengths). */
export function packSequence(sequences: readonly Tensor[], opts: { enforceSorted?: boolean } = {}): PackedSequence {
  const lengths = sequences.map((s) => s.shape[0]);
  return packPaddedSequence(padSequence(sequences), lengths, { enforceSorted: opts.enforceSorted ?? true });
}

/** Reverses invertPermutation's job for a caller holding sorted indices. */
export { invertPermutation };
