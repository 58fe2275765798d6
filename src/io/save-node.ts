// Saving to and loading from paths: the format follows the file name when saving
// (".pt", ".pth", ... -> torch.save's format, otherwise safetensors) and the contents when loading.
import { readFileBytes, writeFileAtomic } from "./file-node.js";
import type { DecodePtOptions, PtValue } from "./pt.js";
import type { RawTensor } from "./raw-tensor.js";
import { type SaveFormat, type SaveOptions, formatForPath, loadBuffer, saveBuffer } from "./serialize.js";

export function saveFile(obj: unknown, path: string, options: SaveOptions & { format?: SaveFormat } = {}): void {
  const format = options.format ?? formatForPath(path);
  const archiveName = options.archiveName ?? (format === "pt" ? archiveNameFor(path) : undefined);
  writeFileAtomic(path, saveBuffer(obj, format, { ...options, archiveName }));
}

export function loadFile<T = RawTensor>(path: string, options: DecodePtOptions<T> & { format?: SaveFormat } = {}): PtValue<T> {
  return loadBuffer(readFileBytes(path), options);
}

/** torch.save names the archive folder after the file, without its extension. */
function archiveNameFor(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? "archive";
  const stem = base.includes(".") ? base.slice(0, base.lastIndexOf(".")) : base;
  const clean = stem.replace(/[^A-Za-z0-9_.-]/g, "_");
  return clean.length > 0 ? clean : "archive";
}
