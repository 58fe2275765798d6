// What every generator returns: features and target as tensors, with the names and kinds the CSV
// writer needs to write them back as a table shaped like the chapter's.
import type { Tensor } from "../index.js";

/** How a column is written: booleans as True/False (as pandas writes them), integers bare, floats shortest. */
export type ColumnKind = "boolean" | "integer" | "float";

export interface GeneratedData {
  /** Features, float32 [n, features]. */
  readonly x: Tensor;
  /** Targets, [n]: float32 0/1 for two classes (ready for BCELoss after unsqueeze(1)), int64 class indices otherwise. */
  readonly y: Tensor;
  /** Feature column names, in x's column order. */
  readonly featureNames: readonly string[];
  /** The target column's name. */
  readonly targetName: string;
  readonly featureKind: ColumnKind;
  readonly targetKind: ColumnKind;
}
