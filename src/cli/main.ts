// The `kindling` program: the tour by default, `train` on any CSV, `datasets` to write the generated
// tables. Commands load on demand, so `--help` answers at once.
import { readFileSync } from "node:fs";
import { helpText, parseCommand } from "./args.js";
import type { Command } from "./command.js";
import { CliError, errorLine, UsageError } from "./errors.js";
import { type CliIO, printer, processIO } from "./io.js";

interface CommandEntry {
  summary: string;
  load: () => Promise<Command>;
}

const COMMANDS: Record<string, CommandEntry> = {
  tour: {
    summary: "the chapter, live: activations, a forward/backward pass by hand, pass/fail and XOR training (default)",
    load: async () => (await import("./tour/tour-command.js")).tourCommand,
  },
  train: {
    summary: "train a classifier or regressor on any CSV file and write the model and a report",
    load: async () => (await import("./train/train-command.js")).trainCommand,
  },
  datasets: {
    summary: "write the generated tables (XOR, pass/fail, moons, blobs) as CSV files",
    load: async () => (await import("./datasets-command.js")).datasetsCommand,
  },
};

const DEFAULT_COMMAND = "tour";

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

export function programHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2;
  const commands = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`);
  return [
    "kindling: PyTorch for TypeScript, and the neural-network chapter running on it.",
    "",
    "Usage: kindling [command] [options]",
    "",
    "Commands:",
    ...commands,
    `  ${"help".padEnd(width)}show the help of a command: kindling help train`,
    "",
    "With no command, kindling runs the tour. 'kindling <command> --help' lists a command's options.",
    "",
  ].join("\n");
}

/** Runs the program on argv (without node and the script) and returns the exit status. */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const out = printer(io.stdout);
  let name: string | undefined;
  try {
    const first = argv[0];
    if (first === "--help" || first === "-h") {
      io.stdout.write(programHelp());
      return 0;
    }
    if (first === "--version" || first === "-v") {
      out(version());
      return 0;
    }
    if (first === "help") {
      const topic = argv[1];
      if (topic === undefined) {
        io.stdout.write(programHelp());
        return 0;
      }
      const entry = COMMANDS[topic];
      if (!entry) throw new UsageError(`no command '${topic}'; the commands are ${Object.keys(COMMANDS).join(", ")}`);
      io.stdout.write(helpText((await entry.load()).spec));
      return 0;
    }
    let rest = argv;
    name = DEFAULT_COMMAND;
    if (first !== undefined && !first.startsWith("-")) {
      if (!COMMANDS[first]) {
        name = undefined;
        throw new UsageError(`no command '${first}'; the commands are ${Object.keys(COMMANDS).join(", ")}`);
      }
      name = first;
      rest = argv.slice(1);
    }
    const command = await COMMANDS[name].load();
    const options = parseCommand(command.spec, rest);
    if (options.help) {
      io.stdout.write(helpText(command.spec));
      return 0;
    }
    await command.run(options, io);
    return 0;
  } catch (error) {
    if (error instanceof CliError || !process.env.KINDLING_DEBUG) {
      // one line; an error that is not the user's to fix says how to see where it came from
      const hint = error instanceof CliError ? "" : " (an internal error: KINDLING_DEBUG=1 shows its stack)";
      io.stderr.write(`${errorLine(error, name)}${hint}\n`);
    } else {
      io.stderr.write(`${(error as Error)?.stack ?? error}\n`);
    }
    return 1;
  }
}
