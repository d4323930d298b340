import { TaskState, type JsonValue, type TaskEvent } from "../types.js";
import { describeProgress, formatSeconds, truncate } from "./format.js";

/** What a watcher knows about a task, folded from its events. */
export interface TaskStatus {
  id: string;
  state: TaskState;
  attempt: number;
  progress?: JsonValue;
  /** The latest attempt error, shown while a retry waits. */
  error?: string;
  runAt?: number;
  outputs: number;
}

export function initialStatus(id: string): TaskStatus {
  return { id, state: TaskState.Pending, attempt: 0, outputs: 0 };
}

export function applyEvent(status: TaskStatus, event: TaskEvent): TaskStatus {
  switch (event.type) {
    case "state": {
      const next: TaskStatus = { ...status, state: event.state, attempt: event.attempt };
      if (event.state === TaskState.Running) {
        // A new attempt starts from scratch as far as progress goes.
        delete next.progress;
        delete next.runAt;
      }
      if (event.error) next.error = event.error.message;
      if (event.runAt !== undefined) next.runAt = event.runAt;
      return next;
    }
    case "progress":
      return { ...status, progress: event.progress };
    case "output":
      return { ...status, outputs: status.outputs + 1 };
  }
}

export function statusText(s: TaskStatus, now = Date.now()): string {
  const parts = [`${s.id} ${s.state}`];
  if (s.attempt > 0) parts.push(`attempt ${s.attempt}`);
  if (s.progress !== undefined && s.state === TaskState.Running) {
    parts.push(describeProgress(s.progress));
  }
  if (s.outputs > 0) parts.push(`${s.outputs} output chunk${s.outputs === 1 ? "" : "s"}`);
  if (s.state !== TaskState.Running && s.state !== TaskState.Succeeded && s.error) {
    parts.push(`error: ${truncate(s.error, 120)}`);
  }
  if (s.state === TaskState.Pending && s.runAt !== undefined && s.runAt > now) {
    parts.push(`next try in ${formatSeconds(s.runAt - now)}`);
  }
  return parts.join(" · ");
}
