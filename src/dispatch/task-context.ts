import { getMaxListeners, setMaxListeners } from "node:events";
import { claimStepName } from "../sdk/step-names.js";
import type { BatonConnection } from "../nats/connection.js";
import { hashKey, stepKey } from "../nats/subjects.js";
import { derivedTaskId, isTaskId } from "../ids.js";
import { linkChildren } from "../store/children.js";
import { publishEvent } from "../store/events.js";
import { countedAttempts } from "../store/attempts.js";
import { isWrongLastSequence } from "../nats/errors.js";
import { withIoRetry } from "./io-retry.js";
import type { Logger } from "../telemetry/logger.js";
import type { JsonValue, TaskEventBody, TaskRecord } from "../types.js";
import type { Versioned } from "../store/task-store.js";
import type { DelegateCall, DelegateOptions, TaskContext } from "../sdk/types.js";
import type { BatonClient } from "../client/client.js";
import type { CallForBids } from "./bids.js";
import { ChildLinks } from "./child-links.js";
import type { Bid } from "../placement/types.js";
import { mapLimit } from "../sdk/concurrency.js";
import { CancelledError, ChildTaskFailedError } from "../errors.js";
import { TaskState } from "../types.js";
import type { AttemptTelemetry } from "../telemetry/hooks.js";
import type { AttemptAbort } from "./attempt-abort.js";

const ABORT = Symbol("attempt abort");

/**
 * ctx.signal, made on first read (see AttemptAbort). An own enumerable property, so a handler
 * that passes `{ ...ctx }` on keeps it, and one accessor shared by every context: a getter made
 * per context (in the object literal, or defined with a closure) made V8 keep each context and
 * all it points to through young-generation collections, about 10 KB a task promoted
 * (`bench:profile --profile promoted`).
 */
const SIGNAL: PropertyDescriptor = {
  get(this: { [ABORT]: AttemptAbort }): AbortSignal {
    return this[ABORT].signal;
  },
  enumerable: true,
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Per-attempt state the runtime shares with the handler's context. */
export interface AttemptState {
  readonly record: TaskRecord;
  /** The record as last written by this attempt: the start of its next compare-and-set. */
  versioned: Versioned;
  /** Aborted when the attempt is cancelled, fenced, timed out or given back. */
  readonly abort: AttemptAbort;
  /** Events in flight; awaited before the terminal event so watchers see them first. */
  readonly pendingEvents: Set<Promise<unknown>>;
  progress?: JsonValue;
  progressDirty: boolean;
  /** Spans, metrics and log context of this attempt. */
  readonly telemetry: AttemptTelemetry;
  /**
   * Stores the attempt's RUNNING event now if it was deferred, after its claim if that was
   * deferred too (returning that write); called before any other event.
   */
  readonly flushRunning: () => Promise<void> | undefined;
  /** A direct hand-off's caller, streamed each progress and output event. */
  readonly onEvent?: (event: TaskEventBody) => void;
}

/** ctx.delegate's direct path, served by the agent runner (see AgentRunner.handOff). */
export interface HandOff {
  /** Calls for bids for a child about to be stored (bidders do not read its record). */
  bid(call: CallForBids): Promise<Bid[]>;
  /**
   * Hands the stored child to the best of `bids`: its outcome when the hand-off saw it finish,
   * undefined to leave it to the queue.
   */
  run(
    child: TaskRecord,
    bids: Promise<Bid[]>,
    signal: AbortSignal,
  ): Promise<TaskRecord | undefined>;
}

/** How long the queue leaves a new child to the direct hand-off before taking it itself. */
const HANDOFF_WINDOW_MS = 1000;

export function createTaskContext(
  conn: BatonConnection,
  client: BatonClient,
  state: AttemptState,
  log: Logger,
  renew: () => Promise<void>,
  handOff?: HandOff,
): TaskContext<JsonValue> {
  const record = state.record;
  const abort = state.abort;
  let calls = 0;
  // From the attempt's last write: no read unless a heartbeat wrote in between.
  const links = new ChildLinks(async (ids) => {
    const linked = await linkChildren(conn, record.id, ids, state.versioned);
    if (linked) state.versioned = linked;
  });
  /**
   * A child's id, the same on every attempt of the parent. Earlier versions stored a child under
   * a random id with its key in the idempotency bucket: a retried parent looks there first.
   */
  const childId = async (key: string): Promise<string> => {
    if (record.attempts.length > 1) {
      const entry = await withIoRetry(() => conn.idempotency.get(hashKey(key)), log);
      const legacy = entry?.value.length ? new TextDecoder().decode(entry.value) : undefined;
      if (legacy !== undefined && isTaskId(legacy)) return legacy;
    }
    return derivedTaskId(record.createdAt, key);
  };
  const delegate = async <T = JsonValue>(
    capability: string,
    input: JsonValue,
    options: DelegateOptions = {},
  ): Promise<T> => {
    const name = claimStepName(usedSteps, options.name ?? `${capability}#${++calls}`);
    abort.throwIfAborted();
    const key = `child:${record.id}:${name}`;
    const id = await childId(key);
    const childOptions = {
      idempotencyKey: key,
      parentId: record.id,
      rootId: record.rootId,
      priority: options.priority ?? record.priority,
      affinityKey: options.affinityKey ?? record.affinityKey ?? record.rootId,
      ...(options.requirements ? { requirements: options.requirements } : {}),
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(record.deadline !== undefined ? { deadline: record.deadline } : {}),
    };
    const prepared = await client.prepareChild(
      capability,
      input,
      childOptions,
      handOff ? { id, handoffMs: HANDOFF_WINDOW_MS } : { id },
    );
    // The bids are gathered while the child is stored: one round trip off every hand-off.
    const bids = handOff?.bid({
      taskId: id,
      capability,
      ...(prepared.requirements ? { requirements: prepared.requirements } : {}),
      ...(prepared.affinityKey !== undefined ? { affinityKey: prepared.affinityKey } : {}),
    });
    bids?.catch(() => undefined); // run() reports it; a failed store throws first
    const child = await prepared.store();
    // Alongside the hand-off (the child is durable already); awaited before returning.
    const link = links.link(child.id);
    link.catch(() => undefined);
    let done: TaskRecord;
    try {
      // Straight to a peer over gRPC; whatever goes wrong there, the queue runs the child.
      const direct = handOff && bids ? await handOff.run(child, bids, abort.signal) : undefined;
      done = direct ?? (await client.wait(child.id, { signal: abort.signal }));
      abort.throwIfAborted();
    } catch (err) {
      // A cancelled parent takes its children along; on timeout or shutdown they keep running
      // and the parent's next attempt picks the same child up again.
      if (abort.reason instanceof CancelledError) {
        await client.cancel(child.id, `parent ${record.id} cancelled`).catch(() => undefined);
      }
      throw err;
    }
    await link;
    if (done.state !== TaskState.Succeeded) {
      throw new ChildTaskFailedError(done.id, done.state, done.error);
    }
    return done.result as T;
  };
  const usedSteps = new Set<string>();
  // Events are retried through a NATS outage; if one still fails it is logged, not thrown:
  // a watcher missing a progress update must not fail a long task.
  const track = (publish: () => Promise<unknown>): Promise<void> => {
    const claim = state.flushRunning();
    const send = (): Promise<unknown> => withIoRetry(publish, log, 30_000);
    const p = (claim ? claim.then(send) : send()).then(
      () => undefined,
      (err: unknown) => log.warn({ err: String(err) }, "event not published"),
    );
    state.pendingEvents.add(p);
    return p.finally(() => state.pendingEvents.delete(p));
  };
  const ctx: Omit<TaskContext<JsonValue>, "signal"> & { [ABORT]: AttemptAbort } = {
    [ABORT]: abort,
    taskId: record.id,
    capability: record.capability,
    attempt: countedAttempts(record),
    input: record.input,
    task: record,
    log,
    progress(value) {
      state.progress = value;
      state.progressDirty = true;
      const event: TaskEventBody = {
        type: "progress",
        taskId: record.id,
        time: Date.now(),
        attempt: record.attempt,
        progress: value,
      };
      state.onEvent?.(event);
      return track(() => publishEvent(conn, event));
    },
    emit(chunk) {
      const event: TaskEventBody = {
        type: "output",
        taskId: record.id,
        time: Date.now(),
        attempt: record.attempt,
        chunk,
      };
      state.onEvent?.(event);
      return track(() => publishEvent(conn, event));
    },
    async step<T extends JsonValue | void>(name: string, fn: () => Promise<T> | T): Promise<T> {
      claimStepName(usedSteps, name);
      const key = stepKey(record.id, name);
      const stored = await withIoRetry(() => conn.steps.get(key), log);
      if (stored && stored.operation === "PUT" && stored.length > 0) {
        const v = (JSON.parse(decoder.decode(stored.value)) as { v: T }).v;
        return state.telemetry.step(name, true, () => Promise.resolve(v));
      }
      abort.throwIfAborted();
      return state.telemetry.step(name, false, async () => {
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
      });
    },
    heartbeat: renew,
    delegate,
    delegateAll: <T = JsonValue>(
      calls: readonly DelegateCall[],
      opts: { concurrency?: number } = {},
    ) => {
      const concurrency = opts.concurrency ?? 8;
      // Each call in flight listens on the attempt's signal; Node warns of a leak past 10.
      const listeners = Math.min(concurrency, calls.length) + 10;
      const signal = abort.signal;
      if (getMaxListeners(signal) < listeners) setMaxListeners(listeners, signal);
      return mapLimit(calls, concurrency, (c) => delegate<T>(c.capability, c.input, c.options));
    },
  };
  return Object.defineProperty(ctx, "signal", SIGNAL) as typeof ctx &
    Pick<TaskContext<JsonValue>, "signal">;
}
