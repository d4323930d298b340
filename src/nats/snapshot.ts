import { DeliverPolicy, type JetStreamClient } from "@nats-io/jetstream";

export interface SnapshotMessage {
  subject: string;
  seq: number;
  data: Uint8Array;
}

export interface SnapshotOptions {
  /** Subject filter within the stream. */
  filter: string;
  /** Only the newest message of each subject (how a KV bucket's current values are read). */
  lastPerSubject?: boolean;
  /** Start at this stream sequence instead of the beginning. */
  fromSeq?: number;
  /** Read at most this many messages. */
  limit?: number;
}

/**
 * Reads the messages a stream holds when the call starts, through an ephemeral ordered consumer
 * that is deleted afterwards. It stops at the count pending at the start, so writes made while it
 * reads can neither stall it (as KV `keys()` can) nor make it run on.
 */
export async function readSnapshot(
  js: JetStreamClient,
  stream: string,
  options: SnapshotOptions,
): Promise<SnapshotMessage[]> {
  const consumer = await js.consumers.get(stream, {
    filter_subjects: options.filter,
    ...(options.lastPerSubject
      ? { deliver_policy: DeliverPolicy.LastPerSubject }
      : options.fromSeq
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: options.fromSeq }
        : { deliver_policy: DeliverPolicy.All }),
  });
  const out: SnapshotMessage[] = [];
  try {
    const pending = (await consumer.info(true)).num_pending;
    const total = Math.min(pending, options.limit ?? Infinity);
    if (total === 0) return out;
    const messages = await consumer.consume({ max_messages: Math.min(total, 1024) });
    for await (const m of messages) {
      out.push({ subject: m.subject, seq: m.seq, data: m.data });
      if (out.length >= total) break;
    }
    await messages.close();
  } finally {
    await consumer.delete().catch(() => undefined);
  }
  return out;
}

/** The current value of every key in a KV bucket; deleted keys are left out. */
export async function kvSnapshot(
  js: JetStreamClient,
  bucket: string,
): Promise<Map<string, Uint8Array>> {
  const prefix = `$KV.${bucket}.`;
  const values = new Map<string, Uint8Array>();
  for (const m of await readSnapshot(js, `KV_${bucket}`, {
    filter: `${prefix}>`,
    lastPerSubject: true,
  })) {
    const key = m.subject.slice(prefix.length);
    // A key rewritten during the read may come twice; the later message is the newer value.
    if (m.data.length > 0) values.set(key, m.data);
    else values.delete(key);
  }
  return values;
}
