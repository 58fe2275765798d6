// torch.Generator for the CPU: an MT19937 engine, the seed it was made from, and the one-value cache
// of the scalar Box-Muller normal sampler. getState/setState use PyTorch's exact byte layout
// (CPUGeneratorImplState, 5056 bytes), so states move between kindling and torch.get_rng_state().

import { uint8 } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { MERSENNE_STATE_N, MT19937 } from "./mt19937.js";

/** torch.Generator()'s seed when none is given (c10::detail::default_rng_seed_val). */
export const DEFAULT_RNG_SEED = 67280421310721;

// Byte layout of CPUGeneratorImplState (little-endian, x86-64 alignment):
//   legacy_pod: u64 the_initial_seed @0, i32 left @8, i32 seeded @12, u64 next @16,
//               u64 state[624] @24, f64 normal_x @5016, f64 normal_y @5024, f64 normal_rho @5032,
//               i32 normal_is_valid @5040, 4 bytes padding -> sizeof 5048
//   f32 next_float_normal_sample @5048, u8 is_next_float_normal_sample_valid @5052, padding -> 5056
const OFF_SEED = 0;
const OFF_LEFT = 8;
const OFF_SEEDED = 12;
const OFF_NEXT = 16;
const OFF_STATE = 24;
const OFF_NORMAL_X = OFF_STATE + 8 * MERSENNE_STATE_N;
const OFF_NORMAL_Y = OFF_NORMAL_X + 8;
const OFF_NORMAL_RHO = OFF_NORMAL_Y + 8;
const OFF_NORMAL_VALID = OFF_NORMAL_RHO + 8;
/** sizeof(CPUGeneratorImplStateLegacy): the pre-1.5 layout, still accepted by setState. */
export const LEGACY_STATE_SIZE = OFF_NORMAL_VALID + 8;
const OFF_FLOAT_NORMAL = LEGACY_STATE_SIZE;
const OFF_FLOAT_NORMAL_VALID = OFF_FLOAT_NORMAL + 4;
/** sizeof(CPUGeneratorImplState): the length of torch.get_rng_state() on the CPU. */
export const STATE_SIZE = OFF_FLOAT_NORMAL + 8;

const UINT64_LIMIT = 1n << 64n;
const INT64_MIN = -(1n << 63n);

/** A seed as PyTorch reads a Python int: the value as uint64 (negatives wrap as two's complement). */
export function seedToUint64(seed: number | bigint): bigint {
  let s: bigint;
  if (typeof seed === "bigint") s = seed;
  else {
    if (!Number.isFinite(seed)) throw new TypeError(`manual_seed expected an integer seed, got ${seed}`);
    // torch.manual_seed applies int(seed), which truncates toward zero.
    s = BigInt(Math.trunc(seed));
  }
  if (s >= UINT64_LIMIT || s < INT64_MIN) throw new RangeError("Overflow when unpacking long");
  return BigInt.asUintN(64, s);
}

/** Seeds are reported as numbers while exact (< 2**53), otherwise as BigInts. */
function seedToPublic(s: bigint): number | bigint {
  return s < 9007199254740992n ? Number(s) : s;
}

// The non-deterministic seed for Generator.seed() and the default generator. PyTorch reads 64 bits
// from /dev/urandom on the CPU; kindling keeps 53 (as PyTorch does for CUDA) so the seed is a JS number.
// Only the low 32 bits ever reach the engine, so nothing observable about the stream changes.
function nonDeterministicSeed(): number {
  const words = new Uint32Array(2);
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint32Array) => Uint32Array } }).crypto;
  if (c?.getRandomValues) c.getRandomValues(words);
  else {
    words[0] = (Math.random() * 4294967296) >>> 0;
    words[1] = ((Math.random() * 4294967296) ^ Date.now()) >>> 0;
  }
  return (words[0] & 0x1fffff) * 4294967296 + words[1];
}

export class Generator {
  /** The MT19937 engine; distributions draw words from it directly. */
  readonly engine: MT19937;
  /** The seed as uint64 (PyTorch's `seed_`); what initialSeed() reports. */
  private seedValue = 0n;
  /** The cached second output of the scalar double Box-Muller sampler (valid when hasNextDoubleNormal). */
  nextDoubleNormal = 0;
  hasNextDoubleNormal = false;
  // PyTorch keeps a float cache too; the CPU kernels of 1.13 never fill it, but the state carries it.
  private nextFloatNormal = 0;
  private hasNextFloatNormal = false;

  constructor(seed: number | bigint = DEFAULT_RNG_SEED) {
    // The engine starts from this seed (manualSeed's steps): seeding a default engine first
    // and then again would fill its 624 words twice.
    this.seedValue = seedToUint64(seed);
    this.engine = new MT19937(Number(this.seedValue & 0xffffffffn));
  }

  /** Seeds the generator (Generator.manual_seed): any integer as uint64; the engine gets the low 32 bits. */
  manualSeed(seed: number | bigint): this {
    const s = seedToUint64(seed);
    this.seedValue = s;
    this.engine.seed(Number(s & 0xffffffffn));
    this.hasNextDoubleNormal = false;
    this.nextDoubleNormal = 0;
    this.hasNextFloatNormal = false;
    this.nextFloatNormal = 0;
    return this;
  }

  /** Reseeds from a non-deterministic source (Generator.seed()) and returns the new seed (< 2**53). */
  seed(): number {
    const s = nonDeterministicSeed();
    this.manualSeed(s);
    return s;
  }

  /**
   * The seed this generator was last seeded with (Generator.initial_seed()), as uint64: a number when
   * below 2**53, otherwise a BigInt (e.g. manualSeed(-1) reports 18446744073709551615n).
   */
  initialSeed(): number | bigint {
    return seedToPublic(this.seedValue);
  }

  /** One engine word in [0, 2**32) (CPUGeneratorImpl::random()). */
  random(): number {
    return this.engine.random();
  }

  /** Two engine words as one uint64, first word high (CPUGeneratorImpl::random64()). */
  random64(): bigint {
    return this.engine.random64();
  }

  /** The state as PyTorch's Generator.get_state(): a uint8 tensor of 5056 bytes. */
  getState(): Tensor {
    return Tensor.make([STATE_SIZE], uint8, this.getStateBytes());
  }

  /** The full state as torch.get_rng_state() / Generator.get_state() bytes (5056 bytes). */
  getStateBytes(): Uint8Array {
    const bytes = new Uint8Array(STATE_SIZE);
    const v = new DataView(bytes.buffer);
    const e = this.engine;
    v.setBigUint64(OFF_SEED, this.seedValue, true);
    v.setInt32(OFF_LEFT, e.left, true);
    v.setInt32(OFF_SEEDED, 1, true);
    v.setUint32(OFF_NEXT, e.next, true);
    for (let i = 0; i < MERSENNE_STATE_N; i++) v.setUint32(OFF_STATE + 8 * i, e.state[i], true);
    if (this.hasNextDoubleNormal) {
      v.setFloat64(OFF_NORMAL_Y, this.nextDoubleNormal, true);
      v.setInt32(OFF_NORMAL_VALID, 1, true);
    }
    if (this.hasNextFloatNormal) {
      v.setFloat32(OFF_FLOAT_NORMAL, this.nextFloatNormal, true);
      bytes[OFF_FLOAT_NORMAL_VALID] = 1;
    }
    return bytes;
  }

  /**
   * Restores a state from getState() or torch.get_rng_state() bytes (Generator.set_state()).
   * Also accepts the 5048-byte legacy layout, whose cached normal is stored as (x, rho).
   */
  setState(state: Tensor | Uint8Array): this {
    let bytes: Uint8Array;
    if (state instanceof Tensor) {
      if (state.dtype !== uint8) throw new TypeError(`expected a torch.ByteTensor, but got a tensor of dtype ${state.dtype}`);
      bytes = state.values() as Uint8Array;
    } else bytes = state;
    if (bytes.length !== STATE_SIZE && bytes.length !== LEGACY_STATE_SIZE) {
      throw new RangeError(
        `Expected either a CPUGeneratorImplStateLegacy of size ${LEGACY_STATE_SIZE} or a CPUGeneratorImplState of size ${STATE_SIZE} but found the input RNG state size to be ${bytes.length}`,
      );
    }
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const left = v.getInt32(OFF_LEFT, true);
    const seeded = v.getInt32(OFF_SEEDED, true) !== 0;
    const next = v.getUint32(OFF_NEXT, true); // static_cast<uint32_t> of the u64 field
    if (!seeded || left <= 0 || left > MERSENNE_STATE_N || next > MERSENNE_STATE_N) {
      throw new RangeError("Invalid mt19937 state");
    }
    let hasDouble = false;
    let doubleSample = 0;
    let hasFloat = false;
    let floatSample = 0;
    const normalValid = v.getInt32(OFF_NORMAL_VALID, true) !== 0;
    if (bytes.length === LEGACY_STATE_SIZE) {
      if (normalValid) {
        const rho = v.getFloat64(OFF_NORMAL_RHO, true);
        const theta = 2.0 * Math.PI * v.getFloat64(OFF_NORMAL_X, true);
        hasDouble = true;
        doubleSample = rho * Math.sin(theta);
      }
    } else {
      if (bytes[OFF_FLOAT_NORMAL_VALID] !== 0) {
        hasFloat = true;
        floatSample = v.getFloat32(OFF_FLOAT_NORMAL, true);
      }
      if (normalValid) {
        hasDouble = true;
        doubleSample = v.getFloat64(OFF_NORMAL_Y, true);
      }
    }
    const e = this.engine;
    // The legacy state holds 64-bit words; the engine keeps their low 32 bits (std::copy into uint32_t).
    for (let i = 0; i < MERSENNE_STATE_N; i++) e.state[i] = v.getUint32(OFF_STATE + 8 * i, true);
    e.left = left;
    e.next = next;
    this.seedValue = v.getBigUint64(OFF_SEED, true);
    this.hasNextDoubleNormal = hasDouble;
    this.nextDoubleNormal = doubleSample;
    this.hasNextFloatNormal = hasFloat;
    this.nextFloatNormal = floatSample;
    return this;
  }

  /** PyTorch prints generators as their type and address; an address has no meaning here. */
  toString(): string {
    return "<torch._C.Generator object>";
  }
}

/** The default CPU generator (torch.default_generator), seeded non-deterministically at start-up. */
export const defaultGenerator = new Generator();
defaultGenerator.seed();

/** torch.manual_seed: seeds the default generator and returns it. */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}

/** torch.seed: reseeds the default generator non-deterministically and returns the seed. */
export function seed(): number {
  return defaultGenerator.seed();
}

/** torch.initial_seed: the default generator's seed. */
export function initialSeed(): number | bigint {
  return defaultGenerator.initialSeed();
}

/** torch.get_rng_state as bytes (the caller wraps them in a uint8 tensor). */
export function getRngState(): Tensor {
  return defaultGenerator.getState();
}

/** torch.set_rng_state from bytes. */
export function setRngState(state: Tensor | Uint8Array): void {
  defaultGenerator.setState(state);
}
