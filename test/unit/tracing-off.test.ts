import { context, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import type { BatonConnection } from "../../src/nats/connection.js";
import { tracingTelemetry } from "../../src/telemetry/trace-telemetry.js";
import { batonTracer, startTracing, tracingEnabled } from "../../src/telemetry/tracing.js";

// The first startTracing decides for the process (each test file runs in its own process).
describe("BATON_TRACING=off", () => {
  it("makes no tracer, no tracing hooks and no active spans", async () => {
    await startTracing({ enabled: false });
    expect(tracingEnabled()).toBe(false);
    expect(batonTracer()).toBeUndefined();
    // The hooks bail out before touching the connection.
    expect(tracingTelemetry({} as BatonConnection, "agent-1")).toBeUndefined();
    expect(trace.getSpan(context.active())).toBeUndefined();
    // Later calls cannot turn it back on: the first decides for the process.
    await startTracing({ enabled: true });
    expect(batonTracer()).toBeUndefined();
  });
});
