import { parseArgs } from "node:util";
import {
  compileConfig,
  configParseArgsOptions,
  flagsToOptions,
  type BatonConfig,
} from "../config/index.js";
import type { Command, FlagValues } from "./command.js";
import { UsageError } from "./errors.js";

type ParseArgsOption = { type: "string" | "boolean"; short?: string; multiple?: boolean };

export interface ParsedArgs {
  values: FlagValues;
  positionals: string[];
  help: boolean;
}

function parseOptions(cmd: Command): Record<string, ParseArgsOption> {
  const options: Record<string, ParseArgsOption> = { ...configParseArgsOptions() };
  for (const [name, spec] of Object.entries(cmd.options)) {
    if (name in options) throw new Error(`baton ${cmd.name}: --${name} clashes with a config flag`);
    options[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  options.help = { type: "boolean", short: "h" };
  return options;
}

/** node's messages carry advice about "--" that does not help here; keep the point. */
function usageMessage(err: Error): string {
  const first = err.message.split("\n", 1)[0] ?? err.message;
  const unknown = /^Unknown option '([^']+)'/.exec(first);
  if (unknown) return `unknown option ${unknown[1]}`;
  const unexpected = /^Unexpected argument '([^']+)'/.exec(first);
  if (unexpected) return `unexpected argument ${unexpected[1]}`;
  return first.replace(/\. To specify .*$/, "");
}

export function parseCommandArgs(cmd: Command, args: readonly string[]): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: parseOptions(cmd),
      allowPositionals: true,
      strict: true,
    });
    return { values, positionals, help: values.help === true };
  } catch (err) {
    if (err instanceof Error && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError(`${usageMessage(err)} (see baton ${cmd.name} --help)`);
    }
    throw err;
  }
}

/**
 * Config from BATON_* and the command's flags. Short-lived commands default to warn-level logs
 * so their output is not buried; an explicit BATON_LOG_LEVEL or --log-level still wins.
 */
export function commandConfig(
  values: FlagValues,
  defaultLogLevel: "info" | "warn",
  env: NodeJS.ProcessEnv = process.env,
): BatonConfig {
  const envLevel = env.BATON_LOG_LEVEL;
  const effectiveEnv =
    envLevel === undefined || envLevel.trim() === ""
      ? { ...env, BATON_LOG_LEVEL: defaultLogLevel }
      : env;
  return compileConfig(undefined, { env: effectiveEnv, flags: flagsToOptions(values) });
}

/** Exactly `names.length` positionals, or a usage error naming the missing one. */
export function takePositionals(
  cmd: Command,
  positionals: readonly string[],
  names: readonly string[],
): string[] {
  if (positionals.length < names.length) {
    throw new UsageError(`missing ${names[positionals.length]} (see baton ${cmd.name} --help)`);
  }
  if (positionals.length > names.length) {
    throw new UsageError(`unexpected argument ${positionals[names.length]}`);
  }
  return [...positionals];
}
