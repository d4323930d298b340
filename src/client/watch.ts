import type { BatonConnection } from "../nats/connection.js";
import { isStoredSubmitEvent, submittedEvent, subscribeEvents } from "../store/events.js";
import { isTerminal } from "../store/states.js";
import type { StateEvent, TaskEvent } from "../types.js";

export interface WatchOptions {
  /** Resume after a previously seen event: deliver from this events-stream sequence. */
  fromSeq?: number;
  /** How often to re-read the record in case a terminal event was never published. */
  pollMs?: number;
  /** Ends the watch (quietly) when aborted, even while it waits for the next event. */
  signal?: AbortSignal;
}

/** How often a watch (or a wait) reads the record again in case a terminal event is missing. */
export const RECORD_POLL_MS = 2000;

const TICK = Symbol("tick");
const STOP = Symbol("stop");

/**
 * Events of one task from the start, then live, ending with its terminal state. The first
 * event (PENDING, sequence 0) is made from the record; the rest come from the events stream. A
 * writer that died between its state change and the event leaves a gap; the record is re-read
 * periodically and a terminal state found there ends the watch with an event made from it.
 */
export async function* watchTask(
  conn: BatonConnection,
  taskId: string,
  options: WatchOptions = {},
): AsyncGenerator<TaskEvent> {
  const pollMs = options.pollMs ?? RECORD_POLL_MS;
  const signal = options.signal;
  if (signal?.aborted) return;
  const first = await conn.tasks.require(taskId);
  const sub = await subscribeEvents(conn, taskId, options.fromSeq);
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<typeof STOP>((resolve) => {
    onAbort = () => resolve(STOP);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  const it = sub[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  let terminalSeenInRecord = 0;
  try {
    if (options.fromSeq === undefined) yield submittedEvent(first.record);
    let next = it.next();
    for (;;) {
      const tick = new Promise<typeof TICK>((resolve) => {
        timer = setTimeout(() => resolve(TICK), pollMs);
      });
      const r = await Promise.race([next, tick, stopped]);
      clearTimeout(timer);
      if (r === STOP) return;
      if (r === TICK) {
        const found = await conn.tasks.get(taskId);
        if (found && isTerminal(found.record.state)) {
          // Give an in-flight terminal event one more poll to arrive before synthesising it.
          if (++terminalSeenInRecord >= 2) {
            const rec = found.record;
            const event: StateEvent = {
              type: "state",
              seq: 0,
              taskId,
              time: rec.finishedAt ?? rec.updatedAt,
              state: rec.state,
              attempt: rec.attempt,
              ...(rec.error ? { error: rec.error } : {}),
              ...(rec.result !== undefined ? { result: rec.result } : {}),
            };
            yield event;
            return;
          }
        }
        continue;
      }
      if (r.done) return;
      next = it.next();
      const event = r.value;
      // A task submitted by an older version also has a stored first PENDING: the one made
      // from the record stands for it, also after a resume.
      if (isStoredSubmitEvent(event, first.record.createdAt)) continue;
      yield event;
      if (event.type === "state" && isTerminal(event.state)) {
        // A replayed task has an earlier DEAD in its history: end only at the current terminal
        // state (the record is written before its event, so a live one always matches).
        const current = await conn.tasks.get(taskId);
        if (
          !current ||
          (current.record.state === event.state && current.record.attempt === event.attempt)
        ) {
          return;
        }
      }
    }
  } finally {
    // A parent's signal outlives many child watches: do not leave a listener per watch on it.
    if (onAbort) signal?.removeEventListener("abort", onAbort);
    clearTimeout(timer);
    sub.stop();
  }
}
