// A growable byte buffer for the encoders: amortised doubling, little-endian unless named otherwise.

const utf8 = new TextEncoder();

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.length++] = v;
  }
  u16(v: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }
  i32(v: number): void {
    this.reserve(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
  }
  u64(v: number): void {
    this.reserve(8);
    this.view.setUint32(this.length, v % 2 ** 32, true);
    this.view.setUint32(this.length + 4, Math.floor(v / 2 ** 32), true);
    this.length += 8;
  }
  f64be(v: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, v, false);
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  /** Writes `s` as UTF-8 and returns the number of bytes written. */
  utf8(s: string): number {
    const b = utf8.encode(s);
    this.bytes(b);
    return b.length;
  }
  /** Overwrites 4 bytes already written (for lengths known only afterwards). */
  setU32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }

  /** The bytes written so far, as an exactly sized copy. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export function encodeUtf8(s: string): Uint8Array {
  return utf8.encode(s);
}
