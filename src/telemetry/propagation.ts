/**
 * W3C trace context (`traceparent`, `tracestate`) in the places a task's trace travels: the task
 * record, the queue message's NATS headers and gRPC metadata. Always W3C, whatever
 * OTEL_PROPAGATORS says, so every Baton process (and other-language clients) read the same thing.
 */
import {
  createTraceState,
  isSpanContextValid,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
  type Context,
  type SpanContext,
} from "@opentelemetry/api";

export const TRACEPARENT = "traceparent";
export const TRACESTATE = "tracestate";

/** A span's context as stored in a TaskRecord (and sent in headers). */
export interface TaskTrace {
  traceparent: string;
  tracestate?: string;
}

/** Whether text[from, to) is lowercase hex. */
function isLowerHex(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Whether text[from..] holds a line break (after the flags a later version's fields may follow). */
const hasLineBreak = (text: string, from: number): boolean =>
  /[\n\r\u2028\u2029]/.test(text.slice(from));

const ALL_ZERO_TRACE = "0".repeat(32);
const ALL_ZERO_SPAN = "0".repeat(16);

/** `traceparent` of a span context: version 00, sampled flag as given. */
export function formatTraceparent(sc: SpanContext): string {
  const flags = (sc.traceFlags & 0xff).toString(16).padStart(2, "0");
  return `00-${sc.traceId}-${sc.spanId}-${flags}`;
}

/**
 * A remote span context, or undefined when `traceparent` is missing or malformed:
 * `version-traceid-spanid-flags`, lowercase hex, and for versions after 00 more fields after
 * another dash. Read by position rather than with a regular expression: it runs for every task.
 */
export function parseTraceparent(
  traceparent: string | undefined,
  tracestate?: string,
): SpanContext | undefined {
  if (traceparent === undefined) return undefined;
  const t = traceparent.trim();
  if (t.length < 55 || t[2] !== "-" || t[35] !== "-" || t[52] !== "-") return undefined;
  if (!isLowerHex(t, 0, 2) || !isLowerHex(t, 3, 35)) return undefined;
  if (!isLowerHex(t, 36, 52) || !isLowerHex(t, 53, 55)) return undefined;
  const version = t.slice(0, 2);
  // Version ff is invalid; version 00 allows nothing after the flags.
  if (version === "ff") return undefined;
  if (t.length > 55 && (version === "00" || t[55] !== "-" || hasLineBreak(t, 56))) return undefined;
  const traceId = t.slice(3, 35);
  const spanId = t.slice(36, 52);
  if (traceId === ALL_ZERO_TRACE || spanId === ALL_ZERO_SPAN) return undefined;
  const sc: SpanContext = {
    traceId,
    spanId,
    traceFlags: parseInt(t.slice(53, 55), 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  if (tracestate) sc.traceState = createTraceState(tracestate);
  return sc;
}

/** The active span of `ctx` as a TaskTrace; undefined when there is none. */
export function traceOf(ctx: Context): TaskTrace | undefined {
  const sc = trace.getSpanContext(ctx);
  return sc && isSpanContextValid(sc) ? traceOfSpanContext(sc) : undefined;
}

export function traceOfSpanContext(sc: SpanContext): TaskTrace {
  const state = sc.traceState?.serialize();
  return { traceparent: formatTraceparent(sc), ...(state ? { tracestate: state } : {}) };
}

/** The span context a TaskTrace holds. */
export function spanContextOf(t: TaskTrace | undefined): SpanContext | undefined {
  return t ? parseTraceparent(t.traceparent, t.tracestate) : undefined;
}

/** `base` (default: empty) with the stored span as its parent; `base` when there is none. */
export function contextOf(t: TaskTrace | undefined, base: Context = ROOT_CONTEXT): Context {
  const sc = spanContextOf(t);
  return sc ? trace.setSpanContext(base, sc) : base;
}

/** The trace id a TaskTrace belongs to (32 hex digits). */
export function traceIdOf(t: TaskTrace | undefined): string | undefined {
  return spanContextOf(t)?.traceId;
}

/** Anything with get/set of string values: NATS headers, gRPC metadata (via adapters). */
export interface Carrier {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/** Writes the active span of `ctx` into `carrier`; false when there is none. */
export function inject(ctx: Context, carrier: Carrier): boolean {
  const t = traceOf(ctx);
  if (!t) return false;
  carrier.set(TRACEPARENT, t.traceparent);
  if (t.tracestate) carrier.set(TRACESTATE, t.tracestate);
  return true;
}

/** `base` with the carrier's span as remote parent; `base` when it carries none. */
export function extract(carrier: Carrier, base: Context = ROOT_CONTEXT): Context {
  const traceparent = carrier.get(TRACEPARENT);
  if (traceparent === undefined) return base;
  return contextOf(
    { traceparent, ...(carrier.get(TRACESTATE) ? { tracestate: carrier.get(TRACESTATE) } : {}) },
    base,
  );
}
