import { DeliverPolicy, type JetStreamClient } from "@nats-io/jetstream";

export interface SnapshotMessage {
  subject: string;
  seq: number;
  data: Uint8Array;
}

export interface SnapshotOptions {
  /** Subject filter within the stream. */
  filter: string;
  /**
   * Read on until the consumer has nothing pending, instead of stopping at the count pending at
   * the start (how a KV bucket's current values are read; see kvSnapshot).
   */
  readOn?: boolean;
  /** Start at this stream sequence instead of the beginning. */
  fromSeq?: number;
  /** Read at most this many messages. */
  limit?: number;
}

/** How long a read may go without a message before it asks the server whether any are left. */
const IDLE_CHECK_MS = 250;

/**
 * Reads the messages a stream holds when the call starts, through an ephemeral ordered consumer
 * that is deleted afterwards. A plain read stops at the count pending at the start, so writes made
 * while it reads cannot make it run on. A `readOn` read (a KV bucket) goes on until the consumer
 * has nothing pending: a key rewritten during the read moves past the start's count (its old value
 * deleted), and stopping at the count would miss it. When messages counted as pending are deleted
 * before delivery, the read stops once the server reports nothing left, so it cannot wait for them
 * forever.
 */
export async function readSnapshot(
  js: JetStreamClient,
  stream: string,
  options: SnapshotOptions,
): Promise<SnapshotMessage[]> {
  const out: SnapshotMessage[] = [];
  await visitSnapshot(js, stream, options, (m) => out.push(m));
  return out;
}

/** readSnapshot without the array: each message goes to `visit` in stream order as it arrives. */
export async function visitSnapshot(
  js: JetStreamClient,
  stream: string,
  options: SnapshotOptions,
  visit: (m: SnapshotMessage) => void,
): Promise<void> {
  const consumer = await js.consumers.get(stream, {
    filter_subjects: options.filter,
    ...(options.fromSeq
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: options.fromSeq }
      : { deliver_policy: DeliverPolicy.All }),
  });
  let read = 0;
  let idleCheck: NodeJS.Timeout | undefined;
  try {
    const pending = (await consumer.info(true)).num_pending;
    const limit = options.limit ?? Infinity;
    const total = Math.min(pending, limit);
    if (total === 0) return;
    const messages = await consumer.consume({ max_messages: Math.min(total, 1024) });
    // Under writes faster than the read, chasing could go on for ever; past this it stops.
    const chaseCap = 2 * total + 1024;
    let lastMessageAt = Date.now();
    let checking = false;
    idleCheck = setInterval(() => {
      if (checking || Date.now() - lastMessageAt < IDLE_CHECK_MS) return;
      checking = true;
      consumer.info().then(
        (info) => {
          checking = false;
          if (info.num_pending === 0) messages.stop();
        },
        () => {
          checking = false;
        },
      );
    }, IDLE_CHECK_MS);
    for await (const m of messages) {
      lastMessageAt = Date.now();
      visit({ subject: m.subject, seq: m.seq, data: m.data });
      read++;
      if (read >= limit) break;
      if (options.readOn ? m.info.pending === 0 || read >= chaseCap : read >= total) break;
    }
    await messages.close();
  } finally {
    clearInterval(idleCheck);
    await consumer.delete().catch(() => undefined);
  }
}

/** The current value of every key in a KV bucket; deleted keys are left out. */
export async function kvSnapshot(
  js: JetStreamClient,
  bucket: string,
): Promise<Map<string, Uint8Array>> {
  const prefix = `$KV.${bucket}.`;
  const values = new Map<string, Uint8Array>();
  // Every message, not the last per subject: nats-server 2.9's pending count for a
  // last-per-subject consumer can reach 0 while a key rewritten during the read is still ahead (a
  // key went missing in CI that way). So the older revisions a bucket keeps (the tasks bucket
  // keeps three) are read too; folded as they arrive, a key's later message replaces the earlier,
  // and only current values are held.
  await visitSnapshot(js, `KV_${bucket}`, { filter: `${prefix}>`, readOn: true }, (m) => {
    const key = m.subject.slice(prefix.length);
    if (m.data.length > 0) values.set(key, m.data);
    else values.delete(key);
  });
  return values;
}
