import type { BatonClient } from "../client/client.js";
import { HttpError } from "../http/server.js";
import { TaskState } from "../types.js";
import { summarize, type TaskSummary } from "./task-view.js";

export interface TaskQuery {
  states?: TaskState[];
  capability?: string;
  labels: [string, string][];
  limit: number;
  cursor?: string;
}

const STATES: readonly string[] = Object.values(TaskState);
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;
/** Repeated and comma-separated values alike: `state=A&state=B` or `state=A,B`. */
function many(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

export function parseTaskQuery(query: URLSearchParams): TaskQuery {
  const states = many(query, "state").map((s) => {
    const upper = s.toUpperCase();
    if (!STATES.includes(upper)) {
      throw new HttpError(400, `state: must be one of ${STATES.join(", ")}, got "${s}"`);
    }
    return upper as TaskState;
  });
  const labels = query.getAll("label").map((l): [string, string] => {
    const eq = l.indexOf("=");
    if (eq <= 0) throw new HttpError(400, `label: must be key=value, got "${l}"`);
    return [l.slice(0, eq), l.slice(eq + 1)];
  });
  const rawLimit = query.get("limit");
  const limit = rawLimit === null || rawLimit === "" ? DEFAULT_LIMIT : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new HttpError(400, `limit: must be an integer from 1 to ${MAX_LIMIT}, got "${rawLimit}"`);
  }
  const capability = query.get("capability") || undefined;
  const cursor = query.get("cursor") || undefined;
  return {
    ...(states.length > 0 ? { states } : {}),
    ...(capability !== undefined ? { capability } : {}),
    labels,
    limit,
    ...(cursor !== undefined ? { cursor } : {}),
  };
}

/** Tasks newest first, filtered; `nextCursor` continues after the last one returned. */
export async function listTasks(
  client: BatonClient,
  q: TaskQuery,
): Promise<{ tasks: TaskSummary[]; nextCursor?: string }> {
  const labels = new Map<string, string>();
  for (const [k, v] of q.labels) {
    // The same label asked for with two values: no task has both.
    if (labels.has(k) && labels.get(k) !== v) return { tasks: [] };
    labels.set(k, v);
  }
  const page = await client.list({
    ...(q.states ? { state: q.states } : {}),
    ...(q.capability !== undefined ? { capability: q.capability } : {}),
    ...(labels.size > 0 ? { labels: Object.fromEntries(labels) } : {}),
    limit: q.limit,
    ...(q.cursor ? { cursor: q.cursor } : {}),
  });
  return {
    tasks: page.tasks.map(summarize),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}
