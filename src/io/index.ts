// torch.save / torch.load: safetensors or PyTorch's own .pt format, both readable by PyTorch;
// writes are atomic. The format:
//   - `format` when given;
//   - else by the file name: ".safetensors" -> safetensors; ".pt", ".pth", ".pkl", ".ckpt", ".tar",
//     ".bin" -> .pt;
//   - else (another name, or a buffer) by the object: a state dict (names -> tensors) is saved as
//     safetensors, anything else (a checkpoint, a list, a lone tensor) in the .pt format, the only
//     one that can hold it.
// Loading recognises the format from the bytes.
import { FileFormatError } from "./format-error.js";
import { readFileBytes } from "./file-node.js";
import { saveFile } from "./save-node.js";
import { type SaveFormat, loadBuffer as loadBytes, ptExtensions, saveBuffer as saveBytes } from "./serialize.js";
import { fromRaw, isTensorMapping, toPlain, toRaw } from "./tensors.js";

export type { SaveFormat } from "./serialize.js";

export interface TorchSaveOptions {
  /** "safetensors" or "pt"; overrides what the file name (or the object) implies. */
  format?: SaveFormat;
  /** safetensors header metadata (string to string); the .pt format has no place for it. */
  metadata?: Record<string, string>;
}

function chooseFormat(obj: unknown, path: string | null, opts: TorchSaveOptions): SaveFormat {
  if (opts.format !== undefined && opts.format !== "safetensors" && opts.format !== "pt") {
    throw new TypeError(`torch.save: unknown format ${JSON.stringify(opts.format)} (use "safetensors" or "pt")`);
  }
  let format = opts.format;
  if (format === undefined && path !== null) {
    const lower = path.toLowerCase();
    if (lower.endsWith(".safetensors")) format = "safetensors";
    else if (ptExtensions.some((ext) => lower.endsWith(ext))) format = "pt";
  }
  format ??= isTensorMapping(obj) ? "safetensors" : "pt";
  if (format === "pt" && opts.metadata !== undefined) {
    throw new TypeError("torch.save: metadata is stored only in the safetensors format (save to a .safetensors name, or pass format: \"safetensors\")");
  }
  return format;
}

/** Saves a state dict (safetensors or .pt) or any checkpoint object (.pt) to `path`, atomically. */
export function save(obj: unknown, path: string, opts: TorchSaveOptions = {}): void {
  if (typeof path !== "string") throw new TypeError("torch.save: the path must be a string");
  saveFile(obj, path, { format: chooseFormat(obj, path, opts), metadata: opts.metadata, toRaw });
}

/** Options of torch.load and torch.loadBuffer. */
export interface TorchLoadOptions {
  /**
   * Most bytes a .pt file's tensors may take beyond the file's own (views of shared storages,
   * expanded tensors each get a copy). Default: the file's size, so a small hostile file cannot
   * demand gigabytes.
   */
  maxCopyBytes?: number;
}

/**
 * Loads what save (or PyTorch's torch.save / safetensors save_file) wrote: tensors come back as
 * Tensors, dicts with string keys as plain objects, other dicts (an optimizer's `state`) as Maps,
 * tuples as frozen arrays. A malformed file throws FileFormatError.
 */
export function load(path: string, opts: TorchLoadOptions = {}): any {
  if (typeof path !== "string") throw new TypeError("torch.load: the path must be a string");
  try {
    return fromBytes(readFileBytes(path), opts);
  } catch (e) {
    // Name the file: a program that loads several should say which one is bad.
    if (e instanceof FileFormatError) throw new FileFormatError(`cannot load ${path}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** In-memory save: the bytes of the file save would write (format as for a name without an extension). */
export function saveBuffer(obj: unknown, opts: TorchSaveOptions = {}): Uint8Array {
  return saveBytes(obj, chooseFormat(obj, null, opts), { metadata: opts.metadata, toRaw });
}

/** In-memory load of either format (recognised from the bytes). */
export function loadBuffer(bytes: Uint8Array | ArrayBuffer, opts: TorchLoadOptions = {}): any {
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  if (!(view instanceof Uint8Array)) throw new TypeError("torch.loadBuffer: expected a Uint8Array or an ArrayBuffer");
  return fromBytes(view, opts);
}

/** Decodes and converts to plain values; a file describes at most one list or dict entry per byte. */
function fromBytes(bytes: Uint8Array, opts: TorchLoadOptions): any {
  const { maxCopyBytes } = opts;
  if (maxCopyBytes !== undefined && !(Number.isFinite(maxCopyBytes) && maxCopyBytes >= 0)) {
    throw new RangeError(`torch.load: maxCopyBytes must be a non-negative number, got ${maxCopyBytes}`);
  }
  return toPlain(loadBytes(bytes, { fromRaw, maxCopyBytes }), bytes.length + 64);
}

export { FileFormatError };
