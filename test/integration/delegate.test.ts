import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import {
  ChildTaskFailedError,
  defineAgent,
  TerminalError,
  type JsonValue,
} from "../../src/index.js";
import { derivedTaskId } from "../../src/ids.js";
import { hashKey } from "../../src/nats/subjects.js";
import { CHILDREN_IN_RECORD, childIds } from "../../src/store/children.js";
import { aborted, coreEnv, gate, waitFor } from "../helpers/core.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats[Symbol.asyncDispose]();
});

/** The child agent of these tests: doubles `n` on capability "double", counting its runs. */
function doubler() {
  const out = {
    runs: 0,
    agent: defineAgent<{ n: number }>({
      name: "child",
      capabilities: ["double"],
      handler: (ctx) => {
        out.runs++;
        return ctx.input.n * 2;
      },
    }),
  };
  return out;
}

describe("ctx.delegate (durable queue path)", () => {
  it("runs a child once, links it to the parent, and survives a parent retry", async () => {
    const env = coreEnv(nats, { retry: { initialInterval: "50ms", jitter: 0 } });
    const child = doubler();
    let parentRuns = 0;
    const parent = defineAgent<{ n: number }>({
      name: "parent",
      capabilities: ["orchestrate"],
      handler: async (ctx) => {
        parentRuns++;
        const doubled = await ctx.delegate<number>("double", { n: ctx.input.n });
        if (ctx.attempt === 1) throw new Error("fail after the child finished");
        return { doubled };
      },
    });
    await env.worker([child.agent, parent]);
    const client = await env.client();
    const task = await client.submit("orchestrate", { n: 21 });
    const done = await client.wait(task.id, { timeoutMs: 15_000 });
    expect(done).toMatchObject({ state: "SUCCEEDED", result: { doubled: 42 }, attempt: 2 });
    expect(parentRuns).toBe(2);
    expect(child.runs).toBe(1);
    expect(done.children).toHaveLength(1);
    const kid = await client.get(done.children?.[0] ?? "");
    expect(kid).toMatchObject({
      parentId: task.id,
      rootId: task.id,
      state: "SUCCEEDED",
      result: 42,
    });
  });

  it("names a child after its parent and call, storing no idempotency key of its own", async () => {
    const env = coreEnv(nats);
    const child = doubler();
    const parent = defineAgent<{ n: number }>({
      name: "parent",
      capabilities: ["orchestrate"],
      handler: (ctx) => ctx.delegate<number>("double", ctx.input),
    });
    await env.worker([child.agent, parent]);
    const client = await env.client();
    const task = await client.submit("orchestrate", { n: 2 });
    expect(await client.wait(task.id, { timeoutMs: 15_000 })).toMatchObject({ result: 4 });
    const key = `child:${task.id}:double#1`;
    const id = derivedTaskId(task.createdAt, key);
    expect((await client.get(task.id)).children).toEqual([id]);
    expect(await client.get(id)).toMatchObject({ idempotencyKey: key, result: 4 });
    expect(await client.connection.idempotency.get(hashKey(key))).toBeNull();
  });

  it("keeps a child an earlier version stored under a random id when the parent retries", async () => {
    const env = coreEnv(nats, { retry: { initialInterval: "50ms", jitter: 0 } });
    const child = doubler();
    const legacyStored = gate();
    const parent = defineAgent<{ n: number }>({
      name: "parent",
      capabilities: ["orchestrate"],
      handler: async (ctx) => {
        if (ctx.attempt === 1) {
          await legacyStored.promise;
          throw new Error("the agent of an earlier version stored the child, then failed");
        }
        return ctx.delegate<number>("double", ctx.input);
      },
    });
    await env.worker([child.agent, parent]);
    const client = await env.client();
    const task = await client.submit("orchestrate", { n: 21 });
    // What an earlier version's delegate stored: the key in the idempotency bucket, a random id.
    const legacy = await client.submit(
      "double",
      { n: 21 },
      { idempotencyKey: `child:${task.id}:double#1`, parentId: task.id, rootId: task.id },
    );
    legacyStored.open();
    const done = await client.wait(task.id, { timeoutMs: 15_000 });
    expect(done).toMatchObject({ state: "SUCCEEDED", result: 42, attempt: 2 });
    expect(done.children).toEqual([legacy.id]);
    expect(child.runs).toBe(1);
  });

  it("fails the parent when a child fails for good, or lets it continue when it catches", async () => {
    const env = coreEnv(nats);
    const child = defineAgent({
      name: "child",
      capabilities: ["broken"],
      handler: () => {
        throw new TerminalError("no way");
      },
    });
    const parent = defineAgent<{ tolerate: boolean }>({
      name: "parent",
      capabilities: ["orchestrate"],
      handler: async (ctx): Promise<JsonValue> => {
        try {
          return await ctx.delegate("broken", null);
        } catch (err) {
          if (ctx.input.tolerate && err instanceof ChildTaskFailedError) {
            return { skipped: err.childState };
          }
          throw err;
        }
      },
    });
    await env.worker([child, parent]);
    const client = await env.client();
    const strict = await client.wait((await client.submit("orchestrate", { tolerate: false })).id);
    expect(strict.state).toBe("FAILED");
    expect(strict.attempts).toHaveLength(1);
    expect(strict.error).toMatchObject({ code: "CHILD_FAILED" });
    const lenient = await client.wait((await client.submit("orchestrate", { tolerate: true })).id);
    expect(lenient).toMatchObject({ state: "SUCCEEDED", result: { skipped: "FAILED" } });
  });

  it("cancelling the parent cancels its running child", async () => {
    const env = coreEnv(nats, { lease: "20s" });
    const childStarted = gate();
    let childAbort: unknown;
    const child = defineAgent({
      name: "child",
      capabilities: ["slow"],
      handler: async (ctx) => {
        childStarted.open();
        childAbort = await aborted(ctx.signal);
        throw childAbort;
      },
    });
    const parent = defineAgent({
      name: "parent",
      capabilities: ["orchestrate"],
      handler: (ctx) => ctx.delegate("slow", null),
    });
    await env.worker([child, parent], { lease: "20s" });
    const client = await env.client();
    const task = await client.submit("orchestrate", null);
    await childStarted.promise;
    await client.cancel(task.id);
    const kidId = await waitFor("child id", async () => (await client.get(task.id)).children?.[0]);
    const kid = await waitFor("child cancelled", async () => {
      const r = await client.get(kidId);
      return r.state === "CANCELLED" ? r : undefined;
    });
    expect(kid.parentId).toBe(task.id);
    await waitFor("child's signal aborted", () => childAbort !== undefined);
    expect((await client.get(task.id)).state).toBe("CANCELLED");
  });

  it("delegateAll keeps call order and the concurrency limit", async () => {
    const env = coreEnv(nats);
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on("warning", onWarning);
    onTestFinished(() => void process.off("warning", onWarning));
    let running = 0;
    let peak = 0;
    const child = defineAgent<{ i: number }>({
      name: "child",
      capabilities: ["square"],
      concurrency: 8,
      handler: async (ctx) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 10 + (ctx.input.i % 3) * 10));
        running--;
        return ctx.input.i * ctx.input.i;
      },
    });
    const parent = defineAgent({
      name: "parent",
      capabilities: ["orchestrate"],
      handler: (ctx) =>
        ctx.delegateAll<number>(
          Array.from({ length: 14 }, (_, i) => i).map((i) => ({
            capability: "square",
            input: { i },
          })),
          { concurrency: 2 },
        ),
    });
    await env.worker([child, parent]);
    const client = await env.client();
    const done = await client.wait((await client.submit("orchestrate", null)).id, {
      timeoutMs: 15_000,
    });
    expect(done).toMatchObject({
      state: "SUCCEEDED",
      result: Array.from({ length: 14 }, (_, i) => i * i),
    });
    expect(peak).toBeLessThanOrEqual(2);
    expect(done.children).toHaveLength(14);
    // Each child watch removed its abort listener from the parent's signal (no leak warning).
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
  });

  it("links children past those the parent's record holds, and a cancel reaches them all", async () => {
    const env = coreEnv(nats, { lease: "20s" });
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on("warning", onWarning);
    onTestFinished(() => void process.off("warning", onWarning));
    const n = CHILDREN_IN_RECORD + 10;
    const child = defineAgent({
      name: "child",
      capabilities: ["held"],
      concurrency: 1,
      handler: async (ctx) => aborted(ctx.signal).then(() => null),
    });
    const parent = defineAgent({
      name: "parent",
      capabilities: ["orchestrate"],
      handler: (ctx) =>
        ctx.delegateAll(
          Array.from({ length: n }, (_, i) => ({ capability: "held", input: i })),
          { concurrency: n },
        ),
    });
    await env.worker([child], { lease: "20s" });
    const parents = await env.worker([parent], { lease: "20s" });
    const client = await env.client();
    const conn = client.connection;
    const task = await client.submit("orchestrate", null);
    const ids = await waitFor(
      "every child linked",
      async () => {
        const ids = await childIds(conn, await client.get(task.id));
        return ids.length === n ? ids : undefined;
      },
      60_000,
    );
    const record = await client.get(task.id);
    expect(record.children).toHaveLength(CHILDREN_IN_RECORD);
    expect(record.moreChildren).toBe(true);
    expect(new Set(ids).size).toBe(n);
    const kids = await Promise.all(ids.map((id) => client.get(id)));
    expect(kids.every((k) => k.parentId === task.id)).toBe(true);
    expect(new Set(kids.map((k) => k.input)).size).toBe(n);
    // A thousand calls in flight on one parent are not a listener leak.
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);

    // With the parent's agent gone, only the cancel itself can reach the children.
    await parents.stop(0);
    await client.cancel(task.id);
    const states = await Promise.all(ids.map((id) => client.get(id).then((r) => r.state)));
    expect(states.filter((s) => s !== "CANCELLED")).toEqual([]);
  }, 90_000);
});
