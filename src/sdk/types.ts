import type { Requirements } from "../placement/types.js";
import type { Logger } from "../telemetry/logger.js";
import type { RetryOptions } from "../retry.js";
import type { Resources } from "../placement/types.js";
import type { JsonValue, Priority, TaskRecord } from "../types.js";
import type { Schema } from "./schema.js";

/** What a handler sees of the task it runs. */
export interface TaskContext<I = JsonValue> {
  readonly taskId: string;
  readonly capability: string;
  /** 1 on the first attempt, 2 on the first retry, ... */
  readonly attempt: number;
  readonly input: I;
  /** The record as claimed (read-only snapshot). */
  readonly task: Readonly<TaskRecord>;
  /** Aborted on cancel, timeout, deadline, lost lease or shutdown; `reason` says which. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Reports progress to watchers (and in the record at the next heartbeat). */
  progress(value: JsonValue): Promise<void>;
  /** Streams a chunk of output (e.g. LLM tokens) to watchers, in order. */
  emit(chunk: JsonValue): Promise<void>;
  /**
   * Runs `fn` once per task: its result is stored, and after a retry or redelivery the stored
   * result is returned without running `fn` again. Names must be unique within a task.
   */
  step<T extends JsonValue | void>(name: string, fn: () => Promise<T> | T): Promise<T>;
  /** Renews the lease now (the runtime also does so on its own). */
  heartbeat(): Promise<void>;
  /**
   * Runs a sub-task on another agent and resolves with its result. The child is recorded durably
   * (parent and root ids, idempotency key from the parent and the call's name), so a retried or
   * redelivered parent finds the same child instead of starting another. Names default to
   * `<capability>#<n>` in call order, so keep the order deterministic or pass `name`. A child
   * that ends other than SUCCEEDED throws ChildTaskFailedError (not retried; catch it to go on
   * without the result). Cancelling the parent cancels its running children.
   */
  delegate<T = JsonValue>(
    capability: string,
    input: JsonValue,
    options?: DelegateOptions,
  ): Promise<T>;
  /** Delegates each call with at most `concurrency` (default 8) in flight; results in call order. */
  delegateAll<T = JsonValue>(
    calls: readonly DelegateCall[],
    options?: { concurrency?: number },
  ): Promise<T[]>;
}

export interface DelegateOptions {
  /** Names the call within the parent (the child's idempotency key); unique per task. */
  name?: string;
  priority?: Priority;
  /** Per-attempt limit of the child. */
  timeout?: number | string;
  retry?: RetryOptions;
  /** What the child's agent must offer; the child waits until such an agent exists. */
  requirements?: Requirements;
  /** Defaults to the parent's affinity key, else the root task id (the program's warm agent). */
  affinityKey?: string;
}

export interface DelegateCall {
  capability: string;
  input: JsonValue;
  options?: DelegateOptions;
}

export type Handler<I = JsonValue, O = JsonValue> = (ctx: TaskContext<I>) => Promise<O> | O;

export interface AgentOptions<I = JsonValue, O = JsonValue> {
  /** Agent name, used in its id and logs. */
  name: string;
  /** Capabilities it serves; each is a queue shared with every other agent serving it. */
  capabilities: string[];
  /** Tasks run at once by one agent process (default 1). */
  concurrency?: number;
  /** Retry policy for tasks that do not bring their own. */
  retry?: RetryOptions;
  /** Per-attempt time limit for tasks that do not bring their own ("5m" or ms). */
  timeout?: number | string;
  /**
   * Typed input schema built with `s` (src/sdk/schema.ts): the handler's `ctx.input` type follows
   * from it, and every submit is checked against it (the error names the path).
   */
  input?: Schema<I>;
  /** Typed output schema: a result that does not match fails the attempt without retry. */
  output?: Schema<O>;
  /** Plain JSON Schema for the input, for schemas written by hand (instead of `input`). */
  inputSchema?: Record<string, unknown>;
  /** What this agent offers, shown in the registry (placement uses it). */
  resources?: Resources;
  /**
   * Relative price of one task here (e.g. a GPU agent's 5 against a CPU agent's 1); between
   * equally good bids the cheaper agent wins. Default 0.
   */
  cost?: number;
  handler: Handler<I, O>;
}

export interface AgentDefinition<I = JsonValue, O = JsonValue> {
  readonly kind: "baton.agent";
  readonly name: string;
  readonly capabilities: readonly string[];
  readonly concurrency: number;
  readonly retry?: RetryOptions;
  readonly timeoutMs?: number;
  readonly inputSchema?: Record<string, unknown>;
  readonly outputSchema?: Record<string, unknown>;
  readonly resources?: Resources;
  readonly cost?: number;
  readonly handler: Handler<I, O>;
}
