import { createRequire } from "node:module";
import { isSpanContextValid, trace } from "@opentelemetry/api";
import { pino, type Logger, type LoggerOptions } from "pino";

export type { Logger } from "pino";

function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve("pino-pretty");
    return true;
  } catch {
    return false;
  }
}

/** The active span's ids, so a log line can be found from its trace and back. */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const ctx = trace.getActiveSpan()?.spanContext();
  if (!ctx || !isSpanContextValid(ctx)) return {};
  return { trace_id: ctx.traceId, span_id: ctx.spanId };
}

/**
 * JSON logs on stderr (stdout stays for command output); pretty when stderr is a terminal.
 * Lines carry trace_id and span_id of the active OpenTelemetry span; the runner's child
 * loggers add agent_id and task_id.
 */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  const options: LoggerOptions = { level, base: bindings, mixin: traceFields };
  if (process.stderr.isTTY && process.env.BATON_LOG_FORMAT !== "json" && prettyAvailable()) {
    return pino({
      ...options,
      transport: { target: "pino-pretty", options: { destination: 2, ignore: "pid,hostname" } },
    });
  }
  return pino(options, pino.destination({ dest: 2, sync: false }));
}
