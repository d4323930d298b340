import { ConfigError, ValidationError } from "../errors.js";
import { validateLimits, type ConcurrencyLimit } from "../placement/concurrency-limit.js";
import { DEFAULT_RETRY_POLICY, RETRY_OPTION_KEYS, resolveRetryPolicy } from "../retry.js";
import { CONFIG_TABLE, DEFAULT_OPTIONS, type ConfigSetting } from "./defaults.js";
import {
  formatDuration,
  invalidBytesMessage,
  invalidDurationMessage,
  parseBytes,
  parseDuration,
} from "./duration.js";
import { optionsFromEnv } from "./env.js";
import { parseTracingSwitch } from "../telemetry/tracing-switch.js";
import {
  getSetting,
  LOG_LEVELS,
  setSetting,
  type BatonConfig,
  type BatonOptions,
  type LogLevel,
  type SettingKey,
} from "./options.js";

export interface ConfigSources {
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Options from CLI flags (see flagsToOptions); errors name the flag. */
  flags?: BatonOptions;
}

export const LEASE_MIN_MS = 1000;
export const LEASE_MAX_MS = 3_600_000;
export const HEARTBEAT_MIN_MS = 100;
// Task records wrap the input, and NATS rejects messages over max_payload (1MiB default).
export const MAX_INPUT_LIMIT_BYTES = 900 * 1024;
export const DUPLICATE_WINDOW_MIN_MS = 1000;
export const MAX_DELIVERIES_MIN = 2;
const PREFIX_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

const SETTINGS_BY_KEY = new Map<SettingKey, ConfigSetting>(CONFIG_TABLE.map((s) => [s.key, s]));
const TOP_LEVEL_KEYS = new Set<string>([...CONFIG_TABLE.map((s) => s.key.split(".")[0] ?? s.key)]);

interface Layer {
  options: BatonOptions;
  nameOf: (setting: ConfigSetting) => string;
}

/** The winning value for one setting and how the user wrote its name. */
interface Resolved {
  value: unknown;
  name: string;
  /** False when the value is the built-in default. */
  explicit: boolean;
}

/**
 * Validate and merge configuration. Precedence, lowest first: defaults,
 * environment, `options` from code, CLI flags. Errors name the setting as
 * its source spells it: BATON_LEASE, lease, or --lease.
 */
export function compileConfig(options?: BatonOptions, sources: ConfigSources = {}): BatonConfig {
  const layers: Layer[] = [
    { options: optionsFromEnv(sources.env ?? process.env), nameOf: (s) => s.env },
    { options: checkShape(options, (key) => key), nameOf: (s) => s.key },
    { options: checkShape(sources.flags, flagNameForKey), nameOf: (s) => s.flag },
  ];

  const resolve = (key: SettingKey): Resolved => {
    const setting = SETTINGS_BY_KEY.get(key);
    if (setting === undefined) throw new Error(`no config setting ${key}`);
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i];
      if (layer === undefined) continue;
      const value = getSetting(layer.options, key);
      if (value !== undefined) return { value, name: layer.nameOf(setting), explicit: true };
    }
    return { value: getSetting(DEFAULT_OPTIONS, key), name: key, explicit: false };
  };

  const lease = resolve("lease");
  const leaseMs = durationIn(lease, LEASE_MIN_MS, LEASE_MAX_MS);

  const heartbeat = resolve("heartbeat");
  let heartbeatMs: number;
  if (heartbeat.explicit) {
    heartbeatMs = durationIn(heartbeat, HEARTBEAT_MIN_MS, Infinity);
    if (heartbeatMs >= leaseMs) {
      throw new ConfigError(
        heartbeat.name,
        `must be shorter than the lease (${formatDuration(leaseMs)}), got ${formatDuration(heartbeatMs)}`,
      );
    }
  } else {
    // Three renewals per lease tolerate a missed heartbeat or two before expiry.
    heartbeatMs = Math.floor(leaseMs / 3);
  }

  const maxInput = resolve("maxInputSize");
  const maxInputBytes = bytesOf(maxInput);
  if (maxInputBytes <= 0 || maxInputBytes > MAX_INPUT_LIMIT_BYTES) {
    throw new ConfigError(
      maxInput.name,
      `must be greater than 0 and at most 900KiB (${MAX_INPUT_LIMIT_BYTES} bytes), got ${maxInputBytes} bytes`,
    );
  }

  const duplicateWindow = resolve("duplicateWindow");
  const duplicateWindowMs = durationIn(duplicateWindow, DUPLICATE_WINDOW_MIN_MS, Infinity);

  const eventRetention = resolve("eventRetention");
  const eventRetentionMs = durationIn(eventRetention, 1, Infinity);
  // JetStream refuses a stream whose duplicate window exceeds its max age.
  if (eventRetentionMs < duplicateWindowMs) {
    const blamed =
      eventRetention.explicit || !duplicateWindow.explicit ? eventRetention : duplicateWindow;
    throw new ConfigError(
      blamed.name,
      `event retention (${formatDuration(eventRetentionMs)}) must be at least the duplicate window (${formatDuration(duplicateWindowMs)})`,
    );
  }

  const shutdownGraceMs = durationIn(resolve("shutdownGrace"), 0, Infinity);
  const runningEventDelayMs = durationIn(resolve("runningEventDelay"), 0, 10_000);

  const retryNames = new Map<string, string>();
  const retryOptions: Record<string, unknown> = {};
  for (const key of RETRY_OPTION_KEYS) {
    const r = resolve(`retry.${key}`);
    retryNames.set(key, r.name);
    if (r.explicit) retryOptions[key] = r.value;
  }
  const retry = resolveRetryPolicy(
    retryOptions,
    DEFAULT_RETRY_POLICY,
    (key, message) => new ConfigError(retryNames.get(key) ?? `retry.${key}`, message),
  );

  return {
    natsUrl: optionalText(resolve("natsUrl")),
    dataDir: requiredText(resolve("dataDir")),
    prefix: prefixOf(resolve("prefix")),
    leaseMs,
    heartbeatMs,
    maxInputBytes,
    duplicateWindowMs,
    eventRetentionMs,
    shutdownGraceMs,
    runningEventDelayMs,
    retry,
    logLevel: logLevelOf(resolve("logLevel")),
    tracing: tracingOf(resolve("tracing")),
    allowUndeclaredCapabilities: booleanOf(resolve("allowUndeclaredCapabilities")),
    maxDeliveries: integerAtLeast(resolve("maxDeliveries"), MAX_DELIVERIES_MIN),
    limits: limitsOf(resolve("limits")),
    peerHost: peerHostOf(resolve("peerHost")),
    peerPort: peerPortOf(resolve("peerPort")),
    peerAdvertise: peerAdvertiseOf(resolve("peerAdvertise")),
    metricsHost: peerHostOf(resolve("metricsHost")),
    metricsPort: optionalPortOf(resolve("metricsPort")),
  };
}

function flagNameForKey(key: string): string {
  return SETTINGS_BY_KEY.get(key as SettingKey)?.flag ?? key;
}

/** Reject non-objects and unknown keys; returns a copy holding only known settings. */
function checkShape(
  options: BatonOptions | undefined,
  nameOf: (key: string) => string,
): BatonOptions {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ConfigError("options", "expected an object");
  }
  for (const key of Object.keys(options)) {
    if (!TOP_LEVEL_KEYS.has(key)) throw new ConfigError(nameOf(key), "unknown setting");
  }
  const retry: unknown = options.retry;
  if (retry !== undefined) {
    if (typeof retry !== "object" || retry === null || Array.isArray(retry)) {
      throw new ConfigError(nameOf("retry"), "expected an object of retry settings");
    }
    for (const key of Object.keys(retry)) {
      if (!(RETRY_OPTION_KEYS as readonly string[]).includes(key)) {
        throw new ConfigError(nameOf(`retry.${key}`), "unknown setting");
      }
    }
  }
  const copy: BatonOptions = {};
  for (const setting of CONFIG_TABLE) {
    const value = getSetting(options, setting.key);
    if (value !== undefined) setSetting(copy, setting.key, value);
  }
  return copy;
}

function durationIn(r: Resolved, minMs: number, maxMs: number): number {
  if (typeof r.value !== "number" && typeof r.value !== "string") {
    throw new ConfigError(r.name, invalidDurationMessage(r.value));
  }
  const ms = parseDuration(r.value, r.name);
  if (ms < minMs)
    throw new ConfigError(
      r.name,
      `must be at least ${formatDuration(minMs)}, got ${formatDuration(ms)}`,
    );
  if (ms > maxMs)
    throw new ConfigError(
      r.name,
      `must be at most ${formatDuration(maxMs)}, got ${formatDuration(ms)}`,
    );
  return ms;
}

function bytesOf(r: Resolved): number {
  if (typeof r.value !== "number" && typeof r.value !== "string") {
    throw new ConfigError(r.name, invalidBytesMessage(r.value));
  }
  return parseBytes(r.value, r.name);
}

function optionalText(r: Resolved): string | undefined {
  return r.value === undefined ? undefined : requiredText(r);
}

function requiredText(r: Resolved): string {
  if (typeof r.value !== "string" || r.value.trim() === "") {
    throw new ConfigError(r.name, `expected a non-empty string, got ${describe(r.value)}`);
  }
  return r.value.trim();
}

function prefixOf(r: Resolved): string {
  const prefix = requiredText(r);
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new ConfigError(
      r.name,
      `must start with a letter and contain only letters, digits and _ (at most 32 characters), got ${describe(prefix)}`,
    );
  }
  return prefix;
}

function logLevelOf(r: Resolved): LogLevel {
  const level = typeof r.value === "string" ? r.value.trim().toLowerCase() : r.value;
  const found = LOG_LEVELS.find((l) => l === level);
  if (found === undefined) {
    throw new ConfigError(
      r.name,
      `expected one of ${LOG_LEVELS.join(", ")}, got ${describe(r.value)}`,
    );
  }
  return found;
}

function tracingOf(r: Resolved): boolean {
  const on = typeof r.value === "string" || typeof r.value === "boolean" ? r.value : undefined;
  const parsed = parseTracingSwitch(on);
  if (parsed === undefined)
    throw new ConfigError(r.name, `expected on or off, got ${describe(r.value)}`);
  return parsed;
}

function booleanOf(r: Resolved): boolean {
  if (typeof r.value !== "boolean")
    throw new ConfigError(r.name, `expected true or false, got ${describe(r.value)}`);
  return r.value;
}

function integerAtLeast(r: Resolved, min: number): number {
  if (typeof r.value !== "number" || !Number.isSafeInteger(r.value) || r.value < min) {
    throw new ConfigError(r.name, `must be an integer >= ${min}, got ${describe(r.value)}`);
  }
  return r.value;
}

const LIMIT_FIELDS = new Set(["label", "value", "max"]);

/** Copies the limits after checking their shape; errors name the entry ("limits[1].max"). */
function limitsOf(r: Resolved): ConcurrencyLimit[] {
  if (r.value === undefined) return [];
  if (!Array.isArray(r.value)) {
    throw new ConfigError(
      r.name,
      `expected an array of { label, value?, max }, got ${describe(r.value)}`,
    );
  }
  const limits = (r.value as unknown[]).map((item, i): ConcurrencyLimit => {
    const at = `${r.name}[${i}]`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw new ConfigError(at, `expected { label, value?, max }, got ${describe(item)}`);
    }
    const fields = item as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      if (!LIMIT_FIELDS.has(key)) throw new ConfigError(`${at}.${key}`, "unknown field");
    }
    const { label, value, max } = fields;
    if (typeof label === "string" && label.includes("=")) {
      // Limit keys are "label=value"; an "=" in the label would make them ambiguous.
      throw new ConfigError(`${at}.label`, `must not contain "=", got ${describe(label)}`);
    }
    if (value !== undefined && (typeof value !== "string" || value === "")) {
      throw new ConfigError(`${at}.value`, `expected a non-empty string, got ${describe(value)}`);
    }
    return {
      label: label as string,
      ...(value === undefined ? {} : { value }),
      max: max as number,
    };
  });
  try {
    validateLimits(limits, r.name);
  } catch (err) {
    if (err instanceof ValidationError) {
      throw new ConfigError(err.field, err.message.slice(err.field.length + 2));
    }
    throw err;
  }
  return limits;
}

const HOST_PATTERN = /^(\[[0-9A-Za-z:.%]+\]|[0-9A-Za-z:._%-]+)$/;
const HOST_PORT_PATTERN = /^(\[[0-9A-Fa-f:.%A-Za-z]+\]|[A-Za-z0-9._%-]+):(\d{1,5})$/;

/** A host name or IP address without a port; IPv6 may be bracketed ("[::]" is kept as "::"). */
function peerHostOf(r: Resolved): string {
  const host = requiredText(r);
  // One colon is host:port, which belongs in peerPort; IPv6 has at least two.
  if ((host.match(/:/g) ?? []).length === 1 || !HOST_PATTERN.test(host)) {
    throw new ConfigError(
      r.name,
      `expected a host name or IP address without a port (e.g. 0.0.0.0, ::), got ${describe(host)}`,
    );
  }
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

function peerPortOf(r: Resolved): number {
  if (typeof r.value !== "number" || !Number.isInteger(r.value) || r.value < 0 || r.value > 65535) {
    throw new ConfigError(r.name, `must be an integer from 0 to 65535, got ${describe(r.value)}`);
  }
  return r.value;
}

function optionalPortOf(r: Resolved): number | undefined {
  return r.value === undefined ? undefined : peerPortOf(r);
}

function peerAdvertiseOf(r: Resolved): string | undefined {
  if (r.value === undefined) return undefined;
  const address = requiredText(r);
  const port = Number(HOST_PORT_PATTERN.exec(address)?.[2] ?? NaN);
  if (!(port >= 1 && port <= 65535)) {
    throw new ConfigError(
      r.name,
      `expected host:port with a port from 1 to 65535 ([addr]:port for IPv6), got ${describe(address)}`,
    );
  }
  return address;
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
