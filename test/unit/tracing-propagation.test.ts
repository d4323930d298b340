import { Metadata } from "@grpc/grpc-js";
import {
  createTraceState,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
  type SpanContext,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/index.js";
import { metadataCarrier } from "../../src/telemetry/grpc-tracing.js";
import {
  contextOf,
  extract,
  formatTraceparent,
  inject,
  parseTraceparent,
  traceIdOf,
  traceOf,
  type Carrier,
} from "../../src/telemetry/propagation.js";
import { configuredExporters, otlpProtocol } from "../../src/telemetry/tracing.js";
import { parseTracingSwitch } from "../../src/telemetry/tracing-switch.js";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN_ID = "00f067aa0ba902b7";
const sampled: SpanContext = {
  traceId: TRACE_ID,
  spanId: SPAN_ID,
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
};

function mapCarrier(map = new Map<string, string>()): Carrier & { map: Map<string, string> } {
  return { map, get: (k) => map.get(k), set: (k, v) => void map.set(k, v) };
}

describe("traceparent", () => {
  it("formats and parses a span context", () => {
    const text = formatTraceparent(sampled);
    expect(text).toBe(`00-${TRACE_ID}-${SPAN_ID}-01`);
    expect(parseTraceparent(text)).toEqual(sampled);
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-00`)?.traceFlags).toBe(TraceFlags.NONE);
  });

  it("rejects malformed or invalid values", () => {
    for (const bad of [
      "",
      "garbage",
      `00-${TRACE_ID}-${SPAN_ID}`,
      `ff-${TRACE_ID}-${SPAN_ID}-01`,
      `00-${"0".repeat(32)}-${SPAN_ID}-01`,
      `00-${TRACE_ID}-${"0".repeat(16)}-01`,
      `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`,
      `00-${TRACE_ID}-${SPAN_ID}-01-extra`,
      `01-${TRACE_ID}-${SPAN_ID}-01extra`,
      `01-${TRACE_ID}-${SPAN_ID}-01-more\nlines`,
      `00-${TRACE_ID}-${SPAN_ID}-0g`,
      `00_${TRACE_ID}-${SPAN_ID}-01`,
    ]) {
      expect(parseTraceparent(bad), bad).toBeUndefined();
    }
    expect(parseTraceparent(undefined)).toBeUndefined();
    // A later version may append fields; the known ones still count.
    expect(parseTraceparent(`01-${TRACE_ID}-${SPAN_ID}-01-more`)?.spanId).toBe(SPAN_ID);
    expect(parseTraceparent(` 00-${TRACE_ID}-${SPAN_ID}-01\n`)).toEqual(sampled);
  });

  it("agrees with OpenTelemetry's W3C propagator both ways", () => {
    const w3c = new W3CTraceContextPropagator();
    const withState = { ...sampled, traceState: createTraceState("vendor=abc,other=1") };
    const headers: Record<string, string> = {};
    w3c.inject(trace.setSpanContext(ROOT_CONTEXT, withState), headers, defaultTextMapSetter);
    expect(traceOf(trace.setSpanContext(ROOT_CONTEXT, withState))).toEqual({
      traceparent: headers.traceparent,
      tracestate: headers.tracestate,
    });
    const ours = mapCarrier();
    inject(trace.setSpanContext(ROOT_CONTEXT, withState), ours);
    const back = trace.getSpanContext(
      w3c.extract(ROOT_CONTEXT, Object.fromEntries(ours.map), defaultTextMapGetter),
    );
    expect(back).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, isRemote: true });
    expect(back?.traceState?.get("vendor")).toBe("abc");
  });
});

describe("task trace context", () => {
  it("round-trips through a TaskRecord's trace field", () => {
    const stored = traceOf(trace.setSpanContext(ROOT_CONTEXT, sampled));
    expect(stored).toEqual({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` });
    expect(traceIdOf(stored)).toBe(TRACE_ID);
    expect(trace.getSpanContext(contextOf(stored))).toEqual(sampled);
  });

  it("stores nothing without a valid span, and restores nothing from nothing", () => {
    expect(traceOf(ROOT_CONTEXT)).toBeUndefined();
    expect(contextOf(undefined)).toBe(ROOT_CONTEXT);
    expect(contextOf({ traceparent: "bogus" })).toBe(ROOT_CONTEXT);
    expect(traceIdOf(undefined)).toBeUndefined();
  });

  it("travels in gRPC metadata", () => {
    const md = new Metadata();
    expect(inject(trace.setSpanContext(ROOT_CONTEXT, sampled), metadataCarrier(md))).toBe(true);
    expect(md.get("traceparent")).toEqual([`00-${TRACE_ID}-${SPAN_ID}-01`]);
    expect(trace.getSpanContext(extract(metadataCarrier(md)))).toEqual(sampled);
    expect(extract(metadataCarrier(new Metadata()))).toBe(ROOT_CONTEXT);
    expect(inject(ROOT_CONTEXT, metadataCarrier(new Metadata()))).toBe(false);
  });
});

describe("tracing configuration", () => {
  it("reads BATON_TRACING as on/off", () => {
    expect(parseTracingSwitch("off")).toBe(false);
    expect(parseTracingSwitch(" ON ")).toBe(true);
    expect(parseTracingSwitch("0")).toBe(false);
    expect(parseTracingSwitch("maybe")).toBeUndefined();
    expect(compileConfig({}, { env: {} }).tracing).toBe(true);
    expect(compileConfig({}, { env: { BATON_TRACING: "off" } }).tracing).toBe(false);
    expect(compileConfig({ tracing: "off" }, { env: {} }).tracing).toBe(false);
    expect(() => compileConfig({}, { env: { BATON_TRACING: "sometimes" } })).toThrow(
      /BATON_TRACING.*expected on or off/,
    );
  });

  it("adds an exporter only when OTEL_* asks for one", () => {
    expect(configuredExporters({})).toEqual([]);
    expect(configuredExporters({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" })).toEqual(["otlp"]);
    expect(configuredExporters({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c:4318" })).toEqual([
      "otlp",
    ]);
    expect(configuredExporters({ OTEL_TRACES_EXPORTER: "console, otlp" })).toEqual([
      "console",
      "otlp",
    ]);
    expect(
      configuredExporters({ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "x" }),
    ).toEqual([]);
    expect(otlpProtocol({})).toBe("http/protobuf");
    expect(otlpProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })).toBe("grpc");
    expect(
      otlpProtocol({
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
      }),
    ).toBe("http/json");
  });
});
