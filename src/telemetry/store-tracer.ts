/**
 * Baton's own spans when the span store is their only destination (no OTLP or console exporter,
 * the default sampler, no span limits in the environment): a span writes its stored JSON straight
 * into the store when it ends, with no SDK span, span processors or batch queue in between (about
 * 9% of a no-op task's Node CPU with tracing on, closed loop). Spans a handler makes with its own
 * tracer still go through the SDK; both kinds parent each other through the usual context.
 */
import {
  context,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type Link,
  type Span,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type TimeInput,
  type Tracer,
} from "@opentelemetry/api";
import {
  isAttributeValue,
  isTimeInput,
  isTracingSuppressed,
  sanitizeAttributes,
} from "@opentelemetry/core";
import {
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
} from "@opentelemetry/semantic-conventions";
import { randomHex } from "../ids.js";
import { AGENT_CONTEXT_KEY } from "./agent-context.js";
import { ATTR } from "./attributes.js";
import { attributePairs } from "./span-rows.js";

/** Where finished spans go (the span store's exporter). */
export interface StoredSpanSink {
  record(traceId: string, json: string): void;
}

/** Turns a finished span's parts into its stored JSON. */
export type SpanEncoder = (span: StoreSpan) => string;

/** The SDK's defaults (OTEL_SPAN_*_COUNT_LIMIT); a StoreTracer is not used when any is set. */
const COUNT_LIMIT = 128;

/** Epoch ms of a TimeInput, read as the SDK reads it. */
function epochMs(t: TimeInput): number {
  if (typeof t === "number") return t <= performance.now() ? performance.timeOrigin + t : t;
  if (t instanceof Date) return t.getTime();
  return t[0] * 1000 + t[1] / 1e6;
}

/** Valid attributes as the SDK keeps them (sanitizeAttributes), or undefined when none are. */
function validAttributes(attrs: Attributes | undefined): Attributes | undefined {
  if (!attrs) return undefined;
  const out = sanitizeAttributes(attrs);
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Attributes many spans carry alike (a queue's messaging attributes, say), checked and encoded
 * once: a StoreSpan keeps them encoded instead of setting and encoding each on every span.
 */
export class SharedAttributes {
  readonly pairs: string;
  readonly attributes: Readonly<Attributes>;
  /** How many there are (they count against a span's attribute limit). */
  readonly count: number;

  constructor(attributes: Attributes) {
    const valid: Attributes = {};
    // As setAttribute keeps them: no empty names, no null or undefined values.
    for (const [key, value] of Object.entries(validAttributes(attributes) ?? {})) {
      if (key !== "" && value != null) valid[key] = value;
    }
    this.attributes = Object.freeze(valid);
    this.pairs = attributePairs(this.attributes);
    this.count = Object.keys(valid).length;
  }

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.attributes, key);
  }
}

/** Sets `shared` on `span`: kept encoded on a StoreSpan, set one by one on any other span. */
export function setSharedAttributes(span: Span, shared: SharedAttributes): void {
  if (span instanceof StoreSpan) span.setShared(shared);
  else span.setAttributes(shared.attributes);
}

/** A recording span that is encoded for the store when it ends. */
export class StoreSpan implements Span {
  /** The attributes set one by one (see also `shared`). */
  readonly attributes: Attributes = {};
  private shared: SharedAttributes | undefined;
  readonly events: { name: string; timeMs: number; attributes?: Attributes }[] = [];
  readonly links: Link[] = [];
  status: SpanStatus = { code: SpanStatusCode.UNSET };
  readonly startMs: number;
  endMs = 0;
  private attributeCount = 0;
  private ended = false;
  /** performance.now() at the start, when the start time was not given. */
  private readonly startPerf: number | undefined;

  constructor(
    private readonly sink: StoredSpanSink,
    private readonly encode: SpanEncoder,
    private readonly context: SpanContext,
    readonly parentSpanId: string | undefined,
    public name: string,
    readonly kind: SpanKind,
    options: SpanOptions,
  ) {
    if (options.startTime !== undefined) {
      this.startMs = epochMs(options.startTime);
    } else {
      this.startMs = Date.now();
      this.startPerf = performance.now();
    }
    if (options.links) this.addLinks(options.links);
    if (options.attributes) this.setAttributes(options.attributes);
  }

  get traceId(): string {
    return this.context.traceId;
  }

  get spanId(): string {
    return this.context.spanId;
  }

  /** Now, on the span's clock: its start plus the monotonic time since. */
  private now(): number {
    return this.startPerf === undefined
      ? Date.now()
      : this.startMs + (performance.now() - this.startPerf);
  }

  spanContext(): SpanContext {
    return this.context;
  }

  /** Encoded shared attributes of the span, set before its own (see SharedAttributes). */
  get sharedPairs(): string | undefined {
    return this.shared?.pairs;
  }

  /** An attribute's value, whether set one by one or shared. */
  attribute(key: string): AttributeValue | undefined {
    return this.attributes[key] ?? this.shared?.attributes[key];
  }

  /** Sets every shared attribute, as setAttributes would; once, before any other attribute. */
  setShared(shared: SharedAttributes): this {
    if (this.ended || this.shared || this.attributeCount > 0) {
      return this.setAttributes(shared.attributes);
    }
    this.shared = shared;
    this.attributeCount = shared.count;
    return this;
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (value == null || this.ended || key.length === 0 || !isAttributeValue(value)) return this;
    if (!Object.prototype.hasOwnProperty.call(this.attributes, key) && !this.shared?.has(key)) {
      if (this.attributeCount >= COUNT_LIMIT) return this;
      this.attributeCount++;
    }
    this.attributes[key] = value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    let attrs: Attributes | undefined;
    if (isTimeInput(attributesOrTime)) {
      time ??= attributesOrTime;
    } else {
      attrs = validAttributes(attributesOrTime);
    }
    // Past the limit the oldest event goes, as in the SDK.
    if (this.events.length >= COUNT_LIMIT) this.events.shift();
    this.events.push({
      name,
      timeMs: time === undefined ? this.now() : epochMs(time),
      ...(attrs ? { attributes: attrs } : {}),
    });
    return this;
  }

  addLink(link: Link): this {
    if (this.ended) return this;
    if (this.links.length >= COUNT_LIMIT) this.links.shift();
    const attrs = validAttributes(link.attributes);
    this.links.push(
      attrs ? { context: link.context, attributes: attrs } : { context: link.context },
    );
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    // OK is final and UNSET changes nothing; only an error keeps a message.
    if (this.ended || status.code === SpanStatusCode.UNSET) return this;
    if (this.status.code === SpanStatusCode.OK) return this;
    this.status =
      status.code === SpanStatusCode.ERROR && typeof status.message === "string"
        ? { code: status.code, message: status.message }
        : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.ended = true;
    this.endMs = Math.max(this.startMs, endTime === undefined ? this.now() : epochMs(endTime));
    this.sink.record(this.context.traceId, this.encode(this));
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attrs: Attributes = {};
    if (typeof exception === "string") {
      attrs[ATTR_EXCEPTION_MESSAGE] = exception;
    } else if (exception) {
      const type = exception.code ? exception.code.toString() : exception.name;
      if (type) attrs[ATTR_EXCEPTION_TYPE] = type;
      if (exception.message) attrs[ATTR_EXCEPTION_MESSAGE] = exception.message;
      if (exception.stack) attrs[ATTR_EXCEPTION_STACKTRACE] = exception.stack;
    }
    if (attrs[ATTR_EXCEPTION_TYPE] || attrs[ATTR_EXCEPTION_MESSAGE]) {
      this.addEvent("exception", attrs, time);
    }
  }
}

/** How a StoreTracer samples (the SDK's built-in samplers; see storeTracerMode). */
export interface StoreTracerSampling {
  /** A span with a valid parent is sampled when its parent was (ParentBased). */
  parentBased: boolean;
  /** Whether a span without one (or any span, when not parentBased) is; absent: all are. */
  rootSampled?: (traceId: string) => boolean;
}

const PARENT_BASED_ALWAYS_ON: StoreTracerSampling = { parentBased: true };

/**
 * A Tracer whose spans go to the span store only. Sampling follows the SDK's built-in samplers
 * (the default is parent-based always-on: a span is recorded unless its parent was not sampled).
 * A span not sampled is a bare context, which carries the decision on to the task's other spans,
 * so an unsampled task costs little more than its ids.
 */
export class StoreTracer implements Tracer {
  constructor(
    private readonly sink: StoredSpanSink,
    private readonly encode: SpanEncoder,
    private readonly sampling: StoreTracerSampling = PARENT_BASED_ALWAYS_ON,
  ) {}

  private sampled(traceId: string, parent: SpanContext | undefined): boolean {
    if (parent && this.sampling.parentBased) return (parent.traceFlags & TraceFlags.SAMPLED) !== 0;
    return this.sampling.rootSampled?.(traceId) ?? true;
  }

  startSpan(name: string, options: SpanOptions = {}, ctx: Context = context.active()): Span {
    if (isTracingSuppressed(ctx)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const parent = options.root ? undefined : trace.getSpanContext(ctx);
    const valid = parent && isSpanContextValid(parent) ? parent : undefined;
    const traceId = valid?.traceId ?? randomHex(16);
    const sampled = this.sampled(traceId, valid);
    const sc: SpanContext = {
      traceId,
      spanId: randomHex(8),
      traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
      ...(valid?.traceState ? { traceState: valid.traceState } : {}),
    };
    if (!sampled) return trace.wrapSpanContext(sc);
    const span = new StoreSpan(
      this.sink,
      this.encode,
      sc,
      valid?.spanId,
      name,
      options.kind ?? SpanKind.INTERNAL,
      options,
    );
    // Every span made inside an attempt names its agent (AgentIdProcessor does it for the SDK).
    const agentId = ctx.getValue(AGENT_CONTEXT_KEY);
    if (typeof agentId === "string") span.setAttribute(ATTR.AGENT_ID, agentId);
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    ...args: [F] | [SpanOptions, F] | [SpanOptions, Context, F]
  ): ReturnType<F> {
    const fn = args[args.length - 1] as F;
    const options = args.length > 1 ? (args[0] as SpanOptions) : {};
    const parent = args.length === 3 ? args[1] : context.active();
    const span = this.startSpan(name, options, parent);
    return context.with(trace.setSpan(parent, span), () => fn(span)) as ReturnType<F>;
  }
}
