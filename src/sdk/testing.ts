import { mapLimit } from "./concurrency.js";
import type { DelegateCall } from "./types.js";
import { claimStepName } from "./step-names.js";
import { pino, type DestinationStream } from "pino";
import { AttemptTimeoutError, CancelledError, FailedPreconditionError } from "../errors.js";
import type { Logger } from "../telemetry/logger.js";
import { TaskState, type JsonValue, type TaskRecord } from "../types.js";
import type { Handler, TaskContext } from "./types.js";

export interface MockContextOptions {
  taskId?: string;
  capability?: string;
  /** Fields to set on `ctx.task` (e.g. labels, deadline). */
  task?: Partial<TaskRecord>;
  /** Step results already stored, as after an earlier attempt. */
  steps?: Record<string, JsonValue>;
  /** Logger to hand the handler; by default logs are captured in `mock.logs`. */
  log?: Logger;
  /** Level of the capturing logger (default "debug"). */
  logLevel?: string;
  /** Stands in for a peer agent: answers `ctx.delegate(capability, input)`. */
  delegate?: (capability: string, input: JsonValue) => Promise<unknown>;
}

/** A TaskContext for unit tests, with what the handler did and controls for the runtime's part. */
export interface MockTaskContext<I = JsonValue> extends TaskContext<I> {
  /** Values passed to `progress`, in order, across attempts. */
  readonly progressEvents: JsonValue[];
  /** Chunks passed to `emit`, in order, across attempts. */
  readonly outputs: JsonValue[];
  /** Stored step results by name (shared by all attempts, like the runtime's KV bucket). */
  readonly steps: ReadonlyMap<string, JsonValue>;
  /** Names of steps whose function actually ran, in order, across attempts. */
  readonly ranSteps: string[];
  readonly heartbeats: number;
  readonly delegations: DelegateCall[];
  /** Log lines of the capturing logger, e.g. `{ level: "info", msg: "..." }`. */
  readonly logs: Record<string, unknown>[];
  /** Starts the next attempt: attempt + 1, a fresh signal, stored steps replay. Returns itself. */
  retry(): this;
  /** Aborts the signal as a cancel does (`CancelledError`). */
  cancel(reason?: string): void;
  /** Aborts the signal as the attempt timer does (`AttemptTimeoutError`). */
  timeout(timeoutMs?: number): void;
  /** Aborts the signal with any reason (e.g. `DeadlineExceededError`). */
  abort(reason: Error): void;
  /**
   * Runs `handler` as the runtime does: it settles with the handler's result, or rejects with the
   * abort reason as soon as the signal is aborted, even if the handler ignores the signal.
   */
  run<O>(handler: Handler<I, O>): Promise<O>;
}

/** A context for testing a handler without NATS, with the runtime's step and abort semantics. */
export function createMockContext<I>(
  input: I,
  options: MockContextOptions = {},
): MockTaskContext<I> {
  const taskId = options.taskId ?? "task-mock";
  const capability = options.capability ?? "mock";
  const stored = new Map<string, string>();
  for (const [name, v] of Object.entries(options.steps ?? {})) stored.set(name, encode(v));
  const logs: Record<string, unknown>[] = [];
  const log = options.log ?? captureLogger(logs, options.logLevel ?? "debug", taskId);
  const progressEvents: JsonValue[] = [];
  const outputs: JsonValue[] = [];
  const ranSteps: string[] = [];
  const delegations: DelegateCall[] = [];
  let attempt = 1;
  let heartbeats = 0;
  let controller = new AbortController();
  let usedSteps = new Set<string>();
  const startedAt = Date.now();
  const record = (): TaskRecord => ({
    id: taskId,
    capability,
    state: TaskState.Running,
    input: input as JsonValue,
    priority: "normal",
    createdAt: startedAt,
    updatedAt: startedAt,
    startedAt,
    rootId: taskId,
    ...options.task,
    attempt,
    attempts: Array.from({ length: attempt }, (_, i) => ({
      attempt: i + 1,
      agentId: "mock-agent",
      startedAt,
    })),
  });

  const delegate = async <T = JsonValue>(cap: string, childInput: JsonValue): Promise<T> => {
    controller.signal.throwIfAborted();
    delegations.push({ capability: cap, input: childInput });
    if (!options.delegate) {
      throw new FailedPreconditionError(
        `ctx.delegate("${cap}") was called, but createMockContext got no delegate fake`,
      );
    }
    return (await options.delegate(cap, childInput)) as T;
  };

  const mock: MockTaskContext<I> = {
    taskId,
    capability,
    input,
    log,
    progressEvents,
    outputs,
    ranSteps,
    delegations,
    logs,
    get attempt() {
      return attempt;
    },
    get task() {
      return record();
    },
    get signal() {
      return controller.signal;
    },
    get heartbeats() {
      return heartbeats;
    },
    get steps() {
      return new Map([...stored].map(([k, v]) => [k, decode(v)]));
    },
    progress(value) {
      progressEvents.push(decode(encode(value)));
      return Promise.resolve();
    },
    emit(chunk) {
      outputs.push(decode(encode(chunk)));
      return Promise.resolve();
    },
    // Mirrors dispatch/task-context.ts: stored results replay, names are unique per attempt.
    async step<T extends JsonValue | void>(name: string, fn: () => Promise<T> | T): Promise<T> {
      claimStepName(usedSteps, name);
      const hit = stored.get(name);
      if (hit !== undefined) return decode(hit) as T;
      controller.signal.throwIfAborted();
      ranSteps.push(name);
      const value = await fn();
      if (!stored.has(name)) stored.set(name, encode(value ?? null));
      return value;
    },
    heartbeat() {
      heartbeats += 1;
      return Promise.resolve();
    },
    retry() {
      attempt += 1;
      controller = new AbortController();
      usedSteps = new Set();
      return this;
    },
    cancel(reason) {
      controller.abort(new CancelledError(reason));
    },
    timeout(timeoutMs) {
      controller.abort(new AttemptTimeoutError(timeoutMs ?? options.task?.timeoutMs ?? 0));
    },
    abort(reason) {
      controller.abort(reason);
    },
    run(handler) {
      const signal = controller.signal;
      const aborted = new Promise<never>((_, reject) => {
        const onAbort = (): void => reject(signal.reason as Error);
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      });
      aborted.catch(() => undefined); // the handler may settle first
      return Promise.race([Promise.resolve().then(() => handler(mock)), aborted]);
    },
    delegate,
    delegateAll<T = JsonValue>(
      calls: readonly DelegateCall[],
      opts: { concurrency?: number } = {},
    ) {
      return mapLimit(calls, opts.concurrency ?? 8, (call) =>
        delegate<T>(call.capability, call.input),
      );
    },
  };
  return mock;
}

/** JSON text, as the runtime would store or publish it; non-JSON values fail here as there. */
function encode(value: unknown): string {
  return JSON.stringify({ v: value });
}

function decode(text: string): JsonValue {
  return (JSON.parse(text) as { v: JsonValue }).v;
}

function captureLogger(sink: Record<string, unknown>[], level: string, taskId: string): Logger {
  const stream: DestinationStream = {
    write(line: string) {
      sink.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
  return pino(
    {
      level,
      base: { task_id: taskId },
      timestamp: false,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
}
