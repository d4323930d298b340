import type { TaskEvent, TaskRecord } from "../types.js";
import type { TaskApi } from "./backend.js";
import type { Output } from "./command.js";
import { StatusLine } from "./status-line.js";
import { applyEvent, initialStatus, statusText } from "./task-status.js";

/**
 * Watches a task to its end with a live status line on `stderr`; resolves with the final
 * record. Ctrl-C stops watching only: the task itself carries on.
 */
export async function followTask(
  client: Pick<TaskApi, "watch" | "get">,
  id: string,
  stderr: Output,
  onEvent?: (event: TaskEvent) => void,
): Promise<TaskRecord> {
  const line = new StatusLine(stderr);
  let status = initialStatus(id);
  line.update(statusText(status));
  // On a terminal the retry countdown keeps moving between events.
  const ticker = stderr.isTTY ? setInterval(() => line.update(statusText(status)), 500) : undefined;
  const onInterrupt = (): void => {
    line.end();
    stderr.write(`stopped waiting; task ${id} carries on (baton watch ${id})\n`);
    process.exit(130);
  };
  process.once("SIGINT", onInterrupt);
  try {
    for await (const event of client.watch(id)) {
      onEvent?.(event);
      status = applyEvent(status, event);
      line.update(statusText(status));
    }
  } finally {
    process.off("SIGINT", onInterrupt);
    clearInterval(ticker);
    line.end();
  }
  return client.get(id);
}
