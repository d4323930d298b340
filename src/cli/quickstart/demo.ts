import type { BatonClient } from "../../client/client.js";
import {
  TaskState,
  type AttemptRecord,
  type JsonValue,
  type TaskEvent,
  type TaskRecord,
} from "../../types.js";
import { describeProgress, formatSeconds, truncate } from "../format.js";

/** Sleeps 3s in 3 durable steps and fails once at the end, so the retry skips the steps. */
export const DEMO_CAPABILITY = "sleep";
export const DEMO_INPUT = { ms: 3000, steps: 3, failTimes: 1 } satisfies JsonValue;

type Write = (line: string) => void;

function narrate(event: TaskEvent, createdAt: number): string {
  const at = formatSeconds(event.time - createdAt).padStart(6);
  switch (event.type) {
    case "progress":
      return `${at}  attempt ${event.attempt}: ${describeProgress(event.progress)} done`;
    case "output":
      return `${at}  attempt ${event.attempt} output: ${truncate(JSON.stringify(event.chunk), 60)}`;
    case "state": {
      if (event.state === TaskState.Pending && event.attempt > 0 && event.error) {
        const wait = event.runAt !== undefined ? event.runAt - event.time : 0;
        return (
          `${at}  attempt ${event.attempt} failed: ${truncate(event.error.message, 70)}; ` +
          `retrying in ${formatSeconds(wait)}`
        );
      }
      if (event.state === TaskState.Running) return `${at}  attempt ${event.attempt} RUNNING`;
      return `${at}  ${event.state}`;
    }
  }
}

function attemptLine(a: AttemptRecord, record: TaskRecord): string {
  const took = a.endedAt !== undefined ? formatSeconds(a.endedAt - a.startedAt) : "?";
  let line = `    attempt ${a.attempt}: ${a.outcome ?? "running"} after ${took}`;
  if (a.error) line += ` (${truncate(a.error.message, 70)})`;
  // A quick successful retry means the stored steps were returned, not slept through again.
  const earlier = record.attempts.filter((x) => x.attempt < a.attempt && x.outcome === "failed");
  if (a.outcome === "succeeded" && earlier.length > 0 && a.endedAt !== undefined) {
    const first = earlier[0];
    const firstTook = first?.endedAt !== undefined ? first.endedAt - first.startedAt : 0;
    if (a.endedAt - a.startedAt < firstTook / 2) {
      line += "; its finished steps were read back from storage, not run again";
    }
  }
  return line;
}

export function summary(record: TaskRecord): string[] {
  const took = (record.finishedAt ?? record.updatedAt) - record.createdAt;
  const lines = [
    `Demo task ${record.id} ${record.state} in ${formatSeconds(took)} after ` +
      `${record.attempts.length} attempt${record.attempts.length === 1 ? "" : "s"}.`,
  ];
  if (record.result !== undefined) lines.push(`    result: ${JSON.stringify(record.result)}`);
  if (record.error) lines.push(`    error: ${record.error.message}`);
  for (const a of record.attempts) lines.push(attemptLine(a, record));
  return lines;
}

/** Submits the demo task and narrates its events; resolves with the final record. */
export async function runDemo(client: BatonClient, write: Write): Promise<TaskRecord> {
  write(`Submitting a demo task to "${DEMO_CAPABILITY}": ${JSON.stringify(DEMO_INPUT)}`);
  write("It sleeps 3s in 3 durable steps and fails once on purpose: watch the retry skip the");
  write("steps that already finished.");
  write("");
  const task = await client.submit(DEMO_CAPABILITY, DEMO_INPUT);
  write(`  task ${task.id}`);
  for await (const event of client.watch(task.id)) write(narrate(event, task.createdAt));
  return client.get(task.id);
}
