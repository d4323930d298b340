import { RetryableError, TerminalError } from "../../src/errors.js";

const MAX_MESSAGE = 500;

/** `Retry-After` as milliseconds: delay-seconds or an HTTP date; undefined when absent or bad. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/u.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The error an endpoint's message carries, from the shapes OpenAI-compatible servers use. */
export function serverMessage(body: string, fallback: string): string {
  let message: unknown;
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    const error = json.error;
    message =
      typeof error === "object" && error !== null
        ? (error as Record<string, unknown>).message
        : (error ?? json.message ?? json.detail);
  } catch {
    message = body;
  }
  const text = typeof message === "string" ? message.trim() : "";
  if (!text) return fallback;
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}...` : text;
}

/**
 * Maps a failed HTTP response to the runtime's error policy: rate limits and server errors are
 * worth retrying (after `Retry-After` when given); other 4xx mean the request itself is wrong.
 */
export async function responseError(res: Response): Promise<Error> {
  const body = await res.text().catch(() => "");
  const message = `LLM endpoint returned ${res.status}: ${serverMessage(body, res.statusText)}`;
  if (res.status === 429 || res.status >= 500) {
    const after = retryAfterMs(res.headers.get("retry-after"));
    return new RetryableError(message, after === undefined ? {} : { retryAfterMs: after });
  }
  return new TerminalError(message);
}
