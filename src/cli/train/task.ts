// What `kindling train` learns: a binary or multi-class classifier when the target holds a few
// classes (True/False, 0/1, 0..9, or words), a regressor when it holds measurements.
import { quoteCell } from "../../data/csv.js";
import { CliError } from "../errors.js";
import type { TrainingTable } from "./load-table.js";

export type TaskKind = "binary" | "multiclass" | "regression";
export type TaskRequest = "auto" | "classification" | "regression";

/** Integer targets with at most this many values are classes when the task is "auto". */
export const MAX_AUTO_CLASSES = 10;
const MAX_CLASSES = 100;

export interface Task {
  kind: TaskKind;
  /** Class names in index order (classification), [] for regression. */
  classes: string[];
  /** Per row: the class index (classification) or the value (regression). */
  targets: number[];
}

function classesOf(names: string[], values: string[]): Task {
  if (names.length > MAX_CLASSES) throw new CliError(`train: the target has ${names.length} different values; a classifier takes at most ${MAX_CLASSES} (use --task regression for a measurement)`);
  const index = new Map(names.map((n, i) => [n, i]));
  return { kind: names.length === 2 ? "binary" : "multiclass", classes: names, targets: values.map((v) => index.get(v)!) };
}

export function chooseTask(table: TrainingTable, request: TaskRequest): Task {
  const { y, targetCells, targetName, file } = table;
  if (y === null) {
    if (request === "regression") {
      const { line, cell } = table.firstWord!;
      throw new CliError(`train: ${file}: line ${line}, column '${targetName}': ${quoteCell(cell)} is not a number; regression needs a numeric target`);
    }
    const names = [...new Set(targetCells)].sort((a, b) => a.localeCompare(b));
    if (names.length < 2) throw new CliError(`train: column '${targetName}' has a single value ('${names[0]}'); there is nothing to tell apart`);
    return classesOf(names, targetCells);
  }
  const distinct = [...new Set(y)].sort((a, b) => a - b);
  const integral = distinct.every(Number.isInteger);
  const classification = request === "classification" || (request === "auto" && integral && distinct.length <= MAX_AUTO_CLASSES);
  if (!classification) {
    if (distinct.length < 2) throw new CliError(`train: column '${targetName}' has a single value (${distinct[0]}); there is nothing to learn`);
    return { kind: "regression", classes: [], targets: y };
  }
  if (distinct.length < 2) throw new CliError(`train: column '${targetName}' has a single value (${distinct[0]}); there is nothing to tell apart`);
  // booleans keep the file's spelling as class names; numbers their shortest text
  const booleanCells = targetCells.every((c) => /^(true|false)$/i.test(c));
  const name = (v: number) => (booleanCells ? (v === 1 ? "True" : "False") : String(v));
  const task = classesOf(distinct.map(name), y.map(name));
  return task;
}
