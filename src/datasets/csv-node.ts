// Writing generated data to a CSV file (Node only). The fs module is looked up at call time rather
// than imported, so that index.ts, which exports this, still loads in a browser.
import type { GeneratedData } from "./generated-data.js";
import { toCsv } from "./csv.js";

interface FsLike {
  mkdirSync(path: string, options: { recursive: true }): unknown;
  writeFileSync(path: string, text: string): void;
}

function nodeFs(): FsLike {
  const fs = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:fs");
  if (!fs) throw new Error("writeCsv needs Node's file system (Node 20.16 or later); in a browser use toCsv and save the text");
  return fs as FsLike;
}

/** Writes the table to `path` (creating its folder) and returns the path. */
export function writeCsv(data: GeneratedData, path: string): string {
  const fs = nodeFs();
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  if (slash > 0) fs.mkdirSync(path.slice(0, slash), { recursive: true });
  fs.writeFileSync(path, toCsv(data));
  return path;
}
