import { describe, expect, it } from "vitest";
import {
  agentToProto,
  deadLetterToProto,
  demandToProto,
  eventToProto,
  queueStatsToProto,
  submitFromProto,
  taskToProto,
  type PbSubmitTaskRequest,
} from "../../src/grpc/convert.js";
import {
  agentFromProto,
  deadLetterFromProto,
  demandFromProto,
  eventFromProto,
  queueStatsFromProto,
  submitRequest,
  taskFromProto,
} from "../../src/grpc/client/codec.js";
import { loadBatonProto } from "../../src/grpc/proto.js";
import type { AgentInfo } from "../../src/registry/agents.js";
import type { Demand } from "../../src/registry/demand.js";
import type { QueueStats } from "../../src/registry/queue-stats.js";
import { ValidationError } from "../../src/errors.js";
import type { DeadLetter, TaskEvent, TaskRecord } from "../../src/types.js";

const proto = loadBatonProto();

/** Encodes and decodes `value` as the response of `method`, as the wire would. */
function wire<T>(service: "TaskService" | "ClusterService", method: string, value: unknown): T {
  const def = proto[service].service[method];
  if (!def) throw new Error(`no method ${method}`);
  return def.responseDeserialize(def.responseSerialize(value)) as T;
}

function wireRequest<T>(method: string, value: unknown): T {
  const def = proto.TaskService.service[method];
  if (!def) throw new Error(`no method ${method}`);
  return def.requestDeserialize(def.requestSerialize(value)) as T;
}

const ID = "01M8FF38G6HF05S1T4VBT3KVTQ";
const PARENT = "01M8FF38G6HF05S1T4VBT3KVTA";

const full: TaskRecord = {
  id: ID,
  capability: "sleep",
  state: "DEAD",
  input: { ms: 5, nested: [1, "two", null] },
  result: null,
  error: { message: "boom", name: "Error", code: "RETRYABLE", nonRetryable: true },
  priority: "high",
  idempotencyKey: "key-1",
  labels: { team: "a", "x.y": "z" },
  retry: {
    maxAttempts: 4,
    initialIntervalMs: 250,
    backoffCoefficient: 1.5,
    maximumIntervalMs: 10_000,
    jitter: 0,
  },
  timeoutMs: 1500,
  deadline: 1_800_000_000_123,
  runAt: 1_790_000_000_500,
  createdAt: 1_780_000_000_001,
  updatedAt: 1_780_000_000_900,
  startedAt: 1_780_000_000_010,
  finishedAt: 1_780_000_000_900,
  attempt: 2,
  attempts: [
    {
      attempt: 1,
      agentId: "a-1",
      startedAt: 1_780_000_000_010,
      endedAt: 1_780_000_000_020,
      outcome: "failed",
      error: { message: "first", name: "Error" },
    },
    { attempt: 2, agentId: "a-2", startedAt: 1_780_000_000_030 },
  ],
  owner: { agentId: "a-2", attempt: 2, leaseUntil: 1_780_000_030_030 },
  progress: { step: 1, of: 2 },
  replays: 3,
  parentId: PARENT,
  rootId: PARENT,
  requirements: {
    cpuSlots: 2,
    gpuCount: 2,
    gpuMemoryMib: 40_960,
    gpuType: "a100",
    models: ["llama"],
    labels: { zone: "a" },
  },
  affinityKey: "warm-1",
  waiting: {
    reason: "all 2 eligible agents are busy",
    since: 1_780_000_000_050,
    resourceClass: "x",
  },
  placements: [
    {
      time: 1_780_000_000_005,
      negotiator: "a-1",
      bids: [
        {
          agentId: "a-1",
          taskId: ID,
          fit: 0.75,
          freeSlots: 2,
          load: 0.5,
          warm: true,
          cost: 1.5,
          score: 0.875,
        },
      ],
      winner: "a-1",
    },
    { time: 1_780_000_000_006, negotiator: "a-2", bids: [], reason: "every award was refused" },
  ],
  trace: {
    traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    tracestate: "vendor=abc",
  },
};

describe("client codec against the gateway's conversions, through protobuf", () => {
  it("reads back every field of a task record", () => {
    const back = taskFromProto(wire("TaskService", "GetTask", taskToProto(full)));
    expect(back).toEqual(full);
  });

  it("omits what a minimal record does not have", () => {
    const minimal: TaskRecord = {
      id: ID,
      capability: "sleep",
      state: "PENDING",
      input: null,
      priority: "normal",
      createdAt: 1_780_000_000_001,
      updatedAt: 1_780_000_000_001,
      attempt: 0,
      attempts: [],
      rootId: ID,
    };
    expect(taskFromProto(wire("TaskService", "GetTask", taskToProto(minimal)))).toEqual(minimal);
  });

  it("keeps a result that is JSON null apart from no result", () => {
    const succeeded: TaskRecord = { ...full, state: "SUCCEEDED", result: null };
    expect(taskFromProto(wire("TaskService", "GetTask", taskToProto(succeeded))).result).toBeNull();
    const { result: _r, ...noResult } = succeeded;
    expect("result" in taskFromProto(wire("TaskService", "GetTask", taskToProto(noResult)))).toBe(
      false,
    );
  });

  it("reads back events of every kind, keys in the library's order", () => {
    const events: TaskEvent[] = [
      {
        type: "state",
        taskId: ID,
        time: 1_780_000_000_001,
        state: "PENDING",
        attempt: 1,
        error: { message: "retry", name: "Error" },
        runAt: 1_780_000_001_000,
        seq: 7,
      },
      {
        type: "state",
        taskId: ID,
        time: 2,
        state: "SUCCEEDED",
        attempt: 1,
        result: { ok: true },
        seq: 9,
      },
      { type: "progress", taskId: ID, time: 3, attempt: 1, progress: { step: 1 }, seq: 10 },
      { type: "output", taskId: ID, time: 4, attempt: 1, chunk: "tok", seq: 11 },
    ];
    for (const e of events) {
      const back = eventFromProto(wire("TaskService", "WatchTask", eventToProto(e)));
      expect(back).toEqual(e);
      expect(JSON.stringify(back)).toBe(JSON.stringify(e));
    }
  });

  it("reads back dead letters, agents and queue stats", () => {
    const letter: DeadLetter = {
      seq: 12,
      taskId: ID,
      capability: "sleep",
      input: { a: 1 },
      attempts: full.attempts,
      error: { message: "dead", code: "X" },
      deadAt: 1_780_000_000_777,
    };
    const letters = wire<{ deadLetters: Parameters<typeof deadLetterFromProto>[0][] }>(
      "TaskService",
      "ListDeadLetters",
      { deadLetters: [deadLetterToProto(letter)], nextPageToken: "" },
    );
    expect(letters.deadLetters.map(deadLetterFromProto)).toEqual([letter]);

    const agent: AgentInfo = {
      id: "sleep-h-1-abc",
      name: "sleep",
      capabilities: ["sleep", "other"],
      concurrency: 4,
      inFlight: 1,
      freeSlots: 3,
      hostname: "h",
      pid: 1,
      startedAt: 1_780_000_000_000,
      lastHeartbeat: 1_780_000_000_500,
      resources: { cpuSlots: 4, gpus: [{ type: "a100", count: 2, memoryMib: 81_920 }] },
      warmKeys: ["root-2", "root-1"],
      peerAddress: "10.0.0.5:7001",
    };
    const agents = wire<{ agents: Parameters<typeof agentFromProto>[0][] }>(
      "ClusterService",
      "ListAgents",
      { agents: [agentToProto(agent)] },
    );
    expect(agents.agents.map(agentFromProto)).toEqual([agent]);

    const demand: Demand[] = [
      {
        capability: "sleep",
        resourceClass: "gpu:a100x1",
        waiting: 3,
        oldestSince: 1_780_000_000_100,
        reason: "no eligible agent",
      },
    ];
    const wired = wire<{ demand: Parameters<typeof demandFromProto>[0][] }>(
      "ClusterService",
      "GetDemand",
      { demand: demand.map(demandToProto) },
    );
    expect(wired.demand.map(demandFromProto)).toEqual(demand);

    const stats: QueueStats = {
      capability: "sleep",
      backlog: 5,
      backlogByPriority: { high: 1, normal: 3, low: 1 },
      inFlight: 2,
      oldestAgeMs: 1234,
      deadLetters: 1,
    };
    const queues = wire<{ queues: Parameters<typeof queueStatsFromProto>[0][] }>(
      "ClusterService",
      "GetQueueStats",
      {
        queues: [queueStatsToProto(stats), queueStatsToProto({ ...stats, oldestAgeMs: undefined })],
      },
    );
    const [withAge, withoutAge] = queues.queues.map(queueStatsFromProto);
    expect(withAge).toEqual(stats);
    expect(withoutAge && "oldestAgeMs" in withoutAge).toBe(false);
  });
});

describe("submitRequest", () => {
  it("sends the options the gateway reads back as the same core options", () => {
    const req = submitRequest(
      "sleep",
      { ms: 1 },
      {
        idempotencyKey: "k",
        priority: "low",
        delay: "1.5s",
        retry: { maxAttempts: 3, initialInterval: "100ms", jitter: 0 },
        timeout: "2m",
        deadline: new Date(Date.now() + 3_600_000),
        labels: { a: "b" },
        parentId: PARENT,
        requirements: { gpuType: "a100", gpuCount: 0, gpuMemoryMib: 40_960, models: ["m"] },
        affinityKey: "warm",
      },
      "auto:ignored",
    );
    const back = submitFromProto(wireRequest<PbSubmitTaskRequest>("SubmitTask", req));
    expect(back.capability).toBe("sleep");
    expect(back.input).toEqual({ ms: 1 });
    expect(back.options).toMatchObject({
      idempotencyKey: "k",
      priority: "low",
      delay: 1500,
      retry: { maxAttempts: 3, initialInterval: 100, jitter: 0 },
      timeout: 120_000,
      labels: { a: "b" },
      parentId: PARENT,
      // Zero values are "not required" and are not sent.
      requirements: { gpuType: "a100", gpuMemoryMib: 40_960, models: ["m"] },
      affinityKey: "warm",
    });
    expect(back.options.requirements).not.toHaveProperty("gpuCount");
    expect(back.options.deadline).toBeGreaterThan(Date.now());
  });

  it("uses the generated key only when none is given, and sends nothing unset", () => {
    const req = submitRequest("sleep", undefined, undefined, "auto:1");
    const back = submitFromProto(wireRequest<PbSubmitTaskRequest>("SubmitTask", req));
    expect(back).toEqual({
      capability: "sleep",
      input: null,
      options: { idempotencyKey: "auto:1" },
    });
    const none = submitFromProto(
      wireRequest<PbSubmitTaskRequest>("SubmitTask", submitRequest("sleep", 1, {}, undefined)),
    );
    expect(none.options).toEqual({});
  });

  it("validates options as the library does", () => {
    expect(() => submitRequest("sleep", 1, { delay: "soon" }, undefined)).toThrow(
      /^options\.delay: /,
    );
    expect(() => submitRequest("sleep", 1, { bogus: 1 } as never, undefined)).toThrow(
      "options.bogus: unknown option",
    );
    expect(() => submitRequest("sleep", 1, { rootId: PARENT }, undefined)).toThrow(ValidationError);
    expect(() => submitRequest("sleep", 1, { requirements: { gpuCount: -1 } }, undefined)).toThrow(
      /^options\.requirements\.gpuCount: /,
    );
    expect(() => submitRequest("sleep", 1, { affinityKey: "" }, undefined)).toThrow(
      /^options\.affinityKey: /,
    );
    expect(() => submitRequest("sleep", () => 1, undefined, undefined)).toThrow(/^input: /);
  });
});
