import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type CommandSpec,
  choiceOption,
  helpText,
  intListOption,
  intOption,
  parseCommand,
  positiveOption,
} from "../../src/cli/args.js";
import { errorLine, UsageError } from "../../src/cli/errors.js";

const spec: CommandSpec = {
  name: "train",
  summary: "Train.",
  options: [
    { name: "csv", type: "string", value: "FILE", help: "the table", required: true },
    { name: "epochs", type: "string", value: "N", help: "passes", defaultText: "100" },
    { name: "quiet", type: "boolean", help: "no progress" },
  ],
  examples: ["kindling train --csv a.csv"],
};

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${error}`);
    return errorLine(error);
  }
  assert.fail("expected an error");
}

test("options parse in both --name value and --name=value forms", () => {
  assert.deepEqual({ ...parseCommand(spec, ["--csv", "a.csv", "--epochs=5", "--quiet"]) }, { csv: "a.csv", epochs: "5", quiet: true });
});

test("--help wins over missing required options", () => {
  assert.equal(parseCommand(spec, ["--help"]).help, true);
  assert.equal(parseCommand(spec, ["-h"]).help, true);
});

test("command-line mistakes are one line naming the option and the help to read", () => {
  assert.equal(usageMessage(() => parseCommand(spec, [])), "kindling: train: --csv FILE is required (see 'kindling train --help')");
  assert.equal(usageMessage(() => parseCommand(spec, ["--csv", "a", "--epoch", "3"])), "kindling: unknown option '--epoch' (see 'kindling train --help')");
  assert.equal(usageMessage(() => parseCommand(spec, ["--csv"])), "kindling: --csv needs a value (see 'kindling train --help')");
  assert.equal(usageMessage(() => parseCommand(spec, ["--csv", "a", "extra"])), "kindling: unexpected argument 'extra' (see 'kindling train --help')");
  assert.equal(usageMessage(() => parseCommand(spec, ["--csv="])), "kindling: train: --csv needs a value (see 'kindling train --help')");
  assert.equal(usageMessage(() => parseCommand(spec, ["--csv", "a", "--quiet=yes"])), "kindling: --quiet takes no value (see 'kindling train --help')");
});

test("values are checked and the bad one quoted", () => {
  const v = (epochs: string) => parseCommand(spec, ["--csv", "a", "--epochs", epochs]);
  assert.equal(intOption(spec, v("12"), "epochs", 100, 1), 12);
  assert.equal(intOption(spec, parseCommand(spec, ["--csv", "a"]), "epochs", 100, 1), 100);
  assert.match(usageMessage(() => intOption(spec, v("1.5"), "epochs", 100, 1)), /--epochs must be a whole number >= 1, got '1.5'/);
  assert.match(usageMessage(() => intOption(spec, v("0"), "epochs", 100, 1)), /got '0'/);
  assert.equal(positiveOption(spec, v("0.25"), "epochs", 1), 0.25);
  const negative = parseCommand(spec, ["--csv", "a", "--epochs=-1"]);
  assert.match(usageMessage(() => positiveOption(spec, negative, "epochs", 1)), /--epochs must be a number > 0, got '-1'/);
  assert.match(usageMessage(() => v("-1")), /a value of --epochs that starts with '-' is written --epochs=VALUE/);
  assert.match(usageMessage(() => positiveOption(spec, v("abc"), "epochs", 1)), /got 'abc'/);
  assert.deepEqual(intListOption(spec, v("8, 4"), "epochs", []), [8, 4]);
  assert.deepEqual(intListOption(spec, v("none"), "epochs", [3]), []);
  assert.match(usageMessage(() => intListOption(spec, v("8,x"), "epochs", [])), /layer widths like 8,8/);
  assert.equal(choiceOption(spec, v("ADAM"), "epochs", ["sgd", "adam"] as const, "sgd"), "adam");
  assert.match(usageMessage(() => choiceOption(spec, v("lbfgs"), "epochs", ["sgd", "adam"] as const, "sgd")), /must be one of sgd, adam, got 'lbfgs'/);
});

test("help lists every option with its value, default and requirement", () => {
  const text = helpText(spec);
  assert.match(text, /^Usage: kindling train \[options\]\n/);
  assert.match(text, /--csv FILE\s+the table \(required\)/);
  assert.match(text, /--epochs N\s+passes \(default: 100\)/);
  assert.match(text, /--quiet\s+no progress\n/);
  assert.match(text, /--help\s+show this help and exit/);
  assert.match(text, /Examples:\n {2}kindling train --csv a.csv/);
});
