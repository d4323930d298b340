/**
 * A fresh first delivery starts its handler before the claim is stored: the claim goes out with
 * the attempt's first write. These tests check what that must not change: a task cancelled while
 * queued never runs, a cancel during the run aborts it, a crash before the claim is stored loses
 * nothing, and every reader still sees RUNNING.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type BatonClient } from "../../src/client/client.js";
import { defineAgent, TaskState, type TaskEvent } from "../../src/index.js";
import { AgentProcesses } from "../helpers/agent-process.js";
import {
  aborted,
  coreEnv,
  gate,
  listeningLongAgo,
  queueDepth,
  recordWrites,
  waitFor,
  waitForState,
} from "../helpers/core.js";
import { readAllEvents, readEventsOnceEnded, waitUntil } from "../helpers/fault.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats[Symbol.asyncDispose]();
});

const brief = (e: TaskEvent): string => (e.type === "state" ? `state:${e.state}` : e.type);

/** A finished task's events, from the start, in brief. */
async function watched(client: BatonClient, id: string): Promise<string[]> {
  const seen: string[] = [];
  for await (const e of client.watch(id)) seen.push(brief(e));
  return seen;
}

describe("deferred claim", () => {
  it("stores a short task in two writes, the attempt recorded with its end", async () => {
    const env = coreEnv(nats, { runningEventDelay: "1s" });
    const release = gate();
    const w = await env.worker([
      defineAgent({ name: "quick", capabilities: ["quick"], handler: () => ({ ok: true }) }),
      defineAgent({
        name: "talks",
        capabilities: ["talks"],
        handler: async (ctx) => {
          await ctx.progress({ step: 1 });
          return null;
        },
      }),
      defineAgent({
        name: "flaky",
        capabilities: ["flaky"],
        retry: { maxAttempts: 2, initialInterval: "10ms" },
        handler: (ctx) => {
          if (ctx.attempt === 1) throw new Error("first attempt fails");
          return { attempt: ctx.attempt };
        },
      }),
      defineAgent({
        name: "slow",
        capabilities: ["slow"],
        handler: async (ctx) => {
          await release.promise;
          return { owner: ctx.task.owner?.agentId ?? null };
        },
      }),
    ]);
    listeningLongAgo(w);
    const client = await env.client();

    const quick = await client.submit("quick", null);
    const done = await client.wait(quick.id, { timeoutMs: 10_000 });
    expect(done.state).toBe(TaskState.Succeeded);
    expect(await recordWrites(client, quick.id)).toBe(2);
    expect(done.attempt).toBe(1);
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]).toMatchObject({ attempt: 1, outcome: "succeeded" });
    expect(w.agentIds).toContain(done.attempts[0]?.agentId);
    expect(done.startedAt).toBe(done.attempts[0]?.startedAt);
    expect(await watched(client, quick.id)).toEqual([
      "state:PENDING",
      "state:RUNNING",
      "state:SUCCEEDED",
    ]);

    // A progress event stores the claim first, then RUNNING, then itself.
    const talks = await client.submit("talks", null);
    await client.wait(talks.id, { timeoutMs: 10_000 });
    expect(await recordWrites(client, talks.id)).toBe(3);
    expect(await watched(client, talks.id)).toEqual([
      "state:PENDING",
      "state:RUNNING",
      "progress",
      "state:SUCCEEDED",
    ]);

    // A failed first attempt stores its claim with its retry; the retry claims at once.
    const flaky = await client.submit("flaky", null);
    const retried = await client.wait(flaky.id, { timeoutMs: 10_000 });
    expect(retried.state).toBe(TaskState.Succeeded);
    expect(retried.attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, "failed"],
      [2, "succeeded"],
    ]);
    expect(await watched(client, flaky.id)).toEqual([
      "state:PENDING",
      "state:RUNNING",
      "state:PENDING",
      "state:RUNNING",
      "state:SUCCEEDED",
    ]);

    // One that runs past the delay stores its claim then: the record says RUNNING while it runs.
    const slow = await client.submit("slow", null);
    const running = await waitForState(client, slow.id, (r) => r.state === TaskState.Running);
    expect(w.agentIds).toContain(running.owner?.agentId);
    expect(running.attempt).toBe(1);
    release.open();
    const finished = await client.wait(slow.id, { timeoutMs: 10_000 });
    expect(finished.result).toEqual({ owner: running.owner?.agentId });
    expect(await recordWrites(client, slow.id)).toBe(3);
  });

  it("never starts the handler of a task cancelled while it was queued", async () => {
    const env = coreEnv(nats);
    const ran: string[] = [];
    const unblock = gate();
    const w = await env.worker([
      defineAgent({
        name: "one-at-a-time",
        capabilities: ["serial"],
        concurrency: 1,
        handler: async (ctx) => {
          ran.push(ctx.taskId);
          if ((ctx.input as { block?: boolean }).block) await unblock.promise;
          return null;
        },
      }),
    ]);
    listeningLongAgo(w);
    const client = await env.client();
    const blocker = await client.submit("serial", { block: true });
    await waitFor("the blocker to run", () => ran.includes(blocker.id));
    const victim = await client.submit("serial", {});
    await client.cancel(victim.id);
    const after = await client.submit("serial", {});
    unblock.open();
    await client.wait(after.id, { timeoutMs: 10_000 });
    expect(ran).toEqual([blocker.id, after.id]);
    const record = await client.get(victim.id);
    expect(record.state).toBe(TaskState.Cancelled);
    expect(record.attempts).toHaveLength(0);
    await waitFor("the victim's message acked", async () => {
      const depth = await queueDepth(client, "serial");
      return depth.pending === 0 && depth.unacked === 0;
    });
  });

  it("aborts a run whose claim is not stored when the task is cancelled, which ends CANCELLED once", async () => {
    // The claim stays unstored for the whole test.
    const env = coreEnv(nats, { runningEventDelay: "10s" });
    const started = gate();
    const sawAbort = gate<unknown>();
    const w = await env.worker([
      defineAgent({
        name: "waits",
        capabilities: ["waits"],
        handler: async (ctx) => {
          started.open();
          sawAbort.open(await aborted(ctx.signal));
          return { ignored: true };
        },
      }),
    ]);
    listeningLongAgo(w);
    const client = await env.client();
    const task = await client.submit("waits", null);
    await started.promise;
    expect((await client.get(task.id)).state).toBe(TaskState.Pending);
    await client.cancel(task.id, "changed my mind");
    expect(String(await sawAbort.promise)).toMatch(/cancel/i);
    await waitFor("the run to settle", () => w.runners.every((r) => r.inFlight === 0));
    const record = await client.get(task.id);
    expect(record.state).toBe(TaskState.Cancelled);
    expect(record.result).toBeUndefined();
    const states = (await readAllEvents(client.connection))
      .filter((e) => e.taskId === task.id)
      .map(brief);
    expect(states).toEqual(["state:CANCELLED"]);
    await waitFor("the message acked", async () => {
      const depth = await queueDepth(client, "waits");
      return depth.pending === 0 && depth.unacked === 0;
    });
  });

  it("loses nothing when the agent is killed before its claim is stored", async () => {
    const LEASE = 1500;
    const env = {
      BATON_NATS_URL: nats.url,
      BATON_PREFIX: nats.prefix,
      BATON_LEASE: `${LEASE}ms`,
      BATON_LOG_LEVEL: "warn",
    };
    // The first agent keeps its claim unstored for the whole run.
    await using first = new AgentProcesses({ env: { ...env, BATON_RUNNING_EVENT_DELAY: "10s" } });
    const a = await first.start();
    // It vouches for tasks created a margin (1 s) after it began to listen.
    const listening = Date.now();
    await waitUntil(() => Date.now() > listening + 1_100, { timeoutMs: 5_000, what: "margin" });
    const client = await createClient({ natsUrl: nats.url, prefix: nats.prefix });
    try {
      const task = await client.submit("sleep", { ms: 1_500 });
      await waitUntil(async () => (await queueDepth(client, "sleep")).unacked === 1, {
        timeoutMs: 10_000,
        what: "the first agent to take the task",
      });
      expect((await client.get(task.id)).state).toBe(TaskState.Pending);
      await a.kill("SIGKILL");
      await using second = new AgentProcesses({ env });
      const b = await second.start();
      const done = await client.wait(task.id, { timeoutMs: 20_000 });
      expect(done.state).toBe(TaskState.Succeeded);
      expect(done.attempt).toBe(1);
      expect(done.attempts.map((x) => [x.agentId, x.outcome])).toEqual([
        [b.agentIds[0], "succeeded"],
      ]);
      const terminal = (await readEventsOnceEnded(client.connection, [task.id])).filter(
        (e) => e.taskId === task.id && e.type === "state" && e.state === TaskState.Succeeded,
      );
      expect(terminal).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});
