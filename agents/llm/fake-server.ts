import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as the fake endpoint saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: unknown;
}

export type Respond = (res: ServerResponse, req: SeenRequest) => void | Promise<void>;

/** A stand-in for an OpenAI-compatible API on a loopback port, for tests. */
export interface FakeEndpoint extends AsyncDisposable {
  /** Base URL to put in BATON_LLM_BASE_URL (ends in /v1). */
  readonly baseUrl: string;
  readonly requests: SeenRequest[];
  /** How the next requests are answered. */
  respond: Respond;
  close(): Promise<void>;
}

export async function startFakeEndpoint(): Promise<FakeEndpoint> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (b: Buffer) => parts.push(b));
    req.on("end", () => {
      const text = Buffer.concat(parts).toString("utf8");
      const seen: SeenRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: text ? (JSON.parse(text) as unknown) : undefined,
      };
      requests.push(seen);
      Promise.resolve(endpoint.respond(res, seen)).catch((err: unknown) => {
        res.destroy(err instanceof Error ? err : new Error(String(err)));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  const endpoint: FakeEndpoint = {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    respond: (res) => {
      res.writeHead(500).end();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
  return endpoint;
}

/** One streamed chunk in the OpenAI format. */
export function chunk(content: string | null, finishReason: string | null = null): string {
  const delta = content === null ? {} : { content };
  const body = { model: "fake-1", choices: [{ index: 0, delta, finish_reason: finishReason }] };
  return `data: ${JSON.stringify(body)}\n\n`;
}

export function startStream(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.flushHeaders();
}
