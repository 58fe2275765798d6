// Plain-text tables for the terminal: columns padded to their widest cell, numbers right-aligned.

export type Cell = string | number;

export interface TableOptions {
  /** Columns to right-align (default: those whose cells are all numbers). */
  rightAlign?: readonly boolean[];
  /** Spaces before every line. */
  indent?: number;
  /** Digits after the point for numbers (default 4). */
  digits?: number;
}

export function formatNumber(value: number, digits = 4): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value);
  if (!Number.isFinite(value)) return String(value);
  return value.toFixed(digits);
}

/** Lines of a table: the header, a rule, then the rows. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly Cell[]>, options: TableOptions = {}): string[] {
  const digits = options.digits ?? 4;
  // a column of whole numbers prints them bare; a column with any fraction gives all the same digits
  const whole = header.map((_, j) => rows.every((r) => typeof r[j] !== "number" || Number.isInteger(r[j])));
  const text = rows.map((row) =>
    row.map((c, j) => (typeof c !== "number" ? c : whole[j] ? formatNumber(c, digits) : Number.isFinite(c) ? c.toFixed(digits) : String(c))),
  );
  const right = options.rightAlign ?? header.map((_, j) => rows.length > 0 && rows.every((r) => typeof r[j] === "number"));
  const widths = header.map((h, j) => Math.max([...h].length, ...text.map((r) => [...(r[j] ?? "")].length)));
  const pad = (cell: string, j: number) => {
    const gap = " ".repeat(widths[j] - [...cell].length);
    return right[j] ? gap + cell : cell + gap;
  };
  const indent = " ".repeat(options.indent ?? 2);
  const line = (cells: readonly string[]) => indent + cells.map(pad).join("  ").trimEnd();
  return [line(header), indent + widths.map((w) => "─".repeat(w)).join("  "), ...text.map(line)];
}
