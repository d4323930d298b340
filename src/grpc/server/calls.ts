/** What every gateway handler shares: the Baton client, the logger, and error reporting. */
import { status, type sendUnaryData, type ServerUnaryCall, type ServiceError } from "@grpc/grpc-js";
import type { BatonClient } from "../../client/client.js";
import type { Logger } from "../../telemetry/logger.js";
import { GrpcStatusError, serviceError, statusFromError, type StatusOptions } from "../status.js";

export interface ServiceContext {
  readonly client: BatonClient;
  readonly logger: Logger;
  /** False while the NATS connection is down: calls fail fast with UNAVAILABLE. */
  natsConnected(): boolean;
}

/** Throws UNAVAILABLE at once while NATS is unreachable, instead of waiting for a timeout. */
export function requireNats(ctx: ServiceContext): void {
  if (!ctx.natsConnected()) {
    throw new GrpcStatusError(
      status.UNAVAILABLE,
      "NATS unavailable: the gateway lost its NATS connection and is reconnecting",
    );
  }
}

/** The status to send for `err`; unexpected errors are logged with their stack, not sent. */
export function toServiceError(
  ctx: ServiceContext,
  method: string,
  err: unknown,
  options?: StatusOptions,
): Partial<ServiceError> {
  const info = statusFromError(err, options);
  if (info.internal) ctx.logger.error({ err, method }, "gateway call failed");
  else ctx.logger.debug({ method, code: status[info.code], details: info.details }, "call failed");
  return serviceError(info);
}

/** A unary handler from an async function; errors become statuses (see ../status.ts). */
export function unary<Req, Res>(
  ctx: ServiceContext,
  method: string,
  fn: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>,
  options?: StatusOptions,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    const run = async (): Promise<Res> => {
      requireNats(ctx);
      return fn(call.request, call);
    };
    run().then(
      (response) => callback(null, response),
      (err: unknown) => callback(toServiceError(ctx, method, err, options)),
    );
  };
}
