// One entry point over both formats, for torch.save/torch.load to wire to: choose the format by
// file name when saving, recognise it from the bytes when loading.
import { FileFormatError } from "./format-error.js";
import { OrderedDict } from "./pickle.js";
import { type DecodePtOptions, type PtValue, decodePt, encodePt } from "./pt.js";
import { type RawTensor, isRawTensor } from "./raw-tensor.js";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.js";

export type SaveFormat = "safetensors" | "pt";

/** PyTorch's usual extensions for torch.save files; every other name (".safetensors" included) gets safetensors. */
export const ptExtensions: readonly string[] = [".pt", ".pth", ".pkl", ".ckpt", ".tar", ".bin"];

export function formatForPath(path: string): SaveFormat {
  const lower = path.toLowerCase();
  return ptExtensions.some((ext) => lower.endsWith(ext)) ? "pt" : "safetensors";
}

/** What a buffer's first bytes say it is: one of the two formats, PyTorch's legacy pickle, or null (none). */
export type DetectedFormat = SaveFormat | "legacy" | null;

function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** The 8-byte little-endian length at the start, or -1 when the buffer is shorter than 8 bytes. */
function leadingLength(bytes: Uint8Array): number {
  if (bytes.length < 8) return -1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  return view.getUint32(4, true) * 2 ** 32 + view.getUint32(0, true);
}

/**
 * Recognises a buffer by what each format is, in an order that cannot confuse them:
 *   - a zip local-file signature ("PK\x03\x04") is torch.save's format (a safetensors header of
 *     that length, 0x04034b50 + ..., would be over a gigabyte and the file would hold it);
 *   - an 8-byte little-endian length that fits in the file, followed by "{", is safetensors;
 *   - only then a pickle's PROTO opcode (0x80, protocol <= 5): PyTorch's legacy (pre-1.6) format.
 * A safetensors header length of 128..133 (mod 256) starts with the same 0x80 byte as a pickle,
 * which is why the length test comes first.
 */
export function detectFormat(bytes: Uint8Array): DetectedFormat {
  if (isZip(bytes)) return "pt";
  const n = leadingLength(bytes);
  if (n >= 0 && n <= bytes.length - 8 && n >= 1 && bytes[8] === 0x7b) return "safetensors";
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1]! <= 5) return "legacy";
  return null;
}

/** Why bytes are neither format: what a reader should be told instead of a misleading field error. */
export function notAModelFile(bytes: Uint8Array): FileFormatError {
  if (bytes.length === 0) return new FileFormatError("not a PyTorch or safetensors file: it is empty");
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
  const n = leadingLength(bytes);
  let why: string;
  if (n < 0) why = `it is only ${bytes.length} byte${bytes.length === 1 ? "" : "s"} long (${head})`;
  else if (bytes.length > 8 && bytes[8] === 0x7b && n > bytes.length - 8) {
    why = `it starts like a safetensors file, but its header length ${n} is larger than the file (${bytes.length} bytes): truncated?`;
  } else {
    why = `it starts with the bytes ${head}, neither a zip archive (torch.save) nor an 8-byte header length followed by "{" (safetensors)`;
  }
  return new FileFormatError(`not a PyTorch or safetensors file: ${why}`);
}

export interface SaveOptions {
  /** safetensors only: the header's "__metadata__" (string to string). */
  metadata?: Record<string, string>;
  /** Turns a non-RawTensor leaf (a kindling Tensor) into a RawTensor; undefined if not a tensor. */
  toRaw?: (value: object) => RawTensor | undefined;
  /** pt only: the archive's folder name (default "archive"). */
  archiveName?: string;
}

/** Serialises `obj`. safetensors holds one flat name -> tensor mapping (a state dict); pt holds anything. */
export function saveBuffer(obj: unknown, format: SaveFormat = "pt", options: SaveOptions = {}): Uint8Array {
  if (format === "pt") return encodePt(obj, { archiveName: options.archiveName, toRaw: options.toRaw });
  if (typeof obj !== "object" || obj === null || Array.isArray(obj) || isRawTensor(obj)) {
    throw new TypeError("safetensors stores a mapping of names to tensors (a state dict); save other objects in the .pt format");
  }
  const entries = obj instanceof Map ? [...obj] : Object.entries(obj);
  const tensors = new Map<string, RawTensor>();
  for (const [name, value] of entries) {
    if (typeof name !== "string") throw new TypeError(`safetensors tensor names must be strings, got ${String(name)}`);
    const raw = isRawTensor(value) ? value : typeof value === "object" && value !== null ? options.toRaw?.(value) : undefined;
    if (!raw) {
      throw new TypeError(`safetensors stores only tensors, but ${JSON.stringify(name)} is not one; save checkpoints in the .pt format`);
    }
    tensors.set(name, raw);
  }
  return encodeSafetensors(tensors, options.metadata);
}

/**
 * Reads either format. A safetensors file comes back as an OrderedDict of its tensors (in file
 * order), like safetensors.torch.load_file's dict; its metadata is available from decodeSafetensors.
 */
export function loadBuffer<T = RawTensor>(
  bytes: Uint8Array,
  options: DecodePtOptions<T> & { format?: SaveFormat } = {},
): PtValue<T> {
  const format = options.format ?? detectFormat(bytes);
  if (format === "pt") return decodePt(bytes, options);
  if (format === "legacy") {
    throw new FileFormatError("pt: this is PyTorch's legacy (pre-1.6) format; re-save it with torch.save in PyTorch 1.6 or later");
  }
  if (format === null) throw notAModelFile(bytes);
  const { tensors, names } = decodeSafetensors(bytes);
  const out = new OrderedDict<string, PtValue<T>>();
  for (const name of names) {
    const t = tensors[name]!;
    out.set(name, options.fromRaw ? options.fromRaw(t) : (t as PtValue<T>));
  }
  return out as PtValue<T>;
}
