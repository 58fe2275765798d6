// Command lines: each command declares its options once; the same declaration parses argv, checks
// values (naming the option at fault) and prints --help.
import { parseArgs } from "node:util";
import { UsageError } from "./errors.js";

export interface OptionSpec {
  name: string;
  type: "string" | "boolean";
  /** What the value is, in the help ("N", "FILE"). */
  value?: string;
  help: string;
  /** Shown in the help; the command applies it. */
  defaultText?: string;
  required?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Paragraphs after the usage line. */
  description?: string;
  options: readonly OptionSpec[];
  examples?: readonly string[];
}

export type ParsedOptions = Record<string, string | boolean | undefined>;

const HELP: OptionSpec = { name: "help", type: "boolean", help: "show this help and exit" };

/** The options of argv (no positionals); `help` is true when --help or -h was given. */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): ParsedOptions {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const o of [...spec.options, HELP]) options[o.name] = { type: o.type };
  options.help.short = "h";
  let values: ParsedOptions;
  let tokens: ReadonlyArray<{ kind: string; name?: string; value?: string }>;
  try {
    const parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false, tokens: true });
    values = parsed.values as ParsedOptions;
    tokens = parsed.tokens ?? [];
  } catch (error) {
    throw new UsageError(describeParseError(error as Error & { code?: string }), spec.name);
  }
  if (values.help) return values;
  // An option given twice is a mistake to name, not a silent "the last one wins".
  const seen = new Map<string, string | undefined>();
  for (const t of tokens) {
    if (t.kind !== "option" || t.name === undefined) continue;
    if (seen.has(t.name)) {
      const both = t.value === undefined ? "" : ` ('${seen.get(t.name)}' and '${t.value}')`;
      throw new UsageError(`${spec.name}: --${t.name} is given twice${both}; give it once`, spec.name);
    }
    seen.set(t.name, t.value);
  }
  for (const o of spec.options) {
    if (o.required && values[o.name] === undefined) throw new UsageError(`${spec.name}: --${o.name} ${o.value ?? ""} is required`.trimEnd(), spec.name);
    if (o.type === "string" && values[o.name] === "") throw new UsageError(`${spec.name}: --${o.name} needs a value`, spec.name);
  }
  return values;
}

function describeParseError(error: Error & { code?: string }): string {
  const message = error.message;
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const name = /'([^']+)'/.exec(message)?.[1] ?? message;
    return `unknown option '${name}'`;
  }
  if (error.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const name = /'([^']+)'/.exec(message)?.[1] ?? message;
    return `unexpected argument '${name}'`;
  }
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const name = /'(--[a-z-]+)/.exec(message)?.[1];
    if (/argument missing/.test(message) && name) return `${name} needs a value`;
    if (/does not take an argument/.test(message) && name) return `${name} takes no value`;
  }
  if (/argument is ambiguous/.test(message)) {
    const name = /'(--[a-z-]+)/.exec(message)?.[1] ?? "the option";
    return `a value of ${name} that starts with '-' is written ${name}=VALUE`;
  }
  return message.split("\n")[0];
}

/** The --help text. */
export function helpText(spec: CommandSpec, program = "kindling"): string {
  const lines = [`Usage: ${program} ${spec.name} [options]`, "", spec.summary];
  if (spec.description) lines.push("", spec.description);
  lines.push("", "Options:");
  const all = [...spec.options, HELP];
  const left = all.map((o) => `  --${o.name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  all.forEach((o, i) => {
    const extra = o.required ? " (required)" : o.defaultText ? ` (default: ${o.defaultText})` : "";
    lines.push(`${left[i].padEnd(width)}${o.help}${extra}`);
  });
  if (spec.examples?.length) lines.push("", "Examples:", ...spec.examples.map((e) => `  ${e}`));
  return `${lines.join("\n")}\n`;
}

/** A whole number option: --epochs 100. */
export function intOption(spec: CommandSpec, values: ParsedOptions, name: string, fallback: number, min = 0): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const text = String(raw).trim();
  const n = Number(text);
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${spec.name}: --${name} must be a whole number >= ${min}, got '${raw}'`, spec.name);
  }
  return n;
}

/** A positive number option: --lr 0.01. */
export function positiveOption(spec: CommandSpec, values: ParsedOptions, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(String(raw).trim());
  if (String(raw).trim() === "" || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`${spec.name}: --${name} must be a number > 0, got '${raw}'`, spec.name);
  }
  return n;
}

/** A comma-separated list of whole numbers: --hidden 8,8 (an empty string or "none" is no hidden layer). */
export function intListOption(spec: CommandSpec, values: ParsedOptions, name: string, fallback: number[]): number[] {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const text = String(raw).trim();
  if (text === "none") return [];
  const parts = text.split(",").map((p) => p.trim());
  // "0" is refused as "8,0" is: a layer of width 0 is not a linear model ('none' asks for that).
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) {
    throw new UsageError(`${spec.name}: --${name} must be layer widths like 8,8 (whole numbers >= 1) or 'none', got '${raw}'`, spec.name);
  }
  return parts.map(Number);
}

/** One of a fixed set: --optimizer sgd|adam. */
export function choiceOption<T extends string>(spec: CommandSpec, values: ParsedOptions, name: string, choices: readonly T[], fallback: T): T {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const text = String(raw).trim().toLowerCase();
  if (!(choices as readonly string[]).includes(text)) {
    throw new UsageError(`${spec.name}: --${name} must be one of ${choices.join(", ")}, got '${raw}'`, spec.name);
  }
  return text as T;
}

export function stringOption(values: ParsedOptions, name: string, fallback: string): string;
export function stringOption(values: ParsedOptions, name: string): string | undefined;
export function stringOption(values: ParsedOptions, name: string, fallback?: string): string | undefined {
  const raw = values[name];
  return raw === undefined ? fallback : String(raw);
}
