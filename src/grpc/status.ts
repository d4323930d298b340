/**
 * Maps errors to gRPC statuses (pure). Clients get a status code and a one-line message; stacks
 * and internal details stay in the server log. Trailing metadata carries the Baton error code
 * (`baton-error-code`) and, for INVALID_ARGUMENT, the offending field (`baton-field`).
 *
 * | Error                                                    | Status              |
 * | -------------------------------------------------------- | ------------------- |
 * | ValidationError, UnknownCapability, PayloadTooLarge      | INVALID_ARGUMENT    |
 * | TaskNotFoundError                                        | NOT_FOUND           |
 * | FailedPreconditionError, IllegalTransitionError          | FAILED_PRECONDITION |
 * | ConflictError (a CAS lost repeatedly; safe to retry)     | ABORTED             |
 * | BatonError UNAVAILABLE, NATS connection errors, timeouts | UNAVAILABLE         |
 * | GrpcStatusError (UNIMPLEMENTED, UNAUTHENTICATED, ...)    | its own code        |
 * | anything else                                            | INTERNAL            |
 */
import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { BatonError, ErrorCode, ValidationError } from "../errors.js";
import { toProtoValidationError } from "./convert.js";

/** An error that already knows its gRPC status (placement not implemented, auth, ...). */
export class GrpcStatusError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = "GrpcStatusError";
  }
}

export interface StatusInfo {
  code: status;
  /** The message the client sees. */
  details: string;
  /** Proto field name, for INVALID_ARGUMENT. */
  field?: string;
  /** Baton error code (`ErrorCode`), when the error came from the core. */
  errorCode?: string;
  /** True when the cause is unexpected: log it with its stack. */
  internal: boolean;
}

export interface StatusOptions {
  /** Renames core field names to proto ones (default: protoFieldName). */
  rename?: (coreField: string) => string;
}

/** Error names of @nats-io/nats-core and @nats-io/jetstream that mean "NATS is not reachable". */
const NATS_UNAVAILABLE = new Set([
  "ConnectionError",
  "ClosedConnectionError",
  "DrainingConnectionError",
  "TimeoutError",
  "NoResponders",
  "NoRespondersError",
  "RequestError",
  "JetStreamNotEnabled",
]);

/** True when `err` (or one of its causes) says NATS or JetStream is unreachable right now. */
export function isNatsUnavailable(err: unknown): boolean {
  let cur: unknown = err;
  for (let depth = 0; depth < 6 && cur instanceof Error; depth++) {
    if (cur instanceof BatonError && cur.code === ErrorCode.Unavailable) return true;
    if (NATS_UNAVAILABLE.has(cur.name)) return true;
    // JetStream answers 503 while it has no leader or its store is not ready.
    const code: unknown = (cur as { code?: unknown }).code;
    if ((cur.name === "JetStreamApiError" || cur.name === "JetStreamStatusError") && code === 503) {
      return true;
    }
    cur = cur.cause;
  }
  return false;
}

function firstLine(text: string): string {
  return (text.split("\n", 1)[0] ?? text).trim();
}

/** The status for an error thrown while serving a call. */
export function statusFromError(err: unknown, options: StatusOptions = {}): StatusInfo {
  if (err instanceof GrpcStatusError) {
    return { code: err.code, details: err.message, internal: false };
  }
  if (err instanceof ValidationError) {
    const renamed = toProtoValidationError(err, options.rename);
    return {
      code: status.INVALID_ARGUMENT,
      details: firstLine(renamed.message),
      field: renamed.field,
      errorCode: err.code,
      internal: false,
    };
  }
  if (err instanceof BatonError) {
    const base = { details: firstLine(err.message), errorCode: err.code, internal: false };
    switch (err.code) {
      case ErrorCode.InvalidArgument:
      case ErrorCode.UnknownCapability:
      case ErrorCode.PayloadTooLarge:
        return { ...base, code: status.INVALID_ARGUMENT };
      case ErrorCode.NotFound:
        return { ...base, code: status.NOT_FOUND };
      case ErrorCode.FailedPrecondition:
      case ErrorCode.IllegalTransition:
        return { ...base, code: status.FAILED_PRECONDITION };
      case ErrorCode.Conflict:
        return { ...base, code: status.ABORTED };
      case ErrorCode.Unavailable:
        return { ...base, code: status.UNAVAILABLE };
      case ErrorCode.Timeout:
        return { ...base, code: status.DEADLINE_EXCEEDED };
      default:
        break;
    }
  }
  if (isNatsUnavailable(err)) {
    const what = err instanceof Error ? firstLine(err.message) : String(err);
    return {
      code: status.UNAVAILABLE,
      details: `NATS unavailable: ${what}`,
      errorCode: ErrorCode.Unavailable,
      internal: false,
    };
  }
  return {
    code: status.INTERNAL,
    details: "internal error",
    ...(err instanceof BatonError ? { errorCode: err.code } : {}),
    internal: true,
  };
}

/** The object to pass to a grpc-js callback or `call.emit("error", ...)`. */
export function serviceError(info: StatusInfo): Partial<ServiceError> {
  const metadata = new Metadata();
  if (info.errorCode) metadata.set("baton-error-code", info.errorCode);
  if (info.field) metadata.set("baton-field", info.field);
  return { code: info.code, details: info.details, metadata };
}
