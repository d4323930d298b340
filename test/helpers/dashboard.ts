/** The dashboard on a free port for tests, and a reader for its Server-Sent Events. */
import type { BatonClient } from "../../src/client/client.js";
import { dashboardRoutes, type DashboardOptions } from "../../src/dashboard/routes.js";
import { startHttpServer, type HttpServer } from "../../src/http/server.js";
import { createLogger } from "../../src/telemetry/logger.js";

export interface TestDashboard extends AsyncDisposable {
  server: HttpServer;
  /** "http://127.0.0.1:<port>" */
  url: string;
  /** Stops the queue sampler too. */
  close(): Promise<void>;
}

export async function startDashboard(
  client: BatonClient,
  options: DashboardOptions = {},
): Promise<TestDashboard> {
  const stop = new AbortController();
  const server = await startHttpServer({
    host: "127.0.0.1",
    port: 0,
    routes: dashboardRoutes(client, { ...options, signal: stop.signal }),
    logger: createLogger("silent"),
  });
  const close = async (): Promise<void> => {
    stop.abort();
    await server.close();
  };
  return {
    server,
    url: `http://127.0.0.1:${server.port}`,
    close,
    [Symbol.asyncDispose]: close,
  };
}

export interface SseEvent {
  event: string;
  id?: string;
  data: unknown;
}

/**
 * Reads an SSE response event by event (comments skipped), until the stream ends or `until`
 * returns true for an event.
 */
export async function readSse(
  res: Response,
  until: (e: SseEvent) => boolean = () => false,
  onEvent?: (e: SseEvent) => void,
): Promise<SseEvent[]> {
  if (!res.body) throw new Error("response has no body");
  const out: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = "";
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return out;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const e: SseEvent = { event: "message", data: undefined };
        let data: string | undefined;
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") e.event = value;
          else if (field === "id") e.id = value;
          else if (field === "data") data = data === undefined ? value : `${data}\n${value}`;
        }
        if (data === undefined) continue;
        e.data = JSON.parse(data) as unknown;
        out.push(e);
        onEvent?.(e);
        if (until(e)) return out;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
