// A stream that keeps what was written, for the CLI's tests.
import type { CliIO } from "../../src/cli/io.js";
import type { ProgressStream } from "../../src/cli/progress.js";

export class Recorder implements ProgressStream {
  text = "";
  constructor(
    readonly isTTY = false,
    readonly columns = 100,
  ) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

export function recordingIO(): CliIO & { stdout: Recorder; stderr: Recorder } {
  return { stdout: new Recorder(), stderr: new Recorder() };
}
