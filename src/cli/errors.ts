import { BatonError, ConfigError, ErrorCode, NatsServerMissingError } from "../errors.js";

/** Exit statuses: 1 for a failed operation, 2 for a usage or setup problem. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** An error whose message is already meant for the person at the terminal. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT_USAGE);
  }
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? text;
}

/** One line for stderr and the exit status for an error thrown by a command. */
export function describeError(err: unknown): { message: string; exitCode: number } {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof NatsServerMissingError || err instanceof ConfigError) {
    return { message: err.message, exitCode: EXIT_USAGE };
  }
  if (err instanceof BatonError) {
    // Validation, not-found and precondition messages already name the field or the task.
    const message =
      err.code === ErrorCode.Unavailable && !/NATS/i.test(err.message)
        ? `NATS unavailable: ${err.message}`
        : err.message;
    return { message: firstLine(message), exitCode: EXIT_FAILURE };
  }
  if (err instanceof Error) {
    return { message: firstLine(err.message) || err.name, exitCode: EXIT_FAILURE };
  }
  return { message: String(err), exitCode: EXIT_FAILURE };
}
