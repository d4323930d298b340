import { status } from "@grpc/grpc-js";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineAgent } from "../../src/index.js";
import type { DirectRun, PeerHost } from "../../src/dispatch/peer-host.js";
import {
  PeerClients,
  PeerRunError,
  runOnPeer,
  type PeerTaskEvent,
} from "../../src/grpc/peer/client.js";
import { startPeerServer, type PeerServer } from "../../src/grpc/peer/server.js";
import { TaskState, type TaskEventBody, type TaskRecord } from "../../src/types.js";
import { coreEnv } from "../helpers/core.js";
import { startNats, type TestNats } from "../helpers/nats.js";

const logger = pino({ level: "silent" });

type Behaviour = (taskId: string, onEvent: (event: TaskEventBody) => void) => Promise<DirectRun>;

/** A hand-written agent: what runDirect does is up to each test. */
class TestHost implements PeerHost {
  behaviour: Behaviour = () => Promise.resolve({ accepted: false, reason: "not set up" });
  constructor(readonly agentId: string) {}
  runDirect(taskId: string, onEvent?: (event: TaskEventBody) => void): Promise<DirectRun> {
    return this.behaviour(taskId, onEvent ?? (() => undefined));
  }
}

function record(id: string, patch: Partial<TaskRecord>): TaskRecord {
  const now = Date.now();
  return {
    id,
    capability: "echo",
    state: TaskState.Succeeded,
    input: null,
    priority: "normal",
    createdAt: now,
    updatedAt: now,
    attempt: 1,
    attempts: [],
    rootId: id,
    ...patch,
  };
}

const progress = (taskId: string, attempt: number, value: number): TaskEventBody => ({
  type: "progress",
  taskId,
  time: Date.now(),
  attempt,
  progress: value,
});
const output = (taskId: string, attempt: number, chunk: string): TaskEventBody => ({
  type: "output",
  taskId,
  time: Date.now(),
  attempt,
  chunk,
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function peerError(promise: Promise<unknown>): Promise<PeerRunError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof PeerRunError) return err;
    throw err;
  }
  throw new Error("expected a PeerRunError");
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("AgentPeerService", () => {
  const host = new TestHost("agent-a");
  let server: PeerServer;
  let pool: PeerClients;

  beforeAll(async () => {
    server = await startPeerServer({ hosts: [host], host: "127.0.0.1", port: 0, logger });
    pool = new PeerClients(logger);
  });
  afterAll(async () => {
    pool.close();
    await server.close();
  });

  it("listens on a free port and reports it", () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.address).toBe(`127.0.0.1:${server.port}`);
  });

  it("streams progress and output in order, then the settled record", async () => {
    host.behaviour = (taskId, onEvent) => {
      // Reported before runDirect resolves: must still come after `accepted`, in order.
      onEvent(progress(taskId, 3, 0));
      const done = (async () => {
        await sleep(10);
        onEvent(output(taskId, 3, "hel"));
        onEvent({ type: "state", taskId, time: Date.now(), state: "RUNNING", attempt: 3 });
        onEvent(output(taskId, 3, "lo"));
        onEvent(progress(taskId, 3, 1));
        return record(taskId, {
          state: TaskState.Succeeded,
          attempt: 3,
          result: { text: "hello" },
        });
      })();
      return Promise.resolve({ accepted: true, attempt: 3, done });
    };
    const events: PeerTaskEvent[] = [];
    const outcome = await runOnPeer(pool, {
      address: server.address,
      agentId: "agent-a",
      taskId: "t1",
      deadlineMs: 5_000,
      onEvent: (e) => events.push(e),
    });
    expect(outcome).toEqual({
      kind: "finished",
      state: "SUCCEEDED",
      attempt: 3,
      result: { text: "hello" },
    });
    expect(
      events.map((e) => [e.type, e.attempt, e.type === "output" ? e.chunk : e.progress]),
    ).toEqual([
      ["progress", 3, 0],
      ["output", 3, "hel"],
      ["output", 3, "lo"],
      ["progress", 3, 1],
    ]);
    expect(events.every((e) => e.taskId === "t1")).toBe(true);
  });

  it("sends `finished` alone for a run that ends at once, and `accepted` first for a longer one", async () => {
    /** The message kinds of one RunTask stream, read with the generated client. */
    const kinds = async (taskId: string, onMessage?: () => void): Promise<string[]> => {
      const { client, release } = pool.acquire(server.address);
      try {
        const out: string[] = [];
        const call = client.runTask({ agentId: "agent-a", taskId });
        for await (const m of call as AsyncIterable<Record<string, unknown>>) {
          out.push(["accepted", "progress", "output", "finished"].find((k) => m[k]) ?? "?");
          onMessage?.();
        }
        return out;
      } finally {
        release();
      }
    };
    const finish = deferred<TaskRecord>();
    host.behaviour = (taskId) =>
      Promise.resolve({
        accepted: true,
        attempt: 1,
        done: taskId === "quick" ? Promise.resolve(record(taskId, {})) : finish.promise,
      });
    expect(await kinds("quick")).toEqual(["finished"]);
    // A run still going after the accepted delay (50 ms) tells the caller of its claim first;
    // this one ends only once that message has arrived.
    const slow = await kinds("slow", () => finish.resolve(record("slow", {})));
    expect(slow).toEqual(["accepted", "finished"]);
  });

  it("reports a failed attempt's error, and the attempt's own error for a retry", async () => {
    host.behaviour = (taskId) =>
      Promise.resolve({
        accepted: true,
        attempt: 1,
        done: Promise.resolve(
          record(taskId, {
            state: TaskState.Pending,
            attempts: [
              {
                attempt: 1,
                agentId: "agent-a",
                startedAt: 1,
                endedAt: 2,
                outcome: "failed",
                error: { message: "flaky", name: "Error", code: "RETRYABLE" },
              },
            ],
          }),
        ),
      });
    const outcome = await runOnPeer(pool, {
      address: server.address,
      agentId: "agent-a",
      taskId: "t2",
      deadlineMs: 5_000,
    });
    expect(outcome).toEqual({
      kind: "finished",
      state: "PENDING",
      attempt: 1,
      error: { message: "flaky", name: "Error", code: "RETRYABLE" },
    });
  });

  it("maps a rejection to kind rejected with the reason", async () => {
    host.behaviour = () => Promise.resolve({ accepted: false, reason: "no free slot" });
    const outcome = await runOnPeer(pool, {
      address: server.address,
      agentId: "agent-a",
      taskId: "t3",
      deadlineMs: 5_000,
    });
    expect(outcome).toEqual({ kind: "rejected", reason: "no free slot" });
  });

  it("answers NOT_FOUND for an agent it does not host", async () => {
    const err = await peerError(
      runOnPeer(pool, {
        address: server.address,
        agentId: "agent-zzz",
        taskId: "t4",
        deadlineMs: 5_000,
      }),
    );
    expect(err.code).toBe(status.NOT_FOUND);
    expect(err.message).toContain("agent-zzz");
    expect(err.accepted).toBe(false);
  });

  it.each([
    ["task_id", { agentId: "agent-a", taskId: "" }],
    ["agent_id", { agentId: "", taskId: "t5" }],
  ])("answers INVALID_ARGUMENT naming %s", async (field, ids) => {
    const err = await peerError(
      runOnPeer(pool, { address: server.address, deadlineMs: 5_000, ...ids }),
    );
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.message).toContain(field);
  });

  it("throws when the deadline passes, while the host's run still completes", async () => {
    const completed = deferred<TaskRecord>();
    let lateEvents = 0;
    host.behaviour = (taskId, onEvent) => {
      const done = (async () => {
        onEvent(progress(taskId, 1, 0));
        await sleep(400);
        // The caller is gone by now: these go nowhere, and must not break the run.
        onEvent(output(taskId, 1, "late"));
        lateEvents++;
        const r = record(taskId, { state: TaskState.Succeeded, result: 42 });
        completed.resolve(r);
        return r;
      })();
      return Promise.resolve({ accepted: true, attempt: 1, done });
    };
    const events: PeerTaskEvent[] = [];
    const err = await peerError(
      runOnPeer(pool, {
        address: server.address,
        agentId: "agent-a",
        taskId: "t6",
        deadlineMs: 150,
        onEvent: (e) => events.push(e),
      }),
    );
    expect(err.code).toBe(status.DEADLINE_EXCEEDED);
    expect(err.accepted).toBe(true);
    expect(events).toHaveLength(1);
    const r = await completed.promise;
    expect(r.result).toBe(42);
    expect(lateEvents).toBe(1);
    // The server is unharmed.
    host.behaviour = () => Promise.resolve({ accepted: false, reason: "busy" });
    await expect(
      runOnPeer(pool, {
        address: server.address,
        agentId: "agent-a",
        taskId: "t7",
        deadlineMs: 5_000,
      }),
    ).resolves.toEqual({ kind: "rejected", reason: "busy" });
  });

  it("throws the signal's reason when the caller aborts, and the run goes on", async () => {
    const completed = deferred<void>();
    host.behaviour = (taskId) => {
      const done = (async () => {
        await sleep(200);
        completed.resolve();
        return record(taskId, {});
      })();
      return Promise.resolve({ accepted: true, attempt: 1, done });
    };
    const controller = new AbortController();
    const call = runOnPeer(pool, {
      address: server.address,
      agentId: "agent-a",
      taskId: "t8",
      deadlineMs: 5_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("parent cancelled")), 50);
    await expect(call).rejects.toThrow("parent cancelled");
    await completed.promise;
  });

  it("throws when nothing listens at the address", async () => {
    const other = await startPeerServer({ hosts: [], host: "127.0.0.1", port: 0, logger });
    const address = other.address;
    await other.close();
    const err = await peerError(
      runOnPeer(pool, { address, agentId: "agent-a", taskId: "t9", deadlineMs: 2_000 }),
    );
    expect(err.code).toBe(status.UNAVAILABLE);
  });
});

describe("AgentPeerService shutdown", () => {
  it("ends a stream mid-run so runOnPeer throws; the run is not stopped", async () => {
    const host = new TestHost("agent-b");
    const server = await startPeerServer({ hosts: [host], host: "127.0.0.1", port: 0, logger });
    const pool = new PeerClients(logger);
    try {
      const firstEvent = deferred<void>();
      const finish = deferred<TaskRecord>();
      host.behaviour = (taskId, onEvent) => {
        setTimeout(() => onEvent(progress(taskId, 1, 0.5)), 10);
        return Promise.resolve({ accepted: true, attempt: 1, done: finish.promise });
      };
      const call = runOnPeer(pool, {
        address: server.address,
        agentId: "agent-b",
        taskId: "s1",
        deadlineMs: 10_000,
        onEvent: () => firstEvent.resolve(),
      });
      await firstEvent.promise;
      const closed = server.close();
      const err = await peerError(call);
      expect(err.accepted).toBe(true);
      expect(err.code).toBe(status.UNAVAILABLE);
      await closed;
      // The host settles later; nothing is left to write to.
      finish.resolve(record("s1", {}));
      await sleep(10);
    } finally {
      pool.close();
      await server.close();
    }
  });
});

describe("Worker serves AgentPeerService", () => {
  let nats: TestNats;
  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(() => nats[Symbol.asyncDispose]());

  it("advertises one address for its agents, answers for them, and closes on stop", async () => {
    const env = coreEnv(nats);
    const echo = defineAgent({ name: "echo", capabilities: ["echo"], handler: (ctx) => ctx.input });
    const other = defineAgent({ name: "other", capabilities: ["other"], handler: () => null });
    const worker = await env.worker([echo, other]);
    const address = worker.peerAddress ?? "";
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(worker.runners.map((r) => r.peerAddress)).toEqual([address, address]);
    const client = await env.client();
    const agents = await client.listAgents();
    expect(agents.map((a) => a.peerAddress)).toEqual([address, address]);

    const pool = new PeerClients(logger);
    try {
      const [agentId = ""] = worker.agentIds;
      const outcome = await runOnPeer(pool, {
        address,
        agentId,
        taskId: "01ARZ3NDEKTSV4RRFFQ69G5FAV",
        deadlineMs: 5_000,
      });
      expect(outcome.kind).toBe("rejected");
      await worker.stop(0);
      const err = await peerError(
        runOnPeer(pool, { address, agentId, taskId: "x", deadlineMs: 2_000 }),
      );
      expect(err.code).toBe(status.UNAVAILABLE);
    } finally {
      pool.close();
    }
  });
});
