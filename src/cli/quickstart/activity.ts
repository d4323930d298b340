import type { BatonConnection } from "../../nats/connection.js";
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
 * up in the quickstart's. Plain NATS: it sees what JetStream stores, without a consumer.
 */
export function printActivity(conn: BatonConnection, write: (line: string) => void): () => void {
  const sub = conn.nc.subscribe(conn.names.eventsWildcard, {
    callback: (err, msg) => {
      if (err) return;
      try {
        const line = describe(JSON.parse(decoder.decode(msg.data)) as TaskEventBody);
        if (line) write(`  ${line}`);
      } catch {
        // Not an event we understand; the activity feed is best effort.
      }
    },
  });
  return () => sub.unsubscribe();
}
