import type { BatonClient } from "../client/client.js";
import { HttpError, type HttpReply } from "../http/server.js";
import { readTrace, taskTraceId } from "../telemetry/span-store.js";
import { traceView } from "./trace-view.js";

/** GET /api/tasks/:id/trace: the task's whole trace (every process it touched) for the viewer. */
export async function taskTrace(client: BatonClient, id: string): Promise<HttpReply> {
  const traceId = taskTraceId(await client.get(id));
  if (!traceId) {
    throw new HttpError(
      404,
      `task ${id} has no trace: it was submitted with tracing off (BATON_TRACING=off)`,
    );
  }
  return { json: traceView(traceId, await readTrace(client.connection, traceId)) };
}
