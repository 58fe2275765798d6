// The CSV a user trains on, read and checked: every problem is a CliError naming the file, and for a
// bad cell its line and column, so `kindling train` answers with one line the user can act on.
import { statSync } from "node:fs";
import { parseCell, quoteCell } from "../../data/csv.js";
import * as torch from "../../index.js";
import { CliError } from "../errors.js";

export interface TrainingTable {
  file: string;
  featureNames: string[];
  targetName: string;
  /** Feature rows, as numbers. */
  x: number[][];
  /** The target column as numbers, or null when it holds words (class names). */
  y: number[] | null;
  /** The target column as the file wrote it. */
  targetCells: string[];
  /** The first target cell that is a word, not a number (null when all are numbers). */
  firstWord: { line: number; cell: string } | null;
}

function readTable(file: string, encoding: "utf8" | "latin1"): torch.data.Table<torch.Tensor> {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    throw new CliError(`train: no such file '${file}'`);
  }
  if (!isFile) throw new CliError(`train: '${file}' is not a file`);
  try {
    return torch.data.readCsv(file, { encoding });
  } catch (error) {
    throw new CliError(`train: ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** "line 3, column 'y' is empty" or "line 3, column 'y': 'abc' is not a number". */
function where(line: number, column: string, problem: string): string {
  return `line ${line}, column '${column}'${problem.startsWith("is ") ? " " : ": "}${problem}`;
}

/** What is wrong with a cell that should hold a number, or null when it holds one. The cell is quoted with JSON's escapes, so a newline in it cannot cut the one-line message. */
function cellProblem(cell: string): string | null {
  const value = parseCell(cell);
  const shown = quoteCell(cell.trim());
  if (value === null) return `${shown} is not a number`;
  if (Number.isNaN(value)) return cell.trim() === "" ? "is empty" : `is missing (${shown})`;
  if (!Number.isFinite(value)) return `${shown} is infinite`;
  return null;
}

/** The feature columns' numbers, or a CliError naming the first bad cell (by line, then column). */
function featureNumbers(table: torch.data.Table<torch.Tensor>, file: string, names: readonly string[]): Float64Array[] {
  const columns = names.map((name) => table.numbers(name));
  let bad: { row: number; column: number } | null = null;
  columns.forEach((values, j) => {
    const limit = bad === null ? values.length : bad.row + 1;
    for (let i = 0; i < limit; i++) {
      if (!Number.isFinite(values[i]!)) {
        if (bad === null || i < bad.row || (i === bad.row && j < bad.column)) bad = { row: i, column: j };
        break;
      }
    }
  });
  if (bad !== null) {
    const { row, column } = bad as { row: number; column: number };
    const problem = cellProblem(table.rawRow(row)[table.columnIndex(names[column]!)]!)!;
    throw new CliError(`train: ${file}: ${where(table.lineOf(row), names[column]!, problem)}; every input must be a number`);
  }
  return columns;
}

export function loadTrainingTable(
  file: string,
  target: string,
  options: { minRows?: number; encoding?: "utf8" | "latin1" } = {},
): TrainingTable {
  const table = readTable(file, options.encoding ?? "utf8");
  const columns = table.columns;
  if (!columns.includes(target)) {
    throw new CliError(`train: ${file} has no column '${target}'; its columns are ${columns.map((c) => `'${c}'`).join(", ")}`);
  }
  const featureNames = columns.filter((c) => c !== target);
  if (featureNames.length === 0) throw new CliError(`train: ${file} has only the target column '${target}'; there is nothing to learn from`);
  const featureColumns = featureNumbers(table, file, featureNames);
  const x = Array.from({ length: table.length }, (_, i) => featureColumns.map((column) => column[i]!));
  const targetCells = table.rawColumn(target).map((c) => c.trim());
  const parsed = targetCells.map(parseCell);
  const missing = parsed.findIndex((v) => v !== null && !Number.isFinite(v));
  if (missing >= 0) {
    const problem = cellProblem(targetCells[missing])!;
    throw new CliError(`train: ${file}: ${where(table.lineOf(missing), target, problem)}; every row needs a target`);
  }
  // a target with words in it holds class names (setosa, versicolor, ...)
  const word = parsed.indexOf(null);
  const y = word < 0 ? (parsed as number[]) : null;
  const firstWord = word < 0 ? null : { line: table.lineOf(word), cell: targetCells[word] };
  const minRows = options.minRows ?? 10;
  if (table.length < minRows) {
    throw new CliError(`train: ${file} has ${table.length} row${table.length === 1 ? "" : "s"}; training needs at least ${minRows}`);
  }
  return { file, featureNames, targetName: target, x, y, targetCells, firstWord };
}
