import { ErrorCode, isNonRetryable } from "../errors.js";
import { hasAttemptsLeft, retryDelayMs, type RetryPolicy } from "../retry.js";
import {
  TaskState,
  type AttemptOutcome,
  type JsonValue,
  type PlacementRecord,
  type TaskError,
  type TaskRecord,
} from "../types.js";
import { countedAttempts, currentAttempt } from "./attempts.js";
import { isTerminal } from "./states.js";

/** What an agent does with one delivery of a task message, decided from the record alone. */
export type DeliveryDecision =
  | { kind: "drop"; reason: string }
  | { kind: "dead-letter-again" }
  | { kind: "defer"; delayMs: number }
  | { kind: "busy"; delayMs: number }
  | { kind: "fail-deadline" }
  | { kind: "dead"; error: TaskError }
  | { kind: "claim"; takeover: boolean };

export interface DeliveryFacts {
  now: number;
  deliveryCount: number;
  /** Deliveries allowed beyond the attempt budget before the task is dead-lettered. */
  maxDeliveries: number;
  policy: RetryPolicy;
}

/** Small margin so clock jitter between processes does not cause an early takeover. */
const LEASE_MARGIN_MS = 50;

export function decideDelivery(record: TaskRecord, facts: DeliveryFacts): DeliveryDecision {
  const { now } = facts;
  if (record.state === TaskState.Dead) return { kind: "dead-letter-again" };
  if (isTerminal(record.state)) return { kind: "drop", reason: `task is ${record.state}` };
  if (
    record.state === TaskState.Running &&
    record.owner &&
    record.owner.leaseUntil + LEASE_MARGIN_MS > now
  ) {
    return { kind: "busy", delayMs: record.owner.leaseUntil + LEASE_MARGIN_MS - now };
  }
  if (record.deadline !== undefined && now >= record.deadline) return { kind: "fail-deadline" };
  const takeover = record.state === TaskState.Running;
  if (!takeover && record.handoffUntil !== undefined && record.handoffUntil > now + 5) {
    return { kind: "defer", delayMs: record.handoffUntil - now };
  }
  // A lapsed owner used up an attempt: count it before deciding whether another is allowed.
  const used = countedAttempts(record);
  if (!hasAttemptsLeft(facts.policy, used)) {
    return {
      kind: "dead",
      error: {
        message: takeover
          ? `worker lost on attempt ${used} of ${facts.policy.maxAttempts} (lease expired)`
          : `retry budget of ${facts.policy.maxAttempts} attempts exhausted`,
        code: ErrorCode.WorkerLost,
      },
    };
  }
  // Deliveries spent waiting on purpose (no eligible agent, a limit) are not crashes.
  const delivered = facts.deliveryCount - (record.deliveryBase ?? 0);
  if (delivered > facts.maxDeliveries + facts.policy.maxAttempts) {
    return {
      kind: "dead",
      error: {
        message: `delivered ${delivered} times without finishing (the worker crashes before claiming)`,
        code: ErrorCode.WorkerLost,
      },
    };
  }
  if (!takeover && record.runAt !== undefined && record.runAt > now + 5) {
    return { kind: "defer", delayMs: record.runAt - now };
  }
  return { kind: "claim", takeover };
}

function closeAttempt(
  record: TaskRecord,
  now: number,
  outcome: AttemptOutcome,
  error?: TaskError,
): void {
  const a = currentAttempt(record);
  if (a && !a.outcome) {
    a.outcome = outcome;
    a.endedAt = now;
    if (error) a.error = error;
  }
}

/** RUNNING with a new owner and lease; a lapsed previous owner's attempt is marked lost. */
export function claimRecord(
  record: TaskRecord,
  agentId: string,
  now: number,
  leaseMs: number,
): TaskRecord {
  if (record.state === TaskState.Running) {
    closeAttempt(record, now, "lost", {
      message: `agent ${record.owner?.agentId ?? "?"} stopped renewing its lease`,
      code: ErrorCode.WorkerLost,
    });
  }
  const attempt = record.attempt + 1;
  record.state = TaskState.Running;
  record.attempt = attempt;
  record.owner = { agentId, attempt, leaseUntil: now + leaseMs };
  record.attempts.push({ attempt, agentId, startedAt: now });
  record.startedAt ??= now;
  delete record.runAt;
  delete record.waiting;
  delete record.handoffUntil;
  // The previous attempt's error stays in its attempt entry, not on the running task.
  delete record.error;
  return record;
}

/**
 * When a record about to be claimed became runnable: the end of its delay or retry backoff,
 * its submission for a first attempt, a lapsed lease for a takeover, the release of a released
 * attempt. Undefined when the record does not say (a replayed dead letter).
 */
export function runnableSince(record: TaskRecord): number | undefined {
  if (record.state === TaskState.Running) return record.owner?.leaseUntil;
  if (record.runAt !== undefined) return Math.max(record.runAt, record.createdAt);
  const last = record.attempts[record.attempts.length - 1];
  if (!last) return record.createdAt;
  return last.outcome === "released" ? last.endedAt : undefined;
}

/** Negotiations kept per task; older ones are dropped so records stay small. */
export const MAX_PLACEMENTS = 5;

export function addPlacement(record: TaskRecord, placement: PlacementRecord): TaskRecord {
  record.placements = [...(record.placements ?? []), placement].slice(-MAX_PLACEMENTS);
  return record;
}

/**
 * A PENDING task that cannot start yet. `deliveryCount` becomes the base of the crash-before-claim
 * count, so a task may wait through any number of deliveries.
 */
export function waitRecord(
  record: TaskRecord,
  reason: string,
  resourceClass: string,
  now: number,
  deliveryCount: number,
): TaskRecord {
  const since = record.waiting?.reason === reason ? record.waiting.since : now;
  record.waiting = { reason, since, resourceClass };
  record.deliveryBase = Math.max(record.deliveryBase ?? 0, deliveryCount);
  return record;
}

/** Terminal or dead without running (deadline passed, budget gone): closes a lost attempt. */
export function endRecord(
  record: TaskRecord,
  state: typeof TaskState.Failed | typeof TaskState.Dead,
  error: TaskError,
  now: number,
): TaskRecord {
  if (record.state === TaskState.Running) closeAttempt(record, now, "lost", error);
  delete record.waiting;
  record.state = state;
  record.error = error;
  record.finishedAt = now;
  delete record.owner;
  delete record.runAt;
  return record;
}

export function succeedRecord(record: TaskRecord, result: JsonValue, now: number): TaskRecord {
  closeAttempt(record, now, "succeeded");
  record.state = TaskState.Succeeded;
  record.result = result;
  record.finishedAt = now;
  // Cleared, not deleted: deleting a property from the middle of an object turns it into a
  // dictionary, which made writing the record about a microsecond slower (JSON leaves it out).
  record.owner = undefined;
  delete record.error;
  return record;
}

export type FailureOutcome =
  { action: "retry"; delayMs: number } | { action: "fail" } | { action: "dead" };

/** Decides what a handler error means and applies it to the record. */
export function failRecord(
  record: TaskRecord,
  err: TaskError,
  opts: {
    now: number;
    policy: RetryPolicy;
    timedOut?: boolean;
    retryAfterMs?: number;
    random?: () => number;
  },
): FailureOutcome {
  const { now, policy } = opts;
  closeAttempt(record, now, opts.timedOut ? "timeout" : "failed", err);
  delete record.owner;
  record.error = err;
  if (err.nonRetryable || isNonRetryable(err)) {
    record.state = TaskState.Failed;
    record.finishedAt = now;
    return { action: "fail" };
  }
  const used = countedAttempts(record);
  if (!hasAttemptsLeft(policy, used)) {
    record.state = TaskState.Dead;
    record.finishedAt = now;
    const a = currentAttempt(record);
    if (a) a.outcome = "dead";
    return { action: "dead" };
  }
  const delayMs = opts.retryAfterMs ?? retryDelayMs(policy, used, opts.random);
  if (record.deadline !== undefined && now + delayMs >= record.deadline) {
    // The retry could not start before the deadline: fail now instead of waiting to find out.
    record.state = TaskState.Failed;
    record.finishedAt = now;
    record.error = {
      message: `${err.message} (no retry: the next attempt would start after the deadline)`,
      code: ErrorCode.DeadlineExceeded,
      nonRetryable: true,
    };
    return { action: "fail" };
  }
  record.state = TaskState.Pending;
  record.runAt = now + delayMs;
  return { action: "retry", delayMs };
}

/** Gives the task back without spending an attempt (graceful shutdown). */
export function releaseRecord(record: TaskRecord, now: number): TaskRecord {
  closeAttempt(record, now, "released");
  record.state = TaskState.Pending;
  delete record.owner;
  delete record.runAt;
  return record;
}

/** True while `agentId` still holds `attempt` of this running task. */
export function ownsRecord(record: TaskRecord, agentId: string, attempt: number): boolean {
  return (
    record.state === TaskState.Running &&
    record.attempt === attempt &&
    record.owner?.agentId === agentId
  );
}
