/**
 * OpenTelemetry tracing for the process: the SDK is started once (by the first Baton connection),
 * configured by the standard OTEL_* variables. Spans always go to the built-in span store; an
 * OTLP (or console) exporter is added only when OTEL_TRACES_EXPORTER or an OTLP endpoint is set,
 * so an unconfigured process pays for one batching processor and nothing that dials out. With the
 * span store as the only destination, Baton's own spans skip the SDK (see StoreTracer).
 * BATON_TRACING=off (config `tracing`) makes no spans at all.
 */
import {
  ProxyTracerProvider,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
  type Context,
  type Tracer,
} from "@opentelemetry/api";
import type {
  ReadableSpan,
  Span,
  SpanExporter,
  SpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { AGENT_CONTEXT_KEY } from "./agent-context.js";
import { ATTR } from "./attributes.js";
import type { BatonConnection } from "../nats/connection.js";
import type { Logger } from "./logger.js";
import {
  DEFAULT_DELAY_MS,
  DEFAULT_MAX_PENDING,
  SpanStoreExporter,
  storeSpanEncoder,
} from "./span-store.js";
import { StoreTracer } from "./store-tracer.js";
import { otelList, startTraceSdk } from "./trace-sdk.js";
import { parseTracingSwitch } from "./tracing-switch.js";

export { parseTracingSwitch };

const TRACER_NAME = "baton";
/** A context whose span is a sampled remote parent (made up; see the resource probe). */
const SAMPLED_PARENT = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: "0af7651916cd43dd8448eb211c80319c",
  spanId: "b7ad6b7169203331",
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
});
// Large batches keep a task's spans together: about one message per trace per batch.
const STORE_BATCH = 2048;
const FLUSH_TIMEOUT_MS = 2000;

/** Tags every span made inside an attempt, the handler's own too, with the agent's id. */
class AgentIdProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const agentId = parentContext.getValue(AGENT_CONTEXT_KEY);
    if (typeof agentId === "string") span.setAttribute(ATTR.AGENT_ID, agentId);
  }
  onEnd(): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

interface Started {
  /** Undefined when another SDK owned the global provider first (spans go there). */
  store: SpanStoreExporter | undefined;
  processors: SpanProcessor[];
  shutdown: () => Promise<void>;
}

// Off until decided; a process that never connects reads BATON_TRACING itself.
let tracer: Tracer | undefined =
  parseTracingSwitch(process.env.BATON_TRACING) === false
    ? undefined
    : trace.getTracer(TRACER_NAME);
let starting: Promise<Started | undefined> | undefined;
let started: Started | undefined;

/**
 * The tracer Baton's spans come from, or undefined when tracing is off (callers then skip all
 * span work). Before the SDK starts it is the API's proxy: spans are non-recording no-ops.
 */
export function batonTracer(): Tracer | undefined {
  return tracer;
}

export function tracingEnabled(): boolean {
  return tracer !== undefined;
}

export interface TracingOptions {
  enabled: boolean;
  /** service.name unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES name one. */
  serviceName?: string;
  logger?: Logger;
  /** Defaults to process.env; only Baton's own choices read it (exporters read process.env). */
  env?: NodeJS.ProcessEnv;
}

/** Which exporters the environment asks for, besides the span store. */
export function configuredExporters(env: NodeJS.ProcessEnv): string[] {
  const list = otelList(env.OTEL_TRACES_EXPORTER);
  if (list?.length === 0) return []; // none
  const named = list?.filter((s) => s !== "null") ?? [];
  if (named.length > 0) return named;
  // The spec's default (otlp to localhost) would make every unconfigured process dial out.
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? ["otlp"] : [];
}

/** How a StoreTracer samples: by the parent's flag when it has one, else by trace id. */
export interface StoreSampling {
  /** A span with a valid parent follows the parent's sampled flag (the SDK's ParentBased). */
  parentBased: boolean;
  /** The share of traces a root (or any, when not parentBased) span starts sampled, 0 to 1. */
  ratio: number;
}

/** OTEL_TRACES_SAMPLER_ARG as the SDK reads it for ratio samplers: 1 when unset or invalid. */
function samplerRatio(arg: string | undefined): number {
  const text = arg?.trim();
  if (!text) return 1;
  const ratio = Number(text);
  return Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : 1;
}

/**
 * Whether Baton's own spans can skip the SDK (see StoreTracer): the span store is their only
 * destination, no span limit is set, and the sampler is one of the SDK's built-in ones that a
 * StoreTracer makes the same decisions as. Returns how to sample, or undefined when the SDK must
 * make the spans.
 */
export function storeTracerMode(env: NodeJS.ProcessEnv): StoreSampling | undefined {
  if (configuredExporters(env).length > 0) return undefined;
  const limited = Object.keys(env).some(
    (k) => k.startsWith("OTEL_") && k.endsWith("_LIMIT") && env[k]?.trim(),
  );
  if (limited) return undefined;
  const sampler = (env.OTEL_TRACES_SAMPLER ?? "").trim().toLowerCase();
  switch (sampler) {
    case "":
    case "parentbased_always_on":
      return { parentBased: true, ratio: 1 };
    case "always_on":
      return { parentBased: false, ratio: 1 };
    case "parentbased_always_off":
      return { parentBased: true, ratio: 0 };
    case "parentbased_traceidratio":
      return { parentBased: true, ratio: samplerRatio(env.OTEL_TRACES_SAMPLER_ARG) };
    default:
      // always_off and traceidratio ignore a parent, so the resource probe below could be
      // dropped: those go through the SDK.
      return undefined;
  }
}

/** The OTLP protocol asked for: grpc, http/json or http/protobuf (the default). */
export function otlpProtocol(env: NodeJS.ProcessEnv): string {
  return (
    (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || "").trim() ||
    "http/protobuf"
  );
}

async function otlpExporter(protocol: string, log: Logger | undefined): Promise<SpanExporter> {
  switch (protocol) {
    case "grpc":
      return new (await import("@opentelemetry/exporter-trace-otlp-grpc")).OTLPTraceExporter();
    case "http/json":
      return new (await import("@opentelemetry/exporter-trace-otlp-http")).OTLPTraceExporter();
    case "http/protobuf":
      return new (await import("@opentelemetry/exporter-trace-otlp-proto")).OTLPTraceExporter();
    default:
      log?.warn({ protocol }, "unsupported OTLP protocol; using http/protobuf");
      return new (await import("@opentelemetry/exporter-trace-otlp-proto")).OTLPTraceExporter();
  }
}

function hasServiceName(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SERVICE_NAME?.trim()) return true;
  return (env.OTEL_RESOURCE_ATTRIBUTES ?? "")
    .split(",")
    .some((kv) => kv.split("=")[0]?.trim() === "service.name");
}

/** True when some other code registered a global tracer provider before Baton. */
function foreignProvider(): boolean {
  const provider = trace.getTracerProvider();
  return (
    !(provider instanceof ProxyTracerProvider) || provider.getDelegateTracer("x") !== undefined
  );
}

async function start(options: TracingOptions): Promise<Started | undefined> {
  const env = options.env ?? process.env;
  const log = options.logger;
  if (!options.enabled) {
    tracer = undefined;
    return undefined;
  }
  tracer = trace.getTracer(TRACER_NAME);
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined;
  if (foreignProvider()) {
    log?.debug("a tracer provider is already registered; Baton's spans go to it");
    return { store: undefined, processors: [], shutdown: () => Promise.resolve() };
  }
  const {
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SamplingDecision,
    SimpleSpanProcessor,
    TraceIdRatioBasedSampler,
  } = await import("@opentelemetry/sdk-trace-base");
  const store = new SpanStoreExporter();
  const processors: SpanProcessor[] = [
    new AgentIdProcessor(),
    new BatchSpanProcessor(store, {
      scheduledDelayMillis: DEFAULT_DELAY_MS,
      maxQueueSize: DEFAULT_MAX_PENDING,
      maxExportBatchSize: STORE_BATCH,
    }),
  ];
  for (const name of configuredExporters(env)) {
    if (name === "otlp") {
      processors.push(new BatchSpanProcessor(await otlpExporter(otlpProtocol(env), log)));
    } else if (name === "console") {
      processors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
    } else {
      log?.warn({ exporter: name }, "unsupported OTEL_TRACES_EXPORTER value ignored");
    }
  }
  const sdk = await startTraceSdk({
    spanProcessors: processors,
    ...(options.serviceName !== undefined && !hasServiceName(env)
      ? { serviceName: options.serviceName }
      : {}),
    env,
    ...(log ? { log } : {}),
  });
  const sampling = storeTracerMode(env);
  if (sampling) {
    // The SDK's resource, read off a span that is never ended (so never exported). Under a
    // sampled parent, so a parent-based sampler that drops roots still records it.
    const probe = trace
      .getTracer(TRACER_NAME)
      .startSpan("baton.resource", {}, SAMPLED_PARENT) as Partial<ReadableSpan>;
    // Detectors may still be reading (host.id); the SDK logs an error for an early read.
    await probe.resource?.waitForAsyncAttributes?.();
    const resource = probe.resource?.attributes ?? {};
    // The SDK's own ratio sampler decides root spans, so a trace is kept or dropped as it would
    // be by the SDK (and by any other service with the same ratio).
    const byTraceId = new TraceIdRatioBasedSampler(sampling.ratio);
    const rootSampled =
      sampling.ratio >= 1
        ? undefined
        : (traceId: string): boolean =>
            byTraceId.shouldSample(ROOT_CONTEXT, traceId).decision ===
            SamplingDecision.RECORD_AND_SAMPLED;
    tracer = new StoreTracer(store, storeSpanEncoder(store, resource), {
      parentBased: sampling.parentBased,
      ...(rootSampled ? { rootSampled } : {}),
    });
  }
  return { store, processors, shutdown: () => sdk.shutdown() };
}

/**
 * Starts tracing for this process once; later calls wait for the first and change nothing. The
 * first caller's `enabled` decides.
 */
export function startTracing(options: TracingOptions): Promise<void> {
  starting ??= start(options).then(
    (s) => (started = s),
    (err: unknown) => {
      options.logger?.warn({ err }, "tracing could not start; spans are not recorded");
      tracer = undefined;
      return undefined;
    },
  );
  return starting.then(() => undefined);
}

/** Starts tracing (see startTracing) and stores this connection's spans in its span stream. */
export async function attachTracing(conn: BatonConnection, serviceName: string): Promise<void> {
  await startTracing({ enabled: conn.config.tracing, serviceName, logger: conn.logger });
  started?.store?.attach(conn);
}

function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]).finally(() => clearTimeout(timer));
}

/** Exports every buffered span now (span store and OTLP), waiting at most `timeoutMs`. */
export function flushTracing(timeoutMs = FLUSH_TIMEOUT_MS): Promise<void> {
  const processors = started?.processors ?? [];
  const store = started?.store;
  if (processors.length === 0) return Promise.resolve();
  // The processors first: the span store's exports land in its own buffer.
  const flushed = Promise.all(processors.map((p) => p.forceFlush())).then(() => store?.flush());
  return withTimeout(flushed, timeoutMs);
}

/** Before a connection closes: write out its buffered spans, then stop using it. */
export async function detachTracing(conn: BatonConnection): Promise<void> {
  const store = started?.store;
  if (!store?.has(conn)) return;
  await flushTracing();
  store.detach(conn);
  if (!conn.nc.isClosed()) await withTimeout(conn.nc.flush(), FLUSH_TIMEOUT_MS);
}

/** Names an agent of this process for spans that do not carry baton.agent.id. */
export function noteTracedAgent(agentId: string): void {
  started?.store?.noteAgent(agentId);
}

/** Flushes and stops the SDK (tests, and processes that want everything out before exit). */
export async function shutdownTracing(): Promise<void> {
  const s = started;
  if (!s) return;
  await flushTracing();
  await withTimeout(s.shutdown(), FLUSH_TIMEOUT_MS);
}
