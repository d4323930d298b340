/**
 * Registers what tracing needs globally: a tracer provider with the given span processors, the
 * async context manager and the propagators OTEL_PROPAGATORS names. It is what NodeSDK's start()
 * did for traces, without NodeSDK's logs, metrics and exporter modules: loading those kept about
 * 5 MB more in the old generation, which made the collector promote more of every task's garbage
 * (docs/benchmarks.md). The tracer provider reads OTEL_TRACES_SAMPLER and the span limits itself.
 */
import {
  context,
  diag,
  DiagConsoleLogger,
  propagation,
  trace,
  type TextMapPropagator,
} from "@opentelemetry/api";
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { Logger } from "./logger.js";

export interface TraceSdk {
  shutdown(): Promise<void>;
}

export interface TraceSdkOptions {
  spanProcessors: SpanProcessor[];
  /** Merged into the resource (the caller passes it only when the environment names none). */
  serviceName?: string;
  env: NodeJS.ProcessEnv;
  log?: Logger;
}

const DEFAULT_PROPAGATORS = ["tracecontext", "baggage"];

/**
 * An OTEL_* list variable as the SDK reads one: comma-separated names, lower-cased, each once,
 * in order; `none` anywhere means none. Undefined when the variable names nothing.
 */
export function otelList(value: string | undefined): string[] | undefined {
  const names = (value ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== "");
  if (names.length === 0) return undefined;
  return names.includes("none") ? [] : [...new Set(names)];
}

/** The propagators OTEL_PROPAGATORS asks for, in order; empty for `none`. */
export function propagatorNames(env: NodeJS.ProcessEnv): string[] {
  return otelList(env.OTEL_PROPAGATORS) ?? DEFAULT_PROPAGATORS;
}

type Core = typeof import("@opentelemetry/core");

async function propagator(
  name: string,
  core: Core,
  log?: Logger,
): Promise<TextMapPropagator | undefined> {
  switch (name) {
    case "tracecontext":
      return new core.W3CTraceContextPropagator();
    case "baggage":
      return new core.W3CBaggagePropagator();
    case "b3":
      return new (await import("@opentelemetry/propagator-b3")).B3Propagator();
    case "b3multi": {
      const b3 = await import("@opentelemetry/propagator-b3");
      return new b3.B3Propagator({ injectEncoding: b3.B3InjectEncoding.MULTI_HEADER });
    }
    case "jaeger":
      return new (await import("@opentelemetry/propagator-jaeger")).JaegerPropagator();
    default:
      log?.warn({ propagator: name }, "unsupported OTEL_PROPAGATORS value ignored");
      return undefined;
  }
}

export async function startTraceSdk(options: TraceSdkOptions): Promise<TraceSdk> {
  const { env, log } = options;
  const [core, resources, { BasicTracerProvider }, { AsyncLocalStorageContextManager }] =
    await Promise.all([
      import("@opentelemetry/core"),
      import("@opentelemetry/resources"),
      import("@opentelemetry/sdk-trace-base"),
      import("@opentelemetry/context-async-hooks"),
    ]);
  const level = env.OTEL_LOG_LEVEL?.trim();
  if (level) {
    diag.setLogger(new DiagConsoleLogger(), { logLevel: core.diagLogLevelFromString(level) });
  }
  let resource = resources.defaultResource().merge(
    resources.detectResources({
      detectors: [resources.envDetector, resources.processDetector, resources.hostDetector],
    }),
  );
  if (options.serviceName !== undefined) {
    resource = resource.merge(
      resources.resourceFromAttributes({ "service.name": options.serviceName }),
    );
  }
  const provider = new BasicTracerProvider({ resource, spanProcessors: options.spanProcessors });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const propagators = (
    await Promise.all(propagatorNames(env).map((name) => propagator(name, core, log)))
  ).filter((p): p is TextMapPropagator => p !== undefined);
  if (propagators.length > 0) {
    propagation.setGlobalPropagator(new core.CompositePropagator({ propagators }));
  }
  trace.setGlobalTracerProvider(provider);
  return { shutdown: () => provider.shutdown() };
}
