import { parseArgs } from "node:util";
import {
  compileConfig,
  configParseArgsOptions,
  flagsToOptions,
  type BatonConfig,
  type BatonOptions,
} from "../../src/config/index.js";
import { ConfigError } from "../../src/errors.js";
import { thrownBy } from "./errors.js";

/** Compile with an isolated environment so the test runner's env never leaks in. */
export function compile(
  options?: BatonOptions,
  env: NodeJS.ProcessEnv = {},
  flags?: BatonOptions,
): BatonConfig {
  return compileConfig(options, flags === undefined ? { env } : { env, flags });
}

/** CLI arguments as `baton` parses them, turned into options. */
export function parseFlags(args: string[]): BatonOptions {
  const { values } = parseArgs({ args, options: configParseArgsOptions(), strict: true });
  return flagsToOptions(values);
}

export function configError(fn: () => unknown): ConfigError {
  return thrownBy(fn, ConfigError);
}
