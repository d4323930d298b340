import { IllegalTransitionError } from "../errors.js";
import { TaskState } from "../types.js";

const T = TaskState;

/**
 * Every legal transition. RUNNING -> RUNNING is a takeover after a lapsed lease;
 * DEAD -> PENDING is a replay from the dead-letter stream.
 */
const TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  [T.Pending]: [T.Running, T.Cancelled, T.Failed, T.Dead],
  [T.Running]: [T.Running, T.Pending, T.Succeeded, T.Failed, T.Cancelled, T.Dead],
  [T.Succeeded]: [],
  [T.Failed]: [],
  [T.Cancelled]: [],
  [T.Dead]: [T.Pending],
};

const TERMINAL: ReadonlySet<TaskState> = new Set([T.Succeeded, T.Failed, T.Cancelled, T.Dead]);

export function isTerminal(state: TaskState): boolean {
  return TERMINAL.has(state);
}

export function canTransition(from: TaskState, to: TaskState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(taskId: string, from: TaskState, to: TaskState): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(taskId, from, to);
}
