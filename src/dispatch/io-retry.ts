import { JetStreamApiError } from "@nats-io/jetstream";
import { BatonError } from "../errors.js";
import { isWrongLastSequence } from "../nats/errors.js";
import type { Logger } from "../telemetry/logger.js";

/**
 * Retries an operation through transient NATS failures (a server restart, a timeout) so an
 * attempt that finished is recorded once the server is back. Baton's own errors are final.
 */
export async function withIoRetry<T>(
  op: () => Promise<T>,
  log: Logger,
  budgetMs = 60_000,
): Promise<T> {
  const start = Date.now();
  let delay = 100;
  for (;;) {
    try {
      return await op();
    } catch (err) {
      // The server answered (an API error, a lost CAS): retrying cannot change the answer.
      const answered = err instanceof JetStreamApiError || isWrongLastSequence(err);
      if (err instanceof BatonError || answered || Date.now() - start > budgetMs) throw err;
      log.warn({ err: String(err) }, "NATS operation failed; retrying");
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 2000);
    }
  }
}
