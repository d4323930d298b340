/**
 * Command-line flags of the bench scripts: `--help` prints the usage, and a mistyped flag or
 * value ends the script with what was wrong and the usage (exit code 2) rather than a stack.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;
const HELP = { help: { type: "boolean", short: "h" } } as const;

/** A flag's value is wrong: the message names the flag. */
export class FlagError extends Error {
  override name = "FlagError";
}

function usageExit(err: unknown, usage: string): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`error: ${message}\n\n${usage}`);
  process.exit(2);
}

/** Parses process.argv; prints `usage` and exits on --help or on a flag parseArgs refuses. */
export function parseFlags<const O extends Options>(options: O, usage: string) {
  const config: { options: O & typeof HELP; strict: true; allowPositionals: false } = {
    options: { ...options, ...HELP },
    strict: true,
    allowPositionals: false,
  };
  let parsed;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    usageExit(err, usage);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  return parsed.values;
}

/** An integer >= 1 given as `flag`. */
export function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new FlagError(`${flag}: expected an integer >= 1, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** One of `choices` given as `flag`. */
export function oneOf<const C extends string>(
  text: string,
  flag: string,
  choices: readonly C[],
): C {
  const found = choices.find((c) => c === text);
  if (found === undefined) {
    throw new FlagError(`${flag}: expected ${choices.join(" or ")}, got ${JSON.stringify(text)}`);
  }
  return found;
}

/** Runs a script's main; a FlagError it throws ends it with the usage instead of a stack. */
export function runMain(main: () => Promise<void>, usage: string): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      if (err instanceof FlagError) usageExit(err, usage);
      console.error(err);
      process.exit(1);
    },
  );
}
