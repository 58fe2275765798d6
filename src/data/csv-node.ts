// readCsv: a CSV file from disk (Node only; browsers pass fetched text to parseCsv). Node's
// modules are looked up when a file is read, not imported, so importing kindling in a browser works.
// The file's bytes are parsed as they are (no string of the whole file is made): see csv.ts.
import { type ParseCsvOptions, parseCsvBytes, type Table } from "./csv.js";

interface NodeModules {
  fs: { readFileSync(path: string): Uint8Array };
  path: { resolve(p: string): string };
  url: { fileURLToPath(u: URL): string };
}

function nodeModules(): NodeModules {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (!get) throw new Error("readCsv needs Node's file system (Node 20.16 or later); in a browser, fetch the text and call parseCsv");
  return { fs: get("node:fs"), path: get("node:path"), url: get("node:url") } as NodeModules;
}

/** Reads a CSV file as a table of numbers; see parseCsv for the options and the errors. */
export function readCsv<T = never>(path: string | URL, options: ParseCsvOptions<T> = {}): Table<T> {
  const node = nodeModules();
  const file = typeof path === "string" ? path : node.url.fileURLToPath(path);
  let bytes: Uint8Array;
  try {
    const buf = node.fs.readFileSync(file);
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const absolute = node.path.resolve(file);
    const where = absolute === file ? `'${file}'` : `'${file}' (${absolute})`;
    if (code === "ENOENT") throw new Error(`readCsv: no such file ${where}`, { cause: error });
    if (code === "EISDIR") throw new Error(`readCsv: ${where} is a directory, not a CSV file`, { cause: error });
    throw new Error(`readCsv: cannot read ${where}: ${(error as Error).message}`, { cause: error });
  }
  return parseCsvBytes(bytes, options);
}
