// CSV tables of numbers, read the way pandas.read_csv reads them, with errors that name the line.
//
// This file has no Node import so that browsers can parse CSV text they fetched; csv-node.ts
// reads files. Parsing (quotes, embedded newlines, delimiters) is csv-parse's; this file adds
// pandas' reading of cells as numbers and file line numbers for every record and error.
//
// Cells become numbers as pandas reads them: surrounding whitespace is ignored, True/TRUE/true
// and False/FALSE/false are 1 and 0, "inf"/"Infinity" are infinite, and an empty cell or one of
// pandas' missing-value markers (NA, NaN, null, N/A, ...) is NaN, as pandas gives for a missing
// value. Anything else asked for as a number is an error naming its line and column.

import { CsvError as ParserError, parse } from "csv-parse/browser/esm/sync";

export interface CsvOptions {
  /** The first record names the columns (default true). Without it columns are "0", "1", ... as pandas' header=None. */
  header?: boolean;
  /** Field separator (default ","). */
  delimiter?: string;
  /** Skip lines that are empty or hold only whitespace, as pandas' skip_blank_lines (default true). */
  skipEmptyLines?: boolean;
}

/**
 * Makes a tensor from a table's numbers: a number[][] of rows for several columns, a number[] for
 * one. The data layer passes kindling's torch.tensor here (csv.ts sits below the tensor class).
 */
export type TableTensorFactory<T> = (data: number[][] | number[]) => T;

export interface ParseCsvOptions<T> extends CsvOptions {
  /** Used by Table.toTensor; without it toTensor throws. */
  tensorFactory?: TableTensorFactory<T>;
}

/** A malformed CSV text or a cell that is not a number; `line` is the 1-based line in the file. */
export class CsvError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: string,
  ) {
    super(message);
    this.name = "CsvError";
  }
}

// pandas.read_csv's default na_values, true_values and false_values
const MISSING = new Set([
  "",
  "#N/A",
  "#N/A N/A",
  "#NA",
  "-1.#IND",
  "-1.#QNAN",
  "-NaN",
  "-nan",
  "1.#IND",
  "1.#QNAN",
  "<NA>",
  "N/A",
  "NA",
  "NULL",
  "NaN",
  "None",
  "n/a",
  "nan",
  "null",
]);
const TRUE = new Set(["True", "TRUE", "true"]);
const FALSE = new Set(["False", "FALSE", "false"]);
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITE = /^([+-]?)(?:inf|infinity)$/i;

/** One cell as pandas reads it, or null when it is not a number. */
export function parseCell(cell: string): number | null {
  const text = cell.trim();
  if (MISSING.has(text)) return Number.NaN;
  if (TRUE.has(text)) return 1;
  if (FALSE.has(text)) return 0;
  if (DECIMAL.test(text)) return Number(text);
  const inf = INFINITE.exec(text);
  if (inf) return inf[1] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return null;
}

export class Table<T = never> {
  /** Column names, in file order; repeated names get pandas' ".1", ".2" suffixes. */
  readonly columns: string[];
  private readonly records: string[][];
  private readonly lines: number[];
  private readonly numericColumns = new Map<number, number[]>();

  constructor(
    columns: string[],
    records: string[][],
    /** The file line each record starts on (1-based), for error messages. */
    lines: number[],
    private readonly tensorFactory?: TableTensorFactory<T>,
  ) {
    this.columns = columns;
    this.records = records;
    this.lines = lines;
  }

  /** Number of data rows (the header is not one). */
  get length(): number {
    return this.records.length;
  }

  /** The position of a column given by name or index (negative counts from the end, as Python). */
  columnIndex(nameOrIndex: string | number): number {
    if (typeof nameOrIndex === "number") {
      const n = this.columns.length;
      if (!Number.isInteger(nameOrIndex) || nameOrIndex < -n || nameOrIndex >= n) {
        throw new RangeError(`column index ${nameOrIndex} is out of range for a table of ${n} columns`);
      }
      return nameOrIndex < 0 ? nameOrIndex + n : nameOrIndex;
    }
    const index = this.columns.indexOf(nameOrIndex);
    if (index < 0) {
      const names = this.columns.map((c) => `'${c}'`).join(", ");
      throw new CsvError(`unknown column '${nameOrIndex}'; the columns are ${names}`, undefined, nameOrIndex);
    }
    return index;
  }

  /** A column's values as numbers (empty and NA cells are NaN, booleans 1/0). */
  column(nameOrIndex: string | number): number[] {
    const index = this.columnIndex(nameOrIndex);
    let values = this.numericColumns.get(index);
    if (!values) {
      values = this.records.map((_, r) => this.number(r, index));
      this.numericColumns.set(index, values);
    }
    return values.slice();
  }

  /** A column's cells as the file wrote them (without the quotes). */
  rawColumn(nameOrIndex: string | number): string[] {
    const index = this.columnIndex(nameOrIndex);
    return this.records.map((record) => record[index]);
  }

  /** Row i's values as numbers, in column order (negative i counts from the end). */
  row(i: number): number[] {
    const r = this.rowIndex(i);
    return this.columns.map((_, c) => this.number(r, c));
  }

  /** Row i's cells as the file wrote them. */
  rawRow(i: number): string[] {
    return this.records[this.rowIndex(i)].slice();
  }

  /** The file line (1-based) that row i starts on. */
  lineOf(i: number): number {
    return this.lines[this.rowIndex(i)];
  }

  /**
   * The numbers as a tensor: all columns, or the ones named, as a [rows, columns] tensor; one
   * column named on its own (not in an array) gives a 1-D tensor, as pandas' df["x"].values.
   */
  toTensor(columns?: string | number | ReadonlyArray<string | number>): T {
    if (!this.tensorFactory) {
      throw new Error("Table.toTensor needs a tensor factory: read the table with kindling's data.readCsv");
    }
    if (typeof columns === "string" || typeof columns === "number") {
      return this.tensorFactory(this.column(columns));
    }
    const indices = (columns ?? this.columns.map((_, c) => c)).map((c) => this.columnIndex(c));
    const data = indices.map((c) => this.column(c));
    const rows = this.records.map((_, r) => indices.map((_, k) => data[k][r]));
    return this.tensorFactory(rows);
  }

  private rowIndex(i: number): number {
    const n = this.records.length;
    if (!Number.isInteger(i) || i < -n || i >= n) throw new RangeError(`row ${i} is out of range for a table of ${n} rows`);
    return i < 0 ? i + n : i;
  }

  private number(r: number, c: number): number {
    const cell = this.records[r][c];
    const value = parseCell(cell);
    if (value === null) {
      const name = this.columns[c];
      throw new CsvError(`line ${this.lines[r]}, column '${name}': '${cell}' is not a number`, this.lines[r], name);
    }
    return value;
  }
}

/** Line numbers of positions in the UTF-8 bytes that csv-parse counts in. */
class LineIndex {
  private readonly starts: number[] = [0];
  constructor(private readonly bytes: Uint8Array) {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      // \n, \r\n and a lone \r each end a line
      if (b === 0x0a || (b === 0x0d && bytes[i + 1] !== 0x0a)) this.starts.push(i + 1);
    }
  }

  /** The 1-based line of a byte position. */
  lineAt(position: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= position) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** From the start of a line, past any lines that hold only whitespace. */
  skipBlankLines(position: number): number {
    let p = position;
    for (;;) {
      let q = p;
      while (q < this.bytes.length && (this.bytes[q] === 0x20 || this.bytes[q] === 0x09)) q++;
      if (q < this.bytes.length && (this.bytes[q] === 0x0a || this.bytes[q] === 0x0d)) {
        p = q + (this.bytes[q] === 0x0d && this.bytes[q + 1] === 0x0a ? 2 : 1);
      } else return p;
    }
  }
}

interface CsvParseContext {
  bytes: number;
}

/** Parses CSV text (a file's contents) into a table. */
export function parseCsv<T = never>(text: string, options: ParseCsvOptions<T> = {}): Table<T> {
  const header = options.header ?? true;
  const skipEmpty = options.skipEmptyLines ?? true;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lineIndex = new LineIndex(new TextEncoder().encode(text));

  const records: string[][] = [];
  const lines: number[] = [];
  let recordEnd = 0; // byte offset just past the last record read
  const startOfNext = () => lineIndex.lineAt(skipEmpty ? lineIndex.skipBlankLines(recordEnd) : recordEnd);
  try {
    parse(text, {
      delimiter: options.delimiter ?? ",",
      record_delimiter: ["\r\n", "\n", "\r"],
      relax_column_count: true,
      relax_quotes: true, // a quote inside an unquoted field is kept, as pandas keeps it
      skip_empty_lines: skipEmpty,
      on_record: (record: string[], context: CsvParseContext) => {
        const line = startOfNext();
        recordEnd = context.bytes;
        if (skipEmpty && record.length === 1 && record[0].trim() === "") return null;
        records.push(record);
        lines.push(line);
        return null; // kept here, not in csv-parse's result
      },
    });
  } catch (error) {
    if (!(error instanceof ParserError)) throw error;
    const line = startOfNext();
    if (error.code === "CSV_QUOTE_NOT_CLOSED") {
      throw new CsvError(`line ${line}: a quoted field starts on this line and its closing quote is missing`, line);
    }
    throw new CsvError(`line ${line}: ${error.message.replace(/ at line \d+/, "")}`, line);
  }

  if (records.length === 0) throw new CsvError("no columns to parse: the CSV text is empty");
  const width = records[0].length;
  for (let r = 1; r < records.length; r++) {
    if (records[r].length !== width) {
      throw new CsvError(`line ${lines[r]}: expected ${width} fields, got ${records[r].length}`, lines[r]);
    }
  }
  const columns = header ? uniqueNames(records[0]) : records[0].map((_, c) => String(c));
  const dataStart = header ? 1 : 0;
  return new Table(columns, records.slice(dataStart), lines.slice(dataStart), options.tensorFactory);
}

/** pandas' mangle_dupe_cols: a, a.1, a.2 for repeated names. */
function uniqueNames(names: string[]): string[] {
  const seen = new Map<string, number>();
  const used = new Set(names);
  return names.map((name) => {
    const count = seen.get(name) ?? 0;
    seen.set(name, count + 1);
    if (count === 0) return name;
    let k = count;
    let candidate = `${name}.${k}`;
    while (used.has(candidate)) candidate = `${name}.${++k}`;
    used.add(candidate);
    return candidate;
  });
}
