/**
 * Baton's spans written straight to the span store (StoreTracer) must be stored exactly as the
 * SDK's spans are: the same operations on both tracers give the same SpanRecords but for ids
 * and times.
 */
import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Context,
  type Span,
  type Tracer,
} from "@opentelemetry/api";
import { suppressTracing } from "@opentelemetry/core";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SamplingDecision,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_CONTEXT_KEY } from "../../src/telemetry/agent-context.js";
import { decodeStoredSpan } from "../../src/telemetry/span-rows.js";
import {
  spanJson,
  SpanStoreExporter,
  storeSpanEncoder,
  type SpanRecord,
} from "../../src/telemetry/span-store.js";
import {
  SharedAttributes,
  setSharedAttributes,
  StoreSpan,
  StoreTracer,
  type StoreTracerSampling,
} from "../../src/telemetry/store-tracer.js";
import { storeTracerMode } from "../../src/telemetry/tracing.js";

const RESOURCE = { "service.name": "svc", "process.pid": 4242, "host.name": "h1" };

function sdkTracer(): { tracer: Tracer; records: () => SpanRecord[] } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(RESOURCE),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return {
    tracer: provider.getTracer("test"),
    records: () =>
      exporter
        .getFinishedSpans()
        .map((s) => decodeStoredSpan(JSON.parse(spanJson(s))) as SpanRecord),
  };
}

function storeTracer(sampling?: StoreTracerSampling): {
  tracer: StoreTracer;
  records: () => SpanRecord[];
} {
  const store = new SpanStoreExporter();
  const jsons: string[] = [];
  const sink = { record: (_traceId: string, json: string) => void jsons.push(json) };
  return {
    tracer: new StoreTracer(sink, storeSpanEncoder(store, RESOURCE), sampling),
    records: () => jsons.map((j) => decodeStoredSpan(JSON.parse(j)) as SpanRecord),
  };
}

/** A record with its ids and times replaced by their order of first appearance. */
function shape(records: SpanRecord[]): unknown[] {
  const ids = new Map<string, string>();
  const id = (v: string | undefined): string | undefined => {
    if (v === undefined) return undefined;
    if (!ids.has(v)) ids.set(v, `id${ids.size}`);
    return ids.get(v);
  };
  return records.map((r) => ({
    ...r,
    traceId: id(r.traceId),
    spanId: id(r.spanId),
    parentSpanId: id(r.parentSpanId),
    startTime: typeof r.startTime,
    endTime: typeof r.endTime,
    events: r.events.map((e) => ({ ...e, time: typeof e.time })),
    links: r.links.map((l) => ({ ...l, traceId: id(l.traceId), spanId: id(l.spanId) })),
  }));
}

const SHARED = new SharedAttributes({
  "messaging.system.name": "nats",
  "baton.agent.id": "agent-9",
  "x.shared": 1,
  dropped: undefined,
});

/** The same spans, made on any tracer. */
function script(tracer: Tracer): void {
  const root = tracer.startSpan("submit", {
    kind: SpanKind.PRODUCER,
    attributes: { "baton.task.id": "t1", n: 3, list: ["a", "b"], gone: undefined },
  });
  const ctx = trace.setSpan(ROOT_CONTEXT, root);
  const child = tracer.startSpan(
    'process "x"\n',
    {
      kind: SpanKind.CONSUMER,
      links: [{ context: root.spanContext(), attributes: { why: "follows" } }],
      attributes: { q: 'a"b\\c' },
    },
    ctx,
  );
  child.setAttribute("late", true);
  child.setAttributes({ more: 1.5, "": "no key" });
  child.addEvent("bid", { score: 0.5 });
  child.addEvent("plain", Date.now());
  child.addLink({ context: root.spanContext() });
  child.recordException(new TypeError("bad input"));
  child.setStatus({ code: SpanStatusCode.OK });
  child.setStatus({ code: SpanStatusCode.ERROR, message: "after ok: ignored" });
  child.updateName("process");
  child.end();
  child.setAttribute("after end", 1);
  // Shared attributes: kept encoded on a fresh StoreSpan, set one by one after others.
  const sharing = tracer.startSpan("shared", {}, ctx);
  setSharedAttributes(sharing, SHARED);
  sharing.setAttribute("x.shared", 2);
  sharing.setAttribute("own", "v");
  sharing.end();
  setSharedAttributes(root, SHARED);
  const failed = tracer.startSpan("step", {}, ctx);
  failed.recordException("plain text");
  failed.recordException({ code: 0, name: "ZeroCode", message: "zero" });
  failed.recordException({ code: "E_IO", message: "io" });
  failed.setStatus({ code: SpanStatusCode.ERROR, message: "boom" });
  failed.end();
  root.end();
}

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});

afterAll(() => {
  context.disable();
});

describe("StoreTracer", () => {
  it("stores the same records the SDK's spans make", () => {
    const sdk = sdkTracer();
    const store = storeTracer();
    script(sdk.tracer);
    script(store.tracer);
    const sdkRecords = sdk.records();
    const storeRecords = store.records();
    expect(storeRecords.map((r) => r.name)).toEqual(["process", "shared", "step", "submit"]);
    // Stack traces differ by line: compare the rest.
    const noStack = (records: SpanRecord[]): SpanRecord[] =>
      records.map((r) => ({
        ...r,
        events: r.events.map((e) =>
          e.attributes?.["exception.stacktrace"]
            ? { ...e, attributes: { ...e.attributes, "exception.stacktrace": "stack" } }
            : e,
        ),
      }));
    expect(shape(noStack(storeRecords))).toEqual(shape(noStack(sdkRecords)));
    const [child, sharing, , root] = storeRecords;
    // An own value replaces the shared one; the shared agent id names the span's agent.
    expect(sharing?.attributes).toEqual({
      "messaging.system.name": "nats",
      "baton.agent.id": "agent-9",
      "x.shared": 2,
      own: "v",
    });
    expect(sharing?.resource.agentId).toBe("agent-9");
    expect(root?.attributes).toMatchObject({ "baton.task.id": "t1", "x.shared": 1 });
    expect(child?.parentSpanId).toBe(root?.spanId);
    expect(child?.traceId).toBe(root?.traceId);
    expect(child?.startTime).toBeGreaterThanOrEqual(root?.startTime ?? Infinity);
    expect(child?.endTime).toBeGreaterThanOrEqual(child?.startTime ?? Infinity);
  });

  it("counts shared attributes against the attribute limit, as the SDK does", () => {
    const store = storeTracer();
    const span = store.tracer.startSpan("many");
    expect(span).toBeInstanceOf(StoreSpan);
    setSharedAttributes(span, SHARED);
    for (let i = 0; i < 200; i++) span.setAttribute(`a${i}`, i);
    span.setAttribute("x.shared", 3); // already counted: replaced even past the limit
    span.end();
    const [record] = store.records();
    expect(Object.keys(record?.attributes ?? {})).toHaveLength(128);
    expect(record?.attributes).toMatchObject({ "x.shared": 3, a124: 124 });
    expect(record?.attributes).not.toHaveProperty("a125");
  });

  it("continues a sampled parent, and only propagates an unsampled or suppressed one", () => {
    const { tracer, records } = storeTracer();
    const remote = (flags: number): Context =>
      trace.setSpanContext(ROOT_CONTEXT, {
        traceId: "1".repeat(32),
        spanId: "2".repeat(16),
        traceFlags: flags,
        isRemote: true,
      });
    const sampled = tracer.startSpan("sampled", {}, remote(TraceFlags.SAMPLED));
    const unsampled = tracer.startSpan("unsampled", {}, remote(TraceFlags.NONE));
    const suppressed = tracer.startSpan("suppressed", {}, suppressTracing(ROOT_CONTEXT));
    for (const s of [sampled, unsampled, suppressed]) s.end();
    expect(unsampled.isRecording()).toBe(false);
    expect(unsampled.spanContext()).toMatchObject({ traceId: "1".repeat(32), traceFlags: 0 });
    expect(trace.isSpanContextValid(suppressed.spanContext())).toBe(false);
    expect(records().map((r) => [r.name, r.traceId, r.parentSpanId])).toEqual([
      ["sampled", "1".repeat(32), "2".repeat(16)],
    ]);
    // always_on records it anyway.
    const on = storeTracer({ parentBased: false });
    on.tracer.startSpan("unsampled", {}, remote(TraceFlags.NONE)).end();
    expect(on.records()).toHaveLength(1);
  });

  it("names the agent of the attempt a span is made in, and makes a span active", () => {
    const { tracer, records } = storeTracer();
    const attempt = ROOT_CONTEXT.setValue(AGENT_CONTEXT_KEY, "agent-7");
    const seen = tracer.startActiveSpan("work", {}, attempt, (span: Span) => {
      const active = trace.getActiveSpan();
      span.end();
      return active === span;
    });
    expect(seen).toBe(true);
    expect(records()[0]).toMatchObject({
      name: "work",
      attributes: { "baton.agent.id": "agent-7" },
      resource: { serviceName: "svc", pid: 4242, hostName: "h1", agentId: "agent-7" },
    });
  });
});

describe("storeTracerMode", () => {
  it("is used only when the span store is the only destination and the SDK would keep all", () => {
    expect(storeTracerMode({})).toEqual({ parentBased: true, ratio: 1 });
    expect(storeTracerMode({ OTEL_TRACES_EXPORTER: "none" })).toEqual({
      parentBased: true,
      ratio: 1,
    });
    expect(storeTracerMode({ OTEL_TRACES_SAMPLER: "always_on" })).toEqual({
      parentBased: false,
      ratio: 1,
    });
    expect(storeTracerMode({ OTEL_TRACES_EXPORTER: "otlp" })).toBeUndefined();
    expect(storeTracerMode({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://x:4318" })).toBeUndefined();
    expect(storeTracerMode({ OTEL_TRACES_SAMPLER: "jaeger_remote" })).toBeUndefined();
    expect(storeTracerMode({ OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: "10" })).toBeUndefined();
  });

  it("reads the SDK's parent-based ratio and always-off samplers, the ratio 1 by default", () => {
    const mode = (sampler: string, arg?: string) =>
      storeTracerMode({
        OTEL_TRACES_SAMPLER: sampler,
        ...(arg !== undefined ? { OTEL_TRACES_SAMPLER_ARG: arg } : {}),
      });
    expect(mode("parentbased_traceidratio", "0.1")).toEqual({ parentBased: true, ratio: 0.1 });
    expect(mode("ParentBased_TraceIdRatio", " 0 ")).toEqual({ parentBased: true, ratio: 0 });
    expect(mode("parentbased_traceidratio")).toEqual({ parentBased: true, ratio: 1 });
    expect(mode("parentbased_traceidratio", "2")).toEqual({ parentBased: true, ratio: 1 });
    expect(mode("parentbased_traceidratio", "a tenth")).toEqual({ parentBased: true, ratio: 1 });
    expect(mode("parentbased_always_off")).toEqual({ parentBased: true, ratio: 0 });
    // Samplers that ignore a parent stay with the SDK.
    expect(mode("traceidratio", "0.25")).toBeUndefined();
    expect(mode("always_off")).toBeUndefined();
  });
});

describe("StoreTracer sampling", () => {
  const sdk = new TraceIdRatioBasedSampler(0.3);
  const sdkKeeps = (traceId: string): boolean =>
    sdk.shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;

  it("keeps a root span exactly when the SDK's ratio sampler would, and stores only those", () => {
    const { tracer, records } = storeTracer({ parentBased: true, rootSampled: sdkKeeps });
    const spans = Array.from({ length: 400 }, (_, i) => tracer.startSpan(`root ${i}`));
    for (const s of spans) s.end();
    const kept = spans.filter((s) => sdkKeeps(s.spanContext().traceId));
    // Some of each, near the ratio, and the same ones the SDK keeps.
    expect(kept.length).toBeGreaterThan(80);
    expect(kept.length).toBeLessThan(160);
    expect(records().map((r) => r.traceId)).toEqual(kept.map((s) => s.spanContext().traceId));
    for (const s of spans) {
      const flags = s.spanContext().traceFlags;
      expect(flags).toBe(sdkKeeps(s.spanContext().traceId) ? TraceFlags.SAMPLED : TraceFlags.NONE);
    }
  });

  it("follows the parent's decision when parent-based, and not otherwise", () => {
    const dropAll = { rootSampled: () => false };
    const parent = (flags: number): Context =>
      trace.setSpanContext(ROOT_CONTEXT, {
        traceId: "3".repeat(32),
        spanId: "4".repeat(16),
        traceFlags: flags,
      });
    const based = storeTracer({ parentBased: true, ...dropAll });
    based.tracer.startSpan("child of sampled", {}, parent(TraceFlags.SAMPLED)).end();
    based.tracer.startSpan("child of unsampled", {}, parent(TraceFlags.NONE)).end();
    based.tracer.startSpan("root").end();
    expect(based.records().map((r) => r.name)).toEqual(["child of sampled"]);

    const flat = storeTracer({ parentBased: false, ...dropAll });
    flat.tracer.startSpan("child of sampled", {}, parent(TraceFlags.SAMPLED)).end();
    expect(flat.records()).toEqual([]);
  });
});
