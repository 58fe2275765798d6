// What every subcommand module provides to main.
import type { CommandSpec, ParsedOptions } from "./args.js";
import type { CliIO } from "./io.js";

export interface Command {
  spec: CommandSpec;
  run(options: ParsedOptions, io: CliIO): Promise<void>;
}
