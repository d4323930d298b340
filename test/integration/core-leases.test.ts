import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineAgent, ErrorCode, TaskState, type Worker } from "../../src/index.js";
import { consumerSpecs, ensureConsumer } from "../../src/nats/topology.js";
import {
  coreEnv,
  queueDepth,
  sleepObeying,
  waitFor,
  waitForState,
  type CoreEnv,
} from "../helpers/core.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats[Symbol.asyncDispose]();
});

const LEASE_MS = 1000;
const HEARTBEAT_MS = Math.floor(LEASE_MS / 3);

/** A worker process "dies": its connection drops with no release, ack or heartbeat. */
async function kill(worker: Worker): Promise<void> {
  await worker.connection.nc.close();
}

/** Workers started on demand; a handler can find the one running it by agent id. */
class Fleet {
  readonly byAgent = new Map<string, Worker>();
  readonly all: Worker[] = [];
  agents: Parameters<CoreEnv["worker"]>[0] = [];
  constructor(private readonly env: CoreEnv) {}
  async start(): Promise<Worker> {
    const w = await this.env.worker(this.agents);
    for (const id of w.agentIds) this.byAgent.set(id, w);
    this.all.push(w);
    return w;
  }
  live(): number {
    return this.all.filter((w) => !w.connection.nc.isClosed()).length;
  }
  /** The worker whose agent owns the attempt (it may still be registering). */
  owner(agentId: string | undefined): Promise<Worker> {
    return waitFor(`worker of ${agentId}`, () => (agentId ? this.byAgent.get(agentId) : undefined));
  }
}

describe("leases", () => {
  it("hands a task to another agent once a dead owner's lease expires, marking the attempt lost", async () => {
    const env = coreEnv(nats);
    const ran: { attempt: number; agent: string | undefined }[] = [];
    const agent = defineAgent({
      name: "lease",
      capabilities: ["lease"],
      handler: async (ctx) => {
        ran.push({ attempt: ctx.attempt, agent: ctx.task.owner?.agentId });
        if (ctx.attempt === 1) await env.forever();
        return { attempt: ctx.attempt };
      },
    });
    const a = await env.worker([agent]);
    const client = await env.client();
    const task = await client.submit("lease", null);
    const running = await waitForState(client, task.id, (r) => r.state === TaskState.Running);
    expect(running.owner?.agentId).toBe(a.agentIds[0]);
    const b = await env.worker([agent]);

    const lastLease = (await client.get(task.id)).owner?.leaseUntil ?? 0;
    const killedAt = Date.now();
    await kill(a);
    const done = await client.wait(task.id, { timeoutMs: 15_000 });

    expect(done.state).toBe(TaskState.Succeeded);
    expect(done.attempt).toBe(2);
    expect(done.attempts).toHaveLength(2);
    expect(done.attempts[0]).toMatchObject({
      attempt: 1,
      agentId: a.agentIds[0],
      outcome: "lost",
      error: { code: ErrorCode.WorkerLost },
    });
    expect(done.attempts[1]).toMatchObject({
      attempt: 2,
      agentId: b.agentIds[0],
      outcome: "succeeded",
    });
    expect(ran.map((r) => r.agent)).toEqual([a.agentIds[0], b.agentIds[0]]);
    // Not before the lease the dead owner last renewed, and not much after it either.
    const takeover = done.attempts[1]?.startedAt ?? 0;
    expect(takeover).toBeGreaterThanOrEqual(lastLease);
    expect(takeover - killedAt).toBeGreaterThanOrEqual(LEASE_MS - HEARTBEAT_MS - 50);
    expect(takeover - killedAt).toBeLessThan(LEASE_MS + 1500);
  });

  it("keeps a long task alive past its lease with heartbeats: one attempt, no takeover", async () => {
    const env = coreEnv(nats);
    const runs: string[] = [];
    let ranFor = 0;
    const agent = defineAgent({
      name: "long",
      capabilities: ["long"],
      handler: async (ctx) => {
        runs.push(ctx.task.owner?.agentId ?? "?");
        const t0 = performance.now();
        await sleepObeying(3.5 * LEASE_MS, ctx.signal);
        ranFor = performance.now() - t0;
        return "done";
      },
    });
    // Two idle agents: the second would take the task over if the lease ever lapsed.
    const a = await env.worker([agent]);
    const b = await env.worker([agent]);
    const client = await env.client();
    const task = await client.submit("long", null);

    const leases = new Set<number>();
    let finished = false;
    const watching = (async () => {
      while (!finished) {
        const r = await client.get(task.id);
        if (r.owner) leases.add(r.owner.leaseUntil);
        if (r.state !== TaskState.Pending && r.state !== TaskState.Running) return;
        await new Promise((res) => setTimeout(res, 50));
      }
    })();
    const done = await client.wait(task.id, { timeoutMs: 15_000 });
    finished = true;
    await watching;

    expect(done.state).toBe(TaskState.Succeeded);
    expect(ranFor).toBeGreaterThanOrEqual(3.5 * LEASE_MS - 5);
    expect(runs).toHaveLength(1);
    expect(done.attempt).toBe(1);
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]?.outcome).toBe("succeeded");
    expect([...a.agentIds, ...b.agentIds]).toContain(done.attempts[0]?.agentId);
    expect((done.finishedAt ?? 0) - (done.startedAt ?? 0)).toBeGreaterThanOrEqual(3 * LEASE_MS);
    // The lease was renewed again and again (about every lease/3).
    expect(leases.size).toBeGreaterThanOrEqual(6);
  });
});

describe("crash loops", () => {
  it("dead-letters a task whose worker dies on every attempt, with the lost attempts in its history", async () => {
    const env = coreEnv(nats);
    let calls = 0;
    const fleet = new Fleet(env);
    const agent = defineAgent({
      name: "crashy",
      capabilities: ["crashy"],
      concurrency: 1,
      handler: async (ctx) => {
        calls++;
        const me = await fleet.owner(ctx.task.owner?.agentId);
        await kill(me); // the process "dies" mid-task, every time
        await env.forever();
        return null;
      },
    });
    fleet.agents = [agent];
    await fleet.start();
    const client = await env.client();
    const task = await client.submit("crashy", { x: 1 }, { retry: { maxAttempts: 2 } });

    // A supervisor restarts the worker whenever none is alive.
    const dead = await waitFor(
      "task dead-lettered",
      async () => {
        if (fleet.live() === 0) await fleet.start();
        const r = await client.get(task.id);
        return r.state === TaskState.Dead ? r : undefined;
      },
      20_000,
      50,
    );

    expect(calls).toBe(2);
    expect(dead.attempts.map((a) => a.outcome)).toEqual(["lost", "lost"]);
    expect(dead.attempts.every((a) => a.error?.code === ErrorCode.WorkerLost)).toBe(true);
    expect(new Set(dead.attempts.map((a) => a.agentId)).size).toBe(2);
    expect(dead.error?.code).toBe(ErrorCode.WorkerLost);
    expect(dead.owner).toBeUndefined();
    expect(fleet.all.length).toBeGreaterThanOrEqual(3);
    const letters = await client.deadLetters({ capability: "crashy" });
    expect(letters.map((l) => l.taskId)).toEqual([task.id]);
    expect(letters[0]?.input).toEqual({ x: 1 });
    expect(letters[0]?.attempts.map((a) => a.outcome)).toEqual(["lost", "lost"]);
  });

  it("dead-letters a task that kills its worker before it can even claim, counted by deliveries", async () => {
    // maxDeliveries 2 + maxAttempts 1: the fourth delivery of a never-claimed task is its last.
    const env = coreEnv(nats, { maxDeliveries: 2 });
    const client = await env.client();
    await client.declareCapability("poison");
    const conn = client.connection;
    for (const spec of consumerSpecs(conn.names, "poison", conn.config)) {
      await ensureConsumer(conn.jsm, conn.names.tasksStream, spec);
    }
    const task = await client.submit("poison", { big: true }, { retry: { maxAttempts: 1 } });

    // Three workers each receive the message and die before claiming (no ack, no CAS).
    const consumer = await conn.js.consumers.get(
      conn.names.tasksStream,
      conn.names.consumerName("poison", "normal"),
    );
    for (let i = 1; i <= 3; i++) {
      const msg = await consumer.next({ expires: 5000 });
      expect(msg?.info.deliveryCount).toBe(i);
    }
    expect((await client.get(task.id)).state).toBe(TaskState.Pending);

    let calls = 0;
    await env.worker([
      defineAgent({
        name: "poison",
        capabilities: ["poison"],
        handler: () => {
          calls++;
          return null;
        },
      }),
    ]);
    const dead = await client.wait(task.id, { timeoutMs: 15_000 });
    expect(dead.state).toBe(TaskState.Dead);
    expect(dead.error?.code).toBe(ErrorCode.WorkerLost);
    expect(dead.error?.message).toMatch(/delivered 4 times/);
    expect(dead.attempts).toEqual([]);
    expect(calls).toBe(0);
    expect((await client.deadLetters({ capability: "poison" })).map((l) => l.taskId)).toEqual([
      task.id,
    ]);
    await waitFor("queue drained", async () => {
      const d = await queueDepth(client, "poison");
      return d.pending === 0 && d.unacked === 0;
    });
  });
});
