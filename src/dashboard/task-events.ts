import type { IncomingMessage, ServerResponse } from "node:http";
import type { BatonClient } from "../client/client.js";
import { HttpError, type HttpReply } from "../http/server.js";
import type { Logger } from "../telemetry/logger.js";

/** A comment line now and then keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

/** The events-stream sequence to resume from: after `Last-Event-ID` (a reconnect) or `?from=`. */
export function resumeFrom(req: IncomingMessage, query: URLSearchParams): number | undefined {
  const header = req.headers["last-event-id"];
  const last = typeof header === "string" && header !== "" ? header : undefined;
  if (last !== undefined) {
    const seq = Number(last);
    if (!Number.isInteger(seq) || seq < 0) {
      throw new HttpError(400, `Last-Event-ID: must be an event sequence number, got "${last}"`);
    }
    return seq + 1;
  }
  const from = query.get("from");
  if (from === null || from === "") return undefined;
  const seq = Number(from);
  if (!Number.isInteger(seq) || seq < 1) {
    throw new HttpError(400, `from: must be a positive integer, got "${from}"`);
  }
  return seq;
}

function frame(event: string, data: unknown, id?: number): string {
  // JSON.stringify never emits a raw newline, so each payload is one `data:` line.
  return `${id !== undefined ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * A task's state, progress and output events as Server-Sent Events (`event:` is the event type,
 * `id:` its sequence), then `event: end` once the task reached a terminal state.
 */
export function taskEventStream(
  client: BatonClient,
  taskId: string,
  fromSeq: number | undefined,
  logger: Logger,
): HttpReply {
  const stream = (res: ServerResponse, req: IncomingMessage): void => {
    const stop = new AbortController();
    res.once("close", () => stop.abort());
    req.once("close", () => stop.abort());
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      // nginx and friends buffer responses unless told otherwise.
      "x-accel-buffering": "no",
    });
    res.write(": watching\n\n");
    const keepalive = setInterval(() => res.write(": keepalive\n\n"), KEEPALIVE_MS);
    const run = async (): Promise<void> => {
      const events = client.watch(taskId, {
        signal: stop.signal,
        ...(fromSeq !== undefined ? { fromSeq } : {}),
      });
      // From the start, the first event (PENDING, made from the record) has sequence 0: its id
      // makes a reconnect resume after it. Any other seq-0 event (a terminal state rebuilt) gets
      // no id, so it cannot move the reconnect point back.
      let first = fromSeq === undefined;
      for await (const event of events) {
        res.write(frame(event.type, event, event.seq > 0 || first ? event.seq : undefined));
        first = false;
      }
      if (!stop.signal.aborted) res.write(frame("end", { taskId }));
    };
    run()
      .catch((err: unknown) => {
        if (stop.signal.aborted) return;
        logger.warn({ err, taskId }, "dashboard event stream failed");
        const message = err instanceof Error ? err.message : String(err);
        res.write(frame("failure", { message }));
      })
      .finally(() => {
        clearInterval(keepalive);
        res.end();
      });
  };
  return { stream };
}
