import type { Versioned } from "../store/task-store.js";
import type { TaskRecord } from "../types.js";

const decoder = new TextDecoder();

/** A queue message: the task id, and for a fresh submit the record as stored at `rev`. */
export interface TaskMessage {
  id: string;
  /** The record and its revision when the message carried them. */
  inline?: Versioned;
}

/** Reads a queue message; undefined when it is not one (it is dropped). */
export function parseTaskMessage(data: Uint8Array): TaskMessage | undefined {
  let body: unknown;
  try {
    body = JSON.parse(decoder.decode(data));
  } catch {
    return undefined;
  }
  if (typeof body !== "object" || body === null) return undefined;
  const { id, rev, record } = body as { id?: unknown; rev?: unknown; record?: unknown };
  if (typeof id !== "string" || id.length === 0) return undefined;
  const inline =
    typeof rev === "number" &&
    rev > 0 &&
    typeof record === "object" &&
    record !== null &&
    (record as { id?: unknown }).id === id
      ? { record: record as TaskRecord, revision: rev }
      : undefined;
  return inline ? { id, inline } : { id };
}
