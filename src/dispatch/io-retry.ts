import { BatonError } from "../errors.js";
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
      if (err instanceof BatonError || Date.now() - start > budgetMs) throw err;
      log.warn({ err: String(err) }, "NATS operation failed; retrying");
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 2000);
    }
  }
}
