import type { Bid, Requirements } from "./placement/types.js";
import type { RetryOptions, RetryPolicy } from "./retry.js";

export const TaskState = {
  Pending: "PENDING",
  Running: "RUNNING",
  Succeeded: "SUCCEEDED",
  Failed: "FAILED",
  Cancelled: "CANCELLED",
  Dead: "DEAD",
} as const;
export type TaskState = (typeof TaskState)[keyof typeof TaskState];

/** Priority bands; each capability has one queue per band and agents drain higher bands first. */
export const PRIORITIES = ["high", "normal", "low"] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Any value that survives JSON encoding. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface TaskError {
  message: string;
  name?: string;
  code?: string;
  stack?: string;
  nonRetryable?: boolean;
}

export type AttemptOutcome =
  "succeeded" | "failed" | "timeout" | "lost" | "released" | "cancelled" | "dead";

export interface AttemptRecord {
  /** Claim sequence number; also the fencing token. */
  attempt: number;
  agentId: string;
  startedAt: number;
  endedAt?: number;
  outcome?: AttemptOutcome;
  error?: TaskError;
}

export interface TaskOwner {
  agentId: string;
  attempt: number;
  /** Epoch ms after which another agent may take the task over. */
  leaseUntil: number;
}

export interface TaskRecord {
  id: string;
  capability: string;
  state: TaskState;
  input: JsonValue;
  result?: JsonValue;
  error?: TaskError;
  priority: Priority;
  idempotencyKey?: string;
  labels?: Record<string, string>;
  /** Present when the submitter chose a policy; else the agent's or the configured default. */
  retry?: RetryPolicy;
  timeoutMs?: number;
  /** Absolute epoch ms by which the task must finish; not retried past it. */
  deadline?: number;
  /** Epoch ms before which the task must not start (delay, or the next retry). */
  runAt?: number;
  /** The runAt the task was submitted with (runAt itself changes); its first event shows it. */
  submitRunAt?: number;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** Sequence number of the latest claim (monotonic, the fencing token). */
  attempt: number;
  attempts: AttemptRecord[];
  owner?: TaskOwner;
  /** Latest progress reported by the handler. */
  progress?: JsonValue;
  /** Attempts up to this claim number were spent before the last replay. */
  budgetFrom?: number;
  /** How often the task was replayed from the dead-letter stream. */
  replays?: number;
  parentId?: string;
  rootId: string;
  /**
   * Sub-tasks started with ctx.delegate, so cancelling this task can cancel them: the first
   * CHILDREN_IN_RECORD of them (see childIds for all).
   */
  children?: string[];
  /** More sub-tasks than `children` holds: the rest are in the links bucket. */
  moreChildren?: boolean;
  /** What the agent must offer; such tasks are negotiated (call for bids, award). */
  requirements?: Requirements;
  /** Tasks with the same key prefer the agent holding its warm state (default for sub-tasks: the root id). */
  affinityKey?: string;
  /** Why a PENDING task is not running yet (no eligible agent, a concurrency limit). */
  waiting?: WaitingInfo;
  /** Negotiations, latest last (bounded): the bids and who was awarded. */
  placements?: PlacementRecord[];
  /** Until this epoch ms the queue leaves the task to a direct hand-off (ctx.delegate). */
  handoffUntil?: number;
  /** Deliveries spent waiting on purpose; not counted as crashes before claim. */
  deliveryBase?: number;
  /** W3C context of the span that queued the task: every attempt continues this trace. */
  trace?: { traceparent: string; tracestate?: string };
}

export interface WaitingInfo {
  reason: string;
  since: number;
  /** Demand is counted per resource class, e.g. "gpu:a100x1" (see resourceClass). */
  resourceClass: string;
}

export interface PlacementRecord {
  time: number;
  /** Agent that ran the negotiation. */
  negotiator: string;
  bids: Bid[];
  /** Agent awarded the task; absent when nobody could take it. */
  winner?: string;
  reason?: string;
}

export interface SubmitOptions {
  /** The same key returns the same task and runs it once. */
  idempotencyKey?: string;
  priority?: Priority;
  /** Do not start before this much time has passed ("30s", or ms). */
  delay?: number | string;
  /** Do not start before this time. */
  runAt?: Date | number | string;
  retry?: RetryOptions;
  /** Per-attempt time limit ("5m", or ms). */
  timeout?: number | string;
  /** Overall time limit: a Date/epoch ms/ISO string, after which the task fails without retry. */
  deadline?: Date | number | string;
  labels?: Record<string, string>;
  parentId?: string;
  rootId?: string;
  /** What the agent must offer (resources, labels); the task waits until such an agent exists. */
  requirements?: Requirements;
  /** Prefer the agent that holds warm state for this key while it has free slots. */
  affinityKey?: string;
}

interface EventBase {
  /** Events-stream sequence: a cursor to resume a watch from. */
  seq: number;
  taskId: string;
  time: number;
}
export interface StateEvent extends EventBase {
  type: "state";
  state: TaskState;
  attempt: number;
  error?: TaskError;
  result?: JsonValue;
  runAt?: number;
}
export interface ProgressEvent extends EventBase {
  type: "progress";
  attempt: number;
  progress: JsonValue;
}
export interface OutputEvent extends EventBase {
  type: "output";
  attempt: number;
  chunk: JsonValue;
}
export type TaskEvent = StateEvent | ProgressEvent | OutputEvent;
/** What publishers send; the sequence is assigned by the stream. */
export type TaskEventBody =
  Omit<StateEvent, "seq"> | Omit<ProgressEvent, "seq"> | Omit<OutputEvent, "seq">;

export interface ListOptions {
  state?: TaskState | TaskState[];
  capability?: string;
  /** Only tasks carrying every one of these labels. */
  labels?: Record<string, string>;
  /** Page size, default 100. */
  limit?: number;
  /** Cursor returned by the previous page. */
  cursor?: string;
}
export interface TaskPage {
  tasks: TaskRecord[];
  /** Present when there are more tasks. */
  nextCursor?: string;
}

export interface DeadLetter {
  /** Dead-letter stream sequence. */
  seq: number;
  taskId: string;
  capability: string;
  input: JsonValue;
  attempts: AttemptRecord[];
  error?: TaskError;
  deadAt: number;
}
