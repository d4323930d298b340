import { diag, DiagLogLevel, type DiagLogger } from "@opentelemetry/api";
import { afterAll, describe, expect, it } from "vitest";
import { StoreTracer } from "../../src/telemetry/store-tracer.js";
import { batonTracer, shutdownTracing, startTracing } from "../../src/telemetry/tracing.js";

// Each test file runs in its own process, so this one may start the SDK for real.
afterAll(async () => {
  await shutdownTracing();
  diag.disable();
});

describe("starting tracing with no exporter configured", () => {
  it("gives Baton a StoreTracer and the SDK nothing to complain about", async () => {
    const logged: string[] = [];
    const keep = (message: string): void => void logged.push(message);
    const logger: DiagLogger = {
      error: keep,
      warn: keep,
      info: keep,
      debug: () => undefined,
      verbose: () => undefined,
    };
    diag.setLogger(logger, DiagLogLevel.INFO);
    await startTracing({ enabled: true, serviceName: "start-test", env: {} });
    expect(batonTracer()).toBeInstanceOf(StoreTracer);
    const span = batonTracer()?.startSpan("x");
    expect(span?.isRecording()).toBe(true);
    span?.end();
    // Reading the resource before its detectors finished made the SDK log an error.
    expect(logged).toEqual([]);
  });
});
