import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineAgent, TaskState, type TaskEvent } from "../../src/index.js";
import { aborted, coreEnv, gate, sleepObeying, waitForState } from "../helpers/core.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats[Symbol.asyncDispose]();
});

// A long lease, so "at once" is clearly distinguishable from "after the lease".
const LEASE_MS = 10_000;

describe("graceful stop (SIGTERM drain)", () => {
  it("lets an in-flight task finish within the grace period and pulls nothing new", async () => {
    const env = coreEnv(nats, { lease: `${LEASE_MS}ms` });
    const started = gate();
    let signalAborted = false;
    const ranOn: string[] = [];
    const agent = defineAgent({
      name: "drain",
      capabilities: ["drain"],
      concurrency: 2,
      handler: async (ctx) => {
        ranOn.push(ctx.task.owner?.agentId ?? "?");
        if (ctx.input === "short") {
          started.open();
          await sleepObeying(400, ctx.signal).catch((err: unknown) => {
            signalAborted = true;
            throw err;
          });
        }
        return ctx.input;
      },
    });
    const a = await env.worker([agent]);
    const client = await env.client();
    const short = await client.submit("drain", "short");
    await started.promise;

    const stopAt = Date.now();
    const stopping = a.stop(3000);
    // Submitted while A drains: A must not run it (it has a free slot, but it is stopping).
    const later = await client.submit("drain", "later", { priority: "high" });
    const done = await client.wait(short.id, { timeoutMs: 10_000 });
    await stopping;

    expect(done.state).toBe(TaskState.Succeeded);
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]?.agentId).toBe(a.agentIds[0]);
    expect(signalAborted).toBe(false);
    expect(done.finishedAt).toBeLessThan(stopAt + 3000);

    const waiting = await client.get(later.id);
    expect(waiting.state).toBe(TaskState.Pending);
    expect(waiting.attempts).toEqual([]);
    // Another worker gets it at once, not after a lease.
    const b = await env.worker([agent]);
    const bStarted = Date.now();
    const laterDone = await client.wait(later.id, { timeoutMs: 10_000 });
    expect(laterDone.attempts[0]?.agentId).toBe(b.agentIds[0]);
    expect((laterDone.attempts[0]?.startedAt ?? 0) - bStarted).toBeLessThan(LEASE_MS / 4);
    expect(ranOn).toEqual([a.agentIds[0], b.agentIds[0]]);
  });

  it("releases a task still running after the grace period; another agent takes it at once without spending an attempt", async () => {
    const env = coreEnv(nats, { lease: `${LEASE_MS}ms` });
    const started = gate();
    const reasons: unknown[] = [];
    const seen: { agent: string; attempt: number }[] = [];
    const agent = defineAgent({
      name: "long",
      capabilities: ["long"],
      handler: async (ctx) => {
        seen.push({ agent: ctx.task.owner?.agentId ?? "?", attempt: ctx.attempt });
        if (seen.length === 1) {
          started.open();
          reasons.push(await aborted(ctx.signal));
          await env.forever(); // even ignoring the abort, the task is given back
        }
        return "finished elsewhere";
      },
    });
    const a = await env.worker([agent]);
    const client = await env.client();
    // One attempt only: if the release counted, the second agent would have to dead-letter it.
    const task = await client.submit("long", null, { retry: { maxAttempts: 1 } });
    await started.promise;
    await waitForState(client, task.id, (r) => r.state === TaskState.Running);
    const b = await env.worker([agent]);

    const GRACE_MS = 300;
    const stopAt = Date.now();
    const stopping = a.stop(GRACE_MS);
    const done = await client.wait(task.id, { timeoutMs: 15_000 });
    await stopping;

    expect(done.state).toBe(TaskState.Succeeded);
    expect(done.result).toBe("finished elsewhere");
    expect(done.attempts).toHaveLength(2);
    expect(done.attempts[0]).toMatchObject({ agentId: a.agentIds[0], outcome: "released" });
    expect(done.attempts[1]).toMatchObject({ agentId: b.agentIds[0], outcome: "succeeded" });
    expect(seen).toEqual([
      { agent: a.agentIds[0], attempt: 1 },
      { agent: b.agentIds[0], attempt: 1 },
    ]);
    expect(reasons).toHaveLength(1);
    // Released when the grace ran out, and claimed by B right away, far inside the lease.
    const releasedAt = done.attempts[0]?.endedAt ?? 0;
    expect(releasedAt - stopAt).toBeGreaterThanOrEqual(GRACE_MS);
    expect(releasedAt - stopAt).toBeLessThan(GRACE_MS + 1000);
    expect((done.attempts[1]?.startedAt ?? 0) - releasedAt).toBeLessThan(1000);
    expect((done.attempts[1]?.startedAt ?? 0) - stopAt).toBeLessThan(LEASE_MS / 4);

    // The task went back to PENDING in between.
    const events: TaskEvent[] = [];
    for await (const e of client.watch(task.id)) events.push(e);
    expect(events.map((e) => (e.type === "state" ? e.state : e.type))).toEqual([
      TaskState.Pending,
      TaskState.Running,
      TaskState.Pending,
      TaskState.Running,
      TaskState.Succeeded,
    ]);
  });
});
