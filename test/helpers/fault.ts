/** Shared bookkeeping for the fault tests: polling, reading every event, tallying records. */
import type { BatonConnection } from "../../src/nats/connection.js";
import { storedEvents, type StoredEventBody } from "../../src/store/events.js";
import { isTerminal } from "../../src/store/states.js";
import type { Versioned } from "../../src/store/task-store.js";
import type { StateEvent, TaskEvent, TaskRecord } from "../../src/types.js";

const decoder = new TextDecoder();

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns true; throws `what` after `timeoutMs`. */
export async function waitUntil(
  probe: () => boolean | Promise<boolean>,
  opts: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<void> {
  const until = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() >= until) throw new Error(`timed out after ${opts.timeoutMs} ms: ${opts.what}`);
    await sleep(opts.intervalMs ?? 250);
  }
}

/** The current record (and KV revision) of every id; a missing record maps to undefined. */
export async function loadRecords(
  conn: BatonConnection,
  ids: readonly string[],
): Promise<Map<string, Versioned | undefined>> {
  const out = new Map<string, Versioned | undefined>();
  const chunk = 64;
  for (let i = 0; i < ids.length; i += chunk) {
    const batch = ids.slice(i, i + chunk);
    const found = await Promise.all(batch.map((id) => conn.tasks.get(id)));
    batch.forEach((id, j) => out.set(id, found[j]));
  }
  return out;
}

/** Every event in the events stream, in order (an ordered consumer read to the last sequence). */
export async function readAllEvents(conn: BatonConnection): Promise<TaskEvent[]> {
  const info = await conn.jsm.streams.info(conn.names.eventsStream);
  const last = info.state.last_seq;
  const events: TaskEvent[] = [];
  if (info.state.messages === 0) return events;
  const consumer = await conn.js.consumers.get(conn.names.eventsStream);
  const messages = await consumer.consume();
  try {
    for await (const m of messages) {
      const body = JSON.parse(decoder.decode(m.data)) as StoredEventBody;
      events.push(...storedEvents(body, m.seq));
      if (m.seq >= last) break;
    }
  } finally {
    await messages.close();
  }
  return events;
}

/**
 * Every event, read once each of `ids` has a terminal state event stored. A task's end record is
 * stored just before its end event, so a `wait` that answered from the record can return first.
 */
export async function readEventsOnceEnded(
  conn: BatonConnection,
  ids: readonly string[],
  timeoutMs = 15_000,
): Promise<TaskEvent[]> {
  let events: TaskEvent[] = [];
  await waitUntil(
    async () => {
      events = await readAllEvents(conn);
      const ended = new Set(
        events.filter((e) => e.type === "state" && isTerminal(e.state)).map((e) => e.taskId),
      );
      return ids.every((id) => ended.has(id));
    },
    { timeoutMs, intervalMs: 50, what: `terminal events of ${ids.length} tasks stored` },
  );
  return events;
}

/** State events per task id. */
export function stateEventsByTask(events: readonly TaskEvent[]): Map<string, StateEvent[]> {
  const out = new Map<string, StateEvent[]>();
  for (const e of events) {
    if (e.type !== "state") continue;
    const list = out.get(e.taskId) ?? [];
    list.push(e);
    out.set(e.taskId, list);
  }
  return out;
}

export function terminalEvents(events: readonly StateEvent[] | undefined): StateEvent[] {
  return (events ?? []).filter((e) => isTerminal(e.state));
}

export interface RecordTally {
  byState: Record<string, number>;
  missing: number;
  /** Attempts whose outcome is "lost": takeovers after an expired lease. */
  lostAttempts: number;
  /** Tasks with at least one lost attempt. */
  tasksWithTakeover: number;
  /** Attempts by outcome ("open" for none yet). */
  outcomes: Record<string, number>;
  maxAttempt: number;
}

export function tally(records: Map<string, Versioned | undefined>): RecordTally {
  const t: RecordTally = {
    byState: {},
    missing: 0,
    lostAttempts: 0,
    tasksWithTakeover: 0,
    outcomes: {},
    maxAttempt: 0,
  };
  for (const v of records.values()) {
    if (!v) {
      t.missing++;
      continue;
    }
    const r: TaskRecord = v.record;
    t.byState[r.state] = (t.byState[r.state] ?? 0) + 1;
    let lost = 0;
    for (const a of r.attempts) {
      const o = a.outcome ?? "open";
      t.outcomes[o] = (t.outcomes[o] ?? 0) + 1;
      if (o === "lost") lost++;
    }
    t.lostAttempts += lost;
    if (lost > 0) t.tasksWithTakeover++;
    t.maxAttempt = Math.max(t.maxAttempt, r.attempt);
  }
  return t;
}

/** Messages still in the work-queue stream (each is an unfinished or unacked delivery). */
export async function queuedMessages(conn: BatonConnection): Promise<number> {
  const info = await conn.jsm.streams.info(conn.names.tasksStream);
  return info.state.messages;
}

/** Task ids of the messages still in the work-queue stream. */
export async function queuedTaskIds(conn: BatonConnection): Promise<string[]> {
  const info = await conn.jsm.streams.info(conn.names.tasksStream);
  const ids: string[] = [];
  if (info.state.messages === 0) return ids;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await conn.jsm.streams.getMessage(conn.names.tasksStream, { seq });
    if (m) ids.push(m.json<{ id: string }>().id);
  }
  return ids;
}
