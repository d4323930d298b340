/** Stable error codes; the gRPC layer maps these to status codes. */
export const ErrorCode = {
  Config: "CONFIG",
  InvalidArgument: "INVALID_ARGUMENT",
  UnknownCapability: "UNKNOWN_CAPABILITY",
  PayloadTooLarge: "PAYLOAD_TOO_LARGE",
  NotFound: "NOT_FOUND",
  IllegalTransition: "ILLEGAL_TRANSITION",
  Conflict: "CONFLICT",
  Fenced: "FENCED",
  FailedPrecondition: "FAILED_PRECONDITION",
  Terminal: "TERMINAL",
  Retryable: "RETRYABLE",
  Timeout: "TIMEOUT",
  DeadlineExceeded: "DEADLINE_EXCEEDED",
  Cancelled: "CANCELLED",
  WorkerLost: "WORKER_LOST",
  ChildFailed: "CHILD_FAILED",
  Unavailable: "UNAVAILABLE",
  NatsServerMissing: "NATS_SERVER_MISSING",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class BatonError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A configuration value is invalid; `setting` names it as the user wrote it. */
export class ConfigError extends BatonError {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(ErrorCode.Config, `invalid setting ${setting}: ${message}`);
  }
}

/** A request is malformed; `field` names the offending field. Nothing was stored. */
export class ValidationError extends BatonError {
  constructor(
    readonly field: string,
    message: string,
    code: ErrorCode = ErrorCode.InvalidArgument,
  ) {
    super(code, `${field}: ${message}`);
  }
}

export class UnknownCapabilityError extends ValidationError {
  constructor(readonly capability: string) {
    super(
      "capability",
      `unknown capability "${capability}" (no agent has declared it)`,
      ErrorCode.UnknownCapability,
    );
  }
}

export class PayloadTooLargeError extends ValidationError {
  constructor(
    field: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(field, `${size} bytes exceeds the limit of ${limit} bytes`, ErrorCode.PayloadTooLarge);
  }
}

export class TaskNotFoundError extends BatonError {
  constructor(readonly taskId: string) {
    super(ErrorCode.NotFound, `task ${taskId} not found`);
  }
}

export class IllegalTransitionError extends BatonError {
  constructor(
    readonly taskId: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(ErrorCode.IllegalTransition, `task ${taskId}: illegal transition ${from} -> ${to}`);
  }
}

/** A compare-and-set lost against a concurrent writer. */
export class ConflictError extends BatonError {
  constructor(readonly taskId: string) {
    super(ErrorCode.Conflict, `task ${taskId} was changed concurrently`);
  }
}

/** The caller no longer owns the task (its lease lapsed and someone else claimed it). */
export class FencedError extends BatonError {
  constructor(
    readonly taskId: string,
    readonly attempt: number,
  ) {
    super(ErrorCode.Fenced, `task ${taskId}: attempt ${attempt} no longer owns the task`);
  }
}

export class FailedPreconditionError extends BatonError {
  constructor(message: string) {
    super(ErrorCode.FailedPrecondition, message);
  }
}

/** Thrown by a handler for a failure that must not be retried. */
export class TerminalError extends BatonError {
  readonly nonRetryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Terminal, message, options);
  }
}

/** Thrown by a handler to retry, optionally after a specific delay instead of the backoff. */
export class RetryableError extends BatonError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options?: { retryAfterMs?: number; cause?: unknown }) {
    super(ErrorCode.Retryable, message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

export class AttemptTimeoutError extends BatonError {
  constructor(readonly timeoutMs: number) {
    super(ErrorCode.Timeout, `attempt timed out after ${timeoutMs} ms`);
  }
}

export class DeadlineExceededError extends BatonError {
  readonly nonRetryable = true;
  constructor(readonly deadline: number) {
    super(ErrorCode.DeadlineExceeded, `deadline ${new Date(deadline).toISOString()} passed`);
  }
}

export class CancelledError extends BatonError {
  readonly nonRetryable = true;
  constructor(message = "task cancelled") {
    super(ErrorCode.Cancelled, message);
  }
}

/**
 * A delegated sub-task ended in a state other than SUCCEEDED. Not retried: the retry would find
 * the same child (same idempotency key). Catch it to continue the parent without the result.
 */
export class ChildTaskFailedError extends BatonError {
  readonly nonRetryable = true;
  constructor(
    readonly childId: string,
    readonly childState: string,
    readonly childError: { message: string; code?: string } | undefined,
  ) {
    super(
      ErrorCode.ChildFailed,
      `sub-task ${childId} ended ${childState}${childError ? `: ${childError.message}` : ""}`,
    );
  }
}

export class NatsServerMissingError extends BatonError {
  constructor() {
    super(
      ErrorCode.NatsServerMissing,
      "nats-server was not found on PATH or in /usr/sbin. Install it (Debian/Ubuntu: " +
        "`sudo apt-get install nats-server`; macOS: `brew install nats-server`) or set " +
        "BATON_NATS_URL to an existing NATS server with JetStream enabled.",
    );
  }
}

/** True when an error must not be retried. */
export function isNonRetryable(err: unknown): boolean {
  return (
    typeof err === "object" && err !== null && "nonRetryable" in err && err.nonRetryable === true
  );
}
