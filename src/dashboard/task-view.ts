import type { BatonClient } from "../client/client.js";
import { TaskNotFoundError } from "../errors.js";
import type { JsonValue, Priority, TaskRecord, TaskState, WaitingInfo } from "../types.js";

/** What a list row needs of a task: no input or result, which may be large. */
export interface TaskSummary {
  id: string;
  capability: string;
  state: TaskState;
  priority: Priority;
  labels?: Record<string, string>;
  attempt: number;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  finishedAt?: number;
  parentId?: string;
  rootId: string;
  children: number;
  /** More sub-tasks than `children` counts (those past CHILDREN_IN_RECORD are not counted). */
  moreChildren?: true;
  owner?: string;
  progress?: JsonValue;
  error?: { message: string; code?: string };
  waiting?: WaitingInfo;
}

export interface TaskNode extends TaskSummary {
  subtasks: TaskNode[];
}

/** Sub-tasks shown at most; a runaway fan-out must not make one request read thousands. */
export const MAX_TREE_NODES = 500;

export function summarize(r: TaskRecord): TaskSummary {
  return {
    id: r.id,
    capability: r.capability,
    state: r.state,
    priority: r.priority,
    ...(r.labels ? { labels: r.labels } : {}),
    attempt: r.attempt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(r.startedAt !== undefined ? { startedAt: r.startedAt } : {}),
    ...(r.finishedAt !== undefined ? { finishedAt: r.finishedAt } : {}),
    ...(r.parentId ? { parentId: r.parentId } : {}),
    rootId: r.rootId,
    children: r.children?.length ?? 0,
    ...(r.moreChildren ? { moreChildren: true as const } : {}),
    ...(r.owner ? { owner: r.owner.agentId } : {}),
    ...(r.progress !== undefined ? { progress: r.progress } : {}),
    ...(r.error
      ? { error: { message: r.error.message, ...(r.error.code ? { code: r.error.code } : {}) } }
      : {}),
    ...(r.waiting ? { waiting: r.waiting } : {}),
  };
}

async function getIfPresent(client: BatonClient, id: string): Promise<TaskRecord | undefined> {
  try {
    return await client.get(id);
  } catch (err) {
    if (err instanceof TaskNotFoundError) return undefined;
    throw err;
  }
}

/** The task and its sub-tasks (from `children`), level by level, at most MAX_TREE_NODES. */
export async function taskTree(client: BatonClient, root: TaskRecord): Promise<TaskNode> {
  const top: TaskNode = { ...summarize(root), subtasks: [] };
  let level: { node: TaskNode; record: TaskRecord }[] = [{ node: top, record: root }];
  const seen = new Set([root.id]);
  while (level.length > 0 && seen.size < MAX_TREE_NODES) {
    const next: typeof level = [];
    for (const { node, record } of level) {
      const ids = (record.children ?? []).filter((id) => !seen.has(id));
      const room = MAX_TREE_NODES - seen.size;
      const take = ids.slice(0, Math.max(0, room));
      take.forEach((id) => seen.add(id));
      // A child whose record expired is left out rather than failing the whole tree.
      const found = await Promise.all(take.map((id) => getIfPresent(client, id)));
      for (const child of found) {
        if (!child) continue;
        const kid: TaskNode = { ...summarize(child), subtasks: [] };
        node.subtasks.push(kid);
        next.push({ node: kid, record: child });
      }
    }
    level = next;
  }
  return top;
}
