import { describe, expect, it } from "vitest";
import { pendingRecord } from "../helpers/records.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../../src/retry.js";
import { demandOf } from "../../src/registry/demand.js";
import { WarmKeys } from "../../src/dispatch/warm-keys.js";
import {
  addPlacement,
  claimRecord,
  decideDelivery,
  MAX_PLACEMENTS,
  waitRecord,
} from "../../src/store/transitions.js";
import { TaskState, type TaskRecord } from "../../src/types.js";

const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, jitter: 0 };
const facts = (now: number, deliveryCount = 1) => ({
  now,
  deliveryCount,
  maxDeliveries: 50,
  policy,
});

const pending = (over: Partial<TaskRecord> = {}): TaskRecord =>
  pendingRecord({ capability: "infer", ...over });

describe("waiting tasks and the crash-before-claim cap", () => {
  it("dead-letters a task delivered too often without a claim", () => {
    expect(decideDelivery(pending(), facts(0, 53)).kind).toBe("claim");
    expect(decideDelivery(pending(), facts(0, 54)).kind).toBe("dead");
  });

  it("does not count deliveries spent waiting on purpose", () => {
    const waited = waitRecord(pending(), "no GPU", "gpu:anyx1", 100, 500);
    expect(waited.waiting).toEqual({ reason: "no GPU", since: 100, resourceClass: "gpu:anyx1" });
    expect(decideDelivery(waited, facts(200, 540)).kind).toBe("claim");
    // A crash loop after the wait is still caught.
    expect(decideDelivery(waited, facts(200, 554)).kind).toBe("dead");
  });

  it("keeps the time a task started waiting while the reason stays the same", () => {
    let r = waitRecord(pending(), "no GPU", "gpu:anyx1", 100, 1);
    r = waitRecord(r, "no GPU", "gpu:anyx1", 900, 30);
    expect(r.waiting?.since).toBe(100);
    r = waitRecord(r, "limit tenant=a reached (2/2 running)", "any", 1000, 31);
    expect(r.waiting?.since).toBe(1000);
    expect(r.deliveryBase).toBe(31);
  });

  it("clears the waiting reason and the hand-off window when the task is claimed", () => {
    const r = claimRecord(
      waitRecord(pending({ handoffUntil: 50 }), "busy", "any", 0, 1),
      "a",
      100,
      1000,
    );
    expect(r.waiting).toBeUndefined();
    expect(r.handoffUntil).toBeUndefined();
  });
});

describe("direct hand-off window", () => {
  it("leaves a pending child to the hand-off until its window ends", () => {
    expect(decideDelivery(pending({ handoffUntil: 1000 }), facts(400))).toEqual({
      kind: "defer",
      delayMs: 600,
    });
    expect(decideDelivery(pending({ handoffUntil: 1000 }), facts(1000)).kind).toBe("claim");
  });

  it("treats a child the peer claimed as busy, and takes it over once the lease lapses", () => {
    const running = claimRecord(pending(), "peer", 0, 1000);
    expect(decideDelivery(running, facts(500)).kind).toBe("busy");
    expect(decideDelivery(running, facts(1100))).toEqual({ kind: "claim", takeover: true });
  });
});

describe("placement history", () => {
  it("keeps the latest negotiations only", () => {
    let r = pending();
    for (let i = 0; i < MAX_PLACEMENTS + 3; i++) {
      r = addPlacement(r, { time: i, negotiator: "n", bids: [], winner: `a${i}` });
    }
    expect(r.placements).toHaveLength(MAX_PLACEMENTS);
    expect(r.placements?.at(-1)?.winner).toBe(`a${MAX_PLACEMENTS + 2}`);
  });
});

describe("demandOf", () => {
  it("counts waiting tasks per capability and resource class, oldest reason first", () => {
    const gpu = (since: number, reason: string): TaskRecord =>
      waitRecord(pending({ capability: "infer" }), reason, "gpu:a100x1", since, 1);
    const records = [
      gpu(300, "no a100 (newer)"),
      gpu(100, "no a100 (oldest)"),
      waitRecord(pending({ capability: "embed" }), "all 2 eligible agents are busy", "any", 50, 1),
      pending({ capability: "infer" }),
      { ...gpu(10, "stale"), state: TaskState.Succeeded },
    ];
    expect(demandOf(records)).toEqual([
      {
        capability: "infer",
        resourceClass: "gpu:a100x1",
        waiting: 2,
        oldestSince: 100,
        reason: "no a100 (oldest)",
      },
      {
        capability: "embed",
        resourceClass: "any",
        waiting: 1,
        oldestSince: 50,
        reason: "all 2 eligible agents are busy",
      },
    ]);
  });
});

describe("WarmKeys", () => {
  it("remembers the most recent keys up to its capacity", () => {
    const warm = new WarmKeys(3);
    for (const k of ["a", "b", "c", "a", "d"]) warm.touch(k);
    expect(warm.has("b")).toBe(false);
    expect(warm.recent(10)).toEqual(["d", "a", "c"]);
    expect(warm.recent(2)).toEqual(["d", "a"]);
  });
});
