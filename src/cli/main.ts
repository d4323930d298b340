import { readFileSync } from "node:fs";
import { commandConfig, parseCommandArgs } from "./args.js";
import type { Command, Output } from "./command.js";
import { agentCommand } from "./commands/agent.js";
import { cancelCommand } from "./commands/cancel.js";
import { demandCommand } from "./commands/demand.js";
import { dlqCommand } from "./commands/dlq.js";
import { gatewayCommand } from "./commands/gateway.js";
import { getCommand } from "./commands/get.js";
import { quickstartCommand } from "./commands/quickstart.js";
import { submitCommand } from "./commands/submit.js";
import { tasksCommand } from "./commands/tasks.js";
import { watchCommand } from "./commands/watch.js";
import { describeError, EXIT_USAGE } from "./errors.js";
import { commandHelp, configHelp, generalHelp } from "./help.js";

export const COMMANDS: readonly Command[] = [
  quickstartCommand,
  agentCommand,
  submitCommand,
  getCommand,
  watchCommand,
  cancelCommand,
  tasksCommand,
  dlqCommand,
  demandCommand,
  gatewayCommand,
];

export interface CliIO {
  stdout: Output;
  stderr: Output;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version?: string;
  };
  return pkg.version ?? "unknown";
}

function help(topic: string | undefined, io: CliIO): number {
  if (topic === undefined) {
    io.stdout.write(`${generalHelp(COMMANDS)}\n`);
    return 0;
  }
  if (topic === "config") {
    io.stdout.write(`${configHelp()}\n`);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === topic);
  if (!cmd) {
    io.stderr.write(`baton: no help for "${topic}" (see baton --help)\n`);
    return EXIT_USAGE;
  }
  io.stdout.write(`${commandHelp(cmd)}\n`);
  return 0;
}

/** Runs one CLI invocation and resolves with its exit status; never throws. */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") return help(undefined, io);
  if (name === "help") return help(rest[0], io);
  if (name === "--version" || name === "-v") {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.stderr.write(`baton: unknown command "${name}" (see baton --help)\n`);
    return EXIT_USAGE;
  }
  try {
    const parsed = parseCommandArgs(cmd, rest);
    if (parsed.help) {
      io.stdout.write(`${commandHelp(cmd)}\n`);
      return 0;
    }
    const config = commandConfig(parsed.values, cmd.defaultLogLevel ?? "warn", io.env);
    return await cmd.run({
      values: parsed.values,
      positionals: parsed.positionals,
      config,
      stdout: io.stdout,
      stderr: io.stderr,
      cwd: io.cwd,
      env: io.env,
    });
  } catch (err) {
    const { message, exitCode } = describeError(err);
    io.stderr.write(`baton: ${cmd.name}: ${message}\n`);
    if (io.env.BATON_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return exitCode;
  }
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write("", () => resolve()));
}

/** The `baton` executable: runs, flushes output, and exits even if a handle is left open. */
export async function main(argv: readonly string[]): Promise<never> {
  const code = await run(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
  });
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}
