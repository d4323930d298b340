import { TaskState, type TaskRecord } from "../types.js";

/** Tasks waiting for a kind of agent that is missing or full: what autoscaling should add. */
export interface Demand {
  capability: string;
  /** e.g. "gpu:a100x1|models:llama"; "any" for tasks without requirements (a limit, all busy). */
  resourceClass: string;
  waiting: number;
  /** When the longest-waiting of them started waiting. */
  oldestSince: number;
  /** The reason of the longest-waiting task. */
  reason: string;
}

/** Groups PENDING tasks that carry a waiting reason by capability and resource class. */
export function demandOf(records: Iterable<TaskRecord>): Demand[] {
  const groups = new Map<string, Demand>();
  for (const r of records) {
    if (r.state !== TaskState.Pending || !r.waiting) continue;
    const key = `${r.capability}\u0000${r.waiting.resourceClass}`;
    const g = groups.get(key);
    if (!g) {
      groups.set(key, {
        capability: r.capability,
        resourceClass: r.waiting.resourceClass,
        waiting: 1,
        oldestSince: r.waiting.since,
        reason: r.waiting.reason,
      });
      continue;
    }
    g.waiting++;
    if (r.waiting.since < g.oldestSince) {
      g.oldestSince = r.waiting.since;
      g.reason = r.waiting.reason;
    }
  }
  return [...groups.values()].sort(
    (a, b) =>
      b.waiting - a.waiting ||
      (a.capability < b.capability ? -1 : a.capability > b.capability ? 1 : 0) ||
      (a.resourceClass < b.resourceClass ? -1 : 1),
  );
}
