/**
 * Pure conversion between Baton's core records and the protobuf messages of `proto/baton/v1`,
 * in the JavaScript shapes PROTO_LOADER_OPTIONS produce (see ./proto.ts): camelCase fields,
 * 64-bit integers as numbers, enums as names, bytes as Buffers.
 *
 * - Timestamps and Durations <-> epoch / elapsed milliseconds.
 * - JSON values <-> UTF-8 JSON bytes (empty bytes are JSON null on input, absent on output).
 * - Request errors are ValidationErrors naming the proto field in snake_case (`retry.max_attempts`,
 *   `requests[2].capability`); `protoFieldName` renames the core's option paths the same way.
 */
import { ValidationError } from "../errors.js";
import type { RetryPolicy } from "../retry.js";
import type { Bid, Requirements } from "../placement/types.js";
import type { AgentInfo } from "../registry/agents.js";
import type { Demand } from "../registry/demand.js";
import type { QueueStats } from "../registry/queue-stats.js";
import {
  PRIORITIES,
  TaskState,
  type AttemptRecord,
  type DeadLetter,
  type JsonValue,
  type PlacementRecord,
  type Priority,
  type SubmitOptions,
  type TaskError,
  type TaskEvent,
  type TaskRecord,
} from "../types.js";
import type { RetryOptions } from "../retry.js";
import { traceIdOf } from "../telemetry/propagation.js";

// ---- wire shapes (what proto-loader decodes and encodes) --------------------------------------

export interface PbTimestamp {
  seconds: number | string;
  nanos: number;
}
export type PbDuration = PbTimestamp;

export type PbTaskState =
  | "TASK_STATE_UNSPECIFIED"
  | "TASK_STATE_PENDING"
  | "TASK_STATE_RUNNING"
  | "TASK_STATE_SUCCEEDED"
  | "TASK_STATE_FAILED"
  | "TASK_STATE_CANCELLED"
  | "TASK_STATE_DEAD";
export type PbPriority =
  "PRIORITY_UNSPECIFIED" | "PRIORITY_HIGH" | "PRIORITY_NORMAL" | "PRIORITY_LOW";

export interface PbTaskError {
  message: string;
  name: string;
  code: string;
  nonRetryable: boolean;
}

export interface PbRetryPolicy {
  maxAttempts?: number;
  initialInterval?: PbDuration | null;
  backoffCoefficient?: number;
  maximumInterval?: PbDuration | null;
  /** `optional` in the proto: absent (or `_jitter` unset) means "use the default". */
  jitter?: number;
  _jitter?: "jitter";
}

export interface PbRequirements {
  labels?: Record<string, string>;
  cpuSlots?: number;
  gpuType?: string;
  gpuCount?: number;
  gpuMemoryMib?: number | string;
  models?: string[];
}

/** A decoded SubmitTaskRequest (fields may be missing when built by hand, e.g. in tests). */
export interface PbSubmitTaskRequest {
  capability?: string;
  input?: Uint8Array | null;
  idempotencyKey?: string;
  priority?: PbPriority | number;
  delay?: PbDuration | null;
  runTime?: PbTimestamp | null;
  retry?: PbRetryPolicy | null;
  timeout?: PbDuration | null;
  deadline?: PbTimestamp | null;
  requirements?: PbRequirements | null;
  affinityKey?: string;
  labels?: Record<string, string> | null;
  parentId?: string;
}

export interface PbAttempt {
  attempt: number;
  agentId: string;
  startTime: PbTimestamp | null;
  endTime: PbTimestamp | null;
  outcome: string;
  error: PbTaskError | null;
}

export interface PbTask {
  id: string;
  capability: string;
  state: PbTaskState;
  input: Buffer;
  result: Buffer;
  error: PbTaskError | null;
  priority: PbPriority;
  idempotencyKey: string;
  labels: Record<string, string>;
  retry: PbRetryPolicy | null;
  timeout: PbDuration | null;
  deadline: PbTimestamp | null;
  runTime: PbTimestamp | null;
  createTime: PbTimestamp | null;
  updateTime: PbTimestamp | null;
  startTime: PbTimestamp | null;
  finishTime: PbTimestamp | null;
  attempt: number;
  attempts: PbAttempt[];
  ownerAgentId: string;
  leaseExpireTime: PbTimestamp | null;
  progress: Buffer;
  parentId: string;
  rootId: string;
  replays: number;
  requirements: PbRequirements | null;
  affinityKey: string;
  waiting: PbWaiting | null;
  placements: PbPlacement[];
  traceId: string;
  traceparent: string;
  tracestate: string;
}

export interface PbWaiting {
  reason: string;
  sinceTime: PbTimestamp | null;
  resourceClass: string;
}

export interface PbBid {
  agentId: string;
  fit: number;
  freeSlots: number;
  load: number;
  warm: boolean;
  cost: number;
  score: number;
}

export interface PbPlacement {
  time: PbTimestamp | null;
  negotiator: string;
  bids: PbBid[];
  winner: string;
  reason: string;
}

export interface PbStateChange {
  state: PbTaskState;
  attempt: number;
  error: PbTaskError | null;
  result: Buffer;
  runTime: PbTimestamp | null;
}

export interface PbTaskEvent {
  sequence: number;
  taskId: string;
  time: PbTimestamp | null;
  stateChange?: PbStateChange;
  progress?: { attempt: number; value: Buffer };
  output?: { attempt: number; chunk: Buffer };
}

export interface PbDeadLetter {
  sequence: number;
  taskId: string;
  capability: string;
  input: Buffer;
  attempts: PbAttempt[];
  error: PbTaskError | null;
  deadTime: PbTimestamp | null;
}

export interface PbAgent {
  id: string;
  name: string;
  capabilities: string[];
  concurrency: number;
  inFlight: number;
  freeSlots: number;
  hostname: string;
  pid: number;
  startTime: PbTimestamp | null;
  lastHeartbeatTime: PbTimestamp | null;
  resources: PbResources | null;
  warmKeys: string[];
  peerAddress: string;
}

export interface PbResources {
  cpuSlots: number;
  gpus: { type: string; count: number; memoryMib: number }[];
  models: string[];
  labels: Record<string, string>;
}

export interface PbQueueStats {
  capability: string;
  backlog: number;
  inFlight: number;
  oldestAge: PbDuration | null;
  deadLetters: number;
  backlogByPriority: Record<string, number>;
}

export interface PbDemand {
  capability: string;
  resourceClass: string;
  waiting: number;
  oldestSinceTime: PbTimestamp | null;
  reason: string;
}

// ---- scalars -------------------------------------------------------------------------------

const NANOS_PER_MS = 1_000_000;
const MAX_NANOS = 999_999_999;
// Timestamp range allowed by google/protobuf/timestamp.proto: 0001-01-01 to 9999-12-31.
const MIN_SECONDS = -62_135_596_800;
const MAX_SECONDS = 253_402_300_799;

/** Epoch milliseconds as a Timestamp. */
export function msToTimestamp(ms: number): PbTimestamp {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * NANOS_PER_MS);
  return nanos > MAX_NANOS ? { seconds: seconds + 1, nanos: 0 } : { seconds, nanos };
}

/** Milliseconds as a Duration (negative values are clamped to zero). */
export function msToDuration(ms: number): PbDuration {
  return msToTimestamp(Math.max(0, ms));
}

function secondsOf(value: PbTimestamp, field: string): number {
  const seconds = Number(value.seconds);
  const nanos = value.nanos;
  if (
    !Number.isSafeInteger(seconds) ||
    !Number.isInteger(nanos) ||
    nanos < 0 ||
    nanos > MAX_NANOS
  ) {
    throw new ValidationError(field, "seconds must be an integer and nanos from 0 to 999999999");
  }
  return seconds;
}

/** A Timestamp as epoch milliseconds; out-of-range values name `field`. */
export function timestampToMs(value: PbTimestamp, field: string): number {
  const seconds = secondsOf(value, field);
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    throw new ValidationError(field, "must be between 0001-01-01 and 9999-12-31");
  }
  return seconds * 1000 + value.nanos / NANOS_PER_MS;
}

/** A Duration as milliseconds; negative durations name `field`. */
export function durationToMs(value: PbDuration, field: string): number {
  const seconds = secondsOf(value, field);
  if (seconds < 0) throw new ValidationError(field, "must not be negative");
  return seconds * 1000 + value.nanos / NANOS_PER_MS;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** JSON value as UTF-8 bytes. */
export function jsonToBytes(value: JsonValue | undefined): Buffer {
  return value === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(value), "utf8");
}

/** UTF-8 JSON bytes as a value; empty bytes are null. Invalid bytes name `field`. */
export function bytesToJson(bytes: Uint8Array | null | undefined, field: string): JsonValue {
  if (!bytes || bytes.length === 0) return null;
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new ValidationError(field, "must be UTF-8 encoded JSON (invalid UTF-8)");
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new ValidationError(field, `must be UTF-8 encoded JSON (${(err as Error).message})`);
  }
}

// ---- enums ---------------------------------------------------------------------------------

const STATE_PREFIX = "TASK_STATE_";
const CORE_STATES: readonly TaskState[] = Object.values(TaskState);

export function stateToProto(state: TaskState): PbTaskState {
  return `${STATE_PREFIX}${state}` as PbTaskState;
}

/** A proto TaskState (name or number) as a core state; anything else names `field`. */
export function stateFromProto(value: string | number, field: string): TaskState {
  const name = typeof value === "number" ? CORE_STATES[value - 1] : value.replace(STATE_PREFIX, "");
  const found = CORE_STATES.find((s) => s === name);
  if (found === undefined) {
    throw new ValidationError(
      field,
      `must be one of ${CORE_STATES.map((s) => STATE_PREFIX + s).join(", ")}, got ${String(value)}`,
    );
  }
  return found;
}

export function priorityToProto(priority: Priority): PbPriority {
  return `PRIORITY_${priority.toUpperCase()}` as PbPriority;
}

/** A proto Priority as a core band; UNSPECIFIED (or absent) is undefined (normal). */
export function priorityFromProto(
  value: string | number | undefined,
  field = "priority",
): Priority | undefined {
  if (value === undefined || value === 0 || value === "PRIORITY_UNSPECIFIED") return undefined;
  const name =
    typeof value === "number"
      ? PRIORITIES[value - 1]
      : value.startsWith("PRIORITY_")
        ? value.slice("PRIORITY_".length).toLowerCase()
        : undefined;
  const found = PRIORITIES.find((p) => p === name);
  if (found === undefined) {
    throw new ValidationError(
      field,
      `must be PRIORITY_HIGH, PRIORITY_NORMAL or PRIORITY_LOW, got ${String(value)}`,
    );
  }
  return found;
}

// ---- records -> messages -------------------------------------------------------------------

const tsOrNull = (ms: number | undefined): PbTimestamp | null =>
  ms === undefined ? null : msToTimestamp(ms);

/** A TaskError without its stack (stacks never leave the server). */
export function errorToProto(error: TaskError | undefined): PbTaskError | null {
  if (!error) return null;
  return {
    message: error.message,
    name: error.name ?? "",
    code: error.code ?? "",
    nonRetryable: error.nonRetryable === true,
  };
}

export function retryToProto(policy: RetryPolicy | undefined): PbRetryPolicy | null {
  if (!policy) return null;
  return {
    maxAttempts: policy.maxAttempts,
    initialInterval: msToDuration(policy.initialIntervalMs),
    backoffCoefficient: policy.backoffCoefficient,
    maximumInterval: msToDuration(policy.maximumIntervalMs),
    jitter: policy.jitter,
  };
}

export function attemptToProto(a: AttemptRecord): PbAttempt {
  return {
    attempt: a.attempt,
    agentId: a.agentId,
    startTime: msToTimestamp(a.startedAt),
    endTime: tsOrNull(a.endedAt),
    outcome: a.outcome ?? "",
    error: errorToProto(a.error),
  };
}

/** Requirements with every field set (proto3 zero values for what is not required). */
export function requirementsToProto(r: Requirements | undefined): PbRequirements | null {
  if (!r) return null;
  return {
    labels: { ...r.labels },
    cpuSlots: r.cpuSlots ?? 0,
    gpuType: r.gpuType ?? "",
    gpuCount: r.gpuCount ?? 0,
    gpuMemoryMib: r.gpuMemoryMib ?? 0,
    models: [...(r.models ?? [])],
  };
}

/** A bid without its task id (it sits inside that task's message). */
export function bidToProto(b: Bid): PbBid {
  return {
    agentId: b.agentId,
    fit: b.fit,
    freeSlots: b.freeSlots,
    load: b.load,
    warm: b.warm,
    cost: b.cost,
    score: b.score,
  };
}

export function placementToProto(p: PlacementRecord): PbPlacement {
  return {
    time: msToTimestamp(p.time),
    negotiator: p.negotiator,
    bids: p.bids.map(bidToProto),
    winner: p.winner ?? "",
    reason: p.reason ?? "",
  };
}

export function taskToProto(r: TaskRecord): PbTask {
  return {
    id: r.id,
    capability: r.capability,
    state: stateToProto(r.state),
    input: jsonToBytes(r.input),
    result: jsonToBytes(r.result),
    error: errorToProto(r.error),
    priority: priorityToProto(r.priority),
    idempotencyKey: r.idempotencyKey ?? "",
    labels: { ...r.labels },
    retry: retryToProto(r.retry),
    timeout: r.timeoutMs === undefined ? null : msToDuration(r.timeoutMs),
    deadline: tsOrNull(r.deadline),
    runTime: tsOrNull(r.runAt),
    createTime: msToTimestamp(r.createdAt),
    updateTime: msToTimestamp(r.updatedAt),
    startTime: tsOrNull(r.startedAt),
    finishTime: tsOrNull(r.finishedAt),
    attempt: r.attempt,
    attempts: r.attempts.map(attemptToProto),
    ownerAgentId: r.owner?.agentId ?? "",
    leaseExpireTime: tsOrNull(r.owner?.leaseUntil),
    progress: jsonToBytes(r.progress),
    parentId: r.parentId ?? "",
    rootId: r.rootId,
    replays: r.replays ?? 0,
    requirements: requirementsToProto(r.requirements),
    affinityKey: r.affinityKey ?? "",
    waiting: r.waiting
      ? {
          reason: r.waiting.reason,
          sinceTime: msToTimestamp(r.waiting.since),
          resourceClass: r.waiting.resourceClass,
        }
      : null,
    placements: (r.placements ?? []).map(placementToProto),
    traceId: traceIdOf(r.trace) ?? "",
    traceparent: r.trace?.traceparent ?? "",
    tracestate: r.trace?.tracestate ?? "",
  };
}

/** An event; its `sequence` is 0 only for a terminal event rebuilt from the record. */
export function eventToProto(e: TaskEvent): PbTaskEvent {
  const base = { sequence: e.seq, taskId: e.taskId, time: msToTimestamp(e.time) };
  switch (e.type) {
    case "state":
      return {
        ...base,
        stateChange: {
          state: stateToProto(e.state),
          attempt: e.attempt,
          error: errorToProto(e.error),
          result: jsonToBytes(e.result),
          runTime: tsOrNull(e.runAt),
        },
      };
    case "progress":
      return { ...base, progress: { attempt: e.attempt, value: jsonToBytes(e.progress) } };
    case "output":
      return { ...base, output: { attempt: e.attempt, chunk: jsonToBytes(e.chunk) } };
  }
}

export function deadLetterToProto(d: DeadLetter): PbDeadLetter {
  return {
    sequence: d.seq,
    taskId: d.taskId,
    capability: d.capability,
    input: jsonToBytes(d.input),
    attempts: d.attempts.map(attemptToProto),
    error: errorToProto(d.error),
    deadTime: msToTimestamp(d.deadAt),
  };
}

export function agentToProto(a: AgentInfo): PbAgent {
  return {
    id: a.id,
    name: a.name,
    capabilities: [...a.capabilities],
    concurrency: a.concurrency,
    inFlight: a.inFlight,
    freeSlots: a.freeSlots,
    hostname: a.hostname,
    pid: a.pid,
    startTime: msToTimestamp(a.startedAt),
    lastHeartbeatTime: msToTimestamp(a.lastHeartbeat),
    resources: a.resources
      ? {
          cpuSlots: a.resources.cpuSlots ?? 0,
          gpus: (a.resources.gpus ?? []).map((g) => ({ ...g })),
          models: [...(a.resources.models ?? [])],
          labels: { ...(a.resources.labels ?? {}) },
        }
      : null,
    warmKeys: [...(a.warmKeys ?? [])],
    peerAddress: a.peerAddress ?? "",
  };
}

export function queueStatsToProto(q: QueueStats): PbQueueStats {
  return {
    capability: q.capability,
    backlog: q.backlog,
    inFlight: q.inFlight,
    oldestAge: q.oldestAgeMs === undefined ? null : msToDuration(q.oldestAgeMs),
    deadLetters: q.deadLetters,
    backlogByPriority: { ...q.backlogByPriority },
  };
}

export function demandToProto(d: Demand): PbDemand {
  return {
    capability: d.capability,
    resourceClass: d.resourceClass,
    waiting: d.waiting,
    oldestSinceTime: msToTimestamp(d.oldestSince),
    reason: d.reason,
  };
}

// ---- requests -> core ----------------------------------------------------------------------

/** A submit request in the core's terms, before the core validates it further. */
export interface CoreSubmit {
  capability: string;
  input: JsonValue;
  options: SubmitOptions;
}

/** True when a Requirements message asks for anything (an empty one is ignored). */
export function hasRequirements(r: PbRequirements | null | undefined): boolean {
  if (!r) return false;
  return (
    Object.keys(r.labels ?? {}).length > 0 ||
    (r.cpuSlots ?? 0) !== 0 ||
    (r.gpuType ?? "") !== "" ||
    (r.gpuCount ?? 0) !== 0 ||
    Number(r.gpuMemoryMib ?? 0) !== 0 ||
    (r.models ?? []).length > 0
  );
}

/**
 * Requirements as the core takes them: zero values are "not required" and left out; anything
 * else (negative counts, empty model names) goes through for the core to reject by field.
 */
function requirementsFromProto(r: PbRequirements): Requirements {
  const out: Requirements = {};
  if (r.cpuSlots) out.cpuSlots = r.cpuSlots;
  if (r.gpuType) out.gpuType = r.gpuType;
  if (r.gpuCount) out.gpuCount = r.gpuCount;
  // int64: a number, or a decimal string when the caller built the message by hand.
  const memory = Number(r.gpuMemoryMib ?? 0);
  if (memory !== 0) out.gpuMemoryMib = memory;
  if (r.models && r.models.length > 0) out.models = [...r.models];
  if (r.labels && Object.keys(r.labels).length > 0) out.labels = { ...r.labels };
  return out;
}

function retryFromProto(r: PbRetryPolicy, field: string): RetryOptions | undefined {
  const out: RetryOptions = {};
  if (r.maxAttempts) out.maxAttempts = r.maxAttempts;
  if (r.initialInterval) {
    out.initialInterval = durationToMs(r.initialInterval, `${field}.initial_interval`);
  }
  if (r.backoffCoefficient) out.backoffCoefficient = r.backoffCoefficient;
  if (r.maximumInterval) {
    out.maximumInterval = durationToMs(r.maximumInterval, `${field}.maximum_interval`);
  }
  // `optional` in the proto; a build of the proto without it can still say "no jitter" only
  // by omission, so a plain 0 there means "default".
  if (typeof r.jitter === "number" && (r._jitter === "jitter" || r.jitter !== 0)) {
    out.jitter = r.jitter;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * A SubmitTaskRequest as core submit arguments. `prefix` (e.g. `requests[3].`) starts every
 * field name in errors; the core validates the options further (protoFieldName renames its
 * field names).
 */
export function submitFromProto(req: PbSubmitTaskRequest, prefix = ""): CoreSubmit {
  const f = (name: string): string => `${prefix}${name}`;
  const options: SubmitOptions = {};
  const input = bytesToJson(req.input, f("input"));
  if (req.idempotencyKey) options.idempotencyKey = req.idempotencyKey;
  const priority = priorityFromProto(req.priority, f("priority"));
  if (priority) options.priority = priority;
  if (req.delay) options.delay = durationToMs(req.delay, f("delay"));
  if (req.runTime) options.runAt = timestampToMs(req.runTime, f("run_time"));
  if (req.retry) {
    const retry = retryFromProto(req.retry, f("retry"));
    if (retry) options.retry = retry;
  }
  if (req.timeout) options.timeout = durationToMs(req.timeout, f("timeout"));
  if (req.deadline) options.deadline = timestampToMs(req.deadline, f("deadline"));
  if (req.labels && Object.keys(req.labels).length > 0) options.labels = { ...req.labels };
  if (req.parentId) options.parentId = req.parentId;
  if (req.requirements && hasRequirements(req.requirements)) {
    options.requirements = requirementsFromProto(req.requirements);
  }
  if (req.affinityKey) options.affinityKey = req.affinityKey;
  return { capability: req.capability ?? "", input, options };
}

// ---- field names ---------------------------------------------------------------------------

const SPECIAL_FIELDS: Readonly<Record<string, string>> = {
  runAt: "run_time",
  rootId: "parent_id",
  // submit(capability, input, options): the options object as a whole is the request.
  options: "request",
};

const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function renamePath(path: string): string {
  if (path === "input" || path.startsWith("input.") || path.startsWith("input[")) return path;
  const inner = path.startsWith("options.") ? path.slice("options.".length) : path;
  const [head = "", ...rest] = inner.split(".");
  const first = SPECIAL_FIELDS[head] ?? snake(head);
  // Label names are user data: keep them as written (labels.x, requirements.labels.x).
  const keepFrom = head === "labels" ? 0 : head === "requirements" && rest[0] === "labels" ? 1 : -1;
  const tail = rest.map((part, i) => (keepFrom >= 0 && i >= keepFrom ? part : snake(part)));
  return [first, ...tail].join(".");
}

/**
 * The proto name of a field the core named: `options.retry.maxAttempts` -> `retry.max_attempts`,
 * `requests[2].options.runAt` -> `requests[2].run_time`, `input.user.name` unchanged.
 */
export function protoFieldName(coreField: string): string {
  const m = /^((?:requests\[\d+\]\.)?)(.*)$/.exec(coreField);
  const prefix = m?.[1] ?? "";
  const path = m?.[2] ?? coreField;
  return `${prefix}${renamePath(path)}`;
}

const OPTION_PATH = /\boptions\.[A-Za-z][A-Za-z0-9_.]*[A-Za-z0-9]/g;
const RETRY_KEYS = /\b(maxAttempts|initialInterval|backoffCoefficient|maximumInterval)\b/g;

/** A core message with the option names in it renamed like protoFieldName does. */
export function protoMessageText(text: string): string {
  return text
    .replace(OPTION_PATH, (path) => renamePath(path))
    .replace(RETRY_KEYS, (key) => snake(key));
}

/**
 * A ValidationError with its field (and the field names in its message) in proto terms.
 * `rename` defaults to protoFieldName; list calls pass their own (`limit` -> `page_size`).
 */
export function toProtoValidationError(
  err: ValidationError,
  rename: (coreField: string) => string = protoFieldName,
): ValidationError {
  const field = rename(err.field);
  const rest = err.message.startsWith(`${err.field}: `)
    ? err.message.slice(err.field.length + 2)
    : err.message;
  const out = new ValidationError(field, protoMessageText(rest), err.code);
  return out;
}
