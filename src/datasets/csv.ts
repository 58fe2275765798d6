// Generated data as CSV text, the way pandas' to_csv(index=False) writes the chapter's tables, so
// data.readCsv (or pandas) reads back exactly the numbers that were generated.
import type { ColumnKind, GeneratedData } from "./generated-data.js";

/** The shortest decimal that reads back as the same float32 (the values are float32 tensors). */
export function formatFloat32(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
  const target = Math.fround(value);
  for (let digits = 1; digits < 17; digits++) {
    const text = String(Number(target.toPrecision(digits)));
    if (Math.fround(Number(text)) === target) return text;
  }
  return String(target);
}

export function formatCell(value: number, kind: ColumnKind): string {
  if (kind === "boolean") return value !== 0 ? "True" : "False";
  if (kind === "integer") return String(Math.trunc(value));
  return formatFloat32(value);
}

/** The table as CSV text: a header of the feature names and the target name, then one line per row. */
export function toCsv(data: GeneratedData): string {
  const x = data.x.tolist() as number[][];
  const y = data.y.tolist() as number[];
  const lines = [[...data.featureNames, data.targetName].join(",")];
  for (let i = 0; i < y.length; i++) {
    const cells = x[i].map((v) => formatCell(v, data.featureKind));
    cells.push(formatCell(y[i], data.targetKind));
    lines.push(cells.join(","));
  }
  return `${lines.join("\n")}\n`;
}
