import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import sleepAgent from "../../agents/sleep/index.js";
import { createClient, type BatonClient } from "../../src/client/client.js";
import { Worker } from "../../src/dispatch/worker.js";
import { startGateway, type Gateway } from "../../src/grpc/server/gateway.js";
import { METRICS } from "../../src/telemetry/metrics.js";
import { TaskState } from "../../src/types.js";
import { AgentProcess } from "../helpers/agent-process.js";
import { GatewayProcess } from "../helpers/grpc-gateway.js";
import { startNats, type TestNats } from "../helpers/nats.js";

const LOG_AGENT = fileURLToPath(new URL("../fixtures/log-agent.ts", import.meta.url));

/** Debian's prometheus package puts promtool here; PATH is tried too. */
function findPromtool(): string | undefined {
  if (existsSync("/usr/bin/promtool")) return "/usr/bin/promtool";
  const found = spawnSync("promtool", ["--version"], { stdio: "ignore" });
  return found.status === 0 ? "promtool" : undefined;
}
const PROMTOOL = findPromtool();

/** One sample's value from Prometheus text, matching every given label. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = new Map<string, string>();
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)) {
      got.set(l[1] ?? "", l[2] ?? "");
    }
    if (Object.entries(labels).every(([k, v]) => got.get(k) === v)) return Number(m[3]);
  }
  return undefined;
}

async function scrape(address: string | undefined): Promise<string> {
  expect(address).toBeDefined();
  const res = await fetch(`http://${address}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("Prometheus /metrics on agents and the gateway", () => {
  let nats: TestNats;
  let worker: Worker;
  let client: BatonClient;
  let gateway: Gateway;
  let agentText = "";
  let gatewayText = "";
  let waitingId = "";

  beforeAll(async () => {
    nats = await startNats();
    // The dead letter logs a warning by design; keep the test output quiet.
    const options = { natsUrl: nats.url, prefix: nats.prefix, logLevel: "error" as const };
    worker = await Worker.start([sleepAgent], { ...options, metricsPort: 0 });
    client = await createClient(options);
    gateway = await startGateway({
      client,
      address: "127.0.0.1:0",
      httpAddress: "127.0.0.1:0",
      env: {},
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await worker?.stop(0);
    await client?.close();
    await nats?.[Symbol.asyncDispose]();
  });

  it("counts tasks, a retry and a dead letter on the agent and the cluster on the gateway", async () => {
    const retry = { initialInterval: "50ms", jitter: 0 };
    const ok = await client.submit("sleep", { ms: 5 });
    const retried = await client.submit(
      "sleep",
      { ms: 5, failTimes: 1 },
      { retry: { ...retry, maxAttempts: 3 } },
    );
    const dead = await client.submit(
      "sleep",
      { ms: 5, failTimes: 5 },
      { retry: { ...retry, maxAttempts: 1 } },
    );
    expect((await client.wait(ok.id, { timeoutMs: 15_000 })).state).toBe(TaskState.Succeeded);
    expect((await client.wait(retried.id, { timeoutMs: 15_000 })).state).toBe(TaskState.Succeeded);
    expect((await client.wait(dead.id, { timeoutMs: 15_000 })).state).toBe(TaskState.Dead);
    // Queued for a capability no agent serves, and one that waits for a GPU nobody has.
    await client.declareCapability("idle");
    await client.submit("idle", {});
    await client.submit("idle", {});
    const waiting = await client.submit(
      "sleep",
      { ms: 5 },
      { requirements: { gpuType: "a100", gpuCount: 1 } },
    );
    waitingId = waiting.id;

    // The registry names where each agent's process serves /metrics.
    expect(worker.metricsAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    await until(async () => {
      const agents = await client.listAgents({ capability: "sleep" });
      return agents[0]?.metricsAddress === worker.metricsAddress ? true : undefined;
    }, "metricsAddress in the registry");

    agentText = await until(async () => {
      const text = await scrape(worker.metricsAddress);
      const waited = sample(text, `${METRICS.negotiations.name}`, {
        capability: "sleep",
        outcome: "waiting",
      });
      return (waited ?? 0) >= 1 ? text : undefined;
    }, "a negotiation that leaves the GPU task waiting");
    const sleep = { capability: "sleep" };
    expect(sample(agentText, METRICS.retries.name, sleep)).toBe(1);
    expect(sample(agentText, METRICS.deadLetters.name, sleep)).toBe(1);
    expect(sample(agentText, METRICS.missedHeartbeats.name, { agent: "sleep" })).toBe(0);
    expect(sample(agentText, METRICS.tasksInFlight.name, { ...sleep, agent: "sleep" })).toBe(0);
    const runs = `${METRICS.runDuration.name}_count`;
    expect(sample(agentText, runs, { ...sleep, outcome: "succeeded" })).toBe(2);
    expect(sample(agentText, runs, { ...sleep, outcome: "retry" })).toBe(1);
    expect(sample(agentText, runs, { ...sleep, outcome: "dead" })).toBe(1);
    // Three first attempts and one retry, each claimed from the queue.
    const claims = `${METRICS.claimLatency.name}_count`;
    expect(sample(agentText, claims, { ...sleep, via: "queue" })).toBe(4);
    expect(sample(agentText, "process_cpu_user_seconds_total")).toBeGreaterThan(0);

    gatewayText = await until(async () => {
      const text = await scrape(gateway.httpAddress);
      const w = sample(text, METRICS.tasksWaiting.name, sleep);
      return w === 1 ? text : undefined;
    }, "the waiting GPU task on the gateway");
    expect(sample(gatewayText, METRICS.clusterStatsUp.name)).toBe(1);
    expect(sample(gatewayText, METRICS.queueDeadLetters.name, sleep)).toBe(1);
    expect(sample(gatewayText, METRICS.agentsAlive.name, sleep)).toBe(1);
    expect(sample(gatewayText, METRICS.agentsAlive.name, { capability: "idle" })).toBe(0);
    const idle = { capability: "idle", priority: "normal" };
    expect(sample(gatewayText, METRICS.queueBacklog.name, idle)).toBe(2);
    expect(
      sample(gatewayText, METRICS.queueOldestAge.name, { capability: "idle" }),
    ).toBeGreaterThan(0);
    expect(sample(gatewayText, METRICS.queueBacklog.name, { ...sleep, priority: "normal" })).toBe(
      0,
    );
    const classLine = gatewayText
      .split("\n")
      .find((l) => l.startsWith(`${METRICS.tasksWaiting.name}{`) && l.includes('"sleep"'));
    expect(classLine).toMatch(/resource_class="gpu/);
  });

  it.skipIf(PROMTOOL === undefined)(
    `both parse as valid Prometheus text (promtool check metrics)${
      PROMTOOL === undefined
        ? " [skipped: promtool not found; apt-get install -y prometheus provides /usr/bin/promtool]"
        : ""
    }`,
    () => {
      for (const text of [agentText, gatewayText]) {
        // promtool accepts empty input, so make sure there is something to check.
        expect(text).toContain("# TYPE baton_");
        const run = spawnSync(PROMTOOL ?? "promtool", ["check", "metrics"], {
          input: text,
          encoding: "utf8",
        });
        expect(`${run.stdout}${run.stderr}`).toBe("");
        expect(run.status).toBe(0);
      }
    },
  );

  it("serves the same from `baton gateway`, which prints its HTTP address", async () => {
    await using proc = await GatewayProcess.start(
      { BATON_NATS_URL: nats.url, BATON_PREFIX: nats.prefix },
      ["--address", "127.0.0.1:0", "--http", "127.0.0.1:0"],
    );
    const address = await until(
      () => Promise.resolve(/^dashboard on http:\/\/(\S+)\/ /m.exec(proc.stdout)?.[1]),
      "the http line",
    );
    const text = await scrape(address);
    expect(sample(text, METRICS.clusterStatsUp.name)).toBe(1);
    expect(sample(text, METRICS.queueDeadLetters.name, { capability: "sleep" })).toBe(1);
    // The same address serves the dashboard.
    const page = await fetch(`http://${address}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const tasks = (await (await fetch(`http://${address}/api/tasks`)).json()) as {
      tasks: unknown[];
    };
    expect(tasks.tasks.length).toBeGreaterThan(0);
  });

  it("answers 404 off /metrics and stops serving when stopped", async () => {
    const res = await fetch(`http://${gateway.httpAddress}/nope`);
    expect(res.status).toBe(404);
    await client.cancel(waitingId).catch(() => undefined);
    const address = worker.metricsAddress;
    await worker.stop(0);
    await expect(fetch(`http://${address}/metrics`)).rejects.toThrow();
    await gateway.stop();
    await expect(fetch(`http://${gateway.httpAddress}/metrics`)).rejects.toThrow();
  });
});

describe("logs", () => {
  let nats: TestNats;

  beforeAll(async () => {
    nats = await startNats();
  });

  afterAll(async () => {
    await nats?.[Symbol.asyncDispose]();
  });

  it("carry task_id and agent_id (and trace_id when tracing is on) as JSON", async () => {
    const env = {
      BATON_NATS_URL: nats.url,
      BATON_PREFIX: nats.prefix,
      BATON_LOG_LEVEL: "info",
      BATON_TEST_NO_SLEEP: "1",
    };
    await using agent = await AgentProcess.start({ env, name: "log-agent", modules: [LOG_AGENT] });
    const client = await createClient({ natsUrl: nats.url, prefix: nats.prefix, logLevel: "warn" });
    try {
      const task = await client.submit(
        "log-test",
        {},
        { retry: { initialInterval: "50ms", maxAttempts: 2 } },
      );
      expect((await client.wait(task.id, { timeoutMs: 15_000 })).state).toBe(TaskState.Succeeded);
      const [agentId] = agent.agentIds;
      expect(agentId).toMatch(/^logger-/);
      const parse = async (pattern: RegExp): Promise<Record<string, unknown>> =>
        JSON.parse(await agent.waitForStderr(pattern, 10_000)) as Record<string, unknown>;
      for (const entry of [
        await parse(/"handler says hello"/),
        await parse(/"attempt failed; retrying"/),
      ]) {
        expect(entry).toMatchObject({ task_id: task.id, agent_id: agentId });
        // From the active span: absent while tracing is off, both ids when it is on.
        if (entry.trace_id !== undefined) {
          expect(entry.trace_id).toMatch(/^[0-9a-f]{32}$/);
          expect(entry.span_id).toMatch(/^[0-9a-f]{16}$/);
        }
      }
      expect(await parse(/"agent started"/)).toMatchObject({ agent_id: agentId });
    } finally {
      await client.close();
    }
  });
});
