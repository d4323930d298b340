import { context, propagation, ROOT_CONTEXT, trace, TraceFlags } from "@opentelemetry/api";
import { afterAll, describe, expect, it } from "vitest";
import { propagatorNames, startTraceSdk, type TraceSdk } from "../../src/telemetry/trace-sdk.js";
import type { ReadableSpan as SdkSpan, SpanProcessor } from "@opentelemetry/sdk-trace-base";

describe("propagatorNames", () => {
  it("defaults to W3C trace context and baggage, as the SDK does", () => {
    expect(propagatorNames({})).toEqual(["tracecontext", "baggage"]);
    expect(propagatorNames({ OTEL_PROPAGATORS: " " })).toEqual(["tracecontext", "baggage"]);
  });

  it("reads a list, lower-cased and without repeats, and none as no propagator", () => {
    expect(propagatorNames({ OTEL_PROPAGATORS: "B3, tracecontext,b3" })).toEqual([
      "b3",
      "tracecontext",
    ]);
    expect(propagatorNames({ OTEL_PROPAGATORS: "tracecontext,none" })).toEqual([]);
  });
});

// Each test file runs in its own process, so this one may register the globals for real.
let sdk: TraceSdk | undefined;
afterAll(async () => {
  await sdk?.shutdown();
});

describe("startTraceSdk", () => {
  it("registers a provider, the async context and the propagators the environment names", async () => {
    const ended: SdkSpan[] = [];
    const processor: SpanProcessor = {
      onStart: () => undefined,
      onEnd: (span) => void ended.push(span),
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    sdk = await startTraceSdk({
      spanProcessors: [processor],
      serviceName: "trace-sdk-test",
      env: { OTEL_PROPAGATORS: "tracecontext,b3multi" },
    });

    // A handler's own span, made after an await inside a parent's context, joins its trace.
    const parent = trace.wrapSpanContext({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: TraceFlags.SAMPLED,
    });
    const child = await context.with(trace.setSpan(ROOT_CONTEXT, parent), async () => {
      await new Promise((r) => setImmediate(r));
      const span = trace.getTracer("handler").startSpan("work");
      span.end();
      return span;
    });
    expect(child.spanContext().traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(ended).toHaveLength(1);
    expect(ended[0]?.resource.attributes["service.name"]).toBe("trace-sdk-test");

    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(ROOT_CONTEXT, parent), carrier);
    expect(carrier.traceparent).toBe("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    expect(carrier["x-b3-traceid"]).toBe("0af7651916cd43dd8448eb211c80319c");
  });
});
