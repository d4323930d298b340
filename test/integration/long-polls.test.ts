/**
 * An idle agent waits on long polls. The queue that delivered last asks for many messages, so a
 * steady trickle of tasks arrives on the request already open instead of costing a new request
 * (and a round trip) per task; and the polls together never ask for more than the free slots,
 * so nothing is handed back when several queues deliver at once. A request ended early still
 * offers what the server had already sent it. No-wait requests share one inbox subscription.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NatsConnection } from "@nats-io/transport-node";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Puller, type Pull } from "../../src/dispatch/puller.js";
import { defineAgent, TaskState } from "../../src/index.js";
import { coreEnv, gate, waitFor } from "../helpers/core.js";
import { startNats, uniquePrefix, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats[Symbol.asyncDispose]();
});

interface PullCounts {
  longPolls: number;
  noWait: number;
}

/** Counts the pull requests sent for the tasks stream's consumers, as any subscriber sees them. */
function countPulls(nc: NatsConnection, stream: string): PullCounts {
  const counts: PullCounts = { longPolls: 0, noWait: 0 };
  nc.subscribe(`$JS.API.CONSUMER.MSG.NEXT.${stream}.>`, {
    callback: (_err, msg) => {
      const body = msg.json<{ no_wait?: boolean }>();
      if (body.no_wait) counts.noWait++;
      else counts.longPolls++;
    },
  });
  return counts;
}

/** Counts the negative acks (deliveries handed back) on the tasks stream. */
function countNaks(nc: NatsConnection, stream: string): { naks: number } {
  const counts = { naks: 0 };
  nc.subscribe(`$JS.ACK.${stream}.>`, {
    callback: (_err, msg) => {
      if (msg.string().startsWith("-NAK")) counts.naks++;
    },
  });
  return counts;
}

describe("long polls", () => {
  it("takes a steady trickle of tasks on the poll already open, with no new request per task", async () => {
    const env = coreEnv(nats);
    const agent = defineAgent({
      name: "trickle",
      capabilities: ["trickle"],
      concurrency: 32,
      handler: (ctx) => ctx.input,
    });
    await env.worker([agent]);
    const client = await env.client();
    const { nc, names } = client.connection;
    const pulls = countPulls(nc, names.tasksStream);
    await nc.flush();
    const first = await client.submit("trickle", 0);
    expect((await client.wait(first.id, { timeoutMs: 10_000 })).state).toBe(TaskState.Succeeded);
    // The agent is idle again, on polls it opened before the first task.
    const before = { ...pulls };
    const n = 20;
    for (let i = 1; i <= n; i++) {
      const { id } = await client.submit("trickle", i);
      const done = await client.wait(id, { timeoutMs: 10_000 });
      expect(done.state).toBe(TaskState.Succeeded);
      expect(done.result).toBe(i);
    }
    await nc.flush();
    // A poll for one message at a time costs a long poll and a sweep per task: 2n requests.
    expect(pulls.longPolls + pulls.noWait - before.longPolls - before.noWait).toBeLessThanOrEqual(
      2,
    );
  });

  it("hands nothing back when several queues deliver to an idle agent at once", async () => {
    const env = coreEnv(nats);
    const release = gate();
    const runs = new Map<string, number>();
    const concurrency = 4;
    const agent = defineAgent({
      name: "burst",
      capabilities: ["burst"],
      concurrency,
      handler: async (ctx) => {
        runs.set(ctx.task.id, (runs.get(ctx.task.id) ?? 0) + 1);
        await release.promise;
        return ctx.input;
      },
    });
    const client = await env.client();
    const { nc, names } = client.connection;
    const pulls = countPulls(nc, names.tasksStream);
    const acks = countNaks(nc, names.tasksStream);
    await nc.flush();
    await env.worker([agent]);
    // Idle: a long poll open on each of the three priority bands.
    await waitFor("three long polls", () => pulls.longPolls >= 3);

    // High first, then normal, each band in one call: six deliveries for four slots, so polls
    // that each asked for every free slot would hand two back. Normal after high, because a
    // sweep asks for every free slot while other bands' polls stay open (one-message sweeps
    // cost more under load): a high task stored after a normal sweep went out could still come
    // on the high band's poll to a full agent. With high stored first, the server hands h1 to that
    // poll while the normal tasks are still being submitted.
    const high = await client.submitMany(
      ["h1", "h2"].map((input) => ({
        capability: "burst",
        input,
        options: { priority: "high" as const },
      })),
    );
    const normal = await client.submitMany(
      [1, 2, 3, 4].map((i) => ({ capability: "burst", input: `n${i}` })),
    );
    const submitted = [...high, ...normal];
    await waitFor("every slot busy", () => runs.size === concurrency);
    release.open();
    const ends = await Promise.all(
      submitted.map((t) => client.wait(t.task.id, { timeoutMs: 10_000 })),
    );
    expect(ends.map((t) => t.state)).toEqual(submitted.map(() => TaskState.Succeeded));
    expect([...runs.values()]).toEqual(submitted.map(() => 1));
    await nc.flush();
    expect(acks.naks).toBe(0);
  });
});

describe("Puller", () => {
  it("offers what the server sent a request before it was ended early, instead of dropping it", async () => {
    const nc = await nats.connect();
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    const stream = `${uniquePrefix()}_Q`;
    await jsm.streams.add({ name: stream, subjects: [`${stream}.q`] });
    await jsm.consumers.add(stream, {
      durable_name: "c",
      ack_policy: AckPolicy.Explicit,
      ack_wait: 60_000_000_000,
    });
    const n = 5;
    for (let i = 0; i < n; i++) await js.publish(`${stream}.q`, String(i));

    const seen: { seq: number; late: boolean }[] = [];
    const current: { pull?: Pull } = {};
    const puller = new Puller(
      nc,
      (delivery, target) => {
        seen.push({ seq: delivery.streamSeq, late: target === undefined });
        delivery.ack();
        // Ended after the first message: the rest are already on their way.
        current.pull?.end();
      },
      (subject, data) => nc.publish(subject, data),
    );
    current.pull = puller.pull({ stream, consumer: "c", tag: "q" }, 10, { expiresMs: 5000 });
    await current.pull.done;
    await waitFor("every message offered", () => seen.length === n, 5000);
    expect(seen.map((s) => s.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(seen.filter((s) => s.late)).toHaveLength(n - 1);
  });

  it("sends no-wait requests on one shared inbox, each delivery going to its request", async () => {
    const nc = await nats.connect();
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    const stream = `${uniquePrefix()}_Q`;
    await jsm.streams.add({ name: stream, subjects: [`${stream}.*`] });
    for (const c of ["a", "b"]) {
      await jsm.consumers.add(stream, {
        durable_name: c,
        filter_subject: `${stream}.${c}`,
        ack_policy: AckPolicy.Explicit,
        ack_wait: 60_000_000_000,
      });
    }
    for (let i = 0; i < 3; i++) await js.publish(`${stream}.a`, `a${i}`);
    await js.publish(`${stream}.b`, "b0");
    // The real connection, with its subscribe calls counted.
    let subscribes = 0;
    const counted = new Proxy(nc, {
      get(target, key, receiver) {
        if (key === "subscribe") {
          return (...args: Parameters<NatsConnection["subscribe"]>) => {
            subscribes++;
            return target.subscribe(...args);
          };
        }
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === "function" ? (value as () => unknown).bind(target) : value;
      },
    });
    const seen: string[] = [];
    const puller = new Puller(
      counted,
      (delivery, target) => {
        seen.push(`${target?.tag ?? "late"}:${new TextDecoder().decode(delivery.data)}`);
        delivery.ack();
      },
      (subject, data) => nc.publish(subject, data),
    );
    const a = { stream, consumer: "a", tag: "a" };
    const b = { stream, consumer: "b", tag: "b" };
    // Filled exactly, filled in part (the server ends it), empty, and another consumer.
    expect(await puller.pull(a, 2, { noWait: true }).done).toBe(2);
    expect(await puller.pull(a, 5, { noWait: true }).done).toBe(1);
    expect(await puller.pull(a, 5, { noWait: true }).done).toBe(0);
    expect(await puller.pull(b, 5, { noWait: true }).done).toBe(1);
    expect(seen).toEqual(["a:a0", "a:a1", "a:a2", "b:b0"]);
    expect(subscribes).toBe(1);
    expect(puller.outstanding).toBe(0);

    // After endAll (a reconnect, a stop) the next request gets a fresh inbox: each message once.
    puller.endAll();
    await js.publish(`${stream}.b`, "b1");
    expect(await puller.pull(b, 5, { noWait: true }).done).toBe(1);
    await nc.flush();
    expect(seen).toEqual(["a:a0", "a:a1", "a:a2", "b:b0", "b:b1"]);
    expect(subscribes).toBe(2);
  });
});
