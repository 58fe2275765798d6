// The 32-bit Mersenne Twister exactly as PyTorch's at::mt19937 runs it (ATen/core/MT19937RNGEngine.h).
//
// PyTorch's bookkeeping is kept verbatim rather than the textbook "index" form because the two
// counters `left` and `next` are part of the byte layout of torch.get_rng_state(): after seeding
// left = 1 and next = 0, and every draw first decrements `left`, twisting when it reaches zero.

export const MERSENNE_STATE_N = 624;
const M = 397;
// The masks as int32 values (0x80000000 and 0x9908b0df do not fit V8's small integers, and as
// doubles they pushed the twist loop off its integer fast path: 5.3 -> 1.9 ns per word).
const UPPER_MASK = -0x80000000;
const LOWER_MASK = 0x7fffffff;
const MATRIX_A = 0x9908b0df | 0;
const TWO_POW_MINUS_53 = 2 ** -53;

/**
 * One word of MT19937 output from a state word: the tempering. Takes and returns int32 bits;
 * `>>> 0` of the result is the unsigned word. Exported so that a loop drawing many words
 * (randperm) can temper inline, reading the state through `words`.
 */
export function temper(y: number): number {
  y ^= y >>> 11;
  y ^= (y << 7) & 0x9d2c5680;
  y ^= (y << 15) & (0xefc60000 | 0);
  return y ^ (y >>> 18);
}

export class MT19937 {
  /** The 624-word state vector. */
  readonly state = new Uint32Array(MERSENNE_STATE_N);
  /**
   * The same memory as int32: the twist and tempering are bit operations, which V8 runs on int32
   * values; words read as uint32 above 2**31 would come back as doubles and leave that path.
   */
  readonly words = new Int32Array(this.state.buffer);
  /** Words left before the next twist, plus one (PyTorch's `left_`, 1..624). */
  left = 1;
  /** Index of the next word to temper (PyTorch's `next_`, 0..624). */
  next = 0;

  constructor(seed = 5489) {
    this.seed(seed);
  }

  /** Seeds from the low 32 bits of `seed32` (the caller reduces wider seeds first). */
  seed(seed32: number): void {
    const s = this.state;
    let prev = seed32 >>> 0;
    s[0] = prev;
    for (let j = 1; j < MERSENNE_STATE_N; j++) {
      prev = (Math.imul(1812433253, (prev ^ (prev >>> 30)) >>> 0) + j) >>> 0;
      s[j] = prev;
    }
    this.left = 1;
    this.next = 0;
  }

  /**
   * Regenerates all 624 words in place (the standard twist, in increasing k). The low bit of
   * y is the low bit of the next word: -(bit) & MATRIX_A selects the matrix without a branch.
   */
  twist(): void {
    const s = this.words;
    let k = 0;
    let cur = s[0];
    for (; k < MERSENNE_STATE_N - M; k++) {
      const nxt = s[k + 1];
      const y = (cur & UPPER_MASK) | (nxt & LOWER_MASK);
      s[k] = s[k + M] ^ (y >>> 1) ^ (-(nxt & 1) & MATRIX_A);
      cur = nxt;
    }
    for (; k < MERSENNE_STATE_N - 1; k++) {
      const nxt = s[k + 1];
      const y = (cur & UPPER_MASK) | (nxt & LOWER_MASK);
      s[k] = s[k + M - MERSENNE_STATE_N] ^ (y >>> 1) ^ (-(nxt & 1) & MATRIX_A);
      cur = nxt;
    }
    const first = s[0];
    const y = (cur & UPPER_MASK) | (first & LOWER_MASK);
    s[k] = s[M - 1] ^ (y >>> 1) ^ (-(first & 1) & MATRIX_A);
    this.left = MERSENNE_STATE_N;
    this.next = 0;
  }

  /** One tempered 32-bit word, as an unsigned number in [0, 2**32). */
  random(): number {
    if (--this.left === 0) this.twist();
    return temper(this.words[this.next++]) >>> 0;
  }

  /**
   * Advances the engine exactly as `count` random() calls would, twisting where they would,
   * without tempering the words nobody reads (the tail of a permutation only its first entries
   * of which are wanted).
   */
  discard(count: number): void {
    let left = this.left;
    let next = this.next;
    while (count > 0) {
      if (left === 1) {
        // As in random(): the draw that finds left = 1 twists, then leaves left at 624.
        this.twist();
        left = MERSENNE_STATE_N + 1;
        next = 0;
      }
      const run = Math.min(count, left - 1);
      left -= run;
      next += run;
      count -= run;
    }
    this.left = left;
    this.next = next;
  }

  /** A double uniform in [0, 1) from two words (first word is the high half): (r & (2**53-1)) * 2**-53. */
  randomDouble(): number {
    const hi = this.random() & 0x1fffff;
    const lo = this.random();
    return (hi * 4294967296 + lo) * TWO_POW_MINUS_53;
  }

  /** random64() as a BigInt in [0, 2**64): the first word is the high half. */
  random64(): bigint {
    const hi = this.random();
    const lo = this.random();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** Copies another engine's full state (used by Generator.clone-like operations). */
  copyFrom(other: MT19937): void {
    this.state.set(other.state);
    this.left = other.left;
    this.next = other.next;
  }
}
