/**
 * Settings of the gRPC gateway, kept apart from the core configuration (src/config) but built
 * the same way: defaults < BATON_GATEWAY_* environment < options in code < CLI flags, and every
 * error names the setting as its source spells it (`BATON_GATEWAY_TLS_CERT`, `tls.certFile`,
 * `--tls-cert`).
 */
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { parseBytes, parseDuration } from "../../config/index.js";
import { ConfigError } from "../../errors.js";
import { parseTokens } from "../auth.js";

export type ClientAuth = "none" | "require";
const CLIENT_AUTH_VALUES: readonly ClientAuth[] = ["none", "require"];

/** Gateway settings as a user writes them in code. */
export interface GatewayOptions {
  /** host:port to listen on (`127.0.0.1:50051`, `[::]:50051`, `0.0.0.0:0`), or `unix:/path`. */
  address?: string;
  /** host:port of the HTTP server (GET /metrics, the dashboard), or `off` (the default in code). */
  httpAddress?: string;
  auth?: {
    /** Accepted bearer tokens. */
    tokens?: readonly string[];
    /** File with one token per line (`#` starts a comment). */
    tokensFile?: string;
  };
  tls?: {
    /** PEM certificate chain of the server. */
    certFile?: string;
    /** PEM private key of the server. */
    keyFile?: string;
    /** PEM CA bundle that client certificates must chain to (mutual TLS). */
    caFile?: string;
    /** `require` (the default when a CA is given) demands a client certificate. */
    clientAuth?: ClientAuth;
  };
  /** Serve a non-loopback address without tokens or TLS. */
  insecure?: boolean;
  /** Largest request message accepted by the transport; larger ones get RESOURCE_EXHAUSTED. */
  maxMessageSize?: number | string;
  /** How long stop() waits for calls in flight before cutting them off. */
  shutdownTimeout?: number | string;
}

/** Validated gateway settings, with the token and certificate files already read. */
export interface GatewayConfig {
  /** The address as configured. */
  address: string;
  /** True for loopback and unix-socket addresses (no auth or TLS needed). */
  local: boolean;
  /** host:port of the HTTP server; undefined when off. */
  httpAddress: string | undefined;
  /** Accepted bearer tokens; empty means authentication is off. */
  tokens: readonly string[];
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer; clientAuth: ClientAuth };
  insecure: boolean;
  maxMessageBytes: number;
  shutdownTimeoutMs: number;
}

type Kind =
  "address" | "httpAddress" | "tokens" | "path" | "clientAuth" | "boolean" | "bytes" | "duration";

export interface GatewaySetting {
  /** Path in GatewayOptions. */
  readonly key: string;
  readonly env: string;
  /** CLI flag including the dashes; empty when there is none (tokens stay off command lines). */
  readonly flag: string;
  readonly kind: Kind;
  readonly default: string;
  readonly description: string;
}

export const DEFAULT_GATEWAY_ADDRESS = "127.0.0.1:50051";
/** What `baton gateway` serves HTTP on unless told otherwise; in code HTTP is off by default. */
export const DEFAULT_GATEWAY_HTTP = "127.0.0.1:8080";
export const DEFAULT_MAX_MESSAGE_SIZE = "4MiB";
export const DEFAULT_SHUTDOWN_TIMEOUT = "10s";
/** The transport limit must leave this much room above maxInputSize for the rest of a request. */
export const MESSAGE_OVERHEAD_BYTES = 64 * 1024;
const MAX_MESSAGE_LIMIT = 1024 * 1024 * 1024;

/** Every gateway setting, in documentation order. */
export const GATEWAY_SETTINGS: readonly GatewaySetting[] = Object.freeze([
  {
    key: "address",
    env: "BATON_GATEWAY_ADDRESS",
    flag: "--address",
    kind: "address",
    default: DEFAULT_GATEWAY_ADDRESS,
    description:
      "host:port to listen on ([::1]:port for IPv6, port 0 for any free port, or unix:/path). " +
      "A non-loopback address needs tokens or TLS, or --insecure.",
  },
  {
    key: "httpAddress",
    env: "BATON_GATEWAY_HTTP",
    flag: "--http",
    kind: "httpAddress",
    default: `off (CLI: ${DEFAULT_GATEWAY_HTTP})`,
    description:
      "host:port of the HTTP server (GET /metrics, the dashboard), or off. It has no " +
      "authentication, so a non-loopback address needs --insecure.",
  },
  {
    key: "auth.tokens",
    env: "BATON_GATEWAY_TOKENS",
    flag: "",
    kind: "tokens",
    default: "(none)",
    description:
      "Accepted bearer tokens, comma-separated. Every call except health checks must send " +
      "`authorization: Bearer <token>`.",
  },
  {
    key: "auth.tokensFile",
    env: "BATON_GATEWAY_TOKENS_FILE",
    flag: "--tokens-file",
    kind: "path",
    default: "(none)",
    description: "File of accepted bearer tokens, one per line; # starts a comment.",
  },
  {
    key: "tls.certFile",
    env: "BATON_GATEWAY_TLS_CERT",
    flag: "--tls-cert",
    kind: "path",
    default: "(plaintext)",
    description: "PEM certificate (chain) of the gateway; enables TLS. Needs the key.",
  },
  {
    key: "tls.keyFile",
    env: "BATON_GATEWAY_TLS_KEY",
    flag: "--tls-key",
    kind: "path",
    default: "(none)",
    description: "PEM private key of the gateway certificate.",
  },
  {
    key: "tls.caFile",
    env: "BATON_GATEWAY_TLS_CA",
    flag: "--tls-ca",
    kind: "path",
    default: "(none)",
    description: "PEM CA bundle that client certificates must chain to (mutual TLS).",
  },
  {
    key: "tls.clientAuth",
    env: "BATON_GATEWAY_TLS_CLIENT_AUTH",
    flag: "--tls-client-auth",
    kind: "clientAuth",
    default: "require with a CA, else none",
    description: "none or require: whether clients must present a certificate signed by the CA.",
  },
  {
    key: "insecure",
    env: "BATON_GATEWAY_INSECURE",
    flag: "--insecure",
    kind: "boolean",
    default: "false",
    description: "Allow a non-loopback address without tokens or TLS (true/false/1/0).",
  },
  {
    key: "maxMessageSize",
    env: "BATON_GATEWAY_MAX_MESSAGE_SIZE",
    flag: "--max-message-size",
    kind: "bytes",
    default: DEFAULT_MAX_MESSAGE_SIZE,
    description:
      "Largest request the transport accepts (RESOURCE_EXHAUSTED beyond). At least " +
      "maxInputSize + 64KiB, so oversized inputs get INVALID_ARGUMENT naming the field.",
  },
  {
    key: "shutdownTimeout",
    env: "BATON_GATEWAY_SHUTDOWN_TIMEOUT",
    flag: "--shutdown-timeout",
    kind: "duration",
    default: DEFAULT_SHUTDOWN_TIMEOUT,
    description: "How long a stopping gateway waits for calls in flight before cutting them off.",
  },
] satisfies GatewaySetting[]);

const BY_KEY = new Map(GATEWAY_SETTINGS.map((s) => [s.key, s]));

function setting(key: string): GatewaySetting {
  const s = BY_KEY.get(key);
  if (!s) throw new Error(`no gateway setting ${key}`);
  return s;
}

function getPath(options: GatewayOptions | undefined, key: string): unknown {
  let node: unknown = options;
  for (const part of key.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function setPath(options: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split(".");
  let node = options;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== "object" || next === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] ?? key] = value;
}

const TRUE_TEXT = new Set(["true", "1"]);
const FALSE_TEXT = new Set(["false", "0"]);

/** GatewayOptions from BATON_GATEWAY_* variables (text only; values are checked on compile). */
export function gatewayOptionsFromEnv(env: NodeJS.ProcessEnv): GatewayOptions {
  const out: Record<string, unknown> = {};
  for (const s of GATEWAY_SETTINGS) {
    const raw = env[s.env];
    if (raw === undefined || raw.trim() === "") continue;
    let value: unknown = raw.trim();
    if (s.kind === "boolean") {
      const lower = raw.trim().toLowerCase();
      if (TRUE_TEXT.has(lower)) value = true;
      else if (FALSE_TEXT.has(lower)) value = false;
      else throw new ConfigError(s.env, `expected true, false, 1 or 0, got ${JSON.stringify(raw)}`);
    } else if (s.kind === "tokens") {
      value = raw
        .split(",")
        .map((t) => t.trim())
        .filter((t) => t !== "");
    }
    setPath(out, s.key, value);
  }
  return out;
}

const KNOWN_KEYS = new Set(GATEWAY_SETTINGS.map((s) => s.key));

function checkShape(options: GatewayOptions | undefined, nameOf: (key: string) => string): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ConfigError("gateway options", "expected an object");
  }
  const walk = (node: Record<string, unknown>, path: string): void => {
    for (const [k, v] of Object.entries(node)) {
      const key = path ? `${path}.${k}` : k;
      if (KNOWN_KEYS.has(key)) continue;
      const isGroup = [...KNOWN_KEYS].some((known) => known.startsWith(`${key}.`));
      if (isGroup && typeof v === "object" && v !== null && !Array.isArray(v)) {
        walk(v as Record<string, unknown>, key);
      } else if (v !== undefined) {
        throw new ConfigError(nameOf(key), "unknown setting");
      }
    }
  };
  walk(options as Record<string, unknown>, "");
}

export interface GatewayConfigSources {
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Options from CLI flags; errors name the flag. */
  flags?: GatewayOptions;
  /** The core's maxInputBytes: the transport limit must exceed it. */
  maxInputBytes: number;
}

interface Resolved {
  value: unknown;
  name: string;
  explicit: boolean;
}

/** A parsed listen address. */
export interface ListenAddress {
  host: string;
  port: number;
  /** Loopback host or unix socket. */
  local: boolean;
}

/** Parses `host:port`, `[v6]:port` or `unix:/path`; undefined when malformed. */
export function parseListenAddress(address: string): ListenAddress | undefined {
  if (address.startsWith("unix:")) {
    return address.length > "unix:".length ? { host: address, port: 0, local: true } : undefined;
  }
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(address);
  if (!m) return undefined;
  const host = m[1] ?? m[2] ?? "";
  const port = Number(m[3]);
  if (port > 65535 || host === "") return undefined;
  if (m[1] !== undefined && isIP(host) !== 6) return undefined;
  return { host, port, local: isLoopbackHost(host) };
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  const v4 = h.startsWith("::ffff:") ? h.slice("::ffff:".length) : h;
  return isIP(v4) === 4 && v4.startsWith("127.");
}

function readSettingFile(r: Resolved): Buffer {
  const path = r.value;
  if (typeof path !== "string" || path.trim() === "") {
    throw new ConfigError(r.name, "expected a file path");
  }
  try {
    return readFileSync(path.trim());
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(r.name, `cannot read ${path.trim()} (${code})`);
  }
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/**
 * Validates and merges gateway settings and reads the token and certificate files. Refuses a
 * non-loopback address that has neither tokens nor TLS unless `insecure` is set.
 */
export function compileGatewayConfig(
  options: GatewayOptions | undefined,
  sources: GatewayConfigSources,
): GatewayConfig {
  const flagName = (key: string): string => BY_KEY.get(key)?.flag || key;
  checkShape(options, (key) => key);
  checkShape(sources.flags, flagName);
  const layers: { options: GatewayOptions; nameOf: (s: GatewaySetting) => string }[] = [
    { options: gatewayOptionsFromEnv(sources.env ?? process.env), nameOf: (s) => s.env },
    { options: options ?? {}, nameOf: (s) => s.key },
    { options: sources.flags ?? {}, nameOf: (s) => s.flag || s.key },
  ];
  const resolve = (key: string): Resolved => {
    const s = setting(key);
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i];
      if (!layer) continue;
      const value = getPath(layer.options, key);
      if (value !== undefined) return { value, name: layer.nameOf(s), explicit: true };
    }
    return { value: undefined, name: key, explicit: false };
  };

  // address
  const addr = resolve("address");
  const address = addr.explicit ? addr.value : DEFAULT_GATEWAY_ADDRESS;
  const listen = typeof address === "string" ? parseListenAddress(address.trim()) : undefined;
  if (typeof address !== "string" || !listen) {
    throw new ConfigError(
      addr.name,
      `expected host:port (e.g. 127.0.0.1:50051, [::1]:50051, 0.0.0.0:0) or unix:/path, got ${describe(address)}`,
    );
  }

  // HTTP: off unless an address is given
  const http = resolve("httpAddress");
  const httpText = typeof http.value === "string" ? http.value.trim() : undefined;
  const httpOff = !http.explicit || httpText?.toLowerCase() === "off";
  const httpListen =
    httpOff || httpText === undefined || httpText.startsWith("unix:")
      ? undefined
      : parseListenAddress(httpText);
  if (!httpOff && !httpListen) {
    throw new ConfigError(
      http.name,
      `expected host:port (e.g. 127.0.0.1:8080, [::1]:8080, 0.0.0.0:0) or off, got ${describe(http.value)}`,
    );
  }
  const httpAddress = httpListen ? httpText : undefined;

  // tokens
  const tokens: string[] = [];
  const tokenList = resolve("auth.tokens");
  if (tokenList.explicit) {
    const list = tokenList.value;
    if (!Array.isArray(list) || list.some((t) => typeof t !== "string")) {
      throw new ConfigError(tokenList.name, "expected a list of strings");
    }
    tokens.push(...parseTokens((list as string[]).join("\n"), tokenList.name));
  }
  const tokensFile = resolve("auth.tokensFile");
  if (tokensFile.explicit) {
    const found = parseTokens(readSettingFile(tokensFile).toString("utf8"), tokensFile.name);
    if (found.length === 0) {
      throw new ConfigError(
        tokensFile.name,
        "contains no tokens (one per line; # starts a comment)",
      );
    }
    tokens.push(...found);
  }

  // TLS
  const cert = resolve("tls.certFile");
  const key = resolve("tls.keyFile");
  const ca = resolve("tls.caFile");
  const clientAuthSetting = resolve("tls.clientAuth");
  let tls: GatewayConfig["tls"];
  if (cert.explicit !== key.explicit) {
    const missing = cert.explicit ? setting("tls.keyFile") : setting("tls.certFile");
    const given = cert.explicit ? cert : key;
    throw new ConfigError(
      given.name,
      `TLS needs both a certificate and a key; set ${missing.env} or ${missing.flag} too`,
    );
  }
  let clientAuth: ClientAuth = ca.explicit ? "require" : "none";
  if (clientAuthSetting.explicit) {
    const v = clientAuthSetting.value;
    const found = CLIENT_AUTH_VALUES.find(
      (c) => typeof v === "string" && c === v.trim().toLowerCase(),
    );
    if (!found) {
      throw new ConfigError(
        clientAuthSetting.name,
        `expected one of ${CLIENT_AUTH_VALUES.join(", ")}, got ${describe(v)}`,
      );
    }
    clientAuth = found;
  }
  if (ca.explicit && !cert.explicit) {
    throw new ConfigError(
      ca.name,
      "mutual TLS needs server TLS too: set the gateway certificate and key",
    );
  }
  if (clientAuth === "require" && !ca.explicit) {
    throw new ConfigError(
      clientAuthSetting.name,
      "require needs a CA to check client certificates against (BATON_GATEWAY_TLS_CA / --tls-ca)",
    );
  }
  if (clientAuth === "none" && ca.explicit) {
    throw new ConfigError(
      ca.name,
      "is only used to verify client certificates, but client auth is none; drop it or use require",
    );
  }
  if (cert.explicit) {
    tls = {
      cert: readSettingFile(cert),
      key: readSettingFile(key),
      ...(ca.explicit ? { ca: readSettingFile(ca) } : {}),
      clientAuth,
    };
  } else if (clientAuthSetting.explicit && clientAuth === "require") {
    throw new ConfigError(clientAuthSetting.name, "needs TLS: set the gateway certificate and key");
  }

  // insecure
  const insecureSetting = resolve("insecure");
  if (insecureSetting.explicit && typeof insecureSetting.value !== "boolean") {
    throw new ConfigError(
      insecureSetting.name,
      `expected true or false, got ${describe(insecureSetting.value)}`,
    );
  }
  const insecure = insecureSetting.value === true;

  // limits
  const maxMsg = resolve("maxMessageSize");
  const maxMsgValue = maxMsg.explicit ? maxMsg.value : DEFAULT_MAX_MESSAGE_SIZE;
  if (typeof maxMsgValue !== "number" && typeof maxMsgValue !== "string") {
    throw new ConfigError(maxMsg.name, `expected a size like "4MiB", got ${describe(maxMsgValue)}`);
  }
  const maxMessageBytes = parseBytes(maxMsgValue, maxMsg.name);
  const minMessage = sources.maxInputBytes + MESSAGE_OVERHEAD_BYTES;
  if (maxMessageBytes < minMessage || maxMessageBytes > MAX_MESSAGE_LIMIT) {
    throw new ConfigError(
      maxMsg.name,
      `must be at least maxInputSize + 64KiB (${minMessage} bytes) and at most 1GiB, got ${maxMessageBytes} bytes`,
    );
  }
  const shutdown = resolve("shutdownTimeout");
  const shutdownValue = shutdown.explicit ? shutdown.value : DEFAULT_SHUTDOWN_TIMEOUT;
  if (typeof shutdownValue !== "number" && typeof shutdownValue !== "string") {
    throw new ConfigError(
      shutdown.name,
      `expected a duration like "10s", got ${describe(shutdownValue)}`,
    );
  }
  const shutdownTimeoutMs = parseDuration(shutdownValue, shutdown.name);

  // "Off by default only on loopback."
  if (!listen.local && tokens.length === 0 && !tls && !insecure) {
    throw new ConfigError(
      addr.name,
      `${address} is not a loopback address, and neither bearer tokens ` +
        `(BATON_GATEWAY_TOKENS, BATON_GATEWAY_TOKENS_FILE / --tokens-file) nor TLS ` +
        `(BATON_GATEWAY_TLS_CERT and _KEY / --tls-cert and --tls-key) is configured. Configure ` +
        `one, or set BATON_GATEWAY_INSECURE=true / --insecure to serve it unprotected`,
    );
  }

  if (httpListen && !httpListen.local && !insecure) {
    throw new ConfigError(
      http.name,
      `${httpAddress} is not a loopback address, and the HTTP server (metrics, dashboard) has ` +
        `no authentication. Serve it on loopback, or set BATON_GATEWAY_INSECURE=true / ` +
        `--insecure to serve it unprotected`,
    );
  }

  return {
    address: address.trim(),
    local: listen.local,
    httpAddress,
    tokens,
    ...(tls ? { tls } : {}),
    insecure,
    maxMessageBytes,
    shutdownTimeoutMs,
  };
}

/** A one-line summary for logs and the CLI: "tokens: 2, TLS: mutual". */
export function describeGatewaySecurity(config: GatewayConfig): string {
  const auth = config.tokens.length > 0 ? `bearer tokens (${config.tokens.length})` : "no auth";
  const tls = !config.tls
    ? "plaintext"
    : config.tls.clientAuth === "require"
      ? "mutual TLS"
      : "TLS";
  return `${auth}, ${tls}`;
}

/** The gateway settings as a Markdown table, for the README. */
export function renderGatewayConfigTable(): string {
  const rows = GATEWAY_SETTINGS.map((s) => [
    `\`${s.key}\``,
    `\`${s.env}\``,
    s.flag ? `\`${s.flag}\`` : "",
    s.default,
    s.description,
  ]);
  const header = ["Option", "Environment", "Flag", "Default", "Description"];
  const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
