import { JetStreamApiError } from "@nats-io/jetstream";
import { BatonError } from "../errors.js";
import { isWrongLastSequence } from "../nats/errors.js";
import type { Logger } from "../telemetry/logger.js";

/**
 * Retries an operation through transient NATS failures (a server restart, a timeout) so an
 * attempt that finished is recorded once the server is back. Baton's own errors are final.
 * The first try is the operation's own promise (no async wrapper): this runs twice per task.
 */
export function withIoRetry<T>(op: () => Promise<T>, log: Logger, budgetMs = 60_000): Promise<T> {
  const start = Date.now();
  try {
    return op().catch((err: unknown) => retry(op, log, start, budgetMs, err));
  } catch (err) {
    return retry(op, log, start, budgetMs, err);
  }
}

async function retry<T>(
  op: () => Promise<T>,
  log: Logger,
  start: number,
  budgetMs: number,
  failure: unknown,
): Promise<T> {
  let err = failure;
  let delay = 100;
  for (;;) {
    // The server answered (an API error, a lost CAS): retrying cannot change the answer.
    const answered = err instanceof JetStreamApiError || isWrongLastSequence(err);
    if (err instanceof BatonError || answered || Date.now() - start > budgetMs) throw err;
    log.warn({ err: String(err) }, "NATS operation failed; retrying");
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 2000);
    try {
      return await op();
    } catch (next) {
      err = next;
    }
  }
}
