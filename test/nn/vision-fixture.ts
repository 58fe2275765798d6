// Loading the pooling / normalization fixtures (test/fixtures/<area>/<name>.json) and running a
// fixture case's torch.nn.functional op by name through kindling's F, with snake_case keyword
// arguments turned into kindling's trailing options object.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type * as torch from "../../src/index.js";
import { F } from "../../src/index.js";
import { fromDump, type TDump } from "./fixture.js";

const NON_FINITE: Record<string, number> = { inf: Number.POSITIVE_INFINITY, "-inf": Number.NEGATIVE_INFINITY, nan: Number.NaN };

export function loadAreaFixture<T>(area: string, name: string): T {
  const text = readFileSync(join(import.meta.dirname, "..", "fixtures", area, `${name}.json`), "utf8");
  return JSON.parse(text, (_k, v) => (typeof v === "string" && v in NON_FINITE ? NON_FINITE[v] : v)) as T;
}

export function camel(s: string): string {
  return s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

export function camelKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [camel(k), v]));
}

/** The input a case describes: the stored tensor, transposed back in its last two dims when the case is non-contiguous. */
export function caseInput(stored: TDump, noncontiguous: boolean): torch.Tensor {
  const t = fromDump(stored);
  return noncontiguous ? t.transpose(-1, -2) : t;
}

/** Calls F[camel(op)](input, ...args, options); the options object is left out when empty. */
export function callF(op: string, input: torch.Tensor, args: unknown[], kwargs: Record<string, unknown>, extra: unknown[] = []): unknown {
  const fn = (F as unknown as Record<string, (...a: unknown[]) => unknown>)[camel(op)];
  if (!fn) throw new Error(`no F.${camel(op)}`);
  const opts = camelKeys(kwargs);
  return Object.keys(opts).length ? fn(input, ...extra, ...args, opts) : fn(input, ...extra, ...args);
}
