import { SpanKind, SpanStatusCode, trace, ROOT_CONTEXT } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { decodeStoredSpan } from "../../src/telemetry/span-rows.js";
import { spanJson, type SpanRecord } from "../../src/telemetry/span-store.js";

const stored = (span: ReadableSpan, agent?: string): SpanRecord =>
  decodeStoredSpan(JSON.parse(spanJson(span, agent))) as SpanRecord;

function provider(): {
  exporter: InMemorySpanExporter;
  tracer: ReturnType<BasicTracerProvider["getTracer"]>;
} {
  const exporter = new InMemorySpanExporter();
  const p = new BasicTracerProvider({
    resource: resourceFromAttributes({
      "service.name": "svc",
      "process.pid": 4242,
      "host.name": "h1",
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return { exporter, tracer: p.getTracer("test") };
}

describe("SpanRecord", () => {
  it("keeps ids, parentage, kind, times in epoch ms, status, events and links", () => {
    const { exporter, tracer } = provider();
    const before = Date.now();
    const parent = tracer.startSpan("parent", { kind: SpanKind.PRODUCER });
    const ctx = trace.setSpan(ROOT_CONTEXT, parent);
    const child = tracer.startSpan(
      "child",
      {
        kind: SpanKind.CONSUMER,
        links: [{ context: parent.spanContext(), attributes: { why: "follows" } }],
        attributes: { "baton.agent.id": "agent-7", n: 3, list: ["a", "b"] },
      },
      ctx,
    );
    child.addEvent("bid", { "baton.bid.score": 0.5 });
    child.addEvent("plain");
    child.setStatus({ code: SpanStatusCode.ERROR, message: "boom" });
    child.end();
    parent.end();
    const [c, p] = exporter.getFinishedSpans();
    if (!c || !p) throw new Error("spans missing");

    const rc = stored(c);
    expect(rc).toMatchObject({
      traceId: parent.spanContext().traceId,
      spanId: child.spanContext().spanId,
      parentSpanId: parent.spanContext().spanId,
      name: "child",
      kind: "consumer",
      status: { code: "error", message: "boom" },
      attributes: { "baton.agent.id": "agent-7", n: 3, list: ["a", "b"] },
      links: [
        {
          traceId: parent.spanContext().traceId,
          spanId: parent.spanContext().spanId,
          attributes: { why: "follows" },
        },
      ],
      resource: { serviceName: "svc", pid: 4242, hostName: "h1", agentId: "agent-7" },
    });
    expect(rc.events.map((e) => e.name)).toEqual(["bid", "plain"]);
    expect(rc.events[0]?.attributes).toEqual({ "baton.bid.score": 0.5 });
    expect(rc.events[1]).not.toHaveProperty("attributes");
    expect(rc.startTime).toBeGreaterThanOrEqual(before - 1);
    expect(rc.endTime).toBeGreaterThanOrEqual(rc.startTime);
    expect(rc.endTime).toBeLessThan(Date.now() + 1000);

    const rp = stored(p, "only-agent");
    expect(rp).not.toHaveProperty("parentSpanId");
    expect(rp).toMatchObject({ kind: "producer", status: { code: "unset" } });
    expect(rp.resource.agentId).toBe("only-agent");
  });

  it("escapes names and values, and writes empty parts as empty", () => {
    const { exporter, tracer } = provider();
    const span = tracer.startSpan('say "hi"\n', { attributes: { q: 'a"b\\c', gone: undefined } });
    span.addEvent("e");
    span.setStatus({ code: SpanStatusCode.OK });
    span.end();
    const [s] = exporter.getFinishedSpans();
    if (!s) throw new Error("span missing");
    const r = stored(s);
    expect(r).toEqual({
      traceId: s.spanContext().traceId,
      spanId: s.spanContext().spanId,
      name: 'say "hi"\n',
      kind: "internal",
      startTime: r.startTime,
      endTime: r.endTime,
      status: { code: "ok" },
      attributes: { q: 'a"b\\c' },
      events: [{ name: "e", time: r.events[0]?.time }],
      links: [],
      resource: { serviceName: "svc", pid: 4242, hostName: "h1" },
    });
    expect(typeof r.events[0]?.time).toBe("number");
  });
});
