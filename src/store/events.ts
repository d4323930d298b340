import { DeliverPolicy } from "@nats-io/jetstream";
import type { BatonConnection } from "../nats/connection.js";
import { HeaderBlock } from "../nats/header-block.js";
import { directLast, jsPublish } from "../nats/js-fast.js";
import { utf8 } from "../nats/utf8.js";
import {
  TaskState,
  type StateEvent,
  type TaskEvent,
  type TaskEventBody,
  type TaskRecord,
} from "../types.js";

const decoder = new TextDecoder();

/** Appends an event to the task's subject in the events stream; resolves with its sequence. */
export function publishEvent(
  conn: BatonConnection,
  body: StoredEventBody,
  msgID?: string,
): Promise<number> {
  return jsPublish(
    conn.mux,
    conn.names.eventsSubject(body.taskId),
    utf8(JSON.stringify(body)),
    msgID ? { msgID } : undefined,
  ).then((ack) => ack.seq);
}

/**
 * Appends an event without waiting for the stream's acknowledgement (one message instead of a
 * round trip). It leaves in order with the connection's other task-path publishes, so it is
 * stored before any event sent after it; it may be lost if the connection drops first.
 */
export function sendEvent(conn: BatonConnection, body: StoredEventBody, msgID: string): void {
  const h = new HeaderBlock().add("Nats-Msg-Id", msgID);
  conn.mux.send(conn.names.eventsSubject(body.taskId), utf8(JSON.stringify(body)), h);
}

/**
 * A task's first event, made from its record: submit stores no PENDING event (one durable write
 * per task fewer), so a watch from the start begins with this one. Sequence 0: it has no place in
 * the events stream. Made only of fields that never change, so every watch shows the same one.
 */
export function submittedEvent(record: TaskRecord): StateEvent {
  return {
    type: "state",
    taskId: record.id,
    time: record.createdAt,
    state: TaskState.Pending,
    attempt: 0,
    ...(record.submitRunAt !== undefined ? { runAt: record.submitRunAt } : {}),
    seq: 0,
  };
}

/**
 * The PENDING event submit stored before submittedEvent replaced it (tasks from older versions):
 * attempt 0 at the record's creation time. A replay of a task that died before any claim also
 * publishes PENDING for attempt 0, but later.
 */
export function isStoredSubmitEvent(event: TaskEvent, createdAt: number): boolean {
  return (
    event.type === "state" &&
    event.state === TaskState.Pending &&
    event.attempt === 0 &&
    event.time === createdAt
  );
}

/**
 * The task's last stored event, or undefined when it has none: a direct get, one message each
 * way over the request mux (connecting turns direct gets on for the events stream).
 */
export async function lastEvent(
  conn: BatonConnection,
  taskId: string,
): Promise<TaskEventBody | undefined> {
  const subject = conn.names.eventsSubject(taskId);
  const last = await directLast(conn.mux, conn.names.eventsStream, subject);
  return last ? (JSON.parse(decoder.decode(last.data)) as TaskEventBody) : undefined;
}

/**
 * A stored state event may carry `runningAt`: a first attempt that ended before its RUNNING event
 * was due stores that event inside its terminal one (one durable write fewer per short task).
 */
export type StoredEventBody = TaskEventBody & { runningAt?: number };

/**
 * The events one stored message stands for, as watchers see them. A terminal event that carries
 * its attempt's RUNNING is two: RUNNING first, numbered with the sequence before the terminal
 * one (no event of the same task is stored there: the attempt stored none before its end), and
 * left out when a resume starts after it (`fromSeq` above it). `seq` 0: a message read without
 * its sequence (a plain subscription).
 */
export function storedEvents(body: StoredEventBody, seq: number, fromSeq?: number): TaskEvent[] {
  if (body.type !== "state" || body.runningAt === undefined) return [{ ...body, seq }];
  const { runningAt, ...terminal } = body;
  const end: TaskEvent = { ...terminal, seq };
  if (fromSeq !== undefined && seq - 1 < fromSeq) return [end];
  const running: StateEvent = {
    type: "state",
    taskId: body.taskId,
    time: runningAt,
    state: TaskState.Running,
    attempt: body.attempt,
    seq: Math.max(0, seq - 1),
  };
  return [running, end];
}

export interface EventSubscription extends AsyncIterable<TaskEvent> {
  stop(): void;
}

/** Every event of one task from `fromSeq` (or the start), then live, until stopped. */
export async function subscribeEvents(
  conn: BatonConnection,
  taskId: string,
  fromSeq?: number,
): Promise<EventSubscription> {
  const consumer = await conn.js.consumers.get(conn.names.eventsStream, {
    filter_subjects: conn.names.eventsSubject(taskId),
    ...(fromSeq
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq }
      : { deliver_policy: DeliverPolicy.All }),
  });
  const messages = await consumer.consume();
  return {
    // Ordered consumers are ephemeral but linger on the server until their inactivity
    // threshold; delete at once so every watch does not leave one behind.
    stop: () => {
      void messages.close().then(() => consumer.delete().catch(() => undefined));
    },
    async *[Symbol.asyncIterator]() {
      for await (const m of messages) {
        const body = JSON.parse(decoder.decode(m.data)) as StoredEventBody;
        yield* storedEvents(body, m.seq, fromSeq);
      }
    },
  };
}
