import { describe, expect, it } from "vitest";
import { SpanBatches, type SpanMessage } from "../../src/telemetry/span-batches.js";

const span = (traceId: string, n: number, pad = ""): string =>
  JSON.stringify({ traceId, spanId: n.toString(16).padStart(16, "0"), pad });

const parsed = (messages: SpanMessage[]): { traceId: string; spanId: string }[] =>
  messages.flatMap(
    (m) => JSON.parse(m.body.toString("utf8")) as { traceId: string; spanId: string }[],
  );

describe("span batches", () => {
  it("group spans by shard into JSON arrays, in order, and drain what is open", () => {
    const batches = new SpanBatches(64 * 1024);
    const a = "a".repeat(32);
    const b = "b".repeat(32);
    for (let i = 0; i < 6; i++)
      expect(batches.add(i % 2 ? b : a, span(i % 2 ? b : a, i))).toEqual([]);
    expect(batches.spans).toBe(6);
    const messages = batches.drain();
    expect(batches.spans).toBe(0);
    expect(messages.map((m) => [m.shard, m.spans]).sort()).toEqual([
      ["a", 3],
      ["b", 3],
    ]);
    const byShard = new Map(messages.map((m) => [m.shard, parsed([m])]));
    expect(byShard.get("a")?.map((s) => parseInt(s.spanId, 16))).toEqual([0, 2, 4]);
    expect(byShard.get("b")?.map((s) => parseInt(s.spanId, 16))).toEqual([1, 3, 5]);
    expect(batches.drain()).toEqual([]);
  });

  it("close a message at the size bound, keep a bigger span whole, and count UTF-8 bytes", () => {
    const batches = new SpanBatches(4096);
    const t = "c".repeat(32);
    const closed: SpanMessage[] = [];
    // 3-byte characters: a JSON string's length undercounts its bytes threefold.
    for (let i = 0; i < 40; i++) closed.push(...batches.add(t, span(t, i, "€".repeat(100))));
    closed.push(...batches.add(t, span(t, 40, "x".repeat(10_000))));
    closed.push(...batches.add(t, span(t, 41)));
    closed.push(...batches.drain());
    expect(closed.length).toBeGreaterThan(3);
    for (const m of closed) {
      if (m.spans > 1) expect(m.body.length).toBeLessThanOrEqual(4096 + 400);
    }
    expect(parsed(closed).map((s) => parseInt(s.spanId, 16))).toEqual(
      Array.from({ length: 42 }, (_, i) => i),
    );
    expect(closed.reduce((n, m) => n + m.spans, 0)).toBe(42);
    expect(batches.spans).toBe(0);
  });
});
