/**
 * The span store's row format on its own: what a row decodes to, that rows written by this
 * version stay readable (the key table is positional), and that a SpanRecord object stored
 * before rows still reads.
 */
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { ATTR } from "../../src/telemetry/attributes.js";
import {
  decodeSpanRow,
  decodeStoredSpan,
  encodeSpanRow,
  resourceRow,
  STORED_KEYS,
  type SpanParts,
  type SpanRecord,
} from "../../src/telemetry/span-rows.js";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const RESOURCE = { serviceName: "svc", pid: 7, hostName: "h", agentId: "agent-1" };

const parts = (over: Partial<SpanParts> = {}): SpanParts => ({
  traceId: TRACE,
  spanId: "b7ad6b7169203331",
  parentSpanId: "00f067aa0ba902b7",
  name: "echo process",
  kind: SpanKind.CONSUMER,
  startMs: 1_700_000_000_000.25,
  endMs: 1_700_000_000_002.5,
  status: { code: SpanStatusCode.OK },
  attributes: {},
  events: [],
  links: [],
  ...over,
});

/** Attributes of every kind a row keeps, in the order they are set. */
const KEPT = {
  [ATTR.TASK_ID]: "01J0000000000000000000000A",
  "custom.key": 'line\nwith "quotes" and ünïcode',
  [ATTR.TASK_ATTEMPT]: 2,
  [ATTR.STEP_CACHED]: false,
  list: ["a", "b"],
};

const roundTrip = (span: SpanParts): SpanRecord | undefined =>
  decodeStoredSpan(JSON.parse(encodeSpanRow(span, resourceRow(RESOURCE))));

describe("span rows", () => {
  it("decode to the SpanRecord of the span, attributes in the order they were set", () => {
    const record = roundTrip(
      parts({
        attributes: { ...KEPT, skipped: undefined },
        status: { code: SpanStatusCode.ERROR, message: "boom" },
        events: [
          { name: "bid", timeMs: 1_700_000_000_001, attributes: { [ATTR.BID_SCORE]: 0.5 } },
          { name: "plain", timeMs: 1_700_000_000_002 },
          { name: "empty", timeMs: 1_700_000_000_002, attributes: {} },
        ],
        links: [
          { context: { traceId: TRACE, spanId: "1111111111111111", traceFlags: 1 } },
          {
            context: { traceId: TRACE, spanId: "2222222222222222", traceFlags: 1 },
            attributes: { why: "follows" },
          },
        ],
      }),
    );
    expect(record).toEqual({
      traceId: TRACE,
      spanId: "b7ad6b7169203331",
      parentSpanId: "00f067aa0ba902b7",
      name: "echo process",
      kind: "consumer",
      startTime: 1_700_000_000_000.25,
      endTime: 1_700_000_000_002.5,
      status: { code: "error", message: "boom" },
      attributes: KEPT,
      events: [
        { name: "bid", time: 1_700_000_000_001, attributes: { [ATTR.BID_SCORE]: 0.5 } },
        { name: "plain", time: 1_700_000_000_002 },
        { name: "empty", time: 1_700_000_000_002 },
      ],
      links: [
        { traceId: TRACE, spanId: "1111111111111111" },
        { traceId: TRACE, spanId: "2222222222222222", attributes: { why: "follows" } },
      ],
      resource: RESOURCE,
    } satisfies SpanRecord);
    expect(Object.keys(record?.attributes ?? {})).toEqual([
      ATTR.TASK_ID,
      "custom.key",
      ATTR.TASK_ATTEMPT,
      ATTR.STEP_CACHED,
      "list",
    ]);
  });

  it("leave out a root span's parent, an unset status's message and a resource's agent", () => {
    const row = encodeSpanRow(
      parts({ parentSpanId: undefined, status: { code: SpanStatusCode.UNSET } }),
      resourceRow({ serviceName: "svc", pid: 7, hostName: "h" }),
    );
    const record = decodeStoredSpan(JSON.parse(row));
    expect(record).not.toHaveProperty("parentSpanId");
    expect(record?.status).toEqual({ code: "unset" });
    expect(record?.resource).toEqual({ serviceName: "svc", pid: 7, hostName: "h" });
  });

  it("store every attribute name Baton sets as a number, and are shorter than SpanRecords", () => {
    for (const name of Object.values(ATTR)) expect(STORED_KEYS).toContain(name);
    const attributes = Object.fromEntries(Object.values(ATTR).map((n) => [n, "v"]));
    const row = encodeSpanRow(parts({ attributes }), resourceRow(RESOURCE));
    for (const name of Object.values(ATTR)) expect(row).not.toContain(`"${name}"`);
    const record = roundTrip(parts({ attributes }));
    expect(record?.attributes).toEqual(attributes);
    expect(row.length).toBeLessThan(JSON.stringify(record).length / 2);
  });

  it("keep reading a row written with this version's key table", () => {
    // Written by this version: positions in STORED_KEYS must never move.
    const row =
      '[1,"0af7651916cd43dd8448eb211c80319c","b7ad6b7169203331","",' +
      '"echo publish",3,1700000000000,1700000000001,0,null,' +
      '[0,"nats",3,"P.tasks.echo.normal",13,"01J0000000000000000000000A",19,false,"x.y",1],' +
      '[["retry scheduled",1700000000001]],[],["svc",7,"h"]]';
    expect(decodeStoredSpan(JSON.parse(row))).toEqual({
      traceId: TRACE,
      spanId: "b7ad6b7169203331",
      name: "echo publish",
      kind: "producer",
      startTime: 1_700_000_000_000,
      endTime: 1_700_000_000_001,
      status: { code: "unset" },
      attributes: {
        "messaging.system.name": "nats",
        "messaging.destination.name": "P.tasks.echo.normal",
        "baton.task.id": "01J0000000000000000000000A",
        "baton.task.deduplicated": false,
        "x.y": 1,
      },
      events: [{ name: "retry scheduled", time: 1_700_000_000_001 }],
      links: [],
      resource: { serviceName: "svc", pid: 7, hostName: "h" },
    } satisfies SpanRecord);
  });

  it("read a SpanRecord stored as an object, and refuse what is neither", () => {
    // A SpanRecord object, as batches held them before rows.
    const old = roundTrip(parts({ attributes: KEPT, parentSpanId: undefined }));
    expect(old?.name).toBe("echo process");
    expect(decodeStoredSpan(JSON.parse(JSON.stringify(old)))).toEqual(old);
    expect(decodeStoredSpan(null)).toBeUndefined();
    expect(decodeStoredSpan("text")).toBeUndefined();
    expect(decodeSpanRow([2, TRACE, "b7ad6b7169203331"])).toBeUndefined();
    // A key index a newer version added is kept under its number, not dropped.
    const newer = JSON.parse(encodeSpanRow(parts(), resourceRow(RESOURCE))) as unknown[];
    newer[10] = [9999, "v", "__proto__", "p"];
    const record = decodeSpanRow(newer);
    expect(record?.attributes["#9999"]).toBe("v");
    expect(Object.getPrototypeOf(record?.attributes)).toBe(Object.prototype);
    expect(Object.keys(record?.attributes ?? {})).toEqual(["#9999", "__proto__"]);
  });
});
