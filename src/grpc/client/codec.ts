/**
 * The client's side of the wire: core submit arguments -> SubmitTaskRequest, and the messages a
 * gateway returns -> the library's record types (TaskRecord, TaskEvent, DeadLetter, AgentInfo,
 * QueueStats), so code written against BatonClient reads gRPC results the same way. The
 * gateway's side (records -> messages, requests -> core) is ../convert.ts, whose scalar helpers
 * this reuses.
 */
import type { Bid, Requirements, Resources } from "../../placement/types.js";
import { durationField } from "../../client/submit-options.js";
import { checkInput, compileSubmitOptions } from "../../client/submit-options.js";
import { ValidationError } from "../../errors.js";
import type { AgentInfo } from "../../registry/agents.js";
import type { Demand } from "../../registry/demand.js";
import type { QueueStats } from "../../registry/queue-stats.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../../retry.js";
import type {
  AttemptOutcome,
  AttemptRecord,
  DeadLetter,
  JsonValue,
  PlacementRecord,
  Priority,
  SubmitOptions,
  TaskError,
  TaskEvent,
  TaskRecord,
} from "../../types.js";
import type { Agent__Output } from "../../generated/baton/v1/Agent.js";
import type { Attempt__Output } from "../../generated/baton/v1/Attempt.js";
import type { Demand__Output } from "../../generated/baton/v1/Demand.js";
import type { DeadLetter__Output } from "../../generated/baton/v1/DeadLetter.js";
import type { Placement__Output } from "../../generated/baton/v1/Placement.js";
import type { QueueStats__Output } from "../../generated/baton/v1/QueueStats.js";
import type { RetryPolicy as PbRetryPolicyIn } from "../../generated/baton/v1/RetryPolicy.js";
import type { RetryPolicy__Output } from "../../generated/baton/v1/RetryPolicy.js";
import type {
  Requirements as PbRequirementsIn,
  Requirements__Output,
} from "../../generated/baton/v1/Requirements.js";
import type { SubmitTaskRequest } from "../../generated/baton/v1/SubmitTaskRequest.js";
import type { Task__Output } from "../../generated/baton/v1/Task.js";
import type { TaskError__Output } from "../../generated/baton/v1/TaskError.js";
import type { TaskEvent__Output } from "../../generated/baton/v1/TaskEvent.js";
import type { Timestamp__Output } from "../../generated/google/protobuf/Timestamp.js";
import {
  bytesToJson,
  durationToMs,
  msToDuration,
  msToTimestamp,
  priorityFromProto,
  priorityToProto,
  stateFromProto,
  timestampToMs,
} from "../convert.js";

// ---- core -> request -------------------------------------------------------------------------

/**
 * A SubmitTaskRequest from the library's submit arguments. Options are validated exactly as
 * BatonClient.submit validates them (errors name `options.<field>`), so the CLI reports the same
 * errors over either path; the input size limit is the gateway's to enforce. `idempotencyKey`
 * is used when the options carry none.
 */
export function submitRequest(
  capability: string,
  input: unknown,
  options: SubmitOptions | undefined,
  idempotencyKey: string | undefined,
): SubmitTaskRequest {
  const compiled = compileSubmitOptions(options, DEFAULT_RETRY_POLICY);
  if (options?.rootId !== undefined) {
    throw new ValidationError(
      "options.rootId",
      "cannot be set over gRPC; the gateway takes the root from options.parentId",
    );
  }
  const json = checkInput(input, Number.MAX_SAFE_INTEGER);
  const req: SubmitTaskRequest = {
    capability,
    input: Buffer.from(JSON.stringify(json), "utf8"),
  };
  const key = compiled.idempotencyKey ?? idempotencyKey;
  if (key !== undefined) req.idempotencyKey = key;
  if (options?.priority !== undefined) req.priority = priorityToProto(compiled.priority);
  if (options?.delay !== undefined) {
    // Sent as a duration, so the gateway's clock decides when it ends.
    const delay = durationField(options.delay, "options.delay");
    if (delay > 0) req.delay = msToDuration(delay);
  } else if (compiled.runAt !== undefined) {
    req.runTime = msToTimestamp(compiled.runAt);
  }
  if (options?.retry !== undefined) req.retry = retryRequest(options.retry);
  if (compiled.timeoutMs !== undefined) req.timeout = msToDuration(compiled.timeoutMs);
  if (compiled.deadline !== undefined) req.deadline = msToTimestamp(compiled.deadline);
  if (compiled.labels) req.labels = compiled.labels;
  if (compiled.parentId !== undefined) req.parentId = compiled.parentId;
  if (compiled.requirements) req.requirements = requirementsRequest(compiled.requirements);
  if (compiled.affinityKey !== undefined) req.affinityKey = compiled.affinityKey;
  return req;
}

/** Only the fields required (zero values mean "not required" on the wire too). */
function requirementsRequest(r: Requirements): PbRequirementsIn {
  const out: PbRequirementsIn = {};
  if (r.cpuSlots !== undefined) out.cpuSlots = r.cpuSlots;
  if (r.gpuType !== undefined) out.gpuType = r.gpuType;
  if (r.gpuCount !== undefined) out.gpuCount = r.gpuCount;
  if (r.gpuMemoryMib !== undefined) out.gpuMemoryMib = r.gpuMemoryMib;
  if (r.models) out.models = [...r.models];
  if (r.labels) out.labels = { ...r.labels };
  return out;
}

/** Only the fields the caller gave (already validated): the rest take the server's defaults. */
function retryRequest(retry: NonNullable<SubmitOptions["retry"]>): PbRetryPolicyIn {
  const out: PbRetryPolicyIn = {};
  if (retry.maxAttempts !== undefined) out.maxAttempts = retry.maxAttempts;
  if (retry.initialInterval !== undefined) {
    out.initialInterval = msToDuration(
      durationField(retry.initialInterval, "options.retry.initialInterval"),
    );
  }
  if (retry.backoffCoefficient !== undefined) out.backoffCoefficient = retry.backoffCoefficient;
  if (retry.maximumInterval !== undefined) {
    out.maximumInterval = msToDuration(
      durationField(retry.maximumInterval, "options.retry.maximumInterval"),
    );
  }
  if (retry.jitter !== undefined) out.jitter = retry.jitter;
  return out;
}

// ---- response -> core ------------------------------------------------------------------------

function ms(ts: Timestamp__Output | null | undefined, field: string): number | undefined {
  return ts ? timestampToMs(ts, field) : undefined;
}

/** Optional JSON bytes: empty means absent (a JSON null is sent as the 4 bytes `null`). */
function optionalJson(bytes: Buffer | null | undefined, field: string): JsonValue | undefined {
  return bytes && bytes.length > 0 ? bytesToJson(bytes, field) : undefined;
}

export function errorFromProto(e: TaskError__Output | null | undefined): TaskError | undefined {
  if (!e) return undefined;
  return {
    message: e.message,
    ...(e.name ? { name: e.name } : {}),
    ...(e.code ? { code: e.code } : {}),
    ...(e.nonRetryable ? { nonRetryable: true } : {}),
  };
}

function retryFromProto(r: RetryPolicy__Output | null | undefined): RetryPolicy | undefined {
  if (!r) return undefined;
  return {
    maxAttempts: r.maxAttempts,
    initialIntervalMs: r.initialInterval ? durationToMs(r.initialInterval, "retry") : 0,
    backoffCoefficient: r.backoffCoefficient,
    maximumIntervalMs: r.maximumInterval ? durationToMs(r.maximumInterval, "retry") : 0,
    // Stored policies are complete; a missing jitter can only come from a foreign server.
    jitter: r.jitter ?? 0,
  };
}

export function attemptFromProto(a: Attempt__Output): AttemptRecord {
  const endedAt = ms(a.endTime, "attempts.end_time");
  const error = errorFromProto(a.error);
  return {
    attempt: a.attempt,
    agentId: a.agentId,
    startedAt: ms(a.startTime, "attempts.start_time") ?? 0,
    ...(endedAt !== undefined ? { endedAt } : {}),
    ...(a.outcome ? { outcome: a.outcome as AttemptOutcome } : {}),
    ...(error ? { error } : {}),
  };
}

/** Requirements as the library stores them: only what is required, in the library's key order. */
export function requirementsFromProto(
  r: Requirements__Output | null | undefined,
): Requirements | undefined {
  if (!r) return undefined;
  const out: Requirements = {};
  if (r.cpuSlots) out.cpuSlots = r.cpuSlots;
  if (r.gpuCount) out.gpuCount = r.gpuCount;
  if (Number(r.gpuMemoryMib)) out.gpuMemoryMib = Number(r.gpuMemoryMib);
  if (r.gpuType) out.gpuType = r.gpuType;
  if (r.models?.length) out.models = [...r.models];
  if (r.labels && Object.keys(r.labels).length > 0) out.labels = { ...r.labels };
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A Placement message; bids get `taskId` back from the task they belong to. */
export function placementFromProto(p: Placement__Output, taskId: string): PlacementRecord {
  const bids = (p.bids ?? []).map((b): Bid => ({
    agentId: b.agentId,
    taskId,
    fit: b.fit,
    freeSlots: b.freeSlots,
    load: b.load,
    warm: b.warm,
    cost: b.cost,
    score: b.score,
  }));
  return {
    time: ms(p.time, "placements.time") ?? 0,
    negotiator: p.negotiator,
    bids,
    ...(p.winner ? { winner: p.winner } : {}),
    ...(p.reason ? { reason: p.reason } : {}),
  };
}

/** A Task message as the library's TaskRecord (empty strings and unset fields are omitted). */
export function taskFromProto(t: Task__Output): TaskRecord {
  const priority: Priority = priorityFromProto(t.priority) ?? "normal";
  const result = optionalJson(t.result, "result");
  const error = errorFromProto(t.error);
  const retry = retryFromProto(t.retry);
  const progress = optionalJson(t.progress, "progress");
  const deadline = ms(t.deadline, "deadline");
  const runAt = ms(t.runTime, "run_time");
  const startedAt = ms(t.startTime, "start_time");
  const finishedAt = ms(t.finishTime, "finish_time");
  const leaseUntil = ms(t.leaseExpireTime, "lease_expire_time");
  const labels = t.labels && Object.keys(t.labels).length > 0 ? { ...t.labels } : undefined;
  const requirements = requirementsFromProto(t.requirements);
  const waiting = t.waiting
    ? {
        reason: t.waiting.reason,
        since: ms(t.waiting.sinceTime, "waiting.since_time") ?? 0,
        resourceClass: t.waiting.resourceClass,
      }
    : undefined;
  const placements = (t.placements ?? []).map((p) => placementFromProto(p, t.id));
  return {
    id: t.id,
    capability: t.capability,
    state: stateFromProto(t.state, "state"),
    input: bytesToJson(t.input, "input"),
    ...(result !== undefined ? { result } : {}),
    ...(error ? { error } : {}),
    priority,
    ...(t.idempotencyKey ? { idempotencyKey: t.idempotencyKey } : {}),
    ...(labels ? { labels } : {}),
    ...(retry ? { retry } : {}),
    ...(t.timeout ? { timeoutMs: durationToMs(t.timeout, "timeout") } : {}),
    ...(deadline !== undefined ? { deadline } : {}),
    ...(runAt !== undefined ? { runAt } : {}),
    createdAt: ms(t.createTime, "create_time") ?? 0,
    updatedAt: ms(t.updateTime, "update_time") ?? 0,
    ...(startedAt !== undefined ? { startedAt } : {}),
    ...(finishedAt !== undefined ? { finishedAt } : {}),
    attempt: t.attempt,
    attempts: (t.attempts ?? []).map(attemptFromProto),
    ...(t.ownerAgentId
      ? { owner: { agentId: t.ownerAgentId, attempt: t.attempt, leaseUntil: leaseUntil ?? 0 } }
      : {}),
    ...(progress !== undefined ? { progress } : {}),
    ...(t.replays ? { replays: t.replays } : {}),
    ...(t.parentId ? { parentId: t.parentId } : {}),
    rootId: t.rootId || t.id,
    ...(requirements ? { requirements } : {}),
    ...(t.affinityKey ? { affinityKey: t.affinityKey } : {}),
    ...(waiting ? { waiting } : {}),
    ...(placements.length > 0 ? { placements } : {}),
    ...(t.traceparent
      ? {
          trace: {
            traceparent: t.traceparent,
            ...(t.tracestate ? { tracestate: t.tracestate } : {}),
          },
        }
      : {}),
  };
}

/**
 * A TaskEvent message as the library's TaskEvent, keys in the library's order (so JSON output is
 * the same over either path); undefined for an event kind this build does not know.
 */
export function eventFromProto(e: TaskEvent__Output): TaskEvent | undefined {
  const taskId = e.taskId;
  const time = ms(e.time, "time") ?? 0;
  const seq = e.sequence;
  if (e.stateChange) {
    const s = e.stateChange;
    const error = errorFromProto(s.error);
    const result = optionalJson(s.result, "state_change.result");
    const runAt = ms(s.runTime, "state_change.run_time");
    return {
      type: "state",
      taskId,
      time,
      state: stateFromProto(s.state, "state_change.state"),
      attempt: s.attempt,
      ...(error ? { error } : {}),
      ...(result !== undefined ? { result } : {}),
      ...(runAt !== undefined ? { runAt } : {}),
      seq,
    };
  }
  if (e.progress) {
    const progress = bytesToJson(e.progress.value, "progress.value");
    return { type: "progress", taskId, time, attempt: e.progress.attempt, progress, seq };
  }
  if (e.output) {
    const chunk = bytesToJson(e.output.chunk, "output.chunk");
    return { type: "output", taskId, time, attempt: e.output.attempt, chunk, seq };
  }
  return undefined;
}

export function deadLetterFromProto(d: DeadLetter__Output): DeadLetter {
  const error = errorFromProto(d.error);
  return {
    seq: d.sequence,
    taskId: d.taskId,
    capability: d.capability,
    input: bytesToJson(d.input, "input"),
    attempts: (d.attempts ?? []).map(attemptFromProto),
    ...(error ? { error } : {}),
    deadAt: ms(d.deadTime, "dead_time") ?? 0,
  };
}

export function agentFromProto(a: Agent__Output): AgentInfo {
  return {
    id: a.id,
    name: a.name,
    capabilities: [...(a.capabilities ?? [])],
    concurrency: a.concurrency,
    inFlight: a.inFlight,
    freeSlots: a.freeSlots,
    hostname: a.hostname,
    pid: a.pid,
    startedAt: ms(a.startTime, "start_time") ?? 0,
    lastHeartbeat: ms(a.lastHeartbeatTime, "last_heartbeat_time") ?? 0,
    ...(a.resources ? { resources: resourcesFromProto(a.resources) } : {}),
    warmKeys: [...(a.warmKeys ?? [])],
    ...(a.peerAddress ? { peerAddress: a.peerAddress } : {}),
  };
}

function resourcesFromProto(r: NonNullable<Agent__Output["resources"]>): Resources {
  const out: Resources = {};
  if (r.cpuSlots) out.cpuSlots = r.cpuSlots;
  if (r.gpus?.length)
    out.gpus = r.gpus.map((g) => ({
      type: g.type,
      count: g.count,
      memoryMib: Number(g.memoryMib),
    }));
  if (r.models?.length) out.models = [...r.models];
  if (r.labels && Object.keys(r.labels).length > 0) out.labels = { ...r.labels };
  return out;
}

export function queueStatsFromProto(q: QueueStats__Output): QueueStats {
  const by = q.backlogByPriority ?? {};
  return {
    capability: q.capability,
    backlog: q.backlog,
    backlogByPriority: { high: by.high ?? 0, normal: by.normal ?? 0, low: by.low ?? 0 },
    inFlight: q.inFlight,
    ...(q.oldestAge ? { oldestAgeMs: durationToMs(q.oldestAge, "oldest_age") } : {}),
    deadLetters: q.deadLetters,
  };
}

export function demandFromProto(d: Demand__Output): Demand {
  return {
    capability: d.capability,
    resourceClass: d.resourceClass,
    waiting: d.waiting,
    oldestSince: ms(d.oldestSinceTime, "oldest_since_time") ?? 0,
    reason: d.reason,
  };
}
