import { readFileSync } from "node:fs";
import { credentials, type ChannelCredentials, type ChannelOptions } from "@grpc/grpc-js";
import { SERVICE_NAMES } from "../proto.js";

/** TLS settings: each of `ca`, `cert`, `key` is a file path (string) or PEM contents (Buffer). */
export interface GrpcTlsOptions {
  /** CA bundle that signed the gateway's certificate; default: the system roots. */
  ca?: string | Buffer;
  /** Client certificate, for mutual TLS (with `key`). */
  cert?: string | Buffer;
  /** Client private key, for mutual TLS (with `cert`). */
  key?: string | Buffer;
  /** Expect this name in the server certificate instead of the address's host. */
  serverName?: string;
}

/** How UNAVAILABLE is retried by grpc-js (gRPC service config `retryPolicy`). */
export interface GrpcRetryOptions {
  /** Attempts in total, including the first (gRPC caps this at 5). Default 5; 1 turns retry off. */
  maxAttempts?: number;
  /** Default 200 ms. Each retry waits a random time up to the current backoff. */
  initialBackoffMs?: number;
  /** Default 2000 ms. */
  maxBackoffMs?: number;
  /** Default 2. */
  backoffMultiplier?: number;
}

export const DEFAULT_GRPC_RETRY: Required<GrpcRetryOptions> = Object.freeze({
  maxAttempts: 5,
  initialBackoffMs: 200,
  maxBackoffMs: 2000,
  backoffMultiplier: 2,
});

const seconds = (ms: number): string => `${(ms / 1000).toFixed(3)}s`;

/**
 * The service config that makes grpc-js retry every Baton RPC that fails with UNAVAILABLE: the
 * gateway is down or restarting, the connection dropped before the call was committed, or the
 * gateway reports NATS unreachable. Calls are retried only until the first response message
 * arrives (a watch stream that already delivered events is resumed by the client instead).
 */
export function batonServiceConfig(retry: GrpcRetryOptions = {}): object {
  const r = { ...DEFAULT_GRPC_RETRY, ...retry };
  const methodConfig: Record<string, unknown> = {
    name: [{ service: SERVICE_NAMES.task }, { service: SERVICE_NAMES.cluster }],
  };
  if (r.maxAttempts > 1) {
    methodConfig.retryPolicy = {
      maxAttempts: Math.min(5, Math.floor(r.maxAttempts)),
      initialBackoff: seconds(r.initialBackoffMs),
      maxBackoff: seconds(r.maxBackoffMs),
      backoffMultiplier: r.backoffMultiplier,
      retryableStatusCodes: ["UNAVAILABLE"],
    };
  }
  return { methodConfig: [methodConfig] };
}

/** Channel options: the retry service config and a quick reconnect after a gateway restart. */
export function channelOptions(
  retry: GrpcRetryOptions | undefined,
  tls: GrpcTlsOptions | undefined,
  extra: ChannelOptions = {},
): ChannelOptions {
  return {
    "grpc.service_config": JSON.stringify(batonServiceConfig(retry)),
    "grpc.enable_retries": 1,
    // grpc-js waits 1 s, then up to 2 min, between reconnects by default; a restarted gateway
    // should be picked up within the retry budget above.
    "grpc.initial_reconnect_backoff_ms": 100,
    "grpc.max_reconnect_backoff_ms": 1000,
    "grpc.keepalive_time_ms": 30_000,
    "grpc.keepalive_timeout_ms": 10_000,
    ...(tls?.serverName
      ? {
          "grpc.ssl_target_name_override": tls.serverName,
          "grpc.default_authority": tls.serverName,
        }
      : {}),
    ...extra,
  };
}

function pem(value: string | Buffer | undefined, what: string): Buffer | null {
  if (value === undefined) return null;
  if (Buffer.isBuffer(value)) return value;
  try {
    return readFileSync(value);
  } catch (err) {
    throw new Error(`cannot read TLS ${what} ${value}: ${(err as Error).message}`, { cause: err });
  }
}

/** Insecure credentials, or TLS (mutual when a client certificate and key are given). */
export function channelCredentials(tls: GrpcTlsOptions | boolean | undefined): ChannelCredentials {
  if (tls === undefined || tls === false) return credentials.createInsecure();
  const t = tls === true ? {} : tls;
  const cert = pem(t.cert, "certificate");
  const key = pem(t.key, "key");
  if ((cert === null) !== (key === null)) {
    throw new Error("TLS client certificate and key must be given together");
  }
  return credentials.createSsl(pem(t.ca, "CA"), key, cert);
}
