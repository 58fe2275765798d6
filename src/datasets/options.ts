// Checks shared by the generators, so a bad argument fails with its name rather than deep in an op.
import type { Generator } from "../index.js";

export interface GeneratorOptions {
  /** Where the random draws come from (default: torch's default generator, as PyTorch). */
  generator?: Generator;
}

export function checkCount(fn: string, name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${fn}: ${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

export function checkNonNegative(fn: string, name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${fn}: ${name} must be a finite number >= 0, got ${value}`);
  return value;
}
