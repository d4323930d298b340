import type { BatonConnection } from "../nats/connection.js";
import { utf8 } from "../nats/utf8.js";
import { mapLimit } from "../sdk/concurrency.js";
import { TaskState, type TaskRecord } from "../types.js";

/**
 * How long an entry of the waiting index lives unless rewritten. A waiting task's record is
 * rewritten at least every 20 deliveries, at most 5 s apart (see AgentRunner.waitFor), and its
 * entry with it; entries of tasks that stopped waiting simply expire.
 */
export const WAITING_INDEX_TTL_MS = 10 * 60_000;

const MARK = utf8("1");
const IN_FLIGHT = 256;

/** Notes in the waiting index that `taskId` waits (called after its record says so). */
export async function markWaiting(conn: BatonConnection, taskId: string): Promise<void> {
  await conn.waiting.put(taskId, MARK);
}

/**
 * The records of the tasks waiting now: those the waiting index names whose record is PENDING
 * with `waiting` set. Reads as many records as the index has entries (tasks that waited within
 * its TTL), not the whole tasks bucket.
 */
export async function waitingRecords(conn: BatonConnection): Promise<TaskRecord[]> {
  const ids: string[] = [];
  for await (const id of await conn.waiting.keys()) ids.push(id);
  const found = await mapLimit(ids, IN_FLIGHT, (id) => conn.tasks.get(id));
  return found.flatMap((v) =>
    v && v.record.state === TaskState.Pending && v.record.waiting ? [v.record] : [],
  );
}
