import { ConfigError, ValidationError } from "./errors.js";
import { formatDuration, invalidDurationMessage, parseDuration } from "./config/duration.js";

/** A compiled retry policy; all intervals in milliseconds. */
export interface RetryPolicy {
  /** Total attempts including the first one. */
  maxAttempts: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  /** Fraction in [0, 1]: the delay varies uniformly by +/- this share. */
  jitter: number;
}

/** Retry settings as a user writes them (durations may be strings like "5s"). */
export interface RetryOptions {
  maxAttempts?: number;
  initialInterval?: number | string;
  backoffCoefficient?: number;
  maximumInterval?: number | string;
  jitter?: number;
}

export type RetryOptionKey = keyof RetryOptions;

export const RETRY_OPTION_KEYS: readonly RetryOptionKey[] = [
  "maxAttempts",
  "initialInterval",
  "backoffCoefficient",
  "maximumInterval",
  "jitter",
];

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 3,
  initialIntervalMs: 1000,
  backoffCoefficient: 2,
  maximumIntervalMs: 60_000,
  jitter: 0.2,
});

/**
 * Builds the error for an invalid retry field. `key` is a RetryOptions key,
 * or another string for a key that is not one (unknown keys).
 */
export type RetryErrorFactory = (key: string, message: string) => Error;

/**
 * Validate `opts` over `base` and return the resulting policy. Errors are
 * ValidationError naming `${fieldPrefix}.<key>`.
 */
export function compileRetryPolicy(
  opts: RetryOptions | undefined,
  base: RetryPolicy,
  fieldPrefix: string,
): RetryPolicy {
  return resolveRetryPolicy(opts, base, (key, message) =>
    key === ""
      ? new ValidationError(fieldPrefix, message)
      : new ValidationError(`${fieldPrefix}.${key}`, message),
  );
}

/**
 * compileRetryPolicy with caller-chosen errors, so configuration can name the
 * environment variable or flag a value came from. An empty key means the
 * options value as a whole.
 */
export function resolveRetryPolicy(
  opts: RetryOptions | undefined,
  base: RetryPolicy,
  makeError: RetryErrorFactory,
): RetryPolicy {
  if (opts === undefined) return { ...base };
  if (typeof opts !== "object" || opts === null || Array.isArray(opts)) {
    throw makeError("", "expected an object of retry settings");
  }
  for (const key of Object.keys(opts)) {
    if (!(RETRY_OPTION_KEYS as readonly string[]).includes(key)) {
      throw makeError(
        key,
        `unknown retry setting (expected one of ${RETRY_OPTION_KEYS.join(", ")})`,
      );
    }
  }

  const policy: RetryPolicy = { ...base };

  if (opts.maxAttempts !== undefined) {
    const v: unknown = opts.maxAttempts;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) {
      throw makeError("maxAttempts", `must be an integer >= 1, got ${describe(v)}`);
    }
    policy.maxAttempts = v;
  }
  if (opts.backoffCoefficient !== undefined) {
    const v: unknown = opts.backoffCoefficient;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 1) {
      throw makeError("backoffCoefficient", `must be a number >= 1, got ${describe(v)}`);
    }
    policy.backoffCoefficient = v;
  }
  if (opts.jitter !== undefined) {
    const v: unknown = opts.jitter;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > 1) {
      throw makeError("jitter", `must be a number between 0 and 1, got ${describe(v)}`);
    }
    policy.jitter = v;
  }
  if (opts.initialInterval !== undefined) {
    const ms = durationField(opts.initialInterval, "initialInterval", makeError);
    if (ms <= 0)
      throw makeError(
        "initialInterval",
        `must be greater than 0, got ${describe(opts.initialInterval)}`,
      );
    policy.initialIntervalMs = ms;
  }
  if (opts.maximumInterval !== undefined) {
    policy.maximumIntervalMs = durationField(opts.maximumInterval, "maximumInterval", makeError);
  }
  if (policy.maximumIntervalMs < policy.initialIntervalMs) {
    // Blame the field the caller actually set; prefer maximumInterval when both were.
    const blamed: RetryOptionKey =
      opts.maximumInterval !== undefined ? "maximumInterval" : "initialInterval";
    throw makeError(
      blamed,
      `maximumInterval (${formatDuration(policy.maximumIntervalMs)}) must be >= initialInterval (${formatDuration(policy.initialIntervalMs)})`,
    );
  }
  return policy;
}

function durationField(value: unknown, key: RetryOptionKey, makeError: RetryErrorFactory): number {
  if (typeof value !== "number" && typeof value !== "string") {
    throw makeError(key, invalidDurationMessage(value));
  }
  try {
    return parseDuration(value, key);
  } catch (err) {
    if (err instanceof ConfigError) throw makeError(key, invalidDurationMessage(value));
    throw err;
  }
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/**
 * Delay before the retry that follows failed attempt `failedAttempt` (1-based).
 * Exponential from initialIntervalMs, capped at maximumIntervalMs, with
 * uniform jitter of +/- `jitter` that never pushes past the cap.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  failedAttempt: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.floor(failedAttempt) - 1);
  // Math.min also absorbs Infinity when the power overflows.
  const base = Math.min(
    policy.maximumIntervalMs,
    policy.initialIntervalMs * policy.backoffCoefficient ** exponent,
  );
  const r = Math.min(Math.max(random(), 0), 1);
  const jittered = base * (1 - policy.jitter + 2 * policy.jitter * r);
  return Math.round(Math.max(0, Math.min(policy.maximumIntervalMs, jittered)));
}

/** Whether another attempt is allowed after `attemptsUsed` attempts have run. */
export function hasAttemptsLeft(policy: RetryPolicy, attemptsUsed: number): boolean {
  return attemptsUsed < policy.maxAttempts;
}
