import { createRequire } from "node:module";
import { pino, type Logger } from "pino";

export type { Logger } from "pino";

function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve("pino-pretty");
    return true;
  } catch {
    return false;
  }
}

/** JSON logs on stderr (stdout stays for command output); pretty when stderr is a terminal. */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  if (process.stderr.isTTY && process.env.BATON_LOG_FORMAT !== "json" && prettyAvailable()) {
    return pino({
      level,
      base: bindings,
      transport: { target: "pino-pretty", options: { destination: 2, ignore: "pid,hostname" } },
    });
  }
  return pino({ level, base: bindings }, pino.destination({ dest: 2, sync: false }));
}
