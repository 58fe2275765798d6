// Errors the user can fix (a missing file, a bad option): main prints their message as one line and
// exits with status 1; anything else is a bug and keeps its stack behind KINDLING_DEBUG=1.

export class CliError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CliError";
  }
}

/** A wrong command line: the message, then where to read the usage. */
export class UsageError extends CliError {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** The one line printed for an error. */
export function errorLine(error: unknown, command?: string): string {
  const message = (error instanceof Error ? error.message : String(error)).split("\n")[0];
  if (error instanceof UsageError) {
    const help = error.command ?? command;
    return `kindling: ${message} (see 'kindling ${help ? `${help} ` : ""}--help')`;
  }
  return `kindling: ${message}`;
}
