import {
  BatonError,
  ConflictError,
  FailedPreconditionError,
  IllegalTransitionError,
  TaskNotFoundError,
  ValidationError,
} from "../errors.js";
import { isNatsUnavailable } from "../grpc/status.js";
import { HttpError, type HttpRequest, type HttpReply, type HttpRoute } from "../http/server.js";
import { assertSameOriginJson } from "./same-origin.js";

/** The HTTP status of a core error, so the API answers 400/404/409/503 instead of a bare 500. */
export function httpErrorOf(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  if (!(err instanceof BatonError)) return isNatsUnavailable(err) ? unavailable(err) : undefined;
  if (err instanceof ValidationError) return new HttpError(400, err.message);
  if (err instanceof TaskNotFoundError) return new HttpError(404, err.message);
  if (
    err instanceof FailedPreconditionError ||
    err instanceof IllegalTransitionError ||
    err instanceof ConflictError
  ) {
    return new HttpError(409, err.message);
  }
  if (isNatsUnavailable(err)) return unavailable(err);
  return undefined;
}

function unavailable(err: unknown): HttpError {
  const reason = err instanceof Error ? err.message : String(err);
  return new HttpError(503, `NATS unavailable: ${reason}`);
}

/**
 * A route whose core errors become their HTTP status (others stay a logged 500); POSTs must be
 * same-origin JSON.
 */
export function route(
  method: HttpRoute["method"],
  pattern: string,
  handler: (req: HttpRequest) => Promise<HttpReply> | HttpReply,
): HttpRoute {
  return {
    method,
    pattern,
    handler: async (req) => {
      try {
        if (method === "POST") assertSameOriginJson(req.raw);
        return await handler(req);
      } catch (err) {
        throw httpErrorOf(err) ?? err;
      }
    },
  };
}
