import { claimStepName } from "../sdk/step-names.js";
import type { BatonConnection } from "../nats/connection.js";
import { stepKey } from "../nats/subjects.js";
import { publishEvent } from "../store/events.js";
import { countedAttempts } from "../store/attempts.js";
import { isWrongLastSequence } from "../store/task-store.js";
import { withIoRetry } from "./io-retry.js";
import type { Logger } from "../telemetry/logger.js";
import type { JsonValue, TaskRecord } from "../types.js";
import type { TaskContext } from "../sdk/types.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Per-attempt state the runtime shares with the handler's context. */
export interface AttemptState {
  readonly record: TaskRecord;
  readonly controller: AbortController;
  /** Events in flight; awaited before the terminal event so watchers see them first. */
  readonly pendingEvents: Set<Promise<unknown>>;
  progress?: JsonValue;
  progressDirty: boolean;
}

export function createTaskContext(
  conn: BatonConnection,
  state: AttemptState,
  log: Logger,
  renew: () => Promise<void>,
): TaskContext<JsonValue> {
  const record = state.record;
  const usedSteps = new Set<string>();
  // Events are retried through a NATS outage; if one still fails it is logged, not thrown:
  // a watcher missing a progress update must not fail a long task.
  const track = (publish: () => Promise<unknown>): Promise<void> => {
    const p = withIoRetry(publish, log, 30_000).then(
      () => undefined,
      (err: unknown) => log.warn({ err: String(err) }, "event not published"),
    );
    state.pendingEvents.add(p);
    return p.finally(() => state.pendingEvents.delete(p));
  };
  return {
    taskId: record.id,
    capability: record.capability,
    attempt: countedAttempts(record),
    input: record.input,
    task: record,
    signal: state.controller.signal,
    log,
    progress(value) {
      state.progress = value;
      state.progressDirty = true;
      const time = Date.now();
      return track(() =>
        publishEvent(conn, {
          type: "progress",
          taskId: record.id,
          time,
          attempt: record.attempt,
          progress: value,
        }),
      );
    },
    emit(chunk) {
      const time = Date.now();
      return track(() =>
        publishEvent(conn, {
          type: "output",
          taskId: record.id,
          time,
          attempt: record.attempt,
          chunk,
        }),
      );
    },
    async step<T extends JsonValue | void>(name: string, fn: () => Promise<T> | T): Promise<T> {
      claimStepName(usedSteps, name);
      const key = stepKey(record.id, name);
      const stored = await withIoRetry(() => conn.steps.get(key), log);
      if (stored && stored.operation === "PUT" && stored.length > 0) {
        return (JSON.parse(decoder.decode(stored.value)) as { v: T }).v;
      }
      state.controller.signal.throwIfAborted();
      const value = await fn();
      try {
        const body = encoder.encode(JSON.stringify({ v: value ?? null }));
        await withIoRetry(() => conn.steps.create(key, body), log);
      } catch (err) {
        if (!isWrongLastSequence(err)) throw err;
        // Another attempt stored it first (a zombie raced us): its result is the one.
        const winner = await conn.steps.get(key);
        if (winner) return (JSON.parse(decoder.decode(winner.value)) as { v: T }).v;
      }
      return value;
    },
    heartbeat: renew,
  };
}
