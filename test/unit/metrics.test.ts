import { describe, expect, it } from "vitest";
import { pino } from "pino";
import type { Registry } from "prom-client";
import { compileGatewayConfig } from "../../src/grpc/server/gateway-config.js";
import { runnableSince } from "../../src/store/transitions.js";
import { ClusterMetrics, type ClusterSource } from "../../src/telemetry/cluster-metrics.js";
import { combineTelemetry, NO_TELEMETRY } from "../../src/telemetry/hooks.js";
import {
  createAgentMetrics,
  METRICS,
  metricsTelemetry,
  runOutcome,
} from "../../src/telemetry/metrics.js";
import { TaskState } from "../../src/types.js";
import { CONFIG_TABLE } from "../../src/config/index.js";
import { compile, configError, parseFlags } from "../helpers/config.js";
import { pendingRecord } from "../helpers/records.js";

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** Samples of one metric (histograms: `_count`, `_sum`, `_bucket` by metricName). */
async function samples(registry: Registry, name: string): Promise<Sample[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  return (await metric.get()).values as Sample[];
}

async function value(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
  suffix = "",
): Promise<number | undefined> {
  const found = (await samples(registry, name)).find(
    (s) =>
      (suffix === "" || s.metricName === `${name}${suffix}`) &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found?.value;
}

const agent = { name: "sleeper", capabilities: ["sleep", "nap"] };

describe("agent metrics hooks", () => {
  it("start every capability's counters and gauges at 0", async () => {
    const m = createAgentMetrics();
    metricsTelemetry(m, agent);
    for (const capability of agent.capabilities) {
      expect(await value(m.registry, METRICS.retries.name, { capability })).toBe(0);
      expect(await value(m.registry, METRICS.deadLetters.name, { capability })).toBe(0);
      expect(
        await value(m.registry, METRICS.tasksInFlight.name, { capability, agent: "sleeper" }),
      ).toBe(0);
    }
    expect(await value(m.registry, METRICS.missedHeartbeats.name, { agent: "sleeper" })).toBe(0);
  });

  it("count in-flight attempts, claim latency, run duration by outcome and retries", async () => {
    const m = createAgentMetrics();
    const t = metricsTelemetry(m, agent);
    const record = pendingRecord({ capability: "sleep" });
    const inFlight = (): Promise<number | undefined> =>
      value(m.registry, METRICS.tasksInFlight.name, { capability: "sleep", agent: "sleeper" });

    const first = t.claimed(record, "queue", Date.now() - 2000);
    const second = t.claimed(record, "handoff", undefined);
    expect(await inFlight()).toBe(2);
    first.end({ state: TaskState.Pending, error: { message: "boom" } });
    first.end({ state: TaskState.Pending }); // a second end changes nothing
    second.end({ state: TaskState.Succeeded });
    expect(await inFlight()).toBe(0);

    const latency = METRICS.claimLatency.name;
    expect(await value(m.registry, latency, { capability: "sleep", via: "queue" }, "_count")).toBe(
      1,
    );
    const sum = await value(m.registry, latency, { capability: "sleep", via: "queue" }, "_sum");
    expect(sum).toBeGreaterThanOrEqual(2);
    expect(sum).toBeLessThan(10);
    // No readyAt, no latency sample.
    expect(
      await value(m.registry, latency, { capability: "sleep", via: "handoff" }, "_count"),
    ).toBeUndefined();

    const run = METRICS.runDuration.name;
    for (const outcome of ["retry", "succeeded"]) {
      expect(await value(m.registry, run, { capability: "sleep", outcome }, "_count")).toBe(1);
    }
    expect(await value(m.registry, METRICS.retries.name, { capability: "sleep" })).toBe(1);
  });

  it("count dead letters, missed heartbeats and negotiations by outcome", async () => {
    const m = createAgentMetrics();
    const t = metricsTelemetry(m, agent);
    const record = pendingRecord({ capability: "nap" });
    t.deadLettered(record);
    t.heartbeat(true);
    t.heartbeat(false);
    t.heartbeat(false);
    const placement = { time: 0, negotiator: "a", bids: [], winner: "b" };
    t.negotiated(record, { placement, startedAt: Date.now() - 20 });
    t.negotiated(record, { waiting: "no eligible agent", startedAt: Date.now() });
    t.negotiated(record, { waiting: "no eligible agent", startedAt: Date.now() });

    expect(await value(m.registry, METRICS.deadLetters.name, { capability: "nap" })).toBe(1);
    expect(await value(m.registry, METRICS.missedHeartbeats.name, { agent: "sleeper" })).toBe(2);
    const neg = METRICS.negotiations.name;
    expect(await value(m.registry, neg, { capability: "nap", outcome: "awarded" })).toBe(1);
    expect(await value(m.registry, neg, { capability: "nap", outcome: "waiting" })).toBe(2);
    expect(
      await value(
        m.registry,
        METRICS.negotiationDuration.name,
        { capability: "nap", outcome: "awarded" },
        "_sum",
      ),
    ).toBeGreaterThanOrEqual(0.02);
  });

  it("label discarded attempts fenced or released, whatever the state", () => {
    expect(runOutcome({ state: TaskState.Running, discarded: "fenced" })).toBe("fenced");
    expect(runOutcome({ state: TaskState.Pending, discarded: "released" })).toBe("released");
    expect(runOutcome({ state: TaskState.Failed })).toBe("failed");
    expect(runOutcome({ state: TaskState.Dead })).toBe("dead");
    expect(runOutcome({ state: TaskState.Cancelled })).toBe("cancelled");
    expect(runOutcome({ state: TaskState.Running })).toBe("fenced");
  });

  it("work next to other telemetry through combineTelemetry, readyAt passed on", async () => {
    const m = createAgentMetrics();
    const t = combineTelemetry([NO_TELEMETRY, metricsTelemetry(m, agent)]);
    const attempt = t.claimed(pendingRecord(), "award", Date.now());
    expect(attempt.run(() => 42)).toBe(42);
    await expect(attempt.step("s", false, () => Promise.resolve("ok"))).resolves.toBe("ok");
    attempt.end({ state: TaskState.Succeeded });
    const latency = METRICS.claimLatency.name;
    expect(await value(m.registry, latency, { capability: "sleep", via: "award" }, "_count")).toBe(
      1,
    );
  });

  it("keep names and help in METRICS, Prometheus-valid and unique", () => {
    const names = Object.values(METRICS).map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const spec of Object.values(METRICS)) {
      expect(spec.name).toMatch(/^baton_[a-z_]+$/);
      expect(spec.help.length).toBeGreaterThan(10);
    }
  });
});

describe("runnableSince", () => {
  it("is the submission for a first attempt, the delay or backoff end when there is one", () => {
    expect(runnableSince(pendingRecord({ createdAt: 1000 }))).toBe(1000);
    expect(runnableSince(pendingRecord({ createdAt: 1000, runAt: 5000 }))).toBe(5000);
    const retried = pendingRecord({
      createdAt: 1000,
      runAt: 9000,
      attempt: 1,
      attempts: [{ attempt: 1, agentId: "a", startedAt: 2000, endedAt: 3000, outcome: "failed" }],
    });
    expect(runnableSince(retried)).toBe(9000);
  });

  it("is the lapsed lease for a takeover and the release for a released attempt", () => {
    const running = pendingRecord({
      state: TaskState.Running,
      attempt: 1,
      owner: { agentId: "a", attempt: 1, leaseUntil: 7000 },
      attempts: [{ attempt: 1, agentId: "a", startedAt: 2000 }],
    });
    expect(runnableSince(running)).toBe(7000);
    const released = pendingRecord({
      attempt: 1,
      attempts: [{ attempt: 1, agentId: "a", startedAt: 2000, endedAt: 4000, outcome: "released" }],
    });
    expect(runnableSince(released)).toBe(4000);
    const replayed = pendingRecord({
      attempt: 3,
      attempts: [{ attempt: 3, agentId: "a", startedAt: 2000, endedAt: 4000, outcome: "dead" }],
    });
    expect(runnableSince(replayed)).toBeUndefined();
  });
});

describe("cluster metrics", () => {
  const logger = pino({ level: "silent" });

  function source(over: Partial<Record<keyof ClusterSource, () => Promise<unknown>>> = {}) {
    return {
      queueStats: () =>
        Promise.resolve([
          {
            capability: "sleep",
            backlog: 3,
            backlogByPriority: { high: 1, normal: 2, low: 0 },
            inFlight: 2,
            oldestAgeMs: 1500,
            deadLetters: 4,
          },
          {
            capability: "gpu",
            backlog: 0,
            backlogByPriority: { high: 0, normal: 0, low: 0 },
            inFlight: 0,
            deadLetters: 0,
          },
        ]),
      listAgents: () =>
        Promise.resolve([
          { id: "a1", capabilities: ["sleep"] },
          { id: "a2", capabilities: ["sleep", "echo"] },
        ]),
      demand: () =>
        Promise.resolve(
          ["gpu:a100x1", "gpu:h100x1", "gpu:h100x2"].map((resourceClass, i) => ({
            capability: "gpu",
            resourceClass,
            waiting: 3 - i,
            oldestSince: Date.now() - (i + 1) * 1000,
            reason: "no eligible agent",
          })),
        ),
      ...over,
    } as unknown as ClusterSource;
  }

  it("reads backlog, age, in flight, dead letters, agents alive and demand at scrape time", async () => {
    const c = new ClusterMetrics(source(), logger, 2);
    await c.refresh();
    const r = c.registry;
    expect(
      await value(r, METRICS.queueBacklog.name, { capability: "sleep", priority: "normal" }),
    ).toBe(2);
    expect(await value(r, METRICS.queueOldestAge.name, { capability: "sleep" })).toBe(1.5);
    expect(await value(r, METRICS.queueOldestAge.name, { capability: "gpu" })).toBe(0);
    expect(await value(r, METRICS.queueInFlight.name, { capability: "sleep" })).toBe(2);
    expect(await value(r, METRICS.queueDeadLetters.name, { capability: "sleep" })).toBe(4);
    expect(await value(r, METRICS.agentsAlive.name, { capability: "sleep" })).toBe(2);
    expect(await value(r, METRICS.agentsAlive.name, { capability: "echo" })).toBe(1);
    // Declared but nobody serves it: an explicit 0, which the alert rules look for.
    expect(await value(r, METRICS.agentsAlive.name, { capability: "gpu" })).toBe(0);
    const waiting = METRICS.tasksWaiting.name;
    expect(await value(r, waiting, { capability: "gpu", resource_class: "gpu:a100x1" })).toBe(3);
    // Past the series bound the rest fold into "other".
    expect(await value(r, waiting, { capability: "gpu", resource_class: "other" })).toBe(1);
    expect(
      await value(r, METRICS.tasksWaitingOldest.name, {
        capability: "gpu",
        resource_class: "other",
      }),
    ).toBeGreaterThanOrEqual(3);
    expect(await value(r, METRICS.clusterStatsUp.name, {})).toBe(1);
    const text = await r.metrics();
    expect(text).toContain(`# HELP ${METRICS.queueBacklog.name} ${METRICS.queueBacklog.help}`);
  });

  it("reports up 0 and drops stale series when NATS cannot be read", async () => {
    let fail = false;
    const base = source();
    const c = new ClusterMetrics(
      {
        ...base,
        queueStats: () => (fail ? Promise.reject(new Error("no NATS")) : base.queueStats()),
      },
      logger,
    );
    await c.refresh();
    fail = true;
    await c.refresh();
    expect(await value(c.registry, METRICS.clusterStatsUp.name, {})).toBe(0);
    expect(await samples(c.registry, METRICS.queueBacklog.name)).toEqual([]);
  });
});

describe("metrics settings", () => {
  it("serve agent metrics nowhere by default, on 127.0.0.1 when a port is given", () => {
    expect(compile()).toMatchObject({ metricsHost: "127.0.0.1", metricsPort: undefined });
    expect(compile({}, { BATON_METRICS_PORT: "0" }).metricsPort).toBe(0);
    expect(
      compile({}, { BATON_METRICS_HOST: "0.0.0.0" }, parseFlags(["--metrics-port", "9464"])),
    ).toMatchObject({ metricsHost: "0.0.0.0", metricsPort: 9464 });
    expect(configError(() => compile({}, { BATON_METRICS_PORT: "70000" })).setting).toBe(
      "BATON_METRICS_PORT",
    );
    const rows = CONFIG_TABLE.filter((s) => s.key.startsWith("metrics")).map((s) => s.env);
    expect(rows).toEqual(["BATON_METRICS_HOST", "BATON_METRICS_PORT"]);
  });

  it("leave the gateway's HTTP off in code unless an address is given", () => {
    const gw = (env: NodeJS.ProcessEnv, options = {}) =>
      compileGatewayConfig(options, { env, maxInputBytes: 1024 });
    expect(gw({}).httpAddress).toBeUndefined();
    expect(gw({ BATON_GATEWAY_HTTP: "127.0.0.1:0" }).httpAddress).toBe("127.0.0.1:0");
    expect(gw({ BATON_GATEWAY_HTTP: "off" }, { httpAddress: "[::1]:8080" }).httpAddress).toBe(
      "[::1]:8080",
    );
    expect(gw({}, { httpAddress: "off" }).httpAddress).toBeUndefined();
    expect(() => gw({ BATON_GATEWAY_HTTP: "8080" })).toThrow(/BATON_GATEWAY_HTTP.*host:port/);
    // No authentication on HTTP: a non-loopback address needs insecure.
    expect(() => gw({ BATON_GATEWAY_HTTP: "0.0.0.0:8080" })).toThrow(/not a loopback/);
    expect(
      gw({ BATON_GATEWAY_HTTP: "0.0.0.0:8080", BATON_GATEWAY_INSECURE: "1" }).httpAddress,
    ).toBe("0.0.0.0:8080");
  });
});
