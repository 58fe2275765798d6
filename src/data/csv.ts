// CSV tables of numbers, read the way pandas.read_csv reads them, with errors that name the line.
//
// This file has no Node import so that browsers can parse CSV text they fetched; csv-node.ts
// reads files. One pass over the UTF-8 bytes parses the records (quotes with "" escapes, embedded
// newlines, \n, \r\n and lone \r line ends, a chosen delimiter, blank lines skipped) and puts every
// cell of every column straight into a Float64Array as pandas would read it as a number; no string
// is made for a number. The bytes are kept and each row's start recorded, so the cells as the file
// wrote them (rawColumn, rawRow) and the file line of each row are found again on demand.
//
// Cells become numbers as pandas reads them: surrounding whitespace is ignored, True/TRUE/true
// and False/FALSE/false are 1 and 0, "inf"/"Infinity" are infinite, and an empty cell or one of
// pandas' missing-value markers (NA, NaN, null, N/A, ...) is NaN, as pandas gives for a missing
// value. Anything else asked for as a number is an error naming its line and column.

export interface CsvOptions {
  /** The first record names the columns (default true). Without it columns are "0", "1", ... as pandas' header=None. */
  header?: boolean;
  /** Field separator, one character (default ","). */
  delimiter?: string;
  /** Skip lines that are empty or hold only whitespace, as pandas' skip_blank_lines (default true). */
  skipEmptyLines?: boolean;
  /**
   * How the file's bytes are text (readCsv only): "utf8" (the default; invalid UTF-8 is an error
   * naming its line) or "latin1" (ISO-8859-1: every byte is the character with that code).
   */
  encoding?: "utf8" | "latin1";
}

/**
 * Makes a tensor from a table's numbers: `data` holds them row by row, `shape` is [rows, columns]
 * for several columns and [rows] for one. The data layer passes kindling's torch.tensor here
 * (csv.ts sits below the tensor class).
 */
export type TableTensorFactory<T> = (data: Float64Array, shape: number[]) => T;

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

/** A cell quoted for a one-line message: JSON's escapes, so a newline in it cannot cut the line. */
export function quoteCell(cell: string): string {
  return JSON.stringify(cell);
}

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;

/** 10**k for k = 0..22: exactly representable, so m * 10**k and m / 10**k round once (Clinger's fast path). */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * The value of the last cell scanNumber read (a typed slot: returning a double would allocate it on
 * the heap), and where scanExponent stopped.
 */
const scanned = new Float64Array(2);
const NO_EXPONENT = 0x7fffffff;

/** The signed digits after an "e" at `pos` (their end in scanned[1]), or NO_EXPONENT when there are none. */
function scanExponent(bytes: Uint8Array, pos: number): number {
  let p = pos;
  let b = bytes[p];
  let negative = false;
  if (b === 0x2d || b === 0x2b) {
    negative = b === 0x2d;
    b = bytes[++p];
  }
  let exp = 0;
  const first = p;
  while (b! >= 0x30 && b! <= 0x39) {
    if (exp < 100000) exp = exp * 10 + (b! - 0x30);
    b = bytes[++p];
  }
  if (p === first) return NO_EXPONENT;
  scanned[1] = p;
  return negative ? -exp : exp;
}

/**
 * Reads the unquoted cell at `pos` as a plain decimal while finding its end, in one pass: puts the
 * value Number() gives in scanned[0] (exactly: digits below 2**53 as an integer and a power of ten
 * within 10**+-22, which one multiplication or division rounds correctly; NaN for an empty cell)
 * and returns where the cell ends (at the delimiter, line end or end of the bytes), or returns -1
 * for anything else (more digits, NA, True, a word), which the general parser then decides.
 */
function scanNumber(bytes: Uint8Array, pos: number, n: number, delimiter: number): number {
  let p = pos;
  let b = bytes[p];
  while (b === SPACE || b === TAB) b = bytes[++p];
  if (p >= n || b === delimiter || b === LF || b === CR) {
    scanned[0] = Number.NaN; // an empty cell is missing
    return p;
  }
  let negative = false;
  if (b === 0x2d || b === 0x2b) {
    negative = b === 0x2d;
    b = bytes[++p];
  }
  let mantissa = 0;
  let scale = 0; // power of ten to apply
  let any = false;
  while (b! >= 0x30 && b! <= 0x39) {
    mantissa = mantissa * 10 + (b! - 0x30);
    any = true;
    b = bytes[++p];
  }
  if (b === 0x2e) {
    b = bytes[++p];
    while (b! >= 0x30 && b! <= 0x39) {
      mantissa = mantissa * 10 + (b! - 0x30);
      scale--;
      any = true;
      b = bytes[++p];
    }
  }
  if (!any) return -1;
  if (b === 0x65 || b === 0x45) {
    // The exponent, rare in data, is read apart so that this function stays small enough to inline.
    const e = scanExponent(bytes, p + 1);
    if (e === NO_EXPONENT) return -1;
    scale += e;
    p = scanned[1]!;
    b = bytes[p];
  }
  while (b === SPACE || b === TAB) b = bytes[++p];
  if (!(p >= n || b === delimiter || b === LF || b === CR)) return -1;
  // Exact only while the digits, as an integer, stay below 2**53 (every step was then exact, and a
  // larger integer cannot have rounded below it) and the power of ten is exact.
  if (mantissa >= 9007199254740992 || scale > 22 || scale < -22) return -1;
  const v = scale >= 0 ? mantissa * POW10[scale]! : mantissa / POW10[-scale]!;
  scanned[0] = negative ? -v : v;
  return p;
}

const WORDS = new Map<string, number>([
  ...[...TRUE].map((w): [string, number] => [w, 1]),
  ...[...FALSE].map((w): [string, number] => [w, 0]),
  ...[...MISSING].filter((w) => w !== "").map((w): [string, number] => [w, Number.NaN]),
]);
const LONGEST_WORD = Math.max(...[...WORDS.keys()].map((w) => w.length));

/**
 * A boolean or missing-value marker (True, false, NA, ...) read from the bytes without decoding
 * them, or undefined for anything else. Cells with surrounding whitespace take the general path.
 */
function wordValue(bytes: Uint8Array, start: number, end: number): number | undefined {
  const n = end - start;
  if (n === 0 || n > LONGEST_WORD) return undefined;
  let key = "";
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b >= 0x80 || b <= 0x20) return undefined;
    key += String.fromCharCode(b);
  }
  return WORDS.get(key);
}

/** Decodes bytes as the table's encoding; invalid UTF-8 is reported by the caller, who knows the line. */
type Decoder = (bytes: Uint8Array) => string;

const utf8Fatal = new TextDecoder("utf-8", { fatal: true });

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}

/** The offset of the first byte that is not part of a valid UTF-8 sequence, or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      n = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

/** The parsed file: its bytes, where each data row starts, and each column's numbers. */
interface Parsed {
  bytes: Uint8Array;
  delimiter: number;
  decode: Decoder;
  columns: string[];
  rows: number;
  /** Byte offset of each data row's first field (a Buffer holds at most 4 GB). */
  rowStarts: Uint32Array;
  /** Per column: the numbers (NaN where missing or not a number). */
  numbers: Float64Array[];
  /** Per column: the first row whose cell is not a number, or -1. */
  firstBad: Int32Array;
}

/** Reads one field at `pos`: its text (quotes removed, "" unescaped) and where the field ends. */
function readField(bytes: Uint8Array, pos: number, delimiter: number, decode: Decoder): { text: string; end: number; quoted: boolean } {
  if (bytes[pos] !== QUOTE) {
    let end = pos;
    while (end < bytes.length) {
      const b = bytes[end]!;
      if (b === delimiter || b === LF || b === CR) break;
      end++;
    }
    return { text: decode(bytes.subarray(pos, end)), end, quoted: false };
  }
  // Quoted: up to the closing quote ("" is a quote); text after it, to the delimiter, is kept as pandas keeps it.
  const parts: string[] = [];
  let p = pos + 1;
  let from = p;
  for (;;) {
    if (p >= bytes.length) return { text: "", end: -1, quoted: true }; // not closed
    if (bytes[p] === QUOTE) {
      parts.push(decode(bytes.subarray(from, p)));
      if (bytes[p + 1] === QUOTE) {
        parts.push('"');
        p += 2;
        from = p;
        continue;
      }
      p++;
      break;
    }
    p++;
  }
  let end = p;
  while (end < bytes.length) {
    const b = bytes[end]!;
    if (b === delimiter || b === LF || b === CR) break;
    end++;
  }
  if (end > p) parts.push(decode(bytes.subarray(p, end)));
  return { text: parts.join(""), end, quoted: true };
}

/** Past one line end (\r\n, \n or \r) at `pos`, if there is one. */
function pastLineEnd(bytes: Uint8Array, pos: number): number {
  if (bytes[pos] === CR) return bytes[pos + 1] === LF ? pos + 2 : pos + 1;
  if (bytes[pos] === LF) return pos + 1;
  return pos;
}

/** From `pos` (the start of a line), past every line that holds only spaces and tabs. */
function skipBlankLines(bytes: Uint8Array, pos: number): number {
  let p = pos;
  for (;;) {
    let q = p;
    while (q < bytes.length && (bytes[q] === SPACE || bytes[q] === TAB)) q++;
    if (q < bytes.length && (bytes[q] === LF || bytes[q] === CR)) p = pastLineEnd(bytes, q);
    else if (q === bytes.length) return q;
    else return p;
  }
}

/** The 1-based file line of a byte offset (counting \n, \r\n and lone \r). */
function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) {
    const b = bytes[i];
    if (b === LF || (b === CR && bytes[i + 1] !== LF)) line++;
  }
  return line;
}

/** Reads a whole record as text (the header, or a row asked for by rawRow). */
function readRecord(bytes: Uint8Array, pos: number, delimiter: number, decode: Decoder): { fields: string[]; end: number } {
  const fields: string[] = [];
  let p = pos;
  for (;;) {
    const f = readField(bytes, p, delimiter, decode);
    if (f.end < 0) throw new CsvError(`line ${lineAt(bytes, pos)}: a quoted field starts on this line and its closing quote is missing`, lineAt(bytes, pos));
    fields.push(f.text);
    p = f.end;
    if (bytes[p] === delimiter) {
      p++;
      continue;
    }
    return { fields, end: pastLineEnd(bytes, p) };
  }
}

function trim<A extends Float64Array<ArrayBuffer> | Uint32Array<ArrayBuffer>>(a: A, n: number): A {
  return (n >= a.length * 0.9 ? a.subarray(0, n) : a.slice(0, n)) as A;
}

function growTo<A extends Float64Array<ArrayBuffer> | Uint32Array<ArrayBuffer>>(a: A, n: number): A {
  const out = new (a.constructor as new (n: number) => A)(n);
  out.set(a);
  return out;
}

/** The single pass: records, field counts, and every cell as a number. */
function parseBytes(input: Uint8Array, options: CsvOptions): Parsed {
  const header = options.header ?? true;
  const skipEmpty = options.skipEmptyLines ?? true;
  const delimiterText = options.delimiter ?? ",";
  if (delimiterText.length !== 1 || delimiterText.charCodeAt(0) > 0x7f || delimiterText === '"' || delimiterText === "\n" || delimiterText === "\r") {
    throw new TypeError(`CSV delimiter must be one ASCII character other than a quote or a line end, got ${JSON.stringify(delimiterText)}`);
  }
  const delimiter = delimiterText.charCodeAt(0);
  const encoding = options.encoding ?? "utf8";
  let bytes = input;
  if (encoding === "utf8" && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  // Every byte that is not part of a number (those are ASCII) is decoded once in the pass below,
  // so invalid UTF-8 is found there, and named by its line.
  const whole = bytes;
  const decode: Decoder =
    encoding === "latin1"
      ? latin1
      : (b) => {
          try {
            return utf8Fatal.decode(b);
          } catch {
            const bad = b.byteOffset - whole.byteOffset + Math.max(0, firstInvalidUtf8(b));
            const line = lineAt(whole, bad);
            throw new CsvError(
              `line ${line}: byte 0x${whole[bad]!.toString(16).toUpperCase()} is not valid UTF-8; save the file as UTF-8, or read it with encoding "latin1"`,
              line,
            );
          }
        };

  let pos = skipEmpty ? skipBlankLines(bytes, 0) : 0;
  if (pos >= bytes.length) throw new CsvError("no columns to parse: the CSV text is empty");
  const first = readRecord(bytes, pos, delimiter, decode);
  const width = first.fields.length;
  const columns = header ? uniqueNames(first.fields) : first.fields.map((_, c) => String(c));
  if (header) pos = first.end;

  let capacity = 1024;
  let rowStarts = new Uint32Array(capacity);
  let numbers = Array.from({ length: width }, () => new Float64Array(capacity));
  const firstBad = new Int32Array(width).fill(-1);
  let rows = 0;
  const n = bytes.length;

  while (pos < n) {
    const lead = bytes[pos];
    if (skipEmpty && (lead === SPACE || lead === TAB || lead === LF || lead === CR)) {
      pos = skipBlankLines(bytes, pos);
      if (pos >= n) break;
    }
    if (rows === capacity) {
      // After the first rows, size for the rest of the file from their average length; then grow by half.
      const estimate = rows === 1024 ? Math.ceil(((n - pos) / (pos - rowStarts[0]!)) * rows * 1.05) + rows + 16 : Math.ceil(capacity * 1.5);
      capacity = Math.max(estimate, capacity + 1024);
      rowStarts = growTo(rowStarts, capacity);
      numbers = numbers.map((a) => growTo(a, capacity));
    }
    const start = pos;
    rowStarts[rows] = start;
    let field = 0;
    for (;;) {
      // Each branch stores its own number: a value merged from several branches would be boxed
      // (a heap allocation per cell) before the typed-array store.
      let end: number;
      if (bytes[pos] === QUOTE) {
        const f = readField(bytes, pos, delimiter, decode);
        if (f.end < 0) {
          const line = lineAt(bytes, start);
          throw new CsvError(`line ${line}: a quoted field starts on this line and its closing quote is missing`, line);
        }
        const v = parseCell(f.text);
        if (field < width) {
          numbers[field]![rows] = v ?? Number.NaN;
          if (v === null && firstBad[field] === -1) firstBad[field] = rows;
        }
        end = f.end;
      } else {
        end = scanNumber(bytes, pos, n, delimiter);
        if (end >= 0) {
          if (field < width) numbers[field]![rows] = scanned[0]!;
        } else {
          end = pos;
          while (end < n) {
            const b = bytes[end]!;
            if (b === delimiter || b === LF || b === CR) break;
            end++;
          }
          const v = wordValue(bytes, pos, end) ?? parseCell(decode(bytes.subarray(pos, end)));
          if (field < width) {
            numbers[field]![rows] = v ?? Number.NaN;
            if (v === null && firstBad[field] === -1) firstBad[field] = rows;
          }
        }
      }
      field++;
      pos = end;
      const next = bytes[pos];
      if (pos < n && next === delimiter) {
        pos++;
        continue;
      }
      if (next === LF) pos++;
      else if (next === CR) pos += bytes[pos + 1] === LF ? 2 : 1;
      break;
    }
    if (field !== width) {
      if (skipEmpty && field === 1 && bytes.subarray(start, pos).every((b) => b === SPACE || b === TAB || b === LF || b === CR || b === QUOTE)) {
        continue; // a record of one blank field ("" on its own line) is a blank line
      }
      const line = lineAt(bytes, start);
      throw new CsvError(`line ${line}: expected ${width} fields, got ${field}`, line);
    }
    rows++;
  }
  // The arrays sized from the first rows' length fit closely: a view then, no copy at the peak.
  return {
    bytes,
    delimiter,
    decode,
    columns,
    rows,
    rowStarts: trim(rowStarts, rows),
    numbers: numbers.map((a) => trim(a, rows)),
    firstBad,
  };
}

export class Table<T = never> {
  /** Column names, in file order; repeated names get pandas' ".1", ".2" suffixes. */
  readonly columns: string[];
  private lines: Int32Array | null = null;

  constructor(
    private readonly parsed: Parsed,
    private readonly tensorFactory?: TableTensorFactory<T>,
  ) {
    this.columns = parsed.columns;
  }

  /** Number of data rows (the header is not one). */
  get length(): number {
    return this.parsed.rows;
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
    return Array.from(this.columnValues(nameOrIndex));
  }

  /** A column's numbers as a Float64Array (a copy), or an error naming the first cell that is not a number. */
  columnValues(nameOrIndex: string | number): Float64Array {
    const c = this.columnIndex(nameOrIndex);
    this.checkNumeric(c);
    return this.parsed.numbers[c]!.slice();
  }

  /**
   * A column's numbers as a Float64Array (a copy) without an error: NaN wherever a cell is missing
   * or not a number (firstNonNumber finds the first of those).
   */
  numbers(nameOrIndex: string | number): Float64Array {
    return this.parsed.numbers[this.columnIndex(nameOrIndex)]!.slice();
  }

  /** The row of a column's first cell that is not a number (a word), or -1 when all are numbers. */
  firstNonNumber(nameOrIndex: string | number): number {
    return this.parsed.firstBad[this.columnIndex(nameOrIndex)]!;
  }

  /** A column's cells as the file wrote them (without the quotes). */
  rawColumn(nameOrIndex: string | number): string[] {
    const c = this.columnIndex(nameOrIndex);
    const out = new Array<string>(this.parsed.rows);
    for (let r = 0; r < this.parsed.rows; r++) out[r] = this.cell(r, c);
    return out;
  }

  /** Row i's values as numbers, in column order (negative i counts from the end). */
  row(i: number): number[] {
    const r = this.rowIndex(i);
    return this.columns.map((_, c) => {
      if (this.parsed.firstBad[c] !== -1 && r >= this.parsed.firstBad[c]!) {
        const cell = this.cell(r, c);
        if (parseCell(cell) === null) this.notANumber(r, c, cell);
      }
      return this.parsed.numbers[c]![r]!;
    });
  }

  /** Row i's cells as the file wrote them. */
  rawRow(i: number): string[] {
    const r = this.rowIndex(i);
    return readRecord(this.parsed.bytes, this.parsed.rowStarts[r]!, this.parsed.delimiter, this.parsed.decode).fields;
  }

  /** The file line (1-based) that row i starts on. */
  lineOf(i: number): number {
    const r = this.rowIndex(i);
    if (!this.lines) {
      // One pass counting line ends up to each row's start, made the first time a line is asked for.
      const { bytes, rowStarts, rows } = this.parsed;
      const lines = new Int32Array(rows);
      let line = 1;
      let at = 0;
      for (let k = 0; k < rows; k++) {
        const to = rowStarts[k]!;
        for (; at < to; at++) {
          const b = bytes[at];
          if (b === LF || (b === CR && bytes[at + 1] !== LF)) line++;
        }
        lines[k] = line;
      }
      this.lines = lines;
    }
    return this.lines[r]!;
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
      return this.tensorFactory(this.columnValues(columns), [this.length]);
    }
    const indices = (columns ?? this.columns.map((_, c) => c)).map((c) => this.columnIndex(c));
    for (const c of indices) this.checkNumeric(c);
    const k = indices.length;
    const data = new Float64Array(this.length * k);
    indices.forEach((c, j) => {
      const values = this.parsed.numbers[c]!;
      for (let r = 0; r < values.length; r++) data[r * k + j] = values[r]!;
    });
    return this.tensorFactory(data, [this.length, k]);
  }

  private rowIndex(i: number): number {
    const n = this.parsed.rows;
    if (!Number.isInteger(i) || i < -n || i >= n) throw new RangeError(`row ${i} is out of range for a table of ${n} rows`);
    return i < 0 ? i + n : i;
  }

  private cell(r: number, c: number): string {
    const { bytes, rowStarts, delimiter, decode } = this.parsed;
    let p = rowStarts[r]!;
    for (let k = 0; ; k++) {
      const f = readField(bytes, p, delimiter, decode);
      if (k === c) return f.text;
      p = f.end + 1;
    }
  }

  private checkNumeric(c: number): void {
    const r = this.parsed.firstBad[c]!;
    if (r !== -1) this.notANumber(r, c, this.cell(r, c));
  }

  private notANumber(r: number, c: number, cell: string): never {
    const name = this.columns[c]!;
    const line = this.lineOf(r);
    throw new CsvError(`line ${line}, column '${name}': ${quoteCell(cell)} is not a number`, line, name);
  }
}

/** Parses CSV bytes (a file's contents; UTF-8 unless options.encoding says otherwise) into a table. */
export function parseCsvBytes<T = never>(bytes: Uint8Array, options: ParseCsvOptions<T> = {}): Table<T> {
  return new Table(parseBytes(bytes, options), options.tensorFactory);
}

/** Parses CSV text (a file's contents) into a table. */
export function parseCsv<T = never>(text: string, options: ParseCsvOptions<T> = {}): Table<T> {
  return parseCsvBytes(new TextEncoder().encode(text), { ...options, encoding: "utf8" });
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
