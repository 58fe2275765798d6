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

/** Recognises a buffer by its first bytes: a zip archive is torch.save's format, else safetensors. */
export function detectFormat(bytes: Uint8Array): SaveFormat {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04 ? "pt" : "safetensors";
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
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1]! <= 5) {
    throw new FileFormatError("pt: this is PyTorch's legacy (pre-1.6) format; re-save it with torch.save in PyTorch 1.6 or later");
  }
  const { tensors, names } = decodeSafetensors(bytes);
  const out = new OrderedDict<string, PtValue<T>>();
  for (const name of names) {
    const t = tensors[name]!;
    out.set(name, options.fromRaw ? options.fromRaw(t) : (t as PtValue<T>));
  }
  return out as PtValue<T>;
}
