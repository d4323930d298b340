import { describe, expect, it } from "vitest";
import { traceView } from "../../src/dashboard/trace-view.js";
import type { SpanRecord } from "../../src/telemetry/span-store.js";

const TRACE = "0af7651916cd43dd8448eb211c80319c";

function span(
  spanId: string,
  startTime: number,
  endTime: number,
  resource: SpanRecord["resource"],
  extra: Partial<SpanRecord> = {},
): SpanRecord {
  return {
    traceId: TRACE,
    spanId,
    name: spanId,
    kind: "internal",
    startTime,
    endTime,
    status: { code: "unset" },
    attributes: {},
    events: [],
    links: [],
    resource,
    ...extra,
  };
}

const gateway = { serviceName: "baton-gateway", pid: 10, hostName: "a" };
const agentA = { serviceName: "baton-agent", pid: 20, hostName: "a", agentId: "parent-1" };
const agentB = { serviceName: "baton-agent", pid: 30, hostName: "b", agentId: "child-1" };

describe("traceView", () => {
  it("groups spans by process in order of appearance, orders spans by start and spans the whole trace", () => {
    const view = traceView(TRACE, [
      span("claim", 120, 130, agentB, {
        parentSpanId: "call",
        attributes: { "baton.task.id": "T2" },
      }),
      span("submit", 100, 105, gateway),
      span("attempt", 110, 200, agentA, {
        parentSpanId: "submit",
        status: { code: "error", message: "boom" },
        events: [{ name: "bid", time: 111, attributes: { "baton.bid.score": 0.9 } }],
        attributes: { "baton.task.id": "T1" },
      }),
      // A second agent of the same process: still one process.
      span("call", 115, 190, { ...agentA, agentId: "other-1" }, { parentSpanId: "attempt" }),
    ]);
    expect(view.start).toBe(100);
    expect(view.end).toBe(200);
    expect(view.spans.map((s) => s.spanId)).toEqual(["submit", "attempt", "call", "claim"]);
    expect(view.processes).toEqual([
      { key: "baton-gateway|a|10", service: "baton-gateway", hostName: "a", pid: 10, spans: 1 },
      {
        key: "baton-agent|a|20",
        service: "baton-agent",
        hostName: "a",
        pid: 20,
        agentId: "parent-1",
        spans: 2,
      },
      {
        key: "baton-agent|b|30",
        service: "baton-agent",
        hostName: "b",
        pid: 30,
        agentId: "child-1",
        spans: 1,
      },
    ]);
    expect(view.spans[1]).toMatchObject({
      status: "error",
      statusMessage: "boom",
      taskId: "T1",
      process: "baton-agent|a|20",
      events: [{ name: "bid", time: 111, attributes: { "baton.bid.score": 0.9 } }],
    });
    expect(view.spans[0]).not.toHaveProperty("taskId");
  });

  it("keeps an end before the start from drawing a negative bar, and handles no spans", () => {
    expect(traceView(TRACE, [span("x", 50, 40, gateway)]).spans[0]).toMatchObject({
      start: 50,
      end: 50,
    });
    expect(traceView(TRACE, [])).toEqual({
      traceId: TRACE,
      start: 0,
      end: 0,
      processes: [],
      spans: [],
    });
  });
});
