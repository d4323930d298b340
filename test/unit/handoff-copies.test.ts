import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TaskDelivery } from "../../src/dispatch/delivery.js";
import { HandoffCopies } from "../../src/dispatch/handoff-copies.js";
import { pendingRecord } from "../helpers/records.js";

/** A delivery that records how it was settled. */
function delivery(): TaskDelivery & { settled: string[] } {
  const settled: string[] = [];
  return {
    settled,
    deliveryCount: 1,
    ack: () => settled.push("ack"),
    nak: (delayMs?: number) => settled.push(delayMs ? `nak ${delayMs}` : "nak"),
    working: () => settled.push("working"),
    abandon: () => settled.push("abandon"),
  };
}

describe("HandoffCopies", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("hands a held copy to the run that takes it, untouched and no longer timed", () => {
    const copies = new HandoffCopies();
    const d = delivery();
    copies.hold("t1", d, 1000);
    expect(copies.take("t1")).toBe(d);
    expect(copies.take("t1")).toBeUndefined();
    vi.advanceTimersByTime(5000);
    expect(d.settled).toEqual([]);
    expect(copies.size).toBe(0);
  });

  it("keeps the record a fresh copy carried for the run's claim, until the copy is taken", () => {
    const copies = new HandoffCopies();
    const carried = { record: pendingRecord({ id: "t1" }), revision: 7 };
    copies.hold("t1", delivery(), 1000, carried);
    copies.hold("t2", delivery(), 1000);
    expect(copies.record("t1")).toBe(carried);
    expect(copies.record("t2")).toBeUndefined();
    copies.take("t1");
    expect(copies.record("t1")).toBeUndefined();
  });

  it("gives a copy nobody took back to the queue at the end of the window", () => {
    const copies = new HandoffCopies();
    const d = delivery();
    copies.hold("t1", d, 1000);
    vi.advanceTimersByTime(999);
    expect(d.settled).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(d.settled).toEqual(["nak"]);
    expect(copies.take("t1")).toBeUndefined();
  });

  it("keeps the newest of two copies of one task", () => {
    const copies = new HandoffCopies();
    const first = delivery();
    const second = delivery();
    copies.hold("t1", first, 1000);
    copies.hold("t1", second, 1000);
    expect(first.settled).toEqual(["abandon"]);
    vi.advanceTimersByTime(1000);
    expect(second.settled).toEqual(["nak"]);
    expect(first.settled).toEqual(["abandon"]);
  });

  it("acks at once a copy of a task this agent already finished", () => {
    const copies = new HandoffCopies();
    copies.finished("t1");
    const late = delivery();
    copies.hold("t1", late, 1000);
    expect(late.settled).toEqual(["ack"]);
    expect(copies.size).toBe(0);
    const other = delivery();
    copies.hold("t2", other, 1000);
    expect(other.settled).toEqual([]);
  });

  it("forgets the oldest finished tasks beyond its bound", () => {
    const copies = new HandoffCopies();
    for (let i = 0; i < 1025; i++) copies.finished(`t${i}`);
    const oldest = delivery();
    copies.hold("t0", oldest, 1000);
    expect(oldest.settled).toEqual([]);
    const recent = delivery();
    copies.hold("t1024", recent, 1000);
    expect(recent.settled).toEqual(["ack"]);
  });

  it("gives every held copy back on shutdown", () => {
    const copies = new HandoffCopies();
    const a = delivery();
    const b = delivery();
    copies.hold("a", a, 1000);
    copies.hold("b", b, 1000);
    copies.releaseAll();
    expect([a.settled, b.settled]).toEqual([["nak"], ["nak"]]);
    vi.advanceTimersByTime(1000);
    expect([a.settled, b.settled]).toEqual([["nak"], ["nak"]]);
    expect(copies.size).toBe(0);
  });
});
