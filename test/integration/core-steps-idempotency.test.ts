import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineAgent, TaskState, type Worker } from "../../src/index.js";
import { newTaskId, taskIdKey } from "../../src/ids.js";
import { coreEnv, queueDepth, waitFor, waitForState } from "../helpers/core.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats[Symbol.asyncDispose]();
});

function counter(): { counts: Map<string, number>; bump: (name: string) => number } {
  const counts = new Map<string, number>();
  return {
    counts,
    bump: (name) => {
      const n = (counts.get(name) ?? 0) + 1;
      counts.set(name, n);
      return n;
    },
  };
}

describe("durable steps", () => {
  it("does not run finished steps again after a retry; they return the stored result", async () => {
    const env = coreEnv(nats);
    const { counts, bump } = counter();
    const firstValues: number[] = [];
    await env.worker([
      defineAgent({
        name: "stepper",
        capabilities: ["stepper"],
        retry: { maxAttempts: 3, initialInterval: "50ms", jitter: 0 },
        handler: async (ctx) => {
          bump("handler");
          const a = await ctx.step("fetch", () => {
            bump("fetch");
            return Math.random();
          });
          const b = await ctx.step("think", async () => {
            bump("think");
            await Promise.resolve();
            return { a, doubled: a * 2 };
          });
          if (ctx.attempt === 1) {
            firstValues.push(a);
            throw new Error("fails after two steps");
          }
          const c = await ctx.step("write", () => {
            bump("write");
            return "written";
          });
          return { a, b, c };
        },
      }),
    ]);
    const client = await env.client();
    const task = await client.submit("stepper", null);
    const done = await client.wait(task.id, { timeoutMs: 10_000 });

    expect(done.state).toBe(TaskState.Succeeded);
    expect(done.attempts).toHaveLength(2);
    expect(Object.fromEntries(counts)).toEqual({ handler: 2, fetch: 1, think: 1, write: 1 });
    const a = firstValues[0] ?? -1;
    expect(done.result).toEqual({ a, b: { a, doubled: a * 2 }, c: "written" });
  });

  it("does not run finished steps again after the worker died and another took over", async () => {
    const env = coreEnv(nats);
    const { counts, bump } = counter();
    const workers = new Map<string, Worker>();
    const agent = defineAgent({
      name: "survivor",
      capabilities: ["survivor"],
      concurrency: 1,
      handler: async (ctx) => {
        const a = await ctx.step("a", () => bump("a"));
        if (ctx.attempt === 1) {
          const me = await waitFor("own worker", () => workers.get(ctx.task.owner?.agentId ?? ""));
          await me.connection.nc.close(); // dies right after its first step
          await env.forever();
        }
        const b = await ctx.step("b", () => bump("b"));
        return { a, b };
      },
    });
    const first = await env.worker([agent]);
    workers.set(first.agentIds[0] ?? "", first);
    const client = await env.client();
    const task = await client.submit("survivor", null);
    await waitFor("first worker died", () => first.connection.nc.isClosed());
    const second = await env.worker([agent]);
    workers.set(second.agentIds[0] ?? "", second);

    const done = await client.wait(task.id, { timeoutMs: 15_000 });
    expect(done.state).toBe(TaskState.Succeeded);
    expect(done.attempts.map((x) => x.outcome)).toEqual(["lost", "succeeded"]);
    expect(done.attempts[1]?.agentId).toBe(second.agentIds[0]);
    expect(Object.fromEntries(counts)).toEqual({ a: 1, b: 1 });
    expect(done.result).toEqual({ a: 1, b: 1 });
  });
});

describe("idempotent submit", () => {
  it("returns the same task for the same key inside the duplicate window and runs it once", async () => {
    const env = coreEnv(nats);
    const { counts, bump } = counter();
    await env.worker([
      defineAgent({
        name: "once",
        capabilities: ["once"],
        concurrency: 4,
        handler: (ctx) => {
          bump(ctx.taskId);
          return ctx.input;
        },
      }),
    ]);
    const client = await env.client();
    const first = await client.submit("once", { v: 1 }, { idempotencyKey: "order-17" });
    const again = await client.submit("once", { v: 2 }, { idempotencyKey: "order-17" });
    const racing = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        client.submit("once", { v: 10 + i }, { idempotencyKey: "order-18" }),
      ),
    );
    const other = await client.submit("once", { v: 3 }, { idempotencyKey: "order-19" });

    expect(again.id).toBe(first.id);
    expect(again.input).toEqual({ v: 1 });
    expect(new Set(racing.map((t) => t.id)).size).toBe(1);
    expect(other.id).not.toBe(first.id);
    expect(racing[0]?.id).not.toBe(first.id);

    const ids = [first.id, racing[0]?.id ?? "", other.id];
    await Promise.all(ids.map((id) => client.wait(id, { timeoutMs: 10_000 })));
    await waitFor("queue drained", async () => {
      const d = await queueDepth(client, "once");
      return d.pending === 0 && d.unacked === 0;
    });
    expect((await client.list()).tasks.map((t) => t.id).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(counts.get(id)).toBe(1);
    expect((await client.get(first.id)).idempotencyKey).toBe("order-17");
  });

  it("creates a task under the id a task:<id> key names, stores no key, and finds it again", async () => {
    const env = coreEnv(nats);
    const client = await env.client();
    await client.declareCapability("named");
    const id = newTaskId();
    const key = taskIdKey(id);
    const first = await client.submitDetailed("named", { v: 1 }, { idempotencyKey: key });
    expect(first).toMatchObject({ deduplicated: false, task: { id, idempotencyKey: key } });
    const racing = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        client.submitDetailed("named", { v: 2 + i }, { idempotencyKey: key }),
      ),
    );
    for (const r of racing)
      expect(r).toMatchObject({ deduplicated: true, task: { id, input: { v: 1 } } });
    // The tasks bucket's create was the check: the idempotency bucket holds nothing.
    const conn = client.connection;
    const keys = await conn.jsm.streams.info(`KV_${conn.names.idempotencyBucket}`);
    expect(keys.state.messages).toBe(0);
    expect((await client.list()).tasks.map((t) => t.id)).toEqual([id]);
    // Any other key still goes through the idempotency bucket.
    await client.submit("named", null, { idempotencyKey: `task:${id.toLowerCase()}` });
    expect((await conn.jsm.streams.info(`KV_${conn.names.idempotencyBucket}`)).state.messages).toBe(
      1,
    );
  });

  it("returns the same finished task for the same key after the duplicate window and does not run it again", async () => {
    const env = coreEnv(nats, { duplicateWindow: "1s" });
    const { counts, bump } = counter();
    await env.worker([
      defineAgent({
        name: "later",
        capabilities: ["later"],
        handler: (ctx) => bump(ctx.taskId),
      }),
    ]);
    const client = await env.client();
    const info = await client.connection.jsm.streams.info(client.connection.names.tasksStream);
    expect(info.config.duplicate_window).toBe(1_000_000_000);

    const t0 = Date.now();
    const first = await client.submit("later", null, { idempotencyKey: "k" });
    await client.wait(first.id, { timeoutMs: 10_000 });
    // Past JetStream's duplicate window (measured, not assumed).
    const remaining = t0 + 1300 - Date.now();
    if (remaining > 0) await new Promise((r) => setTimeout(r, remaining));
    expect(Date.now() - t0).toBeGreaterThan(1000);

    const again = await client.submit("later", null, { idempotencyKey: "k" });
    expect(again.id).toBe(first.id);
    expect(again.state).toBe(TaskState.Succeeded);
    await waitFor("queue drained", async () => {
      const d = await queueDepth(client, "later");
      return d.pending === 0 && d.unacked === 0;
    });
    expect(counts.get(first.id)).toBe(1);
    expect((await client.list()).tasks).toHaveLength(1);
    const after = await client.get(first.id);
    expect(after.attempts).toHaveLength(1);
  });

  it("runs a still-queued task once when its key is resubmitted after the duplicate window", async () => {
    const env = coreEnv(nats, { duplicateWindow: "1s" });
    const client = await env.client();
    await client.declareCapability("queued");
    const t0 = Date.now();
    const first = await client.submit("queued", null, { idempotencyKey: "job-1" });
    const remaining = t0 + 1300 - Date.now();
    if (remaining > 0) await new Promise((r) => setTimeout(r, remaining));
    expect(Date.now() - t0).toBeGreaterThan(1000);

    const again = await client.submit("queued", null, { idempotencyKey: "job-1" });
    expect(again.id).toBe(first.id);
    expect(again.state).toBe(TaskState.Pending);
    // Outside the window JetStream no longer deduplicates: the resubmit queued a second copy.
    const conn = client.connection;
    const stream = await conn.jsm.streams.info(conn.names.tasksStream);
    expect(stream.state.messages).toBe(2);

    const { counts, bump } = counter();
    await env.worker([
      defineAgent({
        name: "queued",
        capabilities: ["queued"],
        concurrency: 2,
        handler: (ctx) => bump(ctx.taskId),
      }),
    ]);
    const done = await client.wait(first.id, { timeoutMs: 10_000 });
    expect(done.state).toBe(TaskState.Succeeded);
    await waitFor("queue drained", async () => {
      const d = await queueDepth(client, "queued");
      return d.pending === 0 && d.unacked === 0;
    });
    expect(counts.get(first.id)).toBe(1);
    const after = await waitForState(client, first.id, (r) => r.state === TaskState.Succeeded);
    expect(after.attempts).toHaveLength(1);
    expect((await client.list()).tasks).toHaveLength(1);
  });
});
