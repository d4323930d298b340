/**
 * Several gateways on one NATS: idempotent submits through two gateways, a gateway process
 * killed with SIGKILL while clients submit and fail over, NATS going away under a gateway, and
 * the `baton gateway` command's start-up errors and graceful stop.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/main.js";
import { createClient, defineAgent, Worker, type BatonClient } from "../../src/index.js";
import { startGateway } from "../../src/grpc/server/gateway.js";
import { waitFor } from "../helpers/core.js";
import { GatewayProcess, GenericClient, grpcError, json, status } from "../helpers/grpc-gateway.js";
import { startNats, uniquePrefix, type TestNats } from "../helpers/nats.js";

let nats: TestNats;

beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats?.[Symbol.asyncDispose]();
});

/** A namespace with one in-process agent that counts how often each task ran. */
async function namespace(): Promise<{
  prefix: string;
  core: BatonClient;
  runs: Map<string, number>;
  dispose(): Promise<void>;
}> {
  const prefix = uniquePrefix();
  const options = { natsUrl: nats.url, prefix, lease: "2s", logLevel: "silent" as const };
  const runs = new Map<string, number>();
  const agent = defineAgent({
    name: "counter",
    capabilities: ["count"],
    concurrency: 16,
    handler: async (ctx) => {
      runs.set(ctx.taskId, (runs.get(ctx.taskId) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 5));
      return ctx.input;
    },
  });
  const worker = await Worker.start([agent], options);
  const core = await createClient(options);
  return {
    prefix,
    core,
    runs,
    async dispose() {
      await worker.stop(0);
      await worker.connection.close();
      await core.close();
    },
  };
}

interface Submitted {
  task: { id: string; idempotencyKey: string };
  deduplicated: boolean;
}
interface Page {
  tasks: { id: string; idempotencyKey: string; state: string }[];
  nextPageToken: string;
}

async function listAll(rpc: GenericClient, capability: string): Promise<Page["tasks"]> {
  const out: Page["tasks"] = [];
  let pageToken = "";
  do {
    const page = await rpc.call<Page>("ListTasks", { capability, pageSize: 1000, pageToken });
    out.push(...page.tasks);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return out;
}

describe("several gateways", () => {
  it("the same idempotency key through two gateways gives one task that runs once", async () => {
    const ns = await namespace();
    const coreB = await createClient({ natsUrl: nats.url, prefix: ns.prefix, logLevel: "silent" });
    const a = await startGateway({ client: ns.core, address: "127.0.0.1:0", env: {} });
    const b = await startGateway({ client: coreB, address: "127.0.0.1:0", env: {} });
    const rpcA = new GenericClient(a.address);
    const rpcB = new GenericClient(b.address);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        const req = { capability: "count", input: json(i), idempotencyKey: `two-gateways-${i}` };
        const [x, y] = await Promise.all([
          rpcA.call<Submitted>("SubmitTask", req),
          rpcB.call<Submitted>("SubmitTask", req),
        ]);
        expect(x.task.id).toBe(y.task.id);
        // Exactly one of the two stored it; the other found it by the key.
        expect([x.deduplicated, y.deduplicated].filter(Boolean)).toHaveLength(1);
        const again = await rpcB.call<Submitted>("SubmitTask", req);
        expect(again).toMatchObject({ deduplicated: true, task: { id: x.task.id } });
        ids.push(x.task.id);
      }
      await Promise.all(ids.map((id) => ns.core.wait(id, { timeoutMs: 15_000 })));
      for (const id of ids) expect(ns.runs.get(id)).toBe(1);
      expect(ns.runs.size).toBe(10);
      const tasks = await listAll(rpcA, "count");
      expect(tasks.map((t) => t.id).sort()).toEqual([...ids].sort());
    } finally {
      rpcA.close();
      rpcB.close();
      await Promise.all([a.stop(), b.stop()]);
      await coreB.close();
      await ns.dispose();
    }
  });

  it("a gateway killed with SIGKILL while clients submit: every acknowledged task exists once", async () => {
    const ns = await namespace();
    const env = {
      BATON_NATS_URL: nats.url,
      BATON_PREFIX: ns.prefix,
      BATON_LEASE: "2s",
    };
    const [g1, g2] = await Promise.all([GatewayProcess.start(env), GatewayProcess.start(env)]);
    const rpcs = [new GenericClient(g1.address), new GenericClient(g2.address)];
    const TASKS = 240;
    const WORKERS = 8;
    const acked = new Map<string, string>();
    const failures: string[] = [];
    let inFlightOnG1 = 0;
    let inFlightAtKill: number;
    let next = 0;

    const submitWithRetry = async (i: number): Promise<void> => {
      const key = `sigkill-${i}`;
      let target = i % 2;
      for (let attempt = 0; attempt < 30; attempt++) {
        const rpc = rpcs[target];
        if (!rpc) throw new Error("no client");
        const onG1 = target === 0;
        if (onG1) inFlightOnG1++;
        try {
          const r = await rpc.call<Submitted>(
            "SubmitTask",
            { capability: "count", input: json({ i }), idempotencyKey: key },
            { deadline: Date.now() + 5_000 },
          );
          acked.set(key, r.task.id);
          return;
        } catch (err) {
          const e = err as { code?: number; details?: string };
          failures.push(`${target}:${e.code}:${e.details}`);
          // Any transport error: try the other gateway (the key makes the retry safe).
          target = 1 - target;
          await new Promise((r) => setTimeout(r, 20));
        } finally {
          if (onG1) inFlightOnG1--;
        }
      }
      throw new Error(`${key}: no gateway accepted it`);
    };

    try {
      const submitters = Array.from({ length: WORKERS }, async () => {
        while (next < TASKS) await submitWithRetry(next++);
      });
      // Killed with calls in flight on it: between calls none may be (it failed once so).
      await waitFor(
        "a third acknowledged, a call in flight on g1",
        () => acked.size >= TASKS / 3 && inFlightOnG1 > 0,
        20_000,
        1,
      );
      inFlightAtKill = inFlightOnG1;
      g1.kill("SIGKILL");
      await Promise.all(submitters);
      expect((await g1.exited).signal).toBe("SIGKILL");

      expect(acked.size).toBe(TASKS);
      expect(inFlightAtKill).toBeGreaterThan(0);
      expect(failures.length).toBeGreaterThan(0);
      expect(failures.every((f) => f.startsWith("0:"))).toBe(true);

      // Each acknowledged task runs once to success. (Listed after they finish: the core's
      // list() may repeat a record that changes while it lists.)
      await Promise.all([...acked.values()].map((id) => ns.core.wait(id, { timeoutMs: 20_000 })));
      expect(ns.runs.size).toBe(TASKS);
      expect([...ns.runs.values()].every((n) => n === 1)).toBe(true);

      // Exactly one task per key, and it is the one the client was told about.
      const tasks = await listAll(rpcs[1]!, "count");
      const byKey = new Map<string, Set<string>>();
      for (const t of tasks) {
        byKey.set(t.idempotencyKey, (byKey.get(t.idempotencyKey) ?? new Set()).add(t.id));
      }
      expect(byKey.size).toBe(TASKS);
      for (const [key, id] of acked) expect([...(byKey.get(key) ?? [])]).toEqual([id]);
      expect(tasks.every((t) => t.state === "TASK_STATE_SUCCEEDED")).toBe(true);

      // SIGTERM: graceful stop, exit 0.
      g2.kill("SIGTERM");
      expect((await g2.exited).code).toBe(0);
      expect(g2.stderr).toMatch(/SIGTERM: stopping the gateway/);
    } finally {
      for (const r of rpcs) r.close();
      await g1[Symbol.asyncDispose]();
      await g2[Symbol.asyncDispose]();
      await ns.dispose();
    }
  });
});

describe("NATS unreachable", () => {
  it("fails calls fast with UNAVAILABLE and reports NOT_SERVING until NATS is back", async () => {
    const own = await startNats();
    const gateway = await startGateway({
      config: {
        natsUrl: own.url,
        prefix: own.prefix,
        logLevel: "silent",
        allowUndeclaredCapabilities: true,
      },
      address: "127.0.0.1:0",
      env: {},
    });
    const rpc = new GenericClient(gateway.address);
    try {
      const { task } = await rpc.call<Submitted>("SubmitTask", { capability: "any" });
      expect((await rpc.healthCheck("baton.v1.TaskService")).status).toBe("SERVING");
      const watch = rpc.healthWatch("");
      watch.on("error", () => undefined);
      const statuses: string[] = [];
      watch.on("data", (s: { status: string }) => statuses.push(s.status));

      await own.server.stop();
      await waitFor(
        "NOT_SERVING",
        async () => (await rpc.healthCheck("")).status === "NOT_SERVING",
      );
      const started = Date.now();
      const get = await grpcError(rpc.call("GetTask", { id: task.id }));
      expect(get.code).toBe(status.UNAVAILABLE);
      expect(get.details).toMatch(/NATS/);
      const submit = await grpcError(
        rpc.call("SubmitTask", { capability: "any", idempotencyKey: "k" }),
      );
      expect(submit.code).toBe(status.UNAVAILABLE);
      const cluster = await grpcError(rpc.clusterCall("GetQueueStats", {}));
      expect(cluster.code).toBe(status.UNAVAILABLE);
      expect(Date.now() - started).toBeLessThan(2_000);

      await own.server.restart();
      await waitFor("SERVING again", async () => (await rpc.healthCheck("")).status === "SERVING");
      expect((await rpc.call<{ id: string }>("GetTask", { id: task.id })).id).toBe(task.id);
      await waitFor(
        "watch saw both changes",
        () =>
          statuses.includes("SERVING") &&
          statuses.includes("NOT_SERVING") &&
          statuses.at(-1) === "SERVING",
      );
      expect(statuses[0]).toBe("SERVING");
      watch.cancel();
    } finally {
      rpc.close();
      await gateway.stop();
      await own[Symbol.asyncDispose]();
    }
  });
});

describe("baton gateway", () => {
  function io(env: NodeJS.ProcessEnv) {
    let out = "";
    let err = "";
    return {
      io: {
        stdout: { write: (t: string) => ((out += t), true) },
        stderr: { write: (t: string) => ((err += t), true) },
        cwd: process.cwd(),
        env,
      },
      out: () => out,
      err: () => err,
    };
  }

  it("refuses a non-loopback address without protection (exit 2) and says how to fix it", async () => {
    const t = io({ BATON_NATS_URL: nats.url, BATON_PREFIX: nats.prefix, PATH: process.env.PATH });
    expect(await run(["gateway", "--address", "0.0.0.0:0"], t.io)).toBe(2);
    expect(t.err()).toMatch(/--address: 0\.0\.0\.0:0 is not a loopback address/);
    expect(t.err()).toMatch(/--insecure/);
    const bad = io({ BATON_NATS_URL: nats.url, PATH: process.env.PATH });
    expect(await run(["gateway", "--tls-cert", "/nonexistent.pem"], bad.io)).toBe(2);
    expect(bad.err()).toMatch(/--tls-cert: TLS needs both a certificate and a key/);
  });

  it("says so when there is neither a NATS URL nor an embedded server", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "baton-gw-nonats-"));
    try {
      const t = io({ BATON_DATA_DIR: dataDir, PATH: process.env.PATH });
      expect(await run(["gateway", "--address", "127.0.0.1:0"], t.io)).toBe(1);
      expect(t.err()).toMatch(/no NATS server configured and no embedded server running/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
