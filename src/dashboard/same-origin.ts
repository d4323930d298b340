import type { IncomingMessage } from "node:http";
import { HttpError } from "../http/server.js";

/**
 * Guards the POST routes (cancel, replay) of a server without authentication against other web
 * pages: a cross-site form cannot send JSON without a CORS preflight, which is never answered,
 * and a browser's Origin header must name this server.
 */
export function assertSameOriginJson(req: IncomingMessage): void {
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/json(;|$)/i.test(type.trim())) {
    throw new HttpError(415, "POST requests must send content-type: application/json");
  }
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host === undefined || host !== req.headers.host) {
    throw new HttpError(403, `cross-origin request from ${origin} refused`);
  }
}
