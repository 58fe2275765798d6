// The 32-bit Mersenne Twister exactly as PyTorch's at::mt19937 runs it (ATen/core/MT19937RNGEngine.h).
//
// PyTorch's bookkeeping is kept verbatim rather than the textbook "index" form because the two
// counters `left` and `next` are part of the byte layout of torch.get_rng_state(): after seeding
// left = 1 and next = 0, and every draw first decrements `left`, twisting when it reaches zero.

export const MERSENNE_STATE_N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const TWO_POW_MINUS_53 = 2 ** -53;

export class MT19937 {
  /** The 624-word state vector. */
  readonly state = new Uint32Array(MERSENNE_STATE_N);
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

  /** Regenerates all 624 words in place (the standard twist, in increasing k). */
  twist(): void {
    const s = this.state;
    let k = 0;
    for (; k < MERSENNE_STATE_N - M; k++) {
      const y = (s[k] & UPPER_MASK) | (s[k + 1] & LOWER_MASK);
      s[k] = s[k + M] ^ (y >>> 1) ^ (s[k + 1] & 1 ? MATRIX_A : 0);
    }
    for (; k < MERSENNE_STATE_N - 1; k++) {
      const y = (s[k] & UPPER_MASK) | (s[k + 1] & LOWER_MASK);
      s[k] = s[k + M - MERSENNE_STATE_N] ^ (y >>> 1) ^ (s[k + 1] & 1 ? MATRIX_A : 0);
    }
    const y = (s[k] & UPPER_MASK) | (s[0] & LOWER_MASK);
    s[k] = s[M - 1] ^ (y >>> 1) ^ (s[0] & 1 ? MATRIX_A : 0);
    this.left = MERSENNE_STATE_N;
    this.next = 0;
  }

  /** One tempered 32-bit word, as an unsigned number in [0, 2**32). */
  random(): number {
    if (--this.left === 0) this.twist();
    let y = this.state[this.next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
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
