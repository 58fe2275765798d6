// Bounds-checked little-endian reads. Every length and offset in a file is untrusted: reading past
// the end must be a FileFormatError that says what was being read, never a RangeError.
import { FileFormatError } from "./format-error.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes UTF-8, reporting invalid bytes as a FileFormatError about `what`. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new FileFormatError(`${what} is not valid UTF-8`);
  }
}

export class ByteReader {
  private readonly view: DataView;
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    /** Names the format in error messages, e.g. "pickle". */
    readonly what: string,
    pos = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = pos;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** Throws unless `n` more bytes are available from the current position. */
  need(n: number, field: string): void {
    if (!(n >= 0) || n > this.remaining) {
      throw new FileFormatError(
        `${this.what}: truncated: ${field} needs ${n} bytes at offset ${this.pos}, but only ${this.remaining} remain`,
      );
    }
  }

  u8(field = "byte"): number {
    this.need(1, field);
    return this.bytes[this.pos++]!;
  }
  u16(field = "u16"): number {
    this.need(2, field);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(field = "u32"): number {
    this.need(4, field);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  i32(field = "i32"): number {
    this.need(4, field);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  /** An unsigned 64-bit value; values beyond 2**53 are errors (no file kindling reads is that large). */
  u64(field = "u64"): number {
    this.need(8, field);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    if (hi >= 0x200000) throw new FileFormatError(`${this.what}: ${field} ${BigInt(hi) * 2n ** 32n + BigInt(lo)} is too large`);
    return hi * 2 ** 32 + lo;
  }
  f64be(field = "f64"): number {
    this.need(8, field);
    const v = this.view.getFloat64(this.pos, false);
    this.pos += 8;
    return v;
  }
  /** A view (no copy) of the next `n` bytes. */
  take(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}
