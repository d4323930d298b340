import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../telemetry/logger.js";

/** What a route answers: a status, a body and headers; `stream` for responses kept open (SSE). */
export type HttpReply =
  | { status?: number; json: unknown; headers?: Record<string, string> }
  | {
      status?: number;
      text: string | Buffer;
      contentType: string;
      headers?: Record<string, string>;
    }
  | { stream: (res: ServerResponse, req: IncomingMessage) => void };

export interface HttpRequest {
  method: string;
  /** Path without the query string, e.g. "/api/tasks/01H...". */
  path: string;
  query: URLSearchParams;
  /** Named segments of the route pattern (":id"). */
  params: Record<string, string>;
  /** The raw request, for bodies and headers. */
  raw: IncomingMessage;
}

export interface HttpRoute {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** "/api/tasks/:id"; a trailing "/*" matches any rest of the path (as params["*"]). */
  pattern: string;
  handler: (req: HttpRequest) => Promise<HttpReply> | HttpReply;
}

export interface HttpServer {
  /** host:port it listens on, with the bound port. */
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/** An error a handler throws to answer with this status and message as JSON. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const got = path.split("/");
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? "";
    if (w === "*" && i === want.length - 1) {
      params["*"] = got.slice(i).map(decodeURIComponent).join("/");
      return params;
    }
    const g = got[i];
    if (g === undefined) return undefined;
    if (w.startsWith(":")) params[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return undefined;
  }
  return got.length === want.length ? params : undefined;
}

function send(res: ServerResponse, reply: Exclude<HttpReply, { stream: unknown }>): void {
  const status = reply.status ?? 200;
  if ("json" in reply) {
    const body = JSON.stringify(reply.json);
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      ...reply.headers,
    });
    res.end(body);
    return;
  }
  res.writeHead(status, { "content-type": reply.contentType, ...reply.headers });
  res.end(reply.text);
}

/** Reads a JSON request body of at most `limit` bytes; a bad body is a 400. */
export async function readJson(req: IncomingMessage, limit = 1 << 20): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) throw new HttpError(413, `request body larger than ${limit} bytes`);
    chunks.push(b);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    throw new HttpError(400, "request body is not JSON");
  }
}

/**
 * A small HTTP server for /metrics, the dashboard and its JSON API: routes are matched in order,
 * a handler's HttpError becomes that status, anything else a logged 500.
 */
export async function startHttpServer(opts: {
  host: string;
  port: number;
  routes: readonly HttpRoute[];
  logger: Logger;
}): Promise<HttpServer> {
  const { routes, logger } = opts;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = req.method ?? "GET";
    let params: Record<string, string> | undefined;
    const route = routes.find((r) => {
      if (r.method !== method && !(method === "HEAD" && r.method === "GET")) return false;
      params = match(r.pattern, url.pathname);
      return params !== undefined;
    });
    if (!route || !params) {
      send(res, { status: 404, json: { error: `no route for ${method} ${url.pathname}` } });
      return;
    }
    const request: HttpRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      params,
      raw: req,
    };
    Promise.resolve()
      .then(() => route.handler(request))
      .then((reply) => {
        if ("stream" in reply) reply.stream(res, req);
        else send(res, reply);
      })
      .catch((err: unknown) => {
        if (err instanceof HttpError) {
          send(res, { status: err.status, json: { error: err.message } });
          return;
        }
        logger.error({ err, path: url.pathname }, "HTTP handler failed");
        if (!res.headersSent) send(res, { status: 500, json: { error: "internal error" } });
        else res.end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  return {
    address: `${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
