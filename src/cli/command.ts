import type { BatonConfig } from "../config/index.js";

/** One command-specific option, as node:util parseArgs takes it plus help text. */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** Placeholder in help: `--priority <band>`. */
  value?: string;
  description: string;
}

export type FlagValues = Readonly<
  Record<string, string | boolean | readonly (string | boolean)[] | undefined>
>;

/** What a command's output goes to; tests and the quickstart share the same shape. */
export interface Output {
  write(text: string): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CommandContext {
  readonly values: FlagValues;
  readonly positionals: readonly string[];
  readonly config: BatonConfig;
  readonly stdout: Output;
  readonly stderr: Output;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Usage lines without the leading "baton ". */
  readonly usage: readonly string[];
  /** A paragraph shown under the usage in --help. */
  readonly description?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Log level when neither BATON_LOG_LEVEL nor --log-level is given (default "warn"). */
  readonly defaultLogLevel?: "info" | "warn";
  /** Resolves with the exit status. */
  run(ctx: CommandContext): Promise<number>;
}

export function stringFlag(values: FlagValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

export function booleanFlag(values: FlagValues, name: string): boolean {
  return values[name] === true;
}

export function stringsFlag(values: FlagValues, name: string): string[] {
  const v = values[name];
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  return [];
}
