import { hostname } from "node:os";
import {
  AttemptTimeoutError,
  BatonError,
  CancelledError,
  DeadlineExceededError,
  ErrorCode,
  FencedError,
  RetryableError,
  TerminalError,
} from "../errors.js";
import { nuid } from "@nats-io/transport-node";
import type { BatonConnection } from "../nats/connection.js";
import { ensureConsumer, consumerSpecs } from "../nats/topology.js";
import { compileRetryPolicy, type RetryPolicy } from "../retry.js";
import { toTaskError } from "../store/attempts.js";
import { publishDeadLetter } from "../store/dead-letters.js";
import { publishEvent } from "../store/events.js";
import { isTerminal } from "../store/states.js";
import { ConflictError } from "../errors.js";
import type { Versioned } from "../store/task-store.js";
import {
  claimRecord,
  decideDelivery,
  endRecord,
  failRecord,
  ownsRecord,
  releaseRecord,
  succeedRecord,
  type FailureOutcome,
} from "../store/transitions.js";
import type { Logger } from "../telemetry/logger.js";
import { PRIORITIES, TaskState, type JsonValue, type TaskRecord } from "../types.js";
import type { AgentDefinition } from "../sdk/types.js";
import type { Delivery } from "./delivery.js";
import { Puller, type PullTarget } from "./puller.js";
import { createTaskContext, type AttemptState } from "./task-context.js";
import { withIoRetry } from "./io-retry.js";
import { BatonClient } from "../client/client.js";
import type { AgentInfo } from "../registry/agents.js";
import { compileSchema, declareCapability, validateInput } from "../registry/capabilities.js";
import type { ValidateFunction } from "ajv";

const decoder = new TextDecoder();
const LONG_POLL_MS = 5000;

/** Why the runtime aborted a handler; the reason decides how the attempt is settled. */
class ShutdownSignal extends BatonError {
  constructor() {
    super(ErrorCode.Unavailable, "agent is shutting down");
  }
}

interface Running extends AttemptState {
  id: string;
  attempt: number;
  delivery: Delivery;
  versioned: Versioned;
  releasing: boolean;
  renewing?: Promise<void>;
  settled: Promise<void>;
}

export function newAgentId(name: string): string {
  return `${name}-${hostname()}-${process.pid}-${nuid.next().slice(-6)}`;
}

/**
 * Runs one agent definition: pulls only as many tasks as it has free slots, claims each by
 * CAS, keeps the lease alive, and settles every attempt by CAS so a fenced owner changes nothing.
 */
export class AgentRunner {
  readonly agentId: string;
  private readonly running = new Map<string, Running>();
  private readonly targets: PullTarget[];
  private readonly puller: Puller;
  private readonly log: Logger;
  private readonly defaultPolicy: RetryPolicy;
  private slotsUsed = 0;
  private reserved = 0;
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly longPolling = new Set<string>();
  private rotate = 0;
  private readonly startedAt = Date.now();
  private readonly checkOutput: ValidateFunction | undefined;
  /** Submits and watches delegated sub-tasks on the runner's connection. */
  private readonly client: BatonClient;

  constructor(
    private readonly conn: BatonConnection,
    private readonly agent: AgentDefinition<never, unknown>,
    agentId?: string,
  ) {
    this.agentId = agentId ?? newAgentId(agent.name);
    this.log = conn.logger.child({ agent_id: this.agentId });
    this.defaultPolicy = agent.retry
      ? compileRetryPolicy(agent.retry, conn.config.retry, `agent(${agent.name}).retry`)
      : conn.config.retry;
    this.targets = PRIORITIES.flatMap((priority) =>
      agent.capabilities.map((capability) => ({
        stream: conn.names.tasksStream,
        consumer: conn.names.consumerName(capability, priority),
        tag: `${capability}/${priority}`,
      })),
    );
    this.client = new BatonClient(conn, false);
    this.checkOutput = agent.outputSchema ? compileSchema(agent.outputSchema) : undefined;
    this.puller = new Puller(conn.nc, (d) => this.onDelivery(d));
  }

  get inFlight(): number {
    return this.running.size;
  }

  /** What the registry shows about this agent. */
  info(): AgentInfo {
    const inFlight = this.slotsUsed;
    return {
      id: this.agentId,
      name: this.agent.name,
      capabilities: [...this.agent.capabilities],
      concurrency: this.agent.concurrency,
      inFlight,
      freeSlots: Math.max(0, this.agent.concurrency - inFlight),
      hostname: hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
      lastHeartbeat: Date.now(),
      ...(this.agent.resources ? { resources: this.agent.resources } : {}),
    };
  }

  async start(): Promise<void> {
    const { conn } = this;
    for (const capability of this.agent.capabilities) {
      for (const spec of consumerSpecs(conn.names, capability, conn.config)) {
        await ensureConsumer(conn.jsm, conn.names.tasksStream, spec);
      }
      await declareCapability(conn.capabilities, capability, {
        declaredAt: Date.now(),
        agent: this.agent.name,
        ...(this.agent.inputSchema ? { inputSchema: this.agent.inputSchema } : {}),
      });
    }
    this.loopDone = this.loop();
    this.log.info(
      { capabilities: this.agent.capabilities, concurrency: this.agent.concurrency },
      "agent started",
    );
  }

  private free(): number {
    return this.agent.concurrency - this.slotsUsed - this.reserved;
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  private waitForWake(): Promise<void> {
    return new Promise((resolve) => {
      this.wakeUp = resolve;
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      if (this.conn.nc.isClosed()) {
        this.log.error("NATS connection closed; this agent stops pulling");
        return;
      }
      if (this.free() <= 0) {
        await this.waitForWake();
        continue;
      }
      // Sweep bands high -> low without waiting; restart from the top after any find so a
      // higher band is always drained first. Rotate capabilities within a band for fairness.
      let found = 0;
      const shift = this.rotate++;
      for (const band of PRIORITIES) {
        const inBand = this.targets.filter((t) => t.tag.endsWith(`/${band}`));
        for (let i = 0; i < inBand.length && found === 0; i++) {
          const target = inBand[(i + shift) % inBand.length];
          const n = this.free();
          if (!target || n <= 0) break;
          this.reserved += n;
          try {
            found += await this.puller.pull(target, n, { noWait: true });
          } finally {
            this.reserved -= n;
          }
        }
        if (found > 0 || this.stopping) break;
      }
      if (found > 0 || this.stopping) continue;
      // Nothing queued: long-poll every queue for one message; extra deliveries beyond our free
      // slots are handed straight back.
      for (const target of this.targets) {
        if (this.longPolling.has(target.tag)) continue;
        this.longPolling.add(target.tag);
        void this.puller.pull(target, 1, { expiresMs: LONG_POLL_MS }).then(() => {
          this.longPolling.delete(target.tag);
          this.wake();
        });
      }
      await this.waitForWake();
    }
  }

  private onDelivery(delivery: Delivery): void {
    if (this.stopping || this.slotsUsed >= this.agent.concurrency) {
      delivery.nak();
      return;
    }
    this.slotsUsed++;
    void this.handle(delivery)
      .catch((err: unknown) => {
        this.log.error({ err }, "delivery handling failed; it will be redelivered after the lease");
      })
      .finally(() => {
        this.slotsUsed--;
        this.wake();
      });
  }

  private policyOf(record: TaskRecord): RetryPolicy {
    return record.retry ?? this.defaultPolicy;
  }

  private async handle(delivery: Delivery): Promise<void> {
    let id: string;
    try {
      id = (JSON.parse(decoder.decode(delivery.data)) as { id: string }).id;
      if (typeof id !== "string") throw new Error("no id");
    } catch {
      this.log.error("malformed task message dropped");
      delivery.ack();
      return;
    }
    const { conn } = this;
    for (;;) {
      const loaded = await withIoRetry(() => conn.tasks.get(id), this.log);
      if (!loaded) {
        this.log.warn({ task_id: id }, "task message without a record dropped");
        delivery.ack();
        return;
      }
      const record = loaded.record;
      const now = Date.now();
      const decision = decideDelivery(record, {
        now,
        deliveryCount: delivery.deliveryCount,
        maxDeliveries: conn.config.maxDeliveries,
        policy: this.policyOf(record),
      });
      try {
        switch (decision.kind) {
          case "drop":
            await this.repairTerminalEvent(record);
            delivery.ack();
            return;
          case "dead-letter-again":
            await publishDeadLetter(conn, record);
            await this.repairTerminalEvent(record);
            delivery.ack();
            return;
          case "defer":
            delivery.nak(decision.delayMs);
            return;
          case "busy": {
            const mine = this.running.get(id);
            if (mine && record.owner?.agentId === this.agentId) {
              // Our own task redelivered (a slow heartbeat): keep the newest delivery.
              mine.delivery.abandon();
              mine.delivery = delivery;
            } else {
              delivery.nak(decision.delayMs);
            }
            return;
          }
          case "fail-deadline":
          case "dead": {
            const dead = decision.kind === "dead";
            const error = dead
              ? decision.error
              : toTaskError(new DeadlineExceededError(record.deadline ?? now));
            const next = await conn.tasks.replace(
              loaded,
              endRecord(
                structuredClone(record),
                dead ? TaskState.Dead : TaskState.Failed,
                error,
                now,
              ),
            );
            if (dead) await publishDeadLetter(conn, next.record);
            await this.stateEvent(next.record);
            delivery.ack();
            return;
          }
          case "claim": {
            const claimed = await conn.tasks.replace(
              loaded,
              claimRecord(structuredClone(record), this.agentId, now, conn.config.leaseMs),
            );
            delivery.working();
            await this.execute(claimed, delivery);
            return;
          }
        }
      } catch (err) {
        if (err instanceof ConflictError) continue; // someone else wrote first: decide again
        throw err;
      }
    }
  }

  private stateEvent(record: TaskRecord): Promise<number> {
    return publishEvent(
      this.conn,
      {
        type: "state",
        taskId: record.id,
        time: Date.now(),
        state: record.state,
        attempt: record.attempt,
        ...(record.error && record.state !== TaskState.Succeeded ? { error: record.error } : {}),
        ...(record.result !== undefined && record.state === TaskState.Succeeded
          ? { result: record.result }
          : {}),
        ...(record.runAt !== undefined && record.state === TaskState.Pending
          ? { runAt: record.runAt }
          : {}),
      },
      `${record.id}:${record.state}:${record.attempt}:${record.replays ?? 0}`,
    );
  }

  /**
   * A finished task's message is delivered again only when its agent did not ack it, e.g. died
   * between writing the terminal state and publishing its event. Publish that event unless it
   * is there (the last event of the task), so watchers and replays see exactly one.
   */
  private async repairTerminalEvent(record: TaskRecord): Promise<void> {
    // CANCELLED is published by the canceller, under another message id.
    if (record.state === TaskState.Cancelled || !isTerminal(record.state)) return;
    const { conn } = this;
    const last = await conn.jsm.streams
      .getMessage(conn.names.eventsStream, { last_by_subj: conn.names.eventsSubject(record.id) })
      .catch(() => null);
    if (last) {
      const event = last.json<{ type?: string; state?: string; attempt?: number }>();
      if (
        event.type === "state" &&
        event.state === record.state &&
        event.attempt === record.attempt
      )
        return;
    }
    // Deduplicated by message id if it was published after all (within the duplicate window).
    await withIoRetry(() => this.stateEvent(record), this.log);
    this.log.warn({ task_id: record.id, state: record.state }, "terminal event republished");
  }

  private async execute(claimed: Versioned, delivery: Delivery): Promise<void> {
    const record = claimed.record;
    const controller = new AbortController();
    let settle!: () => void;
    const entry: Running = {
      id: record.id,
      attempt: record.attempt,
      delivery,
      versioned: claimed,
      record,
      controller,
      pendingEvents: new Set(),
      progressDirty: false,
      releasing: false,
      settled: new Promise((resolve) => (settle = resolve)),
    };
    this.running.set(record.id, entry);
    const log = this.log.child({ task_id: record.id, attempt: record.attempt });
    const timer = this.armTimer(record, controller);
    try {
      await this.stateEvent(record).catch((err: unknown) =>
        log.warn({ err }, "RUNNING event not published"),
      );
      const ctx = createTaskContext(this.conn, this.client, entry, log, () => this.renew(entry));
      let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
      try {
        const aborted = new Promise<never>((_, reject) => {
          const onAbort = (): void => reject(controller.signal.reason as Error);
          if (controller.signal.aborted) onAbort();
          else controller.signal.addEventListener("abort", onAbort, { once: true });
        });
        aborted.catch(() => undefined);
        const value = await Promise.race([
          Promise.resolve().then(() => this.agent.handler(ctx as never)),
          aborted,
        ]);
        outcome = { ok: true, value };
      } catch (error) {
        outcome = { ok: false, error };
      }
      clearTimeout(timer);
      await Promise.allSettled([...entry.pendingEvents]);
      if (entry.releasing) return; // stop() gives the task back
      await this.settle(entry, outcome, log);
    } finally {
      clearTimeout(timer);
      this.running.delete(record.id);
      settle();
    }
  }

  /** One timer per attempt for the earlier of its timeout and the task's deadline. */
  private armTimer(record: TaskRecord, controller: AbortController): NodeJS.Timeout | undefined {
    const timeoutMs = record.timeoutMs ?? this.agent.timeoutMs;
    const now = Date.now();
    const untilDeadline = record.deadline !== undefined ? record.deadline - now : undefined;
    if (timeoutMs === undefined && untilDeadline === undefined) return undefined;
    const deadlineFirst =
      untilDeadline !== undefined && (timeoutMs === undefined || untilDeadline <= timeoutMs);
    const ms = Math.max(0, deadlineFirst ? (untilDeadline ?? 0) : (timeoutMs ?? 0));
    return setTimeout(() => {
      controller.abort(
        deadlineFirst
          ? new DeadlineExceededError(record.deadline ?? now)
          : new AttemptTimeoutError(timeoutMs ?? ms),
      );
    }, ms);
  }

  private async settle(
    entry: Running,
    outcome: { ok: true; value: unknown } | { ok: false; error: unknown },
    log: Logger,
  ): Promise<void> {
    const { conn } = this;
    const reason: unknown = entry.controller.signal.aborted
      ? entry.controller.signal.reason
      : undefined;
    if (reason instanceof FencedError) {
      log.warn("lease lost to another agent; this attempt's result is discarded");
      entry.delivery.abandon();
      return;
    }
    let value: JsonValue = null;
    let error: unknown = outcome.ok ? undefined : outcome.error;
    if (outcome.ok) {
      try {
        const text = JSON.stringify(outcome.value ?? null);
        if (Buffer.byteLength(text) > conn.config.maxInputBytes) {
          throw new TerminalError(
            `result of ${Buffer.byteLength(text)} bytes exceeds ${conn.config.maxInputBytes}`,
          );
        }
        value = JSON.parse(text) as JsonValue;
        if (this.checkOutput) {
          try {
            validateInput(this.checkOutput, value, "result");
          } catch (invalid) {
            throw new TerminalError(
              `result does not match the output schema: ${(invalid as Error).message}`,
            );
          }
        }
      } catch (err) {
        error =
          err instanceof TerminalError
            ? err
            : new TerminalError(`result is not JSON: ${String(err)}`);
      }
    }
    const now = Date.now();
    let failure: FailureOutcome | undefined;
    let next: Versioned | undefined;
    try {
      next = await withIoRetry(
        () =>
          conn.tasks.mutate(
            entry.id,
            (r) => {
              if (!ownsRecord(r, this.agentId, entry.attempt))
                throw new FencedError(entry.id, entry.attempt);
              if (error === undefined) return succeedRecord(r, value, now);
              failure = failRecord(r, toTaskError(error), {
                now,
                policy: this.policyOf(r),
                timedOut: error instanceof AttemptTimeoutError,
                ...(error instanceof RetryableError && error.retryAfterMs !== undefined
                  ? { retryAfterMs: error.retryAfterMs }
                  : {}),
              });
              return r;
            },
            entry.versioned,
          ),
        log,
      );
    } catch (err) {
      if (!(err instanceof FencedError)) throw err;
      const current = await withIoRetry(() => conn.tasks.get(entry.id), log);
      if (current && isTerminal(current.record.state)) {
        if (!(reason instanceof CancelledError)) {
          log.warn({ state: current.record.state }, "late result rejected: task already finished");
        }
        // Our own write may have landed with its reply lost: make sure its event exists.
        await this.repairTerminalEvent(current.record).catch(() => undefined);
        entry.delivery.ack();
      } else {
        log.warn("late result rejected: another agent owns the task now");
        entry.delivery.abandon();
      }
      return;
    }
    if (!next) return;
    if (failure?.action === "dead")
      await withIoRetry(() => publishDeadLetter(conn, next.record), log);
    // Retried through an outage (deduplicated by message id). If it still fails, the message
    // stays unacked: its redelivery finds the task finished and publishes the missing event.
    const published = await withIoRetry(() => this.stateEvent(next.record), log).then(
      () => true,
      (err: unknown) => {
        log.warn({ err }, "state event not published");
        return false;
      },
    );
    if (failure?.action === "retry") {
      log.info(
        { delay_ms: failure.delayMs, err: next.record.error?.message },
        "attempt failed; retrying",
      );
      entry.delivery.nak(failure.delayMs);
    } else {
      if (failure)
        log.warn({ state: next.record.state, err: next.record.error?.message }, "task failed");
      if (published) entry.delivery.ack();
      else entry.delivery.abandon();
    }
  }

  /** Renews the lease by CAS; losing ownership aborts the handler. */
  renew(entry: Running): Promise<void> {
    if (entry.renewing) return entry.renewing;
    const run = async (): Promise<void> => {
      entry.delivery.working();
      const { conn } = this;
      try {
        const next = await conn.tasks.mutate(
          entry.id,
          (r) => {
            if (!ownsRecord(r, this.agentId, entry.attempt))
              throw new FencedError(entry.id, entry.attempt);
            if (!r.owner) return undefined;
            r.owner.leaseUntil = Date.now() + conn.config.leaseMs;
            if (entry.progressDirty && entry.progress !== undefined) r.progress = entry.progress;
            return r;
          },
          entry.versioned,
        );
        if (next) {
          entry.versioned = next;
          entry.progressDirty = false;
        }
      } catch (err) {
        if (err instanceof FencedError) {
          const current = await conn.tasks.get(entry.id).catch(() => undefined);
          entry.controller.abort(
            current?.record.state === TaskState.Cancelled ? new CancelledError() : err,
          );
          return;
        }
        this.log.warn({ err, task_id: entry.id }, "lease renewal failed; will retry");
      }
    };
    entry.renewing = run().finally(() => {
      entry.renewing = undefined;
    });
    return entry.renewing;
  }

  /** Called by the worker's single heartbeat timer. */
  heartbeat(): Promise<void> {
    return Promise.all([...this.running.values()].map((e) => this.renew(e))).then(() => undefined);
  }

  cancelLocal(taskId: string): void {
    this.running.get(taskId)?.controller.abort(new CancelledError());
  }

  /**
   * Stops pulling, lets running tasks finish for up to `graceMs`, then gives the rest back so
   * another agent gets them at once instead of after the lease.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loopDone;
    const all = (): Promise<void> =>
      Promise.all([...this.running.values()].map((e) => e.settled)).then(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all(), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    const left = [...this.running.values()];
    if (left.length > 0)
      this.log.warn({ tasks: left.length }, "grace period over; releasing tasks");
    await Promise.all(left.map((e) => this.release(e)));
    // The server skips pull requests whose inbox lost interest, so open long polls end here.
    this.puller.close();
  }

  private async release(entry: Running): Promise<void> {
    entry.releasing = true;
    entry.controller.abort(new ShutdownSignal());
    try {
      const next = await this.conn.tasks.mutate(entry.id, (r) =>
        ownsRecord(r, this.agentId, entry.attempt) ? releaseRecord(r, Date.now()) : undefined,
      );
      if (next) await this.stateEvent(next.record).catch(() => undefined);
      entry.delivery.nak();
    } catch (err) {
      this.log.error(
        { err, task_id: entry.id },
        "release failed; the task returns after its lease",
      );
    }
  }
}
