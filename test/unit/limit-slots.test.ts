import type { KV } from "@nats-io/kv";
import { describe, expect, it } from "vitest";
import {
  decideAcquire,
  decideRelease,
  decideRenew,
  decodeSlotEntry,
  LimitSlots,
  liveHolders,
  maxForKey,
  slotKvKey,
  type SlotEntry,
} from "../../src/dispatch/limit-slots.js";
import type { ConcurrencyLimit } from "../../src/placement/concurrency-limit.js";

const encoder = new TextEncoder();

function entry(holders: SlotEntry["holders"] = {}): SlotEntry {
  return { key: "tenant=acme", holders };
}

describe("liveHolders", () => {
  it("drops holders whose lease has passed", () => {
    expect(
      liveHolders(
        {
          a: { attempt: 1, leaseUntil: 100 },
          b: { attempt: 1, leaseUntil: 101 },
        },
        100,
      ),
    ).toEqual({ b: { attempt: 1, leaseUntil: 101 } });
  });
});

describe("decideAcquire", () => {
  it("admits holders up to max", () => {
    const first = decideAcquire(entry(), "a", { attempt: 1, leaseUntil: 50 }, 2, 0);
    expect(first).toMatchObject({ held: true, running: 1 });
    expect(first.next?.holders).toEqual({ a: { attempt: 1, leaseUntil: 50 } });

    const second = decideAcquire(first.next ?? entry(), "b", { attempt: 1, leaseUntil: 50 }, 2, 0);
    expect(second).toMatchObject({ held: true, running: 2 });

    const third = decideAcquire(second.next ?? entry(), "c", { attempt: 1, leaseUntil: 50 }, 2, 0);
    expect(third).toEqual({ next: undefined, held: false, running: 2 });
  });

  it("is idempotent for a task that already holds a slot, even when full", () => {
    const full = entry({
      a: { attempt: 1, leaseUntil: 50 },
      b: { attempt: 1, leaseUntil: 50 },
    });
    const again = decideAcquire(full, "a", { attempt: 2, leaseUntil: 90 }, 2, 0);
    expect(again).toMatchObject({ held: true, running: 2 });
    expect(again.next?.holders["a"]).toEqual({ attempt: 2, leaseUntil: 90 });
    // Nothing to write when the holder is already exactly this.
    expect(decideAcquire(full, "a", { attempt: 1, leaseUntil: 50 }, 2, 0).next).toBeUndefined();
  });

  it("reuses the slot of an expired holder", () => {
    const full = entry({
      a: { attempt: 1, leaseUntil: 10 },
      b: { attempt: 1, leaseUntil: 50 },
    });
    const change = decideAcquire(full, "c", { attempt: 1, leaseUntil: 80 }, 2, 20);
    expect(change.held).toBe(true);
    expect(Object.keys(change.next?.holders ?? {}).sort()).toEqual(["b", "c"]);
  });

  it("writes the pruning even when still full", () => {
    const full = entry({
      a: { attempt: 1, leaseUntil: 10 },
      b: { attempt: 1, leaseUntil: 50 },
    });
    const change = decideAcquire(full, "c", { attempt: 1, leaseUntil: 80 }, 1, 20);
    expect(change.held).toBe(false);
    expect(change.running).toBe(1);
    expect(change.next?.holders).toEqual({ b: { attempt: 1, leaseUntil: 50 } });
  });

  it("does not mutate its input", () => {
    const before = entry({ a: { attempt: 1, leaseUntil: 10 } });
    const copy = structuredClone(before);
    decideAcquire(before, "b", { attempt: 1, leaseUntil: 80 }, 2, 20);
    expect(before).toEqual(copy);
  });
});

describe("decideRenew", () => {
  it("extends a live holder's lease and keeps its attempt", () => {
    const change = decideRenew(entry({ a: { attempt: 3, leaseUntil: 50 } }), "a", 150, 1, 40);
    expect(change.held).toBe(true);
    expect(change.next?.holders).toEqual({ a: { attempt: 3, leaseUntil: 150 } });
  });

  it("re-adds a pruned holder only while a slot is free", () => {
    const free = decideRenew(entry({ a: { attempt: 3, leaseUntil: 10 } }), "a", 150, 1, 40);
    expect(free.held).toBe(true);
    const taken = decideRenew(entry({ b: { attempt: 1, leaseUntil: 90 } }), "a", 150, 1, 40);
    expect(taken).toEqual({ next: undefined, held: false, running: 1 });
  });
});

describe("decideRelease", () => {
  it("drops the task and expired holders", () => {
    const change = decideRelease(
      entry({
        a: { attempt: 1, leaseUntil: 90 },
        b: { attempt: 1, leaseUntil: 10 },
        c: { attempt: 1, leaseUntil: 90 },
      }),
      "a",
      20,
    );
    expect(change.next?.holders).toEqual({ c: { attempt: 1, leaseUntil: 90 } });
    expect(change.running).toBe(1);
  });

  it("leaves a slot that a later attempt of the task took over", () => {
    const held = entry({ a: { attempt: 3, leaseUntil: 90 } });
    expect(decideRelease(held, "a", 20, 2).next).toBeUndefined();
    expect(decideRelease(held, "a", 20, 3).next?.holders).toEqual({});
  });

  it("writes nothing when the task holds no slot and none expired", () => {
    expect(decideRelease(entry({ c: { attempt: 1, leaseUntil: 90 } }), "a", 20).next).toBe(
      undefined,
    );
  });
});

describe("maxForKey", () => {
  const limits: ConcurrencyLimit[] = [
    { label: "tenant", max: 2 },
    { label: "tenant", value: "big", max: 5 },
    { label: "region", value: "eu=west", max: 1 },
  ];

  it("finds the effective max of a limit key", () => {
    expect(maxForKey(limits, "tenant=acme")).toBe(2);
    expect(maxForKey(limits, "tenant=big")).toBe(5);
    expect(maxForKey(limits, "region=eu=west")).toBe(1);
    expect(maxForKey(limits, "region=us")).toBeUndefined();
    expect(maxForKey(limits, "model=x")).toBeUndefined();
  });
});

describe("decodeSlotEntry", () => {
  it("reads holders and drops malformed ones", () => {
    const bytes = encoder.encode(
      JSON.stringify({
        key: "tenant=acme",
        holders: { a: { attempt: 1, leaseUntil: 5 }, b: { attempt: "x" }, c: null },
      }),
    );
    expect(decodeSlotEntry("tenant=acme", bytes)).toEqual(
      entry({ a: { attempt: 1, leaseUntil: 5 } }),
    );
  });

  it("treats missing or unreadable values as no holders", () => {
    expect(decodeSlotEntry("tenant=acme", undefined)).toEqual(entry());
    expect(decodeSlotEntry("tenant=acme", new Uint8Array())).toEqual(entry());
    expect(decodeSlotEntry("tenant=acme", encoder.encode("{nope"))).toEqual(entry());
    expect(decodeSlotEntry("tenant=acme", encoder.encode("[1]"))).toEqual(entry());
  });
});

describe("slotKvKey", () => {
  it("maps any limit key into the KV key alphabet", () => {
    for (const key of ["tenant=acme", "tenant=a b/c.*>", "région=é"]) {
      expect(slotKvKey(key)).toMatch(/^[-/_=.a-zA-Z0-9]+$/);
    }
    expect(slotKvKey("tenant=a")).not.toBe(slotKvKey("tenant=b"));
  });
});

describe("LimitSlots without applicable limits", () => {
  it("acquires without touching the bucket", async () => {
    // Any KV call would throw: the proxy has no methods.
    const kv = new Proxy({} as KV, {
      get: () => {
        throw new Error("unexpected KV access");
      },
    });
    const slots = new LimitSlots(kv, [{ label: "tenant", max: 1 }]);
    expect(slots.keysFor({ model: "x" })).toEqual([]);
    await expect(slots.acquire("t1", 1, { model: "x" }, Date.now() + 1000)).resolves.toEqual({
      ok: true,
      keys: [],
    });
    await expect(slots.acquire("t1", 1, undefined, Date.now() + 1000)).resolves.toEqual({
      ok: true,
      keys: [],
    });
    await expect(new LimitSlots(kv, []).acquire("t1", 1, { tenant: "a" }, 0)).resolves.toEqual({
      ok: true,
      keys: [],
    });
  });
});
