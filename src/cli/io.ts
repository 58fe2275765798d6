// Where a command writes: the process's streams when run, recorders in tests.
import type { ProgressStream } from "./progress.js";

export interface CliIO {
  /** Results: the chapter's numbers, tables, the list of files written. */
  stdout: ProgressStream;
  /** Progress bars and warnings, so that piping stdout keeps only the results. */
  stderr: ProgressStream;
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr };
}

/** Writes lines to a stream. */
export function printer(stream: ProgressStream): (...lines: string[]) => void {
  return (...lines) => {
    stream.write(lines.length ? `${lines.join("\n")}\n` : "\n");
  };
}
