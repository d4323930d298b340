import { parseTaskMessage } from "../../dispatch/task-message.js";
import type { BatonConnection } from "../../nats/connection.js";
import { storedEvents, submittedEvent, type StoredEventBody } from "../../store/events.js";
import { TaskState, type TaskEventBody } from "../../types.js";
import { truncate } from "../format.js";

const decoder = new TextDecoder();

function clock(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

function describe(event: TaskEventBody): string | undefined {
  if (event.type !== "state") return undefined;
  const parts = [clock(event.time), event.taskId, event.state];
  if (event.attempt > 0) parts.push(`attempt ${event.attempt}`);
  if (event.result !== undefined) parts.push(truncate(JSON.stringify(event.result), 60));
  // A claimed task still carries its previous error; show errors only where they explain a state.
  else if (event.error && event.state !== TaskState.Running) {
    parts.push(truncate(event.error.message, 60));
  }
  return parts.join("  ");
}

/**
 * Prints one line per state change of any task, so tasks submitted from another terminal show
 * up in the quickstart's. Plain NATS: it sees what JetStream stores, without a consumer. Submit
 * stores no PENDING event, so a new task's first line comes from its queue message (a fresh
 * submit's carries the record; a replay's does not, and publishes its PENDING event instead).
 */
export function printActivity(conn: BatonConnection, write: (line: string) => void): () => void {
  const events = conn.nc.subscribe(conn.names.eventsWildcard, {
    callback: (err, msg) => {
      if (err) return;
      try {
        const body = JSON.parse(decoder.decode(msg.data)) as StoredEventBody;
        for (const event of storedEvents(body, 0)) {
          const line = describe(event);
          if (line) write(`  ${line}`);
        }
      } catch {
        // Not an event we understand; the activity feed is best effort.
      }
    },
  });
  const submits = conn.nc.subscribe(conn.names.tasksWildcard, {
    callback: (err, msg) => {
      const record = err ? undefined : parseTaskMessage(msg.data)?.inline?.record;
      if (!record) return;
      const line = describe(submittedEvent(record));
      if (line) write(`  ${line}`);
    },
  });
  return () => {
    events.unsubscribe();
    submits.unsubscribe();
  };
}
