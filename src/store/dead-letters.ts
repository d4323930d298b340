import { readSnapshot } from "../nats/snapshot.js";
import type { BatonConnection } from "../nats/connection.js";
import type { DeadLetter, TaskRecord } from "../types.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Copies a DEAD record into the dead-letter stream (deduplicated per replay generation). */
export async function publishDeadLetter(conn: BatonConnection, record: TaskRecord): Promise<void> {
  const body: Omit<DeadLetter, "seq"> = {
    taskId: record.id,
    capability: record.capability,
    input: record.input,
    attempts: record.attempts,
    deadAt: record.finishedAt ?? Date.now(),
    ...(record.error ? { error: record.error } : {}),
  };
  await conn.js.publish(
    conn.names.dlqSubject(record.capability),
    encoder.encode(JSON.stringify(body)),
    {
      msgID: `${record.id}:dead:${record.replays ?? 0}`,
    },
  );
}

/** Dead letters in stream order, optionally of one capability. */
export async function listDeadLetters(
  conn: BatonConnection,
  options: { capability?: string; limit?: number; fromSeq?: number } = {},
): Promise<DeadLetter[]> {
  const limit = options.limit ?? 1000;
  const subject = options.capability
    ? conn.names.dlqSubject(options.capability)
    : conn.names.dlqWildcard;
  const messages = await readSnapshot(conn.js, conn.names.dlqStream, {
    filter: subject,
    limit,
    ...(options.fromSeq ? { fromSeq: options.fromSeq } : {}),
  });
  return messages.map((m) => ({
    ...(JSON.parse(decoder.decode(m.data)) as Omit<DeadLetter, "seq">),
    seq: m.seq,
  }));
}

export async function removeDeadLetter(conn: BatonConnection, seq: number): Promise<void> {
  await conn.jsm.streams.deleteMessage(conn.names.dlqStream, seq, false);
}
