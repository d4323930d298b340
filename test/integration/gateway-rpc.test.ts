/**
 * Every RPC of the gateway and its error codes, against a real nats-server, a real gateway and
 * an in-process agent, called through a generic grpc-js client built from the proto.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createClient,
  defineAgent,
  TerminalError,
  Worker,
  type BatonClient,
} from "../../src/index.js";
import { startGateway, type Gateway } from "../../src/grpc/server/gateway.js";
import { waitFor } from "../helpers/core.js";
import {
  collect,
  fieldOf,
  GenericClient,
  grpcError,
  json,
  parse,
  reflectionListServices,
  status,
} from "../helpers/grpc-gateway.js";
import { startNats, type TestNats } from "../helpers/nats.js";

interface PbTask {
  id: string;
  capability: string;
  state: string;
  input: Buffer;
  result: Buffer;
  error: { message: string; code: string; nonRetryable: boolean } | null;
  priority: string;
  idempotencyKey: string;
  labels: Record<string, string>;
  retry: { maxAttempts: number; jitter?: number } | null;
  timeout: { seconds: number; nanos: number } | null;
  runTime: { seconds: number; nanos: number } | null;
  attempt: number;
  attempts: { attempt: number; agentId: string; outcome: string }[];
  parentId: string;
  rootId: string;
  replays: number;
  requirements: { gpuType: string; gpuCount: number; labels: Record<string, string> } | null;
  affinityKey: string;
  placements: { winner: string; bids: { agentId: string }[] }[];
}
interface Submitted {
  task: PbTask;
  deduplicated: boolean;
}

let nats: TestNats;
let worker: Worker;
let core: BatonClient;
let gateway: Gateway;
let rpc: GenericClient;
let release: () => void = () => undefined;
const gate = new Promise<void>((resolve) => (release = resolve));

const INPUT_LIMIT = 32 * 1024;
const TRANSPORT_LIMIT = 128 * 1024;

beforeAll(async () => {
  nats = await startNats();
  const options = {
    natsUrl: nats.url,
    prefix: nats.prefix,
    lease: "2s",
    logLevel: "silent" as const,
    maxInputSize: INPUT_LIMIT,
  };
  const echo = defineAgent({
    name: "echo",
    capabilities: ["echo"],
    concurrency: 4,
    resources: {
      cpuSlots: 2,
      gpus: [{ type: "t4", count: 1, memoryMib: 16384 }],
      labels: { zone: "a" },
    },
    handler: async (ctx) => {
      await ctx.progress({ half: true });
      await ctx.emit("tok");
      return { got: ctx.input };
    },
  });
  const typed = defineAgent<{ n: number }>({
    name: "typed",
    capabilities: ["typed"],
    inputSchema: {
      type: "object",
      properties: { n: { type: "integer", minimum: 0 } },
      required: ["n"],
    },
    handler: (ctx) => Promise.resolve(ctx.input.n * 2),
  });
  const doomed = defineAgent({
    name: "doomed",
    capabilities: ["doomed"],
    retry: { maxAttempts: 1 },
    handler: () => Promise.reject(new Error("always fails")),
  });
  const terminal = defineAgent({
    name: "terminal",
    capabilities: ["terminal"],
    handler: () => Promise.reject(new TerminalError("no way")),
  });
  const gated = defineAgent({
    name: "gated",
    capabilities: ["gated"],
    concurrency: 1,
    handler: () => gate,
  });
  worker = await Worker.start([echo, typed, doomed, terminal, gated], options);
  core = await createClient(options);
  // Declared, but no agent runs them: their tasks stay PENDING.
  await core.declareCapability("idle");
  await core.declareCapability("idle-pages");
  gateway = await startGateway({
    client: core,
    address: "127.0.0.1:0",
    maxMessageSize: TRANSPORT_LIMIT,
    env: {},
  });
  rpc = new GenericClient(gateway.address);
});

afterAll(async () => {
  release();
  rpc?.close();
  await gateway?.stop();
  await worker?.stop(0);
  await worker?.connection.close();
  await core?.close();
  await nats?.[Symbol.asyncDispose]();
});

const submit = (req: Record<string, unknown>): Promise<Submitted> => rpc.call("SubmitTask", req);
const getTask = (id: string): Promise<PbTask> => rpc.call("GetTask", { id });

async function waitState(id: string, state: string): Promise<PbTask> {
  return waitFor(`${id} in ${state}`, async () => {
    const t = await getTask(id);
    return t.state === state ? t : undefined;
  });
}

describe("SubmitTask, GetTask, WatchTask", () => {
  it("submits, streams every event to the terminal one, and reads the result", async () => {
    const { task, deduplicated } = await submit({
      capability: "echo",
      input: json({ a: 1 }),
      priority: "PRIORITY_HIGH",
      labels: { team: "x" },
      timeout: { seconds: 30, nanos: 0 },
      retry: { maxAttempts: 5, jitter: 0 },
    });
    expect(deduplicated).toBe(false);
    expect(task.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(task.state).toBe("TASK_STATE_PENDING");
    expect(task.priority).toBe("PRIORITY_HIGH");
    expect(task.labels).toEqual({ team: "x" });
    expect(task.timeout).toEqual({ seconds: 30, nanos: 0 });
    expect(task.retry?.maxAttempts).toBe(5);
    expect(task.retry?.jitter).toBe(0);
    expect(task.rootId).toBe(task.id);
    expect(parse(task.input)).toEqual({ a: 1 });

    const events = await collect(rpc.watch({ id: task.id }));
    const brief = events.map((e) => {
      if (e.event === "stateChange") return e.stateChange?.state;
      if (e.event === "progress") return `progress:${JSON.stringify(parse(e.progress?.value))}`;
      return `output:${JSON.stringify(parse(e.output?.chunk))}`;
    });
    expect(brief).toEqual([
      "TASK_STATE_PENDING",
      "TASK_STATE_RUNNING",
      'progress:{"half":true}',
      'output:"tok"',
      "TASK_STATE_SUCCEEDED",
    ]);
    const seqs = events.map((e) => e.sequence);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(parse(events.at(-1)?.stateChange?.result)).toEqual({ got: { a: 1 } });

    const done = await getTask(task.id);
    expect(done.state).toBe("TASK_STATE_SUCCEEDED");
    expect(parse(done.result)).toEqual({ got: { a: 1 } });
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]?.outcome).toBe("succeeded");
    expect(done.attempts[0]?.agentId).toBe(worker.agentIds[0]);
  });

  it("returns the same task for the same idempotency key, marked deduplicated", async () => {
    const req = { capability: "echo", input: json({ k: 1 }), idempotencyKey: "rpc-same-key" };
    const first = await submit(req);
    const again = await submit({ ...req, input: json({ k: 2 }) });
    expect(first.deduplicated).toBe(false);
    expect(again.deduplicated).toBe(true);
    expect(again.task.id).toBe(first.task.id);
    expect(again.task.idempotencyKey).toBe("rpc-same-key");
    expect(parse(again.task.input)).toEqual({ k: 1 });
  });

  it("takes empty input as null and derives root_id from the parent", async () => {
    const parent = (await submit({ capability: "echo" })).task;
    expect(parse(parent.input)).toBeNull();
    const child = (await submit({ capability: "echo", parentId: parent.id })).task;
    expect(child.parentId).toBe(parent.id);
    expect(child.rootId).toBe(parent.rootId);
    const err = await grpcError(
      submit({ capability: "echo", parentId: "0000000000ZZZZZZZZZZZZZZZZ" }),
    );
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldOf(err)).toBe("parent_id");
  });

  it("names the proto field in INVALID_ARGUMENT errors", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ capability: "bad capability!" }, "capability"],
      [{ capability: "no-such-capability" }, "capability"],
      [{ capability: "echo", input: Buffer.from("{not json") }, "input"],
      [{ capability: "echo", input: Buffer.from([0xff, 0xfe]) }, "input"],
      [{ capability: "echo", retry: { maxAttempts: -1 } }, "retry.max_attempts"],
      [{ capability: "echo", retry: { backoffCoefficient: 0.5 } }, "retry.backoff_coefficient"],
      [{ capability: "echo", retry: { jitter: 2 } }, "retry.jitter"],
      [
        {
          capability: "echo",
          retry: { initialInterval: { seconds: 10 }, maximumInterval: { seconds: 1 } },
        },
        "retry.maximum_interval",
      ],
      [{ capability: "echo", delay: { seconds: -5 } }, "delay"],
      [
        { capability: "echo", delay: { seconds: 5 }, runTime: { seconds: 2_000_000_000 } },
        "run_time",
      ],
      [{ capability: "echo", deadline: { seconds: 1000 } }, "deadline"],
      [{ capability: "echo", priority: 9 }, "priority"],
      [{ capability: "echo", labels: { "bad label": "x" } }, "labels.bad label"],
      [{ capability: "echo", idempotencyKey: "k".repeat(600) }, "idempotency_key"],
      [{ capability: "echo", parentId: "nope" }, "parent_id"],
      [{ capability: "echo", requirements: { gpuCount: -1 } }, "requirements.gpu_count"],
      [{ capability: "echo", requirements: { labels: { "a b": "x" } } }, "requirements.labels.a b"],
      [{ capability: "echo", affinityKey: "k".repeat(300) }, "affinity_key"],
      [{ capability: "typed", input: json({ n: -1 }) }, "input.n"],
      [{ capability: "typed", input: json({}) }, "input.n"],
    ];
    for (const [req, field] of cases) {
      const err = await grpcError(submit(req));
      expect.soft(err.code, `${JSON.stringify(req)}: ${err.details}`).toBe(status.INVALID_ARGUMENT);
      expect.soft(fieldOf(err), err.details).toBe(field);
      expect.soft(err.details.startsWith(`${field}: `), err.details).toBe(true);
      expect.soft(err.metadata.get("baton-error-code").length).toBe(1);
    }
    const typed = await submit({ capability: "typed", input: json({ n: 21 }) });
    expect(parse((await waitState(typed.task.id, "TASK_STATE_SUCCEEDED")).result)).toBe(42);
  });

  it("takes placement fields: requirements the agent meets, and an affinity key", async () => {
    const { task } = await submit({
      capability: "echo",
      requirements: { gpuType: "t4", gpuCount: 1, labels: { zone: "a" } },
      affinityKey: "warm",
    });
    expect(task.requirements).toMatchObject({ gpuType: "t4", gpuCount: 1, labels: { zone: "a" } });
    expect(task.affinityKey).toBe("warm");
    const done = await waitState(task.id, "TASK_STATE_SUCCEEDED");
    expect(done.placements.at(-1)?.winner).toBe(worker.agentIds[0]);
    // An empty Requirements message asks for nothing.
    const plain = (await submit({ capability: "echo", requirements: {} })).task;
    expect(plain.requirements).toBeNull();
    expect(plain.affinityKey).toBe("");
  });

  it("gives INVALID_ARGUMENT over maxInputSize and RESOURCE_EXHAUSTED over the transport limit", async () => {
    const over = await grpcError(
      submit({ capability: "echo", input: json("x".repeat(INPUT_LIMIT + 10)) }),
    );
    expect(over.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldOf(over)).toBe("input");
    expect(over.details).toMatch(/exceeds the limit of 32768 bytes/);

    const huge = await grpcError(
      submit({ capability: "echo", input: json("x".repeat(TRANSPORT_LIMIT + 1024)) }),
    );
    expect(huge.code).toBe(status.RESOURCE_EXHAUSTED);

    const batch = await grpcError(
      rpc.call("SubmitTasks", {
        requests: Array.from({ length: 6 }, () => ({
          capability: "echo",
          input: json("y".repeat(INPUT_LIMIT - 100)),
        })),
      }),
    );
    expect(batch.code).toBe(status.RESOURCE_EXHAUSTED);
  });

  it("GetTask and WatchTask: NOT_FOUND for an unknown id, INVALID_ARGUMENT for a malformed one", async () => {
    const unknown = "0000000000AAAAAAAAAAAAAAAA";
    expect((await grpcError(getTask(unknown))).code).toBe(status.NOT_FOUND);
    const bad = await grpcError(getTask("not-an-id"));
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldOf(bad)).toBe("id");
    expect((await grpcError(collect(rpc.watch({ id: unknown })))).code).toBe(status.NOT_FOUND);
    expect((await grpcError(collect(rpc.watch({ id: "x" })))).code).toBe(status.INVALID_ARGUMENT);
  });

  it("reports a terminal error without its stack", async () => {
    const { task } = await submit({ capability: "terminal" });
    const failed = await waitState(task.id, "TASK_STATE_FAILED");
    expect(failed.error?.message).toBe("no way");
    expect(failed.error?.nonRetryable).toBe(true);
    expect(JSON.stringify(failed.error)).not.toMatch(/at .*\.ts/);
  });
});

describe("SubmitTasks", () => {
  it("stores many tasks in request order and deduplicates by key", async () => {
    const requests = Array.from({ length: 50 }, (_, i) => ({
      capability: "echo",
      input: json({ i }),
      idempotencyKey: `batch-${i}`,
    }));
    const { responses } = await rpc.call<{ responses: Submitted[] }>("SubmitTasks", { requests });
    expect(responses).toHaveLength(50);
    responses.forEach((r, i) => {
      expect(r.deduplicated).toBe(false);
      expect(parse(r.task.input)).toEqual({ i });
    });
    expect(new Set(responses.map((r) => r.task.id)).size).toBe(50);
    const again = await rpc.call<{ responses: Submitted[] }>("SubmitTasks", {
      requests: requests.slice(0, 3),
    });
    expect(again.responses.map((r) => r.task.id)).toEqual(
      responses.slice(0, 3).map((r) => r.task.id),
    );
    expect(again.responses.every((r) => r.deduplicated)).toBe(true);
    const empty = await rpc.call<{ responses: Submitted[] }>("SubmitTasks", { requests: [] });
    expect(empty.responses).toEqual([]);
    // Let them finish: the core's list() can stall while records change under it (see
    // ListTasks below), and this file's later tests list tasks.
    await Promise.all(responses.map((r) => core.wait(r.task.id, { timeoutMs: 15_000 })));
  });

  it("validates every request first and stores nothing when one is invalid", async () => {
    const before = await rpc.call<{ tasks: PbTask[] }>("ListTasks", {
      capability: "idle",
      pageSize: 1000,
    });
    const requests = [
      { capability: "idle", input: json(1) },
      { capability: "idle", input: json(2) },
      { capability: "idle", retry: { maxAttempts: 0, backoffCoefficient: 0.1 } },
    ];
    const err = await grpcError(rpc.call("SubmitTasks", { requests }));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldOf(err)).toBe("requests[2].retry.backoff_coefficient");
    const badCapability = await grpcError(
      rpc.call("SubmitTasks", { requests: [requests[0], { capability: "" }] }),
    );
    expect(fieldOf(badCapability)).toBe("requests[1].capability");
    const placement = await grpcError(
      rpc.call("SubmitTasks", {
        requests: [requests[0], { capability: "idle", requirements: { models: [""] } }],
      }),
    );
    expect(placement.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldOf(placement)).toBe("requests[1].requirements.models");
    const tooMany = await grpcError(
      rpc.call("SubmitTasks", { requests: Array.from({ length: 1001 }, () => requests[0]) }),
    );
    expect(fieldOf(tooMany)).toBe("requests");
    const after = await rpc.call<{ tasks: PbTask[] }>("ListTasks", {
      capability: "idle",
      pageSize: 1000,
    });
    expect(after.tasks.length).toBe(before.tasks.length);
  });
});

describe("CancelTask", () => {
  it("cancels a pending task, then FAILED_PRECONDITION; NOT_FOUND when unknown", async () => {
    const { task } = await submit({ capability: "idle" });
    const cancelled = await rpc.call<PbTask>("CancelTask", {
      id: task.id,
      reason: "changed my mind",
    });
    expect(cancelled.state).toBe("TASK_STATE_CANCELLED");
    expect(cancelled.error?.message).toBe("changed my mind");
    expect(cancelled.error?.code).toBe("CANCELLED");
    const again = await grpcError(rpc.call("CancelTask", { id: task.id }));
    expect(again.code).toBe(status.FAILED_PRECONDITION);
    expect(again.details).toMatch(/already CANCELLED/);
    const unknown = await grpcError(rpc.call("CancelTask", { id: "0000000000BBBBBBBBBBBBBBBB" }));
    expect(unknown.code).toBe(status.NOT_FOUND);
    // The watch of a cancelled task ends with its terminal event.
    const events = await collect(rpc.watch({ id: task.id }));
    expect(events.at(-1)?.stateChange?.state).toBe("TASK_STATE_CANCELLED");
  });
});

describe("ListTasks", () => {
  it("pages newest first with page tokens and filters by state and capability", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await submit({ capability: "idle-pages", input: json(i) })).task.id);
    }
    await rpc.call("CancelTask", { id: ids[0] });
    const seen: string[] = [];
    let pageToken = "";
    let pages = 0;
    do {
      const page = await rpc.call<{ tasks: PbTask[]; nextPageToken: string }>("ListTasks", {
        capability: "idle-pages",
        pageSize: 2,
        pageToken,
      });
      expect(page.tasks.length).toBeLessThanOrEqual(2);
      seen.push(...page.tasks.map((t) => t.id));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken !== "" && pages < 10);
    expect(seen).toEqual([...ids].reverse());
    expect(pages).toBe(3);

    const pending = await rpc.call<{ tasks: PbTask[] }>("ListTasks", {
      capability: "idle-pages",
      states: ["TASK_STATE_PENDING"],
    });
    expect(pending.tasks.map((t) => t.id)).toEqual(ids.slice(1).reverse());
    const cancelled = await rpc.call<{ tasks: PbTask[] }>("ListTasks", {
      capability: "idle-pages",
      states: ["TASK_STATE_CANCELLED", "TASK_STATE_DEAD"],
    });
    expect(cancelled.tasks.map((t) => t.id)).toEqual([ids[0]]);
  });

  it("rejects bad page sizes, tokens and states naming the field", async () => {
    const size = await grpcError(rpc.call("ListTasks", { pageSize: 1001 }));
    expect([size.code, fieldOf(size)]).toEqual([status.INVALID_ARGUMENT, "page_size"]);
    const token = await grpcError(rpc.call("ListTasks", { pageToken: "garbage" }));
    expect(fieldOf(token)).toBe("page_token");
    const state = await grpcError(rpc.call("ListTasks", { states: ["TASK_STATE_UNSPECIFIED"] }));
    expect(fieldOf(state)).toBe("states[0]");
    const cap = await grpcError(rpc.call("ListTasks", { capability: "a b" }));
    expect(fieldOf(cap)).toBe("capability");
  });
});

describe("ListDeadLetters and ReplayDeadLetter", () => {
  it("lists dead letters in pages and replays one; FAILED_PRECONDITION unless DEAD", async () => {
    const a = (await submit({ capability: "doomed", input: json("a") })).task;
    const b = (await submit({ capability: "doomed", input: json("b") })).task;
    await waitState(a.id, "TASK_STATE_DEAD");
    await waitState(b.id, "TASK_STATE_DEAD");
    interface Page {
      deadLetters: {
        sequence: number;
        taskId: string;
        input: Buffer;
        error: { message: string };
      }[];
      nextPageToken: string;
    }
    const all = await waitFor("both dead letters", async () => {
      const p = await rpc.call<Page>("ListDeadLetters", { capability: "doomed" });
      return p.deadLetters.length === 2 ? p : undefined;
    });
    expect(all.deadLetters.map((d) => d.taskId)).toEqual([a.id, b.id]);
    expect(parse(all.deadLetters[0]?.input)).toBe("a");
    expect(all.deadLetters[0]?.error.message).toBe("always fails");
    expect(all.nextPageToken).toBe("");

    const first = await rpc.call<Page>("ListDeadLetters", { capability: "doomed", pageSize: 1 });
    expect(first.deadLetters.map((d) => d.taskId)).toEqual([a.id]);
    expect(first.nextPageToken).not.toBe("");
    const second = await rpc.call<Page>("ListDeadLetters", {
      capability: "doomed",
      pageSize: 1,
      pageToken: first.nextPageToken,
    });
    expect(second.deadLetters.map((d) => d.taskId)).toEqual([b.id]);
    expect(second.nextPageToken).toBe("");
    const badToken = await grpcError(rpc.call("ListDeadLetters", { pageToken: "x" }));
    expect(fieldOf(badToken)).toBe("page_token");

    const replayed = await rpc.call<PbTask>("ReplayDeadLetter", { taskId: a.id });
    expect(replayed.state).toBe("TASK_STATE_PENDING");
    expect(replayed.replays).toBe(1);
    const notDead = await grpcError(
      rpc.call("ReplayDeadLetter", { taskId: (await submit({ capability: "idle" })).task.id }),
    );
    expect(notDead.code).toBe(status.FAILED_PRECONDITION);
    const unknown = await grpcError(
      rpc.call("ReplayDeadLetter", { taskId: "0000000000CCCCCCCCCCCCCCCC" }),
    );
    expect(unknown.code).toBe(status.NOT_FOUND);
    const malformed = await grpcError(rpc.call("ReplayDeadLetter", { taskId: "" }));
    expect(fieldOf(malformed)).toBe("task_id");
    // The replay runs (and dies) again.
    await waitFor("replayed task dead again", async () => {
      const t = await getTask(a.id);
      return t.state === "TASK_STATE_DEAD" && t.attempts.length === 2;
    });
  });
});

describe("ClusterService", () => {
  it("lists live agents and queue statistics", async () => {
    const { agents } = await rpc.clusterCall<{
      agents: {
        id: string;
        name: string;
        capabilities: string[];
        freeSlots: number;
        lastHeartbeatTime: { seconds: number };
        resources: {
          cpuSlots: number;
          gpus: { type: string; count: number; memoryMib: number }[];
          labels: Record<string, string>;
        } | null;
      }[];
    }>("ListAgents", {});
    expect(agents.map((a) => a.name).sort()).toEqual([
      "doomed",
      "echo",
      "gated",
      "terminal",
      "typed",
    ]);
    const echo = agents.find((a) => a.name === "echo");
    expect(echo?.capabilities).toEqual(["echo"]);
    expect(echo?.resources).toMatchObject({
      cpuSlots: 2,
      gpus: [{ type: "t4", count: 1, memoryMib: 16384 }],
      labels: { zone: "a" },
    });
    expect(echo?.lastHeartbeatTime.seconds).toBeGreaterThan(Date.now() / 1000 - 60);
    const only = await rpc.clusterCall<{ agents: { name: string }[] }>("ListAgents", {
      capability: "typed",
    });
    expect(only.agents.map((a) => a.name)).toEqual(["typed"]);

    // One runs (the agent has one slot and holds it), three wait.
    const first = await submit({ capability: "gated" });
    await waitState(first.task.id, "TASK_STATE_RUNNING");
    for (let i = 0; i < 3; i++) await submit({ capability: "gated", priority: "PRIORITY_LOW" });
    interface Stats {
      capability: string;
      backlog: number;
      inFlight: number;
      backlogByPriority: Record<string, number>;
      oldestAge: { seconds: number; nanos: number } | null;
    }
    // A worker may hold one message it pulled before it was busy, so count queued + delivered.
    const queues = await waitFor("4 tasks counted", async () => {
      const r = await rpc.clusterCall<{ queues: Stats[] }>("GetQueueStats", {
        capability: "gated",
      });
      const q = r.queues[0];
      return q && q.backlog + q.inFlight === 4 ? r.queues : undefined;
    });
    expect(queues).toHaveLength(1);
    expect(queues[0]?.capability).toBe("gated");
    expect(queues[0]?.backlog).toBeGreaterThanOrEqual(2);
    expect(queues[0]?.backlogByPriority).toEqual({ high: 0, normal: 0, low: queues[0]?.backlog });
    expect(queues[0]?.oldestAge).not.toBeNull();
    const all = await rpc.clusterCall<{ queues: { capability: string }[] }>("GetQueueStats", {});
    expect(all.queues.map((q) => q.capability)).toEqual(
      expect.arrayContaining(["echo", "gated", "idle"]),
    );
    const bad = await grpcError(rpc.clusterCall("GetQueueStats", { capability: "a b" }));
    expect(fieldOf(bad)).toBe("capability");
  });
});

describe("health and reflection", () => {
  it("reports SERVING for the server and each service, NOT_FOUND for others", async () => {
    expect((await rpc.healthCheck("")).status).toBe("SERVING");
    expect((await rpc.healthCheck("baton.v1.TaskService")).status).toBe("SERVING");
    expect((await rpc.healthCheck("baton.v1.ClusterService")).status).toBe("SERVING");
    expect((await grpcError(rpc.healthCheck("nope.Service"))).code).toBe(status.NOT_FOUND);
    const watch = rpc.healthWatch("baton.v1.TaskService");
    const first = await new Promise<{ status: string }>((resolve) => watch.once("data", resolve));
    expect(first.status).toBe("SERVING");
    watch.on("error", () => undefined);
    watch.cancel();
  });

  it("lists the services through reflection v1alpha and v1", async () => {
    const expected = ["baton.v1.ClusterService", "baton.v1.TaskService", "grpc.health.v1.Health"];
    for (const version of ["v1alpha", "v1"] as const) {
      const names = await reflectionListServices(gateway.address, version);
      expect(names).toEqual(expect.arrayContaining(expected));
    }
  });
});
