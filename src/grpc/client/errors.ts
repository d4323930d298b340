import { status as Status, type Metadata, type ServiceError } from "@grpc/grpc-js";

/** Status code names by number, e.g. 5 -> "NOT_FOUND". */
export function statusName(code: number): string {
  return (Status as unknown as Record<number, string | undefined>)[code] ?? `STATUS_${code}`;
}

/**
 * A gRPC call that ended with a status other than OK. `code` is the gRPC status code
 * (`status.NOT_FOUND` from @grpc/grpc-js, 5), `codeName` its name, `details` the server's
 * message (for Baton's own errors it names the field or the task, as the library's errors do).
 */
export class GrpcCallError extends Error {
  readonly code: Status;
  readonly codeName: string;
  readonly details: string;
  /** The RPC, e.g. "GetTask". */
  readonly method: string;
  readonly metadata: Metadata | undefined;

  constructor(
    method: string,
    code: Status,
    details: string,
    options: { metadata?: Metadata; cause?: unknown; address?: string } = {},
  ) {
    const name = statusName(code);
    const text = details || name;
    let message = text;
    if (code === Status.UNAVAILABLE && !/\bNATS\b/.test(text)) {
      // The server says "NATS unavailable" itself when the gateway is up but NATS is not.
      message = `gateway ${options.address ?? ""} unavailable: ${text}`.replace("  ", " ");
    } else if (code === Status.DEADLINE_EXCEEDED) {
      message = `${method}: ${text}`;
    } else if (code === Status.UNAUTHENTICATED || code === Status.PERMISSION_DENIED) {
      message = `${name.toLowerCase().replace("_", " ")}: ${text}`;
    }
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GrpcCallError";
    this.code = code;
    this.codeName = name;
    this.details = details;
    this.method = method;
    this.metadata = options.metadata;
  }

  /** Baton's error code from the trailers (`baton-error-code`), e.g. "UNKNOWN_CAPABILITY". */
  get errorCode(): string | undefined {
    return this.trailer("baton-error-code");
  }

  /** The request field an INVALID_ARGUMENT is about (`baton-field`), e.g. "retry.max_attempts". */
  get field(): string | undefined {
    return this.trailer("baton-field");
  }

  private trailer(key: string): string | undefined {
    const value = this.metadata?.get(key)[0];
    return typeof value === "string" ? value : undefined;
  }

  /** True for a status a caller may retry as is (UNAVAILABLE). */
  get retryable(): boolean {
    return this.code === Status.UNAVAILABLE;
  }
}

function isServiceError(err: unknown): err is ServiceError {
  return (
    err instanceof Error && "code" in err && typeof (err as { code: unknown }).code === "number"
  );
}

/** Any error from a grpc-js call as a GrpcCallError (non-gRPC errors become UNKNOWN). */
export function toGrpcCallError(method: string, err: unknown, address?: string): GrpcCallError {
  if (err instanceof GrpcCallError) return err;
  const extra = address === undefined ? {} : { address };
  if (isServiceError(err)) {
    return new GrpcCallError(method, err.code, err.details, {
      metadata: err.metadata,
      cause: err,
      ...extra,
    });
  }
  return new GrpcCallError(method, Status.UNKNOWN, String(err), { cause: err, ...extra });
}
