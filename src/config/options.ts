import type { ConcurrencyLimit } from "../placement/concurrency-limit.js";
import type { RetryOptions, RetryPolicy } from "../retry.js";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Settings as a user writes them: in code, or converted from env / CLI flags. */
export interface BatonOptions {
  /** NATS server URL(s); undefined means the caller starts an embedded nats-server. */
  natsUrl?: string;
  /** Local state directory; the embedded server's JetStream store lives under it. */
  dataDir?: string;
  /** Namespace for every stream, bucket and subject. */
  prefix?: string;
  /** JetStream ack_wait and the claim lease. */
  lease?: number | string;
  /** Lease renewal interval; defaults to a third of the lease. */
  heartbeat?: number | string;
  maxInputSize?: number | string;
  duplicateWindow?: number | string;
  eventRetention?: number | string;
  shutdownGrace?: number | string;
  /** How long a first attempt runs before its RUNNING event is stored (0: at the claim). */
  runningEventDelay?: number | string;
  retry?: RetryOptions;
  logLevel?: LogLevel;
  /** "on" (default) or "off": whether this process makes OpenTelemetry spans at all. */
  tracing?: "on" | "off" | boolean;
  allowUndeclaredCapabilities?: boolean;
  /** Cap on JetStream deliveries of one task message (e.g. crashes before claim). */
  maxDeliveries?: number;
  /** Per-label caps on running tasks, counted across all agents. */
  limits?: ConcurrencyLimit[];
  /** Interface the agent-to-agent peer service binds to. */
  peerHost?: string;
  /** Port of the peer service; 0 picks a free one. */
  peerPort?: number;
  /** `host:port` other agents dial; default: the bound address (the host name for 0.0.0.0/::). */
  peerAdvertise?: string;
  /** Interface of the agent process's Prometheus /metrics endpoint. */
  metricsHost?: string;
  /** Port of /metrics; unset: no endpoint, 0 picks a free port. */
  metricsPort?: number;
}

/** Validated, normalized configuration; durations in ms, sizes in bytes. */
export interface BatonConfig {
  natsUrl: string | undefined;
  dataDir: string;
  prefix: string;
  leaseMs: number;
  heartbeatMs: number;
  maxInputBytes: number;
  duplicateWindowMs: number;
  eventRetentionMs: number;
  shutdownGraceMs: number;
  runningEventDelayMs: number;
  retry: RetryPolicy;
  logLevel: LogLevel;
  /** False when BATON_TRACING=off: no spans are made (decided by the process's first connection). */
  tracing: boolean;
  allowUndeclaredCapabilities: boolean;
  maxDeliveries: number;
  limits: ConcurrencyLimit[];
  peerHost: string;
  peerPort: number;
  /** Undefined: derived from the bound address once the peer server listens. */
  peerAdvertise: string | undefined;
  metricsHost: string;
  /** Undefined: agent processes serve no /metrics. */
  metricsPort: number | undefined;
}

type TopLevelKey = Exclude<keyof BatonOptions, "retry">;
type RetryKey = `retry.${keyof RetryOptions}`;

/** A setting's path in BatonOptions: "lease", "retry.maxAttempts", ... */
export type SettingKey = TopLevelKey | RetryKey;

/** How a setting's value is written, which decides parsing and validation. */
export type SettingKind =
  "string" | "duration" | "bytes" | "integer" | "number" | "boolean" | "logLevel" | "limits";

/** Read one setting from an options object; nested keys go through `retry`. */
export function getSetting(options: BatonOptions, key: SettingKey): unknown {
  const dot = key.indexOf(".");
  if (dot === -1) return (options as Record<string, unknown>)[key];
  const group: unknown = (options as Record<string, unknown>)[key.slice(0, dot)];
  if (typeof group !== "object" || group === null) return undefined;
  return (group as Record<string, unknown>)[key.slice(dot + 1)];
}

/** Write one setting into an options object, creating the `retry` group as needed. */
export function setSetting(options: BatonOptions, key: SettingKey, value: unknown): void {
  const target = options as Record<string, unknown>;
  const dot = key.indexOf(".");
  if (dot === -1) {
    target[key] = value;
    return;
  }
  const groupKey = key.slice(0, dot);
  const existing = target[groupKey];
  const group: Record<string, unknown> =
    typeof existing === "object" && existing !== null ? (existing as Record<string, unknown>) : {};
  group[key.slice(dot + 1)] = value;
  target[groupKey] = group;
}
