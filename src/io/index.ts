// torch.save / torch.load: safetensors (by default, and for ".safetensors") or PyTorch's own
// .pt format (".pt", ".pth", ...), both readable by PyTorch; writes are atomic.
import { loadFile, saveFile } from "./save-node.js";
import { type SaveFormat, type SaveOptions, loadBuffer as loadBytes, saveBuffer as saveBytes } from "./serialize.js";
import { fromRaw, toPlain, toRaw } from "./tensors.js";

export interface TorchSaveOptions {
  /** Overrides the format the file name implies. */
  format?: SaveFormat;
  /** safetensors header metadata (string to string). */
  metadata?: Record<string, string>;
}

/** Saves a state dict (safetensors or .pt) or any checkpoint object (.pt) to `path`. */
export function save(obj: unknown, path: string, opts: TorchSaveOptions = {}): void {
  saveFile(obj, path, { ...opts, toRaw } as SaveOptions & { format?: SaveFormat });
}

/** Loads what save (or PyTorch's torch.save / safetensors save_file) wrote; tensors come back as Tensors. */
export function load(path: string): any {
  return toPlain(loadFile(path, { fromRaw }));
}

/** In-memory save: the bytes of the file save would write. */
export function saveBuffer(obj: unknown, opts: TorchSaveOptions = {}): Uint8Array {
  return saveBytes(obj, opts.format ?? "safetensors", { metadata: opts.metadata, toRaw });
}

export function loadBuffer(bytes: Uint8Array): any {
  return toPlain(loadBytes(bytes, { fromRaw }));
}

export { FileFormatError } from "./format-error.js";
