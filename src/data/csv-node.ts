// readCsv: a CSV file from disk (Node only; browsers pass fetched text to parseCsv).

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type ParseCsvOptions, parseCsv, type Table } from "./csv.js";

/** Reads a CSV file as a table of numbers; see parseCsv for the options and the errors. */
export function readCsv<T = never>(path: string | URL, options: ParseCsvOptions<T> = {}): Table<T> {
  const file = typeof path === "string" ? path : fileURLToPath(path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const absolute = resolve(file);
    const where = absolute === file ? `'${file}'` : `'${file}' (${absolute})`;
    if (code === "ENOENT") throw new Error(`readCsv: no such file ${where}`, { cause: error });
    if (code === "EISDIR") throw new Error(`readCsv: ${where} is a directory, not a CSV file`, { cause: error });
    throw new Error(`readCsv: cannot read ${where}: ${(error as Error).message}`, { cause: error });
  }
  return parseCsv(text, options);
}
