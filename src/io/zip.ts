// The zip container of PyTorch's .pt files (torch.save since 1.6): uncompressed ("stored") records,
// each record's data aligned to 64 bytes by padding the local header's extra field with an "FB"
// field, as PyTorch's writer does, so a reader can map tensors straight from the file.
//
// The reader trusts nothing: the central directory must lie inside the file, every local header
// must match its central entry, records may not overlap, declared sizes must fit in the file, and
// every CRC is checked. It returns views into the input and allocates nothing per record, so no
// declared size can make it allocate more than the file. Compressed records are refused (PyTorch
// never writes them); zip64 end records and size fields, which PyTorch always emits, are read.
import { ByteReader, decodeUtf8 } from "./byte-reader.js";
import { ByteWriter, encodeUtf8 } from "./byte-writer.js";
import { crc32 } from "./crc32.js";
import { FileFormatError } from "./format-error.js";

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIR = 0x06054b50;
const ZIP64_END = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const UTF8_NAMES = 0x0800;
const DOS_DATE_1980_01_01 = 0x0021;

export interface ZipRecord {
  name: string;
  /** A view into the archive's bytes. */
  data: Uint8Array;
}

function fail(message: string): never {
  throw new FileFormatError(`zip: ${message}`);
}

function findEndOfCentralDirectory(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The record is 22 bytes plus a comment of at most 65535; the comment must end the file exactly.
  for (let p = bytes.length - 22; p >= 0 && p >= bytes.length - 22 - 0xffff; p--) {
    if (view.getUint32(p, true) === END_OF_CENTRAL_DIR && p + 22 + view.getUint16(p + 20, true) === bytes.length) return p;
  }
  fail(`no end-of-central-directory record: not a zip archive, or truncated (${bytes.length} bytes)`);
}

interface CentralEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** Reads the zip64 extended-information extra field for the fields the central entry saturated. */
function applyZip64Extra(extra: Uint8Array, e: CentralEntry): void {
  const r = new ByteReader(extra, "zip: extra field");
  while (r.remaining >= 4) {
    const id = r.u16();
    const len = r.u16();
    const body = new ByteReader(r.take(len, "extra field body"), `zip: zip64 field of ${JSON.stringify(e.name)}`);
    if (id !== 0x0001) continue;
    if (e.size === 0xffffffff) e.size = body.u64("uncompressed size");
    if (e.compressedSize === 0xffffffff) e.compressedSize = body.u64("compressed size");
    if (e.localOffset === 0xffffffff) e.localOffset = body.u64("local header offset");
    return;
  }
}

/** The records of a zip archive, in central-directory order. */
export function readZip(bytes: Uint8Array): ZipRecord[] {
  const eocd = findEndOfCentralDirectory(bytes);
  const r = new ByteReader(bytes, "zip", eocd + 4);
  const disk = r.u16();
  const cdDisk = r.u16();
  let countOnDisk = r.u16();
  let count = r.u16();
  let cdSize = r.u32();
  let cdOffset = r.u32();
  if (disk !== 0 || cdDisk !== 0) fail("multi-disk archives are not supported");
  let cdLimit = eocd;
  if (count === 0xffff || countOnDisk === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    if (eocd < 20) fail("zip64 end-of-central-directory locator is missing");
    const loc = new ByteReader(bytes, "zip: zip64 locator", eocd - 20);
    if (loc.u32() !== ZIP64_LOCATOR) fail("zip64 end-of-central-directory locator is missing");
    loc.u32();
    const recordOffset = loc.u64("zip64 record offset");
    if (recordOffset + 56 > eocd - 20) fail("zip64 end-of-central-directory record lies outside the file");
    const z = new ByteReader(bytes, "zip: zip64 record", recordOffset);
    if (z.u32() !== ZIP64_END) fail("zip64 end-of-central-directory record has a bad signature");
    z.u64();
    z.u16();
    z.u16();
    if (z.u32() !== 0 || z.u32() !== 0) fail("multi-disk archives are not supported");
    countOnDisk = z.u64("entry count");
    count = z.u64("entry count");
    cdSize = z.u64("central directory size");
    cdOffset = z.u64("central directory offset");
    cdLimit = recordOffset;
  }
  if (countOnDisk !== count) fail("multi-disk archives are not supported");
  if (cdOffset + cdSize > cdLimit) {
    fail(`central directory (offset ${cdOffset}, ${cdSize} bytes) runs past its end record at ${cdLimit}`);
  }
  if (count * 46 > cdSize) fail(`${count} entries cannot fit in a ${cdSize}-byte central directory`);

  const cd = new ByteReader(bytes.subarray(cdOffset, cdOffset + cdSize), "zip: central directory");
  const entries: CentralEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (cd.u32("signature") !== CENTRAL_HEADER) fail(`central directory entry ${i} has a bad signature`);
    cd.u16();
    cd.u16();
    const flags = cd.u16();
    const method = cd.u16();
    cd.u32();
    const crc = cd.u32();
    const compressedSize = cd.u32();
    const size = cd.u32();
    const nameLength = cd.u16();
    const extraLength = cd.u16();
    const commentLength = cd.u16();
    cd.u16();
    cd.u16();
    cd.u32();
    const localOffset = cd.u32();
    const name = decodeUtf8(cd.take(nameLength, "file name"), `zip: name of entry ${i}`);
    const e: CentralEntry = { name, method, flags, crc, compressedSize, size, localOffset };
    applyZip64Extra(cd.take(extraLength, "extra field"), e);
    cd.take(commentLength, "comment");
    entries.push(e);
  }

  const seen = new Set<string>();
  const spans: { start: number; end: number; name: string }[] = [];
  const records: ZipRecord[] = [];
  for (const e of entries) {
    const label = JSON.stringify(e.name);
    if (seen.has(e.name)) fail(`duplicate entry ${label}`);
    seen.add(e.name);
    if (e.flags & 0x0001) fail(`entry ${label} is encrypted`);
    if (e.method !== 0) {
      fail(
        `entry ${label} is compressed (method ${e.method}); kindling reads uncompressed (stored) records, which is what torch.save writes`,
      );
    }
    if (e.compressedSize !== e.size) fail(`stored entry ${label} declares ${e.compressedSize} stored bytes but size ${e.size}`);
    if (e.localOffset + 30 > cdOffset) fail(`entry ${label}: local header offset ${e.localOffset} is outside the data area`);
    const lh = new ByteReader(bytes, `zip: local header of ${label}`, e.localOffset);
    if (lh.u32() !== LOCAL_HEADER) fail(`entry ${label}: bad local header signature at offset ${e.localOffset}`);
    lh.pos += 22;
    const nameLength = lh.u16();
    const extraLength = lh.u16();
    const localName = lh.take(nameLength, "file name");
    if (decodeUtf8(localName, `zip: local name of ${label}`) !== e.name) fail(`entry ${label}: local header names a different file`);
    lh.take(extraLength, "extra field");
    const start = lh.pos;
    const end = start + e.size;
    if (end > cdOffset) fail(`entry ${label} declares ${e.size} bytes at offset ${start}, past the start of the central directory (${cdOffset})`);
    spans.push({ start: e.localOffset, end, name: e.name });
    records.push({ name: e.name, data: bytes.subarray(start, end) });
  }
  // Overlaps first: entries sharing data would make the CRC pass below quadratic in the file size.
  spans.sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]!.start < spans[i - 1]!.end) {
      fail(`entries ${JSON.stringify(spans[i - 1]!.name)} and ${JSON.stringify(spans[i]!.name)} overlap`);
    }
  }
  for (let i = 0; i < records.length; i++) {
    if (crc32(records[i]!.data) !== entries[i]!.crc) {
      fail(`entry ${JSON.stringify(records[i]!.name)} fails its CRC-32 check (the file is corrupted)`);
    }
  }
  return records;
}

/**
 * A zip archive of stored records, each record's data starting at a multiple of `alignment`
 * bytes (PyTorch uses 64), padded through an "FB" extra field of 'Z' bytes as PyTorch does.
 */
export function writeZip(records: readonly ZipRecord[], alignment = 64): Uint8Array {
  let total = 22;
  for (const rec of records) total += 30 + 46 + 2 * rec.name.length * 3 + 4 + alignment + rec.data.length;
  const w = new ByteWriter(total);
  const central: { name: Uint8Array; crc: number; size: number; offset: number }[] = [];
  for (const rec of records) {
    const name = encodeUtf8(rec.name);
    const offset = w.length;
    const start = offset + 30 + name.length + 4;
    const padding = (alignment - (start % alignment)) % alignment;
    const crc = crc32(rec.data);
    if (rec.data.length >= 0xffffffff || offset >= 0xffffffff) throw new RangeError("zip: archives over 4 GiB are not supported");
    w.u32(LOCAL_HEADER);
    w.u16(20);
    w.u16(UTF8_NAMES);
    w.u16(0);
    w.u16(0);
    w.u16(DOS_DATE_1980_01_01);
    w.u32(crc);
    w.u32(rec.data.length);
    w.u32(rec.data.length);
    w.u16(name.length);
    w.u16(4 + padding);
    w.bytes(name);
    w.u8(0x46); // "FB": PyTorch's padding field
    w.u8(0x42);
    w.u16(padding);
    for (let i = 0; i < padding; i++) w.u8(0x5a);
    w.bytes(rec.data);
    central.push({ name, crc, size: rec.data.length, offset });
  }
  const cdOffset = w.length;
  for (const c of central) {
    w.u32(CENTRAL_HEADER);
    w.u16(20);
    w.u16(20);
    w.u16(UTF8_NAMES);
    w.u16(0);
    w.u16(0);
    w.u16(DOS_DATE_1980_01_01);
    w.u32(c.crc);
    w.u32(c.size);
    w.u32(c.size);
    w.u16(c.name.length);
    w.u16(0);
    w.u16(0);
    w.u16(0);
    w.u16(0);
    w.u32(0);
    w.u32(c.offset);
    w.bytes(c.name);
  }
  const cdSize = w.length - cdOffset;
  if (central.length >= 0xffff || w.length >= 0xffffffff) throw new RangeError("zip: archives over 4 GiB are not supported");
  w.u32(END_OF_CENTRAL_DIR);
  w.u16(0);
  w.u16(0);
  w.u16(central.length);
  w.u16(central.length);
  w.u32(cdSize);
  w.u32(cdOffset);
  w.u16(0);
  return w.finish();
}
