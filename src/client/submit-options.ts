import { ConfigError, PayloadTooLargeError, ValidationError } from "../errors.js";
import { parseDuration } from "../config/duration.js";
import { isTaskId } from "../ids.js";
import { compileRetryPolicy, type RetryPolicy } from "../retry.js";
import type { Requirements } from "../placement/types.js";
import { PRIORITIES, type JsonValue, type Priority, type SubmitOptions } from "../types.js";

export interface CompiledSubmit {
  priority: Priority;
  idempotencyKey?: string;
  runAt?: number;
  retry?: RetryPolicy;
  timeoutMs?: number;
  deadline?: number;
  labels?: Record<string, string>;
  parentId?: string;
  rootId?: string;
  requirements?: Requirements;
  affinityKey?: string;
  /** Internal: the queue leaves the task to a direct hand-off until then. */
  handoffUntil?: number;
}

const KNOWN: ReadonlySet<string> = new Set<keyof SubmitOptions>([
  "idempotencyKey",
  "priority",
  "delay",
  "runAt",
  "retry",
  "timeout",
  "deadline",
  "labels",
  "parentId",
  "rootId",
  "requirements",
  "affinityKey",
]);
const LABEL_KEY = /^[A-Za-z0-9_.-]{1,63}$/;

export function durationField(value: unknown, field: string): number {
  if (typeof value !== "number" && typeof value !== "string") {
    throw new ValidationError(field, `expected a duration like "30s" or milliseconds`);
  }
  try {
    return parseDuration(value, field);
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new ValidationError(field, err.message.replace(/^invalid setting [^:]+: /, ""));
    }
    throw err;
  }
}

export function timeField(value: unknown, field: string): number {
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === "number") ms = value;
  else if (typeof value === "string") ms = Date.parse(value);
  else
    throw new ValidationError(field, "expected a Date, epoch milliseconds or an ISO-8601 string");
  if (!Number.isFinite(ms)) throw new ValidationError(field, `not a valid time: ${String(value)}`);
  return ms;
}

function taskIdField(value: unknown, field: string): string {
  if (typeof value !== "string" || !isTaskId(value)) {
    throw new ValidationError(field, `not a task id: ${JSON.stringify(value)}`);
  }
  return value;
}

/** Validates submit options; every error names the offending field. */
export function compileSubmitOptions(
  options: SubmitOptions | undefined,
  defaults: RetryPolicy,
  now = Date.now(),
): CompiledSubmit {
  if (options === undefined || options === null) return { priority: "normal" };
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new ValidationError("options", "must be an object");
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new ValidationError(`options.${key}`, "unknown option");
  }
  const out: CompiledSubmit = { priority: "normal" };
  if (options.retry !== undefined) {
    out.retry = compileRetryPolicy(options.retry, defaults, "options.retry");
  }
  if (options.priority !== undefined) {
    if (!PRIORITIES.includes(options.priority)) {
      throw new ValidationError("options.priority", `must be one of ${PRIORITIES.join(", ")}`);
    }
    out.priority = options.priority;
  }
  if (options.idempotencyKey !== undefined) {
    const key = options.idempotencyKey;
    if (typeof key !== "string" || key.length === 0 || key.length > 512) {
      throw new ValidationError("options.idempotencyKey", "must be a string of 1-512 characters");
    }
    out.idempotencyKey = key;
  }
  if (options.delay !== undefined && options.runAt !== undefined) {
    throw new ValidationError("options.runAt", "cannot be combined with options.delay");
  }
  if (options.delay !== undefined) {
    const delay = durationField(options.delay, "options.delay");
    if (delay > 0) out.runAt = now + delay;
  }
  if (options.runAt !== undefined) out.runAt = timeField(options.runAt, "options.runAt");
  if (options.timeout !== undefined) {
    const timeout = durationField(options.timeout, "options.timeout");
    if (timeout <= 0) throw new ValidationError("options.timeout", "must be greater than zero");
    out.timeoutMs = timeout;
  }
  if (options.deadline !== undefined) {
    const deadline = timeField(options.deadline, "options.deadline");
    if (deadline <= now) throw new ValidationError("options.deadline", "is already in the past");
    if (out.runAt !== undefined && out.runAt >= deadline) {
      throw new ValidationError("options.deadline", "is before the task may start");
    }
    out.deadline = deadline;
  }
  if (options.labels !== undefined) out.labels = labelsField(options.labels, "options.labels");
  if (options.parentId !== undefined)
    out.parentId = taskIdField(options.parentId, "options.parentId");
  if (options.rootId !== undefined) out.rootId = taskIdField(options.rootId, "options.rootId");
  if (options.requirements !== undefined) {
    const req = requirementsField(options.requirements, "options.requirements");
    if (Object.keys(req).length > 0) out.requirements = req;
  }
  if (options.affinityKey !== undefined) {
    const key = options.affinityKey as unknown;
    if (typeof key !== "string" || key.length === 0 || key.length > 256) {
      throw new ValidationError("options.affinityKey", "must be a string of 1-256 characters");
    }
    out.affinityKey = key;
  }
  return out;
}

const REQUIREMENT_KEYS: ReadonlySet<string> = new Set<keyof Requirements>([
  "cpuSlots",
  "gpuType",
  "gpuCount",
  "gpuMemoryMib",
  "models",
  "labels",
]);

function countField(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new ValidationError(field, "must be a whole number of at least 0");
  }
  return value;
}

/** Requirements as stored: unknown keys rejected, zero and empty values left out. */
export function requirementsField(value: unknown, field: string): Requirements {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ValidationError(field, "must be an object");
  }
  const given = value as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!REQUIREMENT_KEYS.has(key))
      throw new ValidationError(
        `${field}.${key}`,
        `unknown requirement (known: ${[...REQUIREMENT_KEYS].join(", ")})`,
      );
  }
  const out: Requirements = {};
  for (const key of ["cpuSlots", "gpuCount", "gpuMemoryMib"] as const) {
    if (given[key] === undefined) continue;
    const n = countField(given[key], `${field}.${key}`);
    if (n > 0) out[key] = n;
  }
  if (given.gpuType !== undefined) {
    if (typeof given.gpuType !== "string" || given.gpuType.length > 64)
      throw new ValidationError(`${field}.gpuType`, "must be a string of at most 64 characters");
    if (given.gpuType !== "") out.gpuType = given.gpuType;
  }
  if (given.models !== undefined) {
    const models = given.models;
    if (!Array.isArray(models) || models.some((m) => typeof m !== "string" || m.length === 0)) {
      throw new ValidationError(`${field}.models`, "must be an array of non-empty strings");
    }
    if (models.length > 0) out.models = [...new Set(models as string[])];
  }
  if (given.labels !== undefined) {
    const labels = labelsField(given.labels, `${field}.labels`);
    if (Object.keys(labels).length > 0) out.labels = labels;
  }
  return out;
}

export function labelsField(value: unknown, field: string): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ValidationError(field, "must be an object of string values");
  }
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!LABEL_KEY.test(k)) throw new ValidationError(`${field}.${k}`, "invalid label name");
    if (typeof v !== "string" || v.length > 256) {
      throw new ValidationError(`${field}.${k}`, "must be a string of at most 256 characters");
    }
    clean[k] = v;
  }
  return clean;
}

/** Checks that the input is JSON and within the size limit; returns its encoded size. */
export function checkInput(input: unknown, limit: number): JsonValue {
  let text: string | undefined;
  try {
    text = JSON.stringify(input === undefined ? null : input);
  } catch (err) {
    throw new ValidationError("input", `must be JSON-serializable (${(err as Error).message})`);
  }
  if (text === undefined) throw new ValidationError("input", "must be JSON-serializable");
  const size = Buffer.byteLength(text);
  if (size > limit) throw new PayloadTooLargeError("input", size, limit);
  return JSON.parse(text) as JsonValue;
}
