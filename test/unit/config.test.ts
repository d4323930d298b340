import { compile, configError, parseFlags } from "../helpers/config.js";
import { describe, it, expect } from "vitest";
import {
  CONFIG_FLAGS,
  CONFIG_TABLE,
  compileConfig,
  configParseArgsOptions,
  flagsToOptions,
  optionsFromEnv,
  renderConfigTable,
  type BatonOptions,
} from "../../src/config/index.js";
import { DEFAULT_RETRY_POLICY } from "../../src/retry.js";

describe("compileConfig defaults", () => {
  it("produces the documented defaults", () => {
    expect(compile()).toEqual({
      natsUrl: undefined,
      dataDir: ".baton",
      prefix: "BATON",
      leaseMs: 30_000,
      heartbeatMs: 10_000,
      maxInputBytes: 256 * 1024,
      duplicateWindowMs: 120_000,
      eventRetentionMs: 7 * 86_400_000,
      shutdownGraceMs: 30_000,
      runningEventDelayMs: 50,
      retry: DEFAULT_RETRY_POLICY,
      logLevel: "info",
      tracing: true,
      allowUndeclaredCapabilities: false,
      maxDeliveries: 50,
      limits: [],
      peerHost: "127.0.0.1",
      peerPort: 0,
      peerAdvertise: undefined,
      metricsHost: "127.0.0.1",
      metricsPort: undefined,
    });
  });

  it("derives the heartbeat from the lease when unset", () => {
    expect(compile({ lease: "1m" }).heartbeatMs).toBe(20_000);
    expect(compile({ lease: "1s" }).heartbeatMs).toBe(333);
    expect(compile({}, { BATON_LEASE: "90s" }).heartbeatMs).toBe(30_000);
  });

  it("derives the heartbeat from the winning lease, whatever its source", () => {
    const config = compile({ lease: "1m" }, { BATON_LEASE: "10s" }, { lease: "3m" });
    expect(config.leaseMs).toBe(180_000);
    expect(config.heartbeatMs).toBe(60_000);
  });

  it("reads process.env when no env is given", () => {
    const saved = process.env.BATON_MAX_DELIVERIES;
    process.env.BATON_MAX_DELIVERIES = "7";
    try {
      expect(compileConfig().maxDeliveries).toBe(7);
    } finally {
      if (saved === undefined) delete process.env.BATON_MAX_DELIVERIES;
      else process.env.BATON_MAX_DELIVERIES = saved;
    }
  });
});

describe("compileConfig precedence", () => {
  it("orders defaults < env < code < flags per setting", () => {
    const env = {
      BATON_LEASE: "10s",
      BATON_PREFIX: "ENVP",
      BATON_DATA_DIR: "/env",
      BATON_LOG_LEVEL: "debug",
    };
    const code: BatonOptions = { lease: "20s", prefix: "CODE", logLevel: "warn" };
    const flags: BatonOptions = { lease: "40s" };
    const config = compile(code, env, flags);
    expect(config.leaseMs).toBe(40_000);
    expect(config.prefix).toBe("CODE");
    expect(config.dataDir).toBe("/env");
    expect(config.logLevel).toBe("warn");
    expect(config.shutdownGraceMs).toBe(30_000);
  });

  it("merges retry settings field by field across sources", () => {
    const config = compile(
      { retry: { initialInterval: "2s" } },
      {
        BATON_RETRY_MAX_ATTEMPTS: "9",
        BATON_RETRY_INITIAL_INTERVAL: "5s",
        BATON_RETRY_JITTER: "0",
      },
      { retry: { backoffCoefficient: 3 } },
    );
    expect(config.retry).toEqual({
      maxAttempts: 9,
      initialIntervalMs: 2000,
      backoffCoefficient: 3,
      maximumIntervalMs: 60_000,
      jitter: 0,
    });
  });

  it("treats empty environment values as unset", () => {
    const config = compile({}, { BATON_LEASE: "", BATON_NATS_URL: "  ", BATON_MAX_DELIVERIES: "" });
    expect(config.leaseMs).toBe(30_000);
    expect(config.natsUrl).toBeUndefined();
    expect(config.maxDeliveries).toBe(50);
  });

  it("ignores unknown BATON_* variables", () => {
    expect(() => compile({}, { BATON_SOMETHING_ELSE: "x", BATON_LEASEE: "nope" })).not.toThrow();
  });

  it("treats undefined code options as unset", () => {
    expect(compile({ lease: undefined }, { BATON_LEASE: "10s" }).leaseMs).toBe(10_000);
  });
});

describe("compileConfig environment parsing", () => {
  it("reads every kind of value", () => {
    const config = compile(
      {},
      {
        BATON_NATS_URL: "nats://a:4222,nats://b:4222",
        BATON_MAX_INPUT_SIZE: "64KB",
        BATON_ALLOW_UNDECLARED_CAPABILITIES: "1",
        BATON_LOG_LEVEL: "DEBUG",
        BATON_RETRY_BACKOFF_COEFFICIENT: "1.5",
        BATON_EVENT_RETENTION: "1d",
        BATON_SHUTDOWN_GRACE: "0",
        BATON_RUNNING_EVENT_DELAY: "0",
      },
    );
    expect(config.natsUrl).toBe("nats://a:4222,nats://b:4222");
    expect(config.maxInputBytes).toBe(64_000);
    expect(config.allowUndeclaredCapabilities).toBe(true);
    expect(config.logLevel).toBe("debug");
    expect(config.retry.backoffCoefficient).toBe(1.5);
    expect(config.eventRetentionMs).toBe(86_400_000);
    expect(config.shutdownGraceMs).toBe(0);
    expect(config.runningEventDelayMs).toBe(0);
  });

  it.each([
    ["true", true],
    ["TRUE", true],
    ["1", true],
    ["false", false],
    ["0", false],
  ])("reads boolean %j", (text, value) => {
    expect(
      compile({}, { BATON_ALLOW_UNDECLARED_CAPABILITIES: text }).allowUndeclaredCapabilities,
    ).toBe(value);
  });

  it("returns only the settings that are present", () => {
    expect(optionsFromEnv({ BATON_LEASE: "5s", BATON_RETRY_JITTER: "0.1", PATH: "/bin" })).toEqual({
      lease: "5s",
      retry: { jitter: 0.1 },
    });
  });
});

describe("compileConfig errors name the setting as written", () => {
  it.each<[string, NodeJS.ProcessEnv]>([
    ["BATON_LEASE", { BATON_LEASE: "thirty seconds" }],
    ["BATON_LEASE", { BATON_LEASE: "500ms" }],
    ["BATON_LEASE", { BATON_LEASE: "2h" }],
    ["BATON_HEARTBEAT", { BATON_HEARTBEAT: "50ms" }],
    ["BATON_HEARTBEAT", { BATON_HEARTBEAT: "30s" }],
    ["BATON_MAX_INPUT_SIZE", { BATON_MAX_INPUT_SIZE: "1MiB" }],
    ["BATON_MAX_INPUT_SIZE", { BATON_MAX_INPUT_SIZE: "0" }],
    ["BATON_MAX_INPUT_SIZE", { BATON_MAX_INPUT_SIZE: "lots" }],
    ["BATON_DUPLICATE_WINDOW", { BATON_DUPLICATE_WINDOW: "500ms" }],
    ["BATON_EVENT_RETENTION", { BATON_EVENT_RETENTION: "1m" }],
    ["BATON_DUPLICATE_WINDOW", { BATON_DUPLICATE_WINDOW: "30d" }],
    ["BATON_SHUTDOWN_GRACE", { BATON_SHUTDOWN_GRACE: "-1s" }],
    ["BATON_RUNNING_EVENT_DELAY", { BATON_RUNNING_EVENT_DELAY: "11s" }],
    ["BATON_PREFIX", { BATON_PREFIX: "1BATON" }],
    ["BATON_PREFIX", { BATON_PREFIX: "BA-TON" }],
    ["BATON_PREFIX", { BATON_PREFIX: "A".repeat(33) }],
    ["BATON_LOG_LEVEL", { BATON_LOG_LEVEL: "verbose" }],
    ["BATON_ALLOW_UNDECLARED_CAPABILITIES", { BATON_ALLOW_UNDECLARED_CAPABILITIES: "yes" }],
    ["BATON_MAX_DELIVERIES", { BATON_MAX_DELIVERIES: "1" }],
    ["BATON_MAX_DELIVERIES", { BATON_MAX_DELIVERIES: "2.5" }],
    ["BATON_MAX_DELIVERIES", { BATON_MAX_DELIVERIES: "0x10" }],
    ["BATON_RETRY_MAX_ATTEMPTS", { BATON_RETRY_MAX_ATTEMPTS: "0" }],
    ["BATON_RETRY_MAX_ATTEMPTS", { BATON_RETRY_MAX_ATTEMPTS: "three" }],
    ["BATON_RETRY_JITTER", { BATON_RETRY_JITTER: "2" }],
    ["BATON_RETRY_BACKOFF_COEFFICIENT", { BATON_RETRY_BACKOFF_COEFFICIENT: "0.5" }],
    ["BATON_RETRY_INITIAL_INTERVAL", { BATON_RETRY_INITIAL_INTERVAL: "0s" }],
    ["BATON_RETRY_INITIAL_INTERVAL", { BATON_RETRY_INITIAL_INTERVAL: "2m" }],
    ["BATON_RETRY_MAXIMUM_INTERVAL", { BATON_RETRY_MAXIMUM_INTERVAL: "1ms" }],
  ])("names %s", (setting, env) => {
    const err = configError(() => compile({}, env));
    expect(err.setting).toBe(setting);
    expect(err.message.startsWith(`invalid setting ${setting}: `)).toBe(true);
  });

  it("uses the duration hint for an unparseable duration", () => {
    expect(configError(() => compile({}, { BATON_LEASE: "soon" })).message).toBe(
      'invalid setting BATON_LEASE: expected a duration like "30s", "500ms" or "5m", got "soon"',
    );
  });

  it.each<[string, BatonOptions]>([
    ["lease", { lease: "0s" }],
    ["heartbeat", { heartbeat: "30s" }],
    ["heartbeat", { lease: "10s", heartbeat: "10s" }],
    ["maxInputSize", { maxInputSize: "901KiB" }],
    ["natsUrl", { natsUrl: "" }],
    ["dataDir", { dataDir: "  " }],
    ["retry.maxAttempts", { retry: { maxAttempts: 1.5 } }],
    ["retry.maximumInterval", { retry: { maximumInterval: "10ms" } }],
    ["maxDeliveries", { maxDeliveries: 1 }],
  ])("names the code option %s", (setting, options) => {
    expect(configError(() => compile(options)).setting).toBe(setting);
  });

  it("blames heartbeat, not lease, when a shorter lease comes from elsewhere", () => {
    const err = configError(() => compile({ heartbeat: "20s" }, {}, { lease: "15s" }));
    expect(err.setting).toBe("heartbeat");
    expect(err.message).toBe(
      "invalid setting heartbeat: must be shorter than the lease (15s), got 20s",
    );
  });

  it("rejects values of the wrong type from untyped callers", () => {
    const options = { lease: true, allowUndeclaredCapabilities: "true" } as unknown as BatonOptions;
    expect(configError(() => compile(options)).setting).toBe("lease");
    const options2 = { allowUndeclaredCapabilities: "true" } as unknown as BatonOptions;
    expect(configError(() => compile(options2)).setting).toBe("allowUndeclaredCapabilities");
  });

  it("rejects unknown code options by key", () => {
    const options = { lease: "10s", leaseTime: "5s" } as unknown as BatonOptions;
    const err = configError(() => compile(options));
    expect(err.setting).toBe("leaseTime");
    expect(err.message).toBe("invalid setting leaseTime: unknown setting");
  });

  it("rejects unknown retry options by path", () => {
    const options = { retry: { maxAttempt: 2 } } as unknown as BatonOptions;
    expect(configError(() => compile(options)).setting).toBe("retry.maxAttempt");
  });

  it("rejects a non-object retry", () => {
    const options = { retry: 3 } as unknown as BatonOptions;
    expect(configError(() => compile(options)).setting).toBe("retry");
  });

  it("names the flag for flag values", () => {
    expect(configError(() => compile({}, {}, parseFlags(["--lease", "2h"]))).setting).toBe(
      "--lease",
    );
    expect(configError(() => compile({}, {}, parseFlags(["--retry-jitter", "1.5"]))).setting).toBe(
      "--retry-jitter",
    );
    expect(configError(() => compile({}, {}, parseFlags(["--heartbeat", "45s"]))).setting).toBe(
      "--heartbeat",
    );
  });

  it("accepts the boundary values", () => {
    const config = compile({
      lease: "1h",
      heartbeat: "100ms",
      maxInputSize: "900KiB",
      duplicateWindow: "1s",
      eventRetention: "1s",
      maxDeliveries: 2,
      retry: {
        maxAttempts: 1,
        backoffCoefficient: 1,
        jitter: 1,
        initialInterval: 1,
        maximumInterval: 1,
      },
    });
    expect(config.leaseMs).toBe(3_600_000);
    expect(config.heartbeatMs).toBe(100);
    expect(config.maxInputBytes).toBe(921_600);
    expect(config.eventRetentionMs).toBe(1000);
  });
});

describe("CLI flags", () => {
  it("has a parseArgs option for every setting", () => {
    const options = configParseArgsOptions();
    expect(Object.keys(options).sort()).toEqual(
      [
        "nats-url",
        "data-dir",
        "prefix",
        "lease",
        "heartbeat",
        "max-input-size",
        "duplicate-window",
        "event-retention",
        "shutdown-grace",
        "running-event-delay",
        "retry-max-attempts",
        "retry-initial-interval",
        "retry-backoff-coefficient",
        "retry-maximum-interval",
        "retry-jitter",
        "log-level",
        "tracing",
        "allow-undeclared-capabilities",
        "max-deliveries",
        "limits",
        "peer-host",
        "peer-port",
        "peer-advertise",
        "metrics-host",
        "metrics-port",
      ].sort(),
    );
    expect(options["allow-undeclared-capabilities"]).toEqual({ type: "boolean" });
    expect(options["lease"]).toEqual({ type: "string" });
    expect(CONFIG_FLAGS).toHaveLength(CONFIG_TABLE.length);
  });

  it("converts parsed flags to options", () => {
    expect(
      parseFlags([
        "--nats-url",
        "nats://localhost:4222",
        "--lease=45s",
        "--max-input-size",
        "128KiB",
        "--retry-max-attempts",
        "5",
        "--retry-jitter",
        "0",
        "--allow-undeclared-capabilities",
        "--max-deliveries",
        "10",
        "--log-level",
        "trace",
      ]),
    ).toEqual({
      natsUrl: "nats://localhost:4222",
      lease: "45s",
      maxInputSize: "128KiB",
      retry: { maxAttempts: 5, jitter: 0 },
      allowUndeclaredCapabilities: true,
      maxDeliveries: 10,
      logLevel: "trace",
    });
  });

  it("ignores parsed values that are not config flags", () => {
    expect(flagsToOptions({ help: true, lease: "5s" })).toEqual({ lease: "5s" });
  });

  it("names the flag when a number does not parse", () => {
    const err = configError(() => parseFlags(["--max-deliveries", "many"]));
    expect(err.setting).toBe("--max-deliveries");
    expect(err.message).toBe('invalid setting --max-deliveries: expected a number, got "many"');
  });

  it("overrides everything else", () => {
    const config = compile(
      { logLevel: "warn" },
      { BATON_LOG_LEVEL: "debug" },
      parseFlags(["--log-level", "error"]),
    );
    expect(config.logLevel).toBe("error");
  });
});

describe("renderConfigTable", () => {
  it("renders one Markdown row per setting with env var, flag and default", () => {
    const lines = renderConfigTable().split("\n");
    expect(lines[0]).toBe("| Option | Environment | Flag | Default | Description |");
    expect(lines[1]).toBe("| --- | --- | --- | --- | --- |");
    expect(lines).toHaveLength(CONFIG_TABLE.length + 2);
    const leaseRow = lines.find((l) => l.includes("`BATON_LEASE`"));
    expect(leaseRow).toContain("`--lease`");
    expect(leaseRow).toContain("| 30s |");
    for (const line of lines) expect(line.split(/(?<!\\)\|/)).toHaveLength(7);
  });

  it("derives env vars and flags consistently from option keys", () => {
    for (const s of CONFIG_TABLE) {
      const snake = s.key
        .replace(".", "_")
        .replace(/([a-z])([A-Z])/g, "$1_$2")
        .toUpperCase();
      expect(s.env).toBe(`BATON_${snake}`);
      expect(s.flag).toBe(`--${snake.toLowerCase().replace(/_/g, "-")}`);
    }
  });
});
