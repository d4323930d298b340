import { ROOT_CONTEXT, trace, TraceFlags } from "@opentelemetry/api";
import { SamplingDecision, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace-base";
import { afterAll, describe, expect, it } from "vitest";
import { StoreTracer } from "../../src/telemetry/store-tracer.js";
import { batonTracer, shutdownTracing, startTracing } from "../../src/telemetry/tracing.js";

// Each test file runs in its own process, so this one may start the SDK with its own sampler.
afterAll(async () => {
  await shutdownTracing();
});

describe("tracing with a ratio sampler and no exporter", () => {
  it("keeps Baton's spans off the SDK and samples their traces as the SDK would", async () => {
    await startTracing({
      enabled: true,
      serviceName: "sampling-test",
      env: { OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.5" },
    });
    const tracer = batonTracer();
    expect(tracer).toBeInstanceOf(StoreTracer);
    const sdk = new TraceIdRatioBasedSampler(0.5);
    const roots = Array.from({ length: 200 }, () => tracer?.startSpan("root"));
    const decisions = roots.map((s) => s?.spanContext().traceFlags === TraceFlags.SAMPLED);
    expect(decisions.filter(Boolean).length).toBeGreaterThan(60);
    expect(decisions.filter(Boolean).length).toBeLessThan(140);
    roots.forEach((s, i) => {
      const traceId = s?.spanContext().traceId ?? "";
      const kept = sdk.shouldSample(ROOT_CONTEXT, traceId).decision;
      expect(decisions[i]).toBe(kept === SamplingDecision.RECORD_AND_SAMPLED);
      expect(s?.isRecording()).toBe(decisions[i]);
      s?.end();
    });
    // Parent-based: a sampled parent's child is recorded whatever its trace id says.
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: "0".repeat(31) + "1",
      spanId: "1".repeat(16),
      traceFlags: TraceFlags.SAMPLED,
    });
    const child = tracer?.startSpan("child", {}, parent);
    expect(child?.isRecording()).toBe(true);
    child?.end();
  });
});
