import { describe, expect, it } from "vitest";
import { pendingRecord } from "../helpers/records.js";
import { ErrorCode, IllegalTransitionError, TerminalError } from "../../src/errors.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../../src/retry.js";
import { countedAttempts, toTaskError } from "../../src/store/attempts.js";
import { assertTransition, canTransition, isTerminal } from "../../src/store/states.js";
import {
  claimRecord,
  decideDelivery,
  failRecord,
  ownsRecord,
  releaseRecord,
  succeedRecord,
} from "../../src/store/transitions.js";
import { TaskState, type TaskRecord } from "../../src/types.js";

const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, jitter: 0 };
const LEASE = 1000;

const pending = (over: Partial<TaskRecord> = {}): TaskRecord => pendingRecord(over);
const facts = (now: number, deliveryCount = 1) => ({
  now,
  deliveryCount,
  maxDeliveries: 50,
  policy,
});

describe("state machine", () => {
  it("allows the lifecycle of the design and rejects the rest", () => {
    expect(canTransition("PENDING", "RUNNING")).toBe(true);
    expect(canTransition("RUNNING", "PENDING")).toBe(true);
    expect(canTransition("RUNNING", "SUCCEEDED")).toBe(true);
    expect(canTransition("DEAD", "PENDING")).toBe(true);
    expect(canTransition("SUCCEEDED", "RUNNING")).toBe(false);
    expect(canTransition("CANCELLED", "PENDING")).toBe(false);
    expect(canTransition("PENDING", "SUCCEEDED")).toBe(false);
    expect(() => assertTransition("t", "FAILED", "RUNNING")).toThrow(IllegalTransitionError);
    expect(
      ["SUCCEEDED", "FAILED", "CANCELLED", "DEAD"].every((s) => isTerminal(s as TaskState)),
    ).toBe(true);
    expect(isTerminal("RUNNING")).toBe(false);
  });
});

describe("decideDelivery", () => {
  it("claims a pending task and defers one whose start time is ahead", () => {
    expect(decideDelivery(pending(), facts(100))).toEqual({ kind: "claim", takeover: false });
    expect(decideDelivery(pending({ runAt: 1100 }), facts(100))).toEqual({
      kind: "defer",
      delayMs: 1000,
    });
  });

  it("leaves a task with a live owner alone and takes over a lapsed one", () => {
    const running = claimRecord(pending(), "a", 0, LEASE);
    const busy = decideDelivery(running, facts(500));
    expect(busy.kind).toBe("busy");
    expect(decideDelivery(running, facts(LEASE + 100))).toEqual({ kind: "claim", takeover: true });
  });

  it("drops finished tasks and re-dead-letters dead ones", () => {
    expect(decideDelivery(pending({ state: "SUCCEEDED" }), facts(0)).kind).toBe("drop");
    expect(decideDelivery(pending({ state: "CANCELLED" }), facts(0)).kind).toBe("drop");
    expect(decideDelivery(pending({ state: "DEAD" }), facts(0)).kind).toBe("dead-letter-again");
  });

  it("fails a task whose deadline passed before it ran", () => {
    expect(decideDelivery(pending({ deadline: 50 }), facts(100)).kind).toBe("fail-deadline");
  });

  it("dead-letters a crash loop once lost attempts use up the budget", () => {
    let r = pending();
    for (let i = 0; i < 3; i++) {
      const d = decideDelivery(r, facts(i * 10_000));
      expect(d.kind).toBe("claim");
      r = claimRecord(r, `agent-${i}`, i * 10_000, LEASE);
    }
    const last = decideDelivery(r, facts(40_000));
    expect(last.kind).toBe("dead");
    if (last.kind === "dead") expect(last.error.code).toBe(ErrorCode.WorkerLost);
  });

  it("dead-letters a message delivered far more often than the budget explains", () => {
    expect(decideDelivery(pending(), facts(0, 50 + 3 + 1)).kind).toBe("dead");
    expect(decideDelivery(pending(), facts(0, 50 + 3)).kind).toBe("claim");
  });
});

describe("claim, finish and fence", () => {
  it("claims with a lease and marks a lapsed owner's attempt lost", () => {
    const first = claimRecord(pending(), "a", 0, LEASE);
    expect(first.owner).toEqual({ agentId: "a", attempt: 1, leaseUntil: LEASE });
    const second = claimRecord(structuredClone(first), "b", 5000, LEASE);
    expect(second.attempt).toBe(2);
    expect(second.attempts.map((a) => a.outcome)).toEqual(["lost", undefined]);
    expect(ownsRecord(second, "a", 1)).toBe(false);
    expect(ownsRecord(second, "b", 2)).toBe(true);
  });

  it("retries with backoff, then goes DEAD when the budget is spent", () => {
    let r = claimRecord(pending(), "a", 0, LEASE);
    const first = failRecord(r, { message: "x" }, { now: 10, policy });
    expect(first).toEqual({ action: "retry", delayMs: 1000 });
    expect(r.state).toBe("PENDING");
    expect(r.runAt).toBe(1010);
    r = claimRecord(r, "a", 2000, LEASE);
    expect(failRecord(r, { message: "y" }, { now: 2010, policy })).toEqual({
      action: "retry",
      delayMs: 2000,
    });
    r = claimRecord(r, "a", 5000, LEASE);
    expect(failRecord(r, { message: "z" }, { now: 5010, policy })).toEqual({ action: "dead" });
    expect(r.state).toBe("DEAD");
    expect(r.attempts.map((a) => a.error?.message)).toEqual(["x", "y", "z"]);
  });

  it("does not retry a TerminalError", () => {
    const r = claimRecord(pending(), "a", 0, LEASE);
    expect(failRecord(r, toTaskError(new TerminalError("no")), { now: 1, policy })).toEqual({
      action: "fail",
    });
    expect(r.state).toBe("FAILED");
  });

  it("honours a retry-after over the backoff", () => {
    const r = claimRecord(pending(), "a", 0, LEASE);
    expect(failRecord(r, { message: "x" }, { now: 0, policy, retryAfterMs: 42 })).toEqual({
      action: "retry",
      delayMs: 42,
    });
  });

  it("releases without spending an attempt", () => {
    const r = releaseRecord(claimRecord(pending(), "a", 0, LEASE), 10);
    expect(r.state).toBe("PENDING");
    expect(countedAttempts(r)).toBe(0);
    expect(r.owner).toBeUndefined();
  });

  it("succeeds with the result and clears the owner", () => {
    const r = succeedRecord(claimRecord(pending(), "a", 0, LEASE), { ok: 1 }, 9);
    expect(r).toMatchObject({ state: "SUCCEEDED", result: { ok: 1 }, finishedAt: 9 });
    expect(r.owner).toBeUndefined();
  });
});

describe("deadline during backoff", () => {
  it("fails at once when the next attempt would start after the deadline", () => {
    const r = claimRecord(pending({ deadline: 500 }), "a", 0, LEASE);
    expect(failRecord(r, { message: "x" }, { now: 10, policy })).toEqual({ action: "fail" });
    expect(r.state).toBe("FAILED");
    expect(r.error?.code).toBe(ErrorCode.DeadlineExceeded);
  });
});
