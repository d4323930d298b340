import type { AttemptRecord, TaskError, TaskRecord } from "../types.js";

/** Attempts that count toward the retry budget: not released ones, not those before a replay. */
export function countedAttempts(record: TaskRecord): number {
  const from = record.budgetFrom ?? 0;
  return record.attempts.filter((a) => a.attempt > from && a.outcome !== "released").length;
}

export function currentAttempt(record: TaskRecord): AttemptRecord | undefined {
  return record.attempts.find((a) => a.attempt === record.attempt);
}

const MAX_MESSAGE = 2048;
const MAX_STACK = 4096;

/** A compact, JSON-safe copy of an error, bounded so records stay small. */
export function toTaskError(err: unknown): TaskError {
  if (err instanceof Error) {
    const out: TaskError = { message: err.message.slice(0, MAX_MESSAGE), name: err.name };
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string") out.code = code;
    if (err.stack) out.stack = err.stack.slice(0, MAX_STACK);
    if ((err as { nonRetryable?: unknown }).nonRetryable === true) out.nonRetryable = true;
    return out;
  }
  return { message: String(err).slice(0, MAX_MESSAGE) };
}
