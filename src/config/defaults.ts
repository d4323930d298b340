import { DEFAULT_RETRY_POLICY } from "../retry.js";
import { formatDuration } from "./duration.js";
import type { BatonOptions, SettingKey, SettingKind } from "./options.js";

/** Defaults as a user would write them; heartbeat is derived from the lease. */
export const DEFAULT_OPTIONS = Object.freeze({
  dataDir: ".baton",
  prefix: "BATON",
  lease: "30s",
  maxInputSize: "256KiB",
  duplicateWindow: "2m",
  eventRetention: "7d",
  shutdownGrace: "30s",
  runningEventDelay: "50ms",
  logLevel: "info",
  tracing: "on",
  allowUndeclaredCapabilities: false,
  maxDeliveries: 50,
  peerHost: "127.0.0.1",
  peerPort: 0,
  metricsHost: "127.0.0.1",
} satisfies BatonOptions);

/** One row of the configuration reference. */
export interface ConfigSetting {
  /** Option path in BatonOptions, as code writes it. */
  readonly key: SettingKey;
  readonly env: string;
  /** CLI flag including the leading dashes. */
  readonly flag: string;
  readonly kind: SettingKind;
  /** Default as shown to humans. */
  readonly default: string;
  readonly description: string;
}

/** Every setting, in documentation order. Env and flag names are derived from this. */
export const CONFIG_TABLE: readonly ConfigSetting[] = Object.freeze([
  {
    key: "natsUrl",
    env: "BATON_NATS_URL",
    flag: "--nats-url",
    kind: "string",
    default: "(embedded nats-server)",
    description:
      "NATS server URL(s), comma-separated. Unset: start an embedded nats-server with JetStream.",
  },
  {
    key: "dataDir",
    env: "BATON_DATA_DIR",
    flag: "--data-dir",
    kind: "string",
    default: DEFAULT_OPTIONS.dataDir,
    description: "Local state directory; the embedded server's JetStream store lives under it.",
  },
  {
    key: "prefix",
    env: "BATON_PREFIX",
    flag: "--prefix",
    kind: "string",
    default: DEFAULT_OPTIONS.prefix,
    description:
      "Namespace for every stream, bucket and subject (letter, then up to 31 letters, digits or _).",
  },
  {
    key: "lease",
    env: "BATON_LEASE",
    flag: "--lease",
    kind: "duration",
    default: DEFAULT_OPTIONS.lease,
    description:
      "How long a claimed task stays owned without a heartbeat (JetStream ack wait). 1s to 1h.",
  },
  {
    key: "heartbeat",
    env: "BATON_HEARTBEAT",
    flag: "--heartbeat",
    kind: "duration",
    default: "lease / 3",
    description: "How often a worker renews its lease. At least 100ms and shorter than the lease.",
  },
  {
    key: "maxInputSize",
    env: "BATON_MAX_INPUT_SIZE",
    flag: "--max-input-size",
    kind: "bytes",
    default: DEFAULT_OPTIONS.maxInputSize,
    description: "Largest accepted task input. At most 900KiB (stays below the NATS max payload).",
  },
  {
    key: "duplicateWindow",
    env: "BATON_DUPLICATE_WINDOW",
    flag: "--duplicate-window",
    kind: "duration",
    default: DEFAULT_OPTIONS.duplicateWindow,
    description: "JetStream duplicate-detection window for submitted messages. At least 1s.",
  },
  {
    key: "eventRetention",
    env: "BATON_EVENT_RETENTION",
    flag: "--event-retention",
    kind: "duration",
    default: DEFAULT_OPTIONS.eventRetention,
    description: "How long task events are kept. At least the duplicate window.",
  },
  {
    key: "shutdownGrace",
    env: "BATON_SHUTDOWN_GRACE",
    flag: "--shutdown-grace",
    kind: "duration",
    default: DEFAULT_OPTIONS.shutdownGrace,
    description: "How long shutdown waits for running handlers before releasing their tasks.",
  },
  {
    key: "runningEventDelay",
    env: "BATON_RUNNING_EVENT_DELAY",
    flag: "--running-event-delay",
    kind: "duration",
    default: DEFAULT_OPTIONS.runningEventDelay,
    description:
      "How long a first attempt runs before its RUNNING event (and a fresh task's or hand-off's claim) is stored; one that ends sooner stores them with its end. 0 stores them at the claim. 0 to 10s.",
  },
  {
    key: "retry.maxAttempts",
    env: "BATON_RETRY_MAX_ATTEMPTS",
    flag: "--retry-max-attempts",
    kind: "integer",
    default: String(DEFAULT_RETRY_POLICY.maxAttempts),
    description: "Default attempts per task, including the first. Integer >= 1.",
  },
  {
    key: "retry.initialInterval",
    env: "BATON_RETRY_INITIAL_INTERVAL",
    flag: "--retry-initial-interval",
    kind: "duration",
    default: formatDuration(DEFAULT_RETRY_POLICY.initialIntervalMs),
    description: "Default delay before the first retry. Greater than 0.",
  },
  {
    key: "retry.backoffCoefficient",
    env: "BATON_RETRY_BACKOFF_COEFFICIENT",
    flag: "--retry-backoff-coefficient",
    kind: "number",
    default: String(DEFAULT_RETRY_POLICY.backoffCoefficient),
    description: "Default multiplier applied to the delay after each failure. At least 1.",
  },
  {
    key: "retry.maximumInterval",
    env: "BATON_RETRY_MAXIMUM_INTERVAL",
    flag: "--retry-maximum-interval",
    kind: "duration",
    default: formatDuration(DEFAULT_RETRY_POLICY.maximumIntervalMs),
    description: "Default cap on the delay between attempts. At least the initial interval.",
  },
  {
    key: "retry.jitter",
    env: "BATON_RETRY_JITTER",
    flag: "--retry-jitter",
    kind: "number",
    default: String(DEFAULT_RETRY_POLICY.jitter),
    description: "Default random spread of each delay, as a fraction (0.2 = +/-20%). 0 to 1.",
  },
  {
    key: "logLevel",
    env: "BATON_LOG_LEVEL",
    flag: "--log-level",
    kind: "logLevel",
    default: DEFAULT_OPTIONS.logLevel,
    description: "One of fatal, error, warn, info, debug, trace, silent.",
  },
  {
    key: "tracing",
    env: "BATON_TRACING",
    flag: "--tracing",
    kind: "string",
    default: DEFAULT_OPTIONS.tracing,
    description:
      "on: OpenTelemetry spans (span store; OTLP per OTEL_*). off: no spans at all. Per process.",
  },
  {
    key: "allowUndeclaredCapabilities",
    env: "BATON_ALLOW_UNDECLARED_CAPABILITIES",
    flag: "--allow-undeclared-capabilities",
    kind: "boolean",
    default: String(DEFAULT_OPTIONS.allowUndeclaredCapabilities),
    description:
      "Accept tasks for capabilities no agent has declared yet (true/false/1/0); a client then rechecks an undeclared one every 5 s.",
  },
  {
    key: "maxDeliveries",
    env: "BATON_MAX_DELIVERIES",
    flag: "--max-deliveries",
    kind: "integer",
    default: String(DEFAULT_OPTIONS.maxDeliveries),
    description:
      "Safety cap on JetStream deliveries of one task message (e.g. crashes before claim). Integer >= 2.",
  },
  {
    key: "limits",
    env: "BATON_LIMITS",
    flag: "--limits",
    kind: "limits",
    default: "(none)",
    description:
      "Caps on running tasks across all agents: tenant=2 (each tenant), tenant:acme=5 (acme; wins).",
  },
  {
    key: "peerHost",
    env: "BATON_PEER_HOST",
    flag: "--peer-host",
    kind: "string",
    default: DEFAULT_OPTIONS.peerHost,
    description:
      "Interface of the agent-to-agent peer service (direct sub-task hand-off). 0.0.0.0 or :: for all.",
  },
  {
    key: "peerPort",
    env: "BATON_PEER_PORT",
    flag: "--peer-port",
    kind: "integer",
    default: String(DEFAULT_OPTIONS.peerPort),
    description: "Port of the peer service. 0 picks a free port. Integer 0 to 65535.",
  },
  {
    key: "peerAdvertise",
    env: "BATON_PEER_ADVERTISE",
    flag: "--peer-advertise",
    kind: "string",
    default: "bound host:port",
    description:
      "host:port peers dial for the peer service. Default: the bound address (host name for 0.0.0.0/::).",
  },
  {
    key: "metricsHost",
    env: "BATON_METRICS_HOST",
    flag: "--metrics-host",
    kind: "string",
    default: DEFAULT_OPTIONS.metricsHost,
    description:
      "Interface of an agent process's Prometheus /metrics endpoint. 0.0.0.0 or :: for all.",
  },
  {
    key: "metricsPort",
    env: "BATON_METRICS_PORT",
    flag: "--metrics-port",
    kind: "integer",
    default: "(off)",
    description:
      "Port of an agent process's GET /metrics. Unset: off; 0 picks a free port (see metricsAddress in the registry).",
  },
] satisfies ConfigSetting[]);
