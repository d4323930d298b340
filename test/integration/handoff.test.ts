/**
 * ctx.delegate's direct path: the parent's agent picks a peer by call for bids and hands the
 * child over gRPC (AgentPeerService); the durable queue finishes the job when that fails.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../src/client/client.js";
import { defineAgent } from "../../src/index.js";
import { TaskState, type TaskRecord } from "../../src/types.js";
import { AgentProcesses } from "../helpers/agent-process.js";
import {
  coreEnv,
  gate,
  listeningLongAgo,
  recordWrites,
  waitFor,
  waitForState,
} from "../helpers/core.js";
import {
  queuedMessages,
  readEventsOnceEnded,
  stateEventsByTask,
  terminalEvents,
  waitUntil,
} from "../helpers/fault.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats[Symbol.asyncDispose]();
});

const DIES_AT_START = fileURLToPath(new URL("../helpers/agents/dies-at-start.ts", import.meta.url));

const parentAgent = defineAgent<{ ms: number }>({
  name: "parent",
  capabilities: ["orchestrate"],
  concurrency: 4,
  handler: async (ctx) => ctx.delegate("sleep", { ms: ctx.input.ms }),
});

describe("ctx.delegate over gRPC", () => {
  it("hands the child straight to a peer agent, which records the parent's negotiation", async () => {
    const env = coreEnv(nats);
    const peer = defineAgent<{ n: number }>({
      name: "peer",
      capabilities: ["double"],
      handler: async (ctx) => {
        await ctx.progress({ half: true });
        return ctx.input.n * 2;
      },
    });
    const parent = defineAgent<{ n: number }>({
      name: "parent",
      capabilities: ["orchestrate"],
      handler: async (ctx) => ctx.delegate<number>("double", { n: ctx.input.n }),
    });
    const peerWorker = await env.worker([peer]);
    const parentWorker = await env.worker([parent]);
    const client = await env.client();
    const task = await client.submit("orchestrate", { n: 21 });
    const done = await client.wait(task.id, { timeoutMs: 15_000 });
    expect(done).toMatchObject({ state: "SUCCEEDED", result: 42 });
    const child = await client.get(done.children?.[0] ?? "");
    const peerId = peerWorker.agentIds[0];
    const parentId = parentWorker.agentIds[0];
    expect(child).toMatchObject({ state: "SUCCEEDED", result: 42, attempt: 1 });
    expect(child.attempts[0]?.agentId).toBe(peerId);
    // The parent's agent negotiated and the peer claimed through the direct call.
    expect(child.placements?.[0]).toMatchObject({ negotiator: parentId, winner: peerId });
    expect(child.placements?.[0]?.bids.map((b) => b.agentId)).toEqual([peerId]);
    // The child's queue message reached the peer before the call and became the run's own:
    // acked when the child finished, well inside the 1 s hand-off window, and delivered once
    // (not deferred for the window and delivered again only to find the child done).
    const { jsm, names } = client.connection;
    const consumer = await waitFor(
      "the child's queue message to be acked",
      async () => {
        const info = await jsm.consumers.info(
          names.tasksStream,
          names.consumerName("double", "normal"),
        );
        return info.num_ack_pending === 0 && info.num_pending === 0 ? info : undefined;
      },
      800,
    );
    expect(consumer.delivered.consumer_seq).toBe(1);
    expect(consumer.num_redelivered).toBe(0);
  });

  it("starts a handed-off child before storing its claim, and stores it within the window", async () => {
    const env = coreEnv(nats);
    const release = gate();
    let slowRuns = 0;
    const peer = defineAgent<{ wait: boolean }>({
      name: "peer",
      capabilities: ["echo"],
      concurrency: 4,
      handler: async (ctx) => {
        if (ctx.input.wait) {
          slowRuns++;
          await release.promise;
        }
        return ctx.input;
      },
    });
    const parent = defineAgent<{ wait: boolean }>({
      name: "parent",
      capabilities: ["orchestrate"],
      handler: (ctx) => ctx.delegate("echo", ctx.input),
    });
    // Two peers: the child's queue copy may be held by the one not running it.
    const peers = [await env.worker([peer]), await env.worker([peer])];
    peers.forEach(listeningLongAgo);
    await env.worker([parent]);
    const client = await env.client();
    const childOf = async (parentId: string): Promise<TaskRecord> => {
      const p = await waitForState(client, parentId, (r) => (r.children?.length ?? 0) > 0);
      return client.get(p.children?.[0] ?? "");
    };

    // A short child stores its claim, and the parent's negotiation, with its end.
    const quick = await client.submit("orchestrate", { wait: false });
    expect(await client.wait(quick.id, { timeoutMs: 15_000 })).toMatchObject({
      state: "SUCCEEDED",
      result: { wait: false },
    });
    const kid = await childOf(quick.id);
    expect(kid).toMatchObject({ state: "SUCCEEDED", attempt: 1 });
    expect(kid.placements?.[0]?.winner).toBe(kid.attempts[0]?.agentId);
    expect(await recordWrites(client, kid.id)).toBe(2);

    // A long one shows RUNNING before its hand-off window ends, so the queue copy, wherever it
    // is held, finds it taken once the window is over: it runs once.
    const slow = await client.submit("orchestrate", { wait: true });
    const child = await childOf(slow.id);
    const running = await waitForState(client, child.id, (r) => r.state === TaskState.Running);
    expect(Date.now()).toBeLessThan(child.handoffUntil ?? 0);
    expect(running.owner?.agentId).toBe(running.placements?.[0]?.winner);
    await waitFor(
      "the hand-off window to pass",
      () => Date.now() > (child.handoffUntil ?? 0) + 500,
      5_000,
    );
    release.open();
    expect(await client.wait(slow.id, { timeoutMs: 15_000 })).toMatchObject({
      state: "SUCCEEDED",
    });
    const ran = await client.get(child.id);
    expect(ran.attempts.map((a) => a.outcome)).toEqual(["succeeded"]);
    expect(slowRuns).toBe(1);
    const events = stateEventsByTask(await readEventsOnceEnded(client.connection, [child.id]));
    expect(terminalEvents(events.get(child.id))).toHaveLength(1);
  });

  it("finishes the child exactly once when the peer running it is killed with SIGKILL", async () => {
    const lease = "1500ms";
    await using agents = new AgentProcesses({
      env: {
        BATON_NATS_URL: nats.url,
        BATON_PREFIX: `${nats.prefix}_kill`,
        BATON_LEASE: lease,
        BATON_LOG_LEVEL: "warn",
        BATON_SLEEP_CONCURRENCY: "2",
      },
    });
    const peers = await Promise.all([
      agents.start({ name: "peer-a" }),
      agents.start({ name: "peer-b" }),
    ]);
    const env = coreEnv(nats, { prefix: `${nats.prefix}_kill`, lease });
    await env.worker([parentAgent]);
    const client = await createClient(env.options);
    try {
      const parent = await client.submit("orchestrate", { ms: 4000 });
      // Wait for the child to run on one of the peers, then kill that peer mid-call.
      let child: TaskRecord | undefined;
      await waitUntil(
        async () => {
          const p = await client.get(parent.id);
          const id = p.children?.[0];
          child = id ? await client.get(id) : undefined;
          return child?.state === TaskState.Running;
        },
        { timeoutMs: 20_000, intervalMs: 50, what: "the child to start on a peer" },
      );
      const owner = child?.owner?.agentId;
      const victim = peers.find((p) => owner !== undefined && p.agentIds.includes(owner));
      expect(victim, `owner ${owner} is one of the peer processes`).toBeDefined();
      await victim?.kill("SIGKILL");

      const done = await client.wait(parent.id, { timeoutMs: 30_000 });
      expect(done.state).toBe("SUCCEEDED");
      expect(done.children).toHaveLength(1);
      const kid = await client.get(child?.id ?? "");
      expect(kid.state).toBe("SUCCEEDED");
      const outcomes = kid.attempts.map((a) => a.outcome);
      expect(outcomes).toEqual(["lost", "succeeded"]);
      expect(kid.attempts[1]?.agentId).not.toBe(owner);
      const events = stateEventsByTask(
        await readEventsOnceEnded(client.connection, [kid.id, parent.id]),
      );
      expect(terminalEvents(events.get(kid.id))).toHaveLength(1);
      expect(terminalEvents(events.get(parent.id))).toHaveLength(1);
      // Nothing is left queued: the held message was acked once the child finished.
      await waitFor(
        "the child's queue message to be acked",
        async () => {
          const info = await client.connection.jsm.streams.info(
            client.connection.names.tasksStream,
          );
          return info.state.messages === 0;
        },
        10_000,
      );
    } finally {
      await client.close();
    }
  });

  it("loses no child when the peer it was handed to dies before storing the claim", async () => {
    const prefix = `${nats.prefix}_early`;
    await using agents = new AgentProcesses({
      env: {
        BATON_NATS_URL: nats.url,
        BATON_PREFIX: prefix,
        BATON_LEASE: "1500ms",
        BATON_LOG_LEVEL: "warn",
        BATON_TEST_NO_SLEEP: "1",
      },
      modules: [DIES_AT_START],
    });
    // The only peer: it wins every call for bids, and kills itself as a handler starts.
    const doomed = await agents.start({ name: "doomed", env: { BATON_TEST_DIE_AT_START: "1" } });
    const diedAt = doomed.exited.then((status) => ({ status, at: Date.now() }));
    const env = coreEnv(nats, { prefix, lease: "1500ms" });
    await env.worker([
      defineAgent<{ ms: number }>({
        name: "parent",
        capabilities: ["orchestrate"],
        concurrency: 4,
        handler: async (ctx) => ctx.delegate("fragile", { ms: ctx.input.ms }),
      }),
    ]);
    // A worker defers claims only for tasks created a second after it began listening.
    const listening = Date.now();
    await waitUntil(() => Date.now() > listening + 1_100, { timeoutMs: 5_000, what: "margin" });
    const client = await createClient(env.options);
    try {
      const parents = await Promise.all(
        [1, 2, 3].map(() => client.submit("orchestrate", { ms: 50 })),
      );
      const died = await diedAt;
      expect(died.status.signal).toBe("SIGKILL");
      // It died inside a hand-off window: the child came over gRPC, not from the queue, which
      // leaves a child alone for that window.
      const kids = await Promise.all(
        parents.map(async (p) => {
          const r = await waitForState(client, p.id, (x) => (x.children?.length ?? 0) > 0);
          return client.get(r.children?.[0] ?? "");
        }),
      );
      expect(kids.some((k) => died.at < (k.handoffUntil ?? 0))).toBe(true);
      // Its claim was never stored.
      expect(kids.every((k) => k.attempts.length === 0)).toBe(true);

      const rescuer = await agents.start({ name: "rescuer" });
      const done = await Promise.all(parents.map((p) => client.wait(p.id, { timeoutMs: 30_000 })));
      expect(done.map((d) => d.state)).toEqual(parents.map(() => "SUCCEEDED"));
      const events = stateEventsByTask(
        await readEventsOnceEnded(
          client.connection,
          [...kids, ...parents].map((t) => t.id),
        ),
      );
      for (const kid of kids) {
        const ran = await client.get(kid.id);
        expect(ran.state).toBe("SUCCEEDED");
        expect(ran.attempts.map((a) => [a.agentId, a.outcome])).toEqual([
          [rescuer.agentIds[0], "succeeded"],
        ]);
        expect(terminalEvents(events.get(kid.id))).toHaveLength(1);
      }
      for (const p of parents) expect(terminalEvents(events.get(p.id))).toHaveLength(1);
      await waitFor(
        "every queue message acked",
        async () => (await queuedMessages(client.connection)) === 0,
        10_000,
      );
    } finally {
      await client.close();
    }
  });
});
