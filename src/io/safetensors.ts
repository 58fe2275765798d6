// The safetensors format (https://github.com/huggingface/safetensors), byte for byte as the
// reference Rust implementation writes it, so `safetensors.torch.load_file` reads kindling's files:
//   8 bytes: N, the header length, u64 little-endian
//   N bytes: a compact JSON object: optional "__metadata__" (string -> string) first, then one
//            entry per tensor {"dtype":"F32","shape":[2,3],"data_offsets":[begin,end]}, padded with
//            spaces to a multiple of 8
//   the tensors' bytes, back to back, offsets relative to the end of the header.
// The reference orders tensors by dtype (widest alignment first) then by name, which keeps every
// tensor aligned to its item size; the header lists them in that same order. Its reader demands
// the same things checked here: the header fits the file, offsets start at 0 and tile the data
// with no gap or overlap, each byte count is numel * itemsize, and the data ends the file.
import { ByteReader, decodeUtf8 } from "./byte-reader.js";
import { ByteWriter, encodeUtf8 } from "./byte-writer.js";
import { FileFormatError } from "./format-error.js";
import { type RawDType, type RawTensor, itemsize, rawTensorBytes, rawTensorFromBytes } from "./raw-tensor.js";

/** The reference's limit on the header (larger headers are refused by safetensors itself). */
export const MAX_HEADER_SIZE = 100_000_000;

const toFileDtype: Record<RawDType, string> = {
  float32: "F32",
  float64: "F64",
  int32: "I32",
  int64: "I64",
  uint8: "U8",
  bool: "BOOL",
};
const fromFileDtype = new Map<string, RawDType>(Object.entries(toFileDtype).map(([k, v]) => [v, k as RawDType]));

// Position in the reference's `Dtype` enum (declared in increasing alignment); writers sort descending.
const enumRank: Record<RawDType, number> = { bool: 0, uint8: 1, int32: 2, float32: 3, float64: 4, int64: 5 };

/** Safetensors dtypes that exist but kindling has no dtype for (named in the error). */
const otherFileDtypes = new Set([
  "F4", "F6_E2M3", "F6_E3M2", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ",
  "I16", "U16", "F16", "BF16", "U32", "C64", "U64",
]);

export type TensorMapping = Record<string, RawTensor> | ReadonlyMap<string, RawTensor>;

function entriesOf(tensors: TensorMapping): [string, RawTensor][] {
  return tensors instanceof Map ? [...tensors] : Object.entries(tensors as Record<string, RawTensor>);
}

export function encodeSafetensors(tensors: TensorMapping, metadata?: Record<string, string>): Uint8Array {
  const items = entriesOf(tensors).map(([name, t]) => {
    if (name === "__metadata__") throw new TypeError(`safetensors: "__metadata__" is reserved and cannot name a tensor`);
    return { name, t, bytes: rawTensorBytes(t, name) };
  });
  items.sort((a, b) => enumRank[b.t.dtype] - enumRank[a.t.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const parts: string[] = [];
  if (metadata !== undefined) {
    const keys = Object.keys(metadata).sort();
    const fields = keys.map((k) => {
      const v = metadata[k];
      if (typeof v !== "string") throw new TypeError(`safetensors: metadata value for ${JSON.stringify(k)} must be a string`);
      return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
    });
    parts.push(`"__metadata__":{${fields.join(",")}}`);
  }
  let offset = 0;
  for (const { name, t, bytes } of items) {
    const end = offset + bytes.length;
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"${toFileDtype[t.dtype]}","shape":[${t.shape.join(",")}],"data_offsets":[${offset},${end}]}`,
    );
    offset = end;
  }
  const header = encodeUtf8(`{${parts.join(",")}}`);
  const padded = Math.ceil(header.length / 8) * 8;
  if (padded > MAX_HEADER_SIZE) throw new RangeError(`safetensors: header of ${padded} bytes exceeds ${MAX_HEADER_SIZE}`);

  const w = new ByteWriter(8 + padded + offset);
  w.u64(padded);
  w.bytes(header);
  for (let i = header.length; i < padded; i++) w.u8(0x20);
  for (const { bytes } of items) w.bytes(bytes);
  return w.finish();
}

export interface SafetensorsContents {
  tensors: Record<string, RawTensor>;
  metadata: Record<string, string>;
  /** The tensor names in the order their data appears in the file (an object lists integer-like names first). */
  names: string[];
}

interface Entry {
  name: string;
  dtype: RawDType;
  shape: number[];
  begin: number;
  end: number;
}

function fail(message: string): never {
  throw new FileFormatError(`safetensors: ${message}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseEntry(name: string, info: unknown): Entry {
  if (!isPlainObject(info)) fail(`entry for tensor ${JSON.stringify(name)} is not an object`);
  const { dtype, shape, data_offsets: offsets } = info;
  if (typeof dtype !== "string") fail(`tensor ${JSON.stringify(name)} has no dtype string`);
  const raw = fromFileDtype.get(dtype);
  if (raw === undefined) {
    if (otherFileDtypes.has(dtype)) {
      fail(`tensor ${JSON.stringify(name)} has dtype ${dtype}, which kindling does not have (it reads ${[...fromFileDtype.keys()].join(", ")})`);
    }
    fail(`tensor ${JSON.stringify(name)} has unknown dtype ${JSON.stringify(dtype)}`);
  }
  const isCount = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
  if (!Array.isArray(shape) || !shape.every(isCount)) fail(`tensor ${JSON.stringify(name)} has an invalid shape`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    fail(`tensor ${JSON.stringify(name)} has invalid data_offsets (want [begin, end])`);
  }
  return { name, dtype: raw, shape: shape as number[], begin: offsets[0] as number, end: offsets[1] as number };
}

function defineOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  // defineProperty, not assignment: a key such as "__proto__" must stay an ordinary entry.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export function decodeSafetensors(bytes: Uint8Array): SafetensorsContents {
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const r = new ByteReader(bytes, "safetensors");
  const lo = r.u32();
  const hi = r.u32();
  const n = hi * 2 ** 32 + lo;
  if (n > MAX_HEADER_SIZE) fail(`header length ${n} exceeds the format's limit of ${MAX_HEADER_SIZE} bytes`);
  if (8 + n > bytes.length) fail(`header length ${n} is larger than the file (${bytes.length} bytes)`);
  const text = decodeUtf8(bytes.subarray(8, 8 + n), "safetensors: header");
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(header)) fail("header is not a JSON object");

  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [key, value] of Object.entries(header)) {
    if (key === "__metadata__") {
      if (value === null) continue;
      if (!isPlainObject(value)) fail("__metadata__ is not an object");
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== "string") fail(`__metadata__ value for ${JSON.stringify(k)} is not a string`);
        defineOwn(metadata, k, v);
      }
    } else {
      entries.push(parseEntry(key, value));
    }
  }

  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  let expected = 0;
  for (const e of entries) {
    if (e.begin !== expected || e.end < e.begin) {
      fail(
        `tensor ${JSON.stringify(e.name)} has data_offsets [${e.begin}, ${e.end}]; expected it to start at ${expected} (tensors must tile the data without gaps or overlaps)`,
      );
    }
    if (e.end > dataLength) fail(`tensor ${JSON.stringify(e.name)} ends at ${e.end}, past the data's ${dataLength} bytes`);
    let numel = 1;
    for (const d of e.shape) numel *= d;
    const size = numel * itemsize(e.dtype);
    if (size !== e.end - e.begin) {
      fail(
        `tensor ${JSON.stringify(e.name)}: ${toFileDtype[e.dtype]} shape [${e.shape.join(", ")}] needs ${size} bytes but data_offsets span ${e.end - e.begin}`,
      );
    }
    expected = e.end;
  }
  if (expected !== dataLength) {
    fail(`the tensors cover ${expected} bytes of data but the file holds ${dataLength} after the header`);
  }

  const tensors: Record<string, RawTensor> = {};
  for (const e of entries) {
    const what = `safetensors: tensor ${JSON.stringify(e.name)}`;
    defineOwn(tensors, e.name, rawTensorFromBytes(e.dtype, e.shape, bytes.subarray(dataStart + e.begin, dataStart + e.end), what));
  }
  return { tensors, metadata, names: entries.map((e) => e.name) };
}
