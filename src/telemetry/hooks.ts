import type { PlacementRecord, TaskError, TaskRecord, TaskState } from "../types.js";

/** How an agent came to run an attempt. */
export type ClaimVia = "queue" | "award" | "handoff";

/** How an attempt ended, as the record says after settling. */
export interface AttemptEnd {
  /** The record's state afterwards: terminal, or PENDING for a retry. */
  state: TaskState;
  error?: TaskError;
  /** The result was not recorded: a lapsed lease (fenced) or a graceful release. */
  discarded?: "fenced" | "released";
}

/** One attempt's telemetry; the runtime calls `end` exactly once. */
export interface AttemptTelemetry {
  /** Runs `fn` (the handler) in the attempt's context, so spans and logs made inside join it. */
  run<T>(fn: () => T): T;
  /** Wraps one durable step; `cached` when its stored result is returned without running. */
  step<T>(name: string, cached: boolean, fn: () => Promise<T>): Promise<T>;
  /** The attempt's failure moved the task to the dead-letter stream (before `end`). */
  deadLettered(): void;
  end(end: AttemptEnd): void;
}

/**
 * What an agent runner reports about its work. Tracing and metrics each implement it; the
 * runner calls the hooks and knows nothing of either (see createAgentTelemetry).
 */
export interface AgentTelemetry {
  /** A negotiation ended: who won, or why the task waits. */
  negotiated(
    record: TaskRecord,
    outcome: { placement?: PlacementRecord; waiting?: string; startedAt: number },
  ): void;
  /**
   * This agent claimed the task and starts an attempt. `readyAt`: when the task became runnable
   * (submitted, its delay or retry backoff over), when known; claim latency counts from there.
   */
  claimed(record: TaskRecord, via: ClaimVia, readyAt?: number): AttemptTelemetry;
  /** A task was moved to the dead-letter stream with no attempt of it running here. */
  deadLettered(record: TaskRecord): void;
  /** A lease renewal: `ok` false when it failed (the lease may lapse). */
  heartbeat(ok: boolean): void;
}

const NO_ATTEMPT: AttemptTelemetry = {
  run: (fn) => fn(),
  step: (_name, _cached, fn) => fn(),
  deadLettered: () => undefined,
  end: () => undefined,
};

/** Telemetry that records nothing. */
export const NO_TELEMETRY: AgentTelemetry = {
  negotiated: () => undefined,
  claimed: () => NO_ATTEMPT,
  deadLettered: () => undefined,
  heartbeat: () => undefined,
};

/**
 * Several attempts' telemetry as one, the first part's context outermost. A class rather than
 * closures made per attempt: they were a kilobyte a task that outlived a scavenge.
 */
class CombinedAttempt implements AttemptTelemetry {
  constructor(private readonly attempts: readonly AttemptTelemetry[]) {}

  run<T>(fn: () => T): T {
    return this.runFrom(0, fn);
  }

  private runFrom<T>(i: number, fn: () => T): T {
    const attempt = this.attempts[i];
    return attempt ? attempt.run(() => this.runFrom(i + 1, fn)) : fn();
  }

  step<T>(name: string, cached: boolean, fn: () => Promise<T>): Promise<T> {
    return this.stepFrom(0, name, cached, fn);
  }

  private stepFrom<T>(i: number, name: string, cached: boolean, fn: () => Promise<T>): Promise<T> {
    const attempt = this.attempts[i];
    return attempt
      ? attempt.step(name, cached, () => this.stepFrom(i + 1, name, cached, fn))
      : fn();
  }

  deadLettered(): void {
    for (const attempt of this.attempts) attempt.deadLettered();
  }

  end(end: AttemptEnd): void {
    for (const attempt of this.attempts) attempt.end(end);
  }
}

/** Several telemetry sinks as one (tracing and metrics side by side). */
export function combineTelemetry(parts: readonly AgentTelemetry[]): AgentTelemetry {
  if (parts.length === 0) return NO_TELEMETRY;
  if (parts.length === 1 && parts[0]) return parts[0];
  return {
    negotiated: (record, outcome) => parts.forEach((p) => p.negotiated(record, outcome)),
    claimed: (record, via, readyAt) =>
      new CombinedAttempt(parts.map((p) => p.claimed(record, via, readyAt))),
    deadLettered: (record) => parts.forEach((p) => p.deadLettered(record)),
    heartbeat: (ok) => parts.forEach((p) => p.heartbeat(ok)),
  };
}
