import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import {
  agentToProto,
  bytesToJson,
  deadLetterToProto,
  demandToProto,
  durationToMs,
  eventToProto,
  hasRequirements,
  jsonToBytes,
  msToDuration,
  msToTimestamp,
  priorityFromProto,
  protoFieldName,
  queueStatsToProto,
  stateFromProto,
  stateToProto,
  submitFromProto,
  taskToProto,
  timestampToMs,
  toProtoValidationError,
} from "../../src/grpc/convert.js";
import { loadBatonProto } from "../../src/grpc/proto.js";
import type { TaskRecord } from "../../src/types.js";

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.field;
    throw err;
  }
  return "(no error)";
}

const record: TaskRecord = {
  id: "01M8FF3ESH2NNEER4H52MHBEZN",
  capability: "echo",
  state: "RUNNING",
  input: { a: [1, "two"] },
  error: { message: "boom", name: "Error", code: "X", stack: "Error: boom\n    at f (a.ts:1)" },
  priority: "high",
  idempotencyKey: "key-1",
  labels: { team: "infra" },
  retry: {
    maxAttempts: 4,
    initialIntervalMs: 1500,
    backoffCoefficient: 2,
    maximumIntervalMs: 60_000,
    jitter: 0,
  },
  timeoutMs: 90_000,
  deadline: 1_800_000_000_123,
  runAt: 1_700_000_000_500,
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_001_000,
  startedAt: 1_700_000_000_900,
  attempt: 2,
  attempts: [
    {
      attempt: 1,
      agentId: "a1",
      startedAt: 1_700_000_000_100,
      endedAt: 1_700_000_000_200,
      outcome: "failed",
      error: { message: "first", stack: "secret stack", nonRetryable: false },
    },
    { attempt: 2, agentId: "a2", startedAt: 1_700_000_000_900 },
  ],
  owner: { agentId: "a2", attempt: 2, leaseUntil: 1_700_000_030_900 },
  progress: { pct: 50 },
  parentId: "01M8FF3ESH2NNEER4H52MHBEZA",
  rootId: "01M8FF3ESH2NNEER4H52MHBEZB",
  replays: 1,
};

describe("timestamps, durations and JSON bytes", () => {
  it("converts milliseconds to Timestamp and back, keeping sub-second parts", () => {
    expect(msToTimestamp(1_700_000_000_123)).toEqual({
      seconds: 1_700_000_000,
      nanos: 123_000_000,
    });
    expect(msToTimestamp(0)).toEqual({ seconds: 0, nanos: 0 });
    expect(msToTimestamp(-1)).toEqual({ seconds: -1, nanos: 999_000_000 });
    expect(msToDuration(1.5)).toEqual({ seconds: 0, nanos: 1_500_000 });
    expect(msToDuration(-5)).toEqual({ seconds: 0, nanos: 0 });
    for (const ms of [0, 1, 999, 1000, 1_700_000_000_123, -1500]) {
      expect(timestampToMs(msToTimestamp(ms), "t")).toBe(ms);
    }
    expect(durationToMs({ seconds: 90, nanos: 500_000 }, "d")).toBe(90_000.5);
    expect(timestampToMs({ seconds: "1700000000", nanos: 0 }, "t")).toBe(1_700_000_000_000);
  });

  it("rejects negative durations and malformed timestamps naming the field", () => {
    expect(fieldOf(() => durationToMs({ seconds: -1, nanos: 0 }, "delay"))).toBe("delay");
    expect(fieldOf(() => durationToMs({ seconds: 1, nanos: 1e9 }, "timeout"))).toBe("timeout");
    expect(fieldOf(() => timestampToMs({ seconds: 1, nanos: -1 }, "run_time"))).toBe("run_time");
    expect(fieldOf(() => timestampToMs({ seconds: 1e12, nanos: 0 }, "deadline"))).toBe("deadline");
  });

  it("encodes JSON as UTF-8 bytes and decodes empty bytes as null", () => {
    expect(jsonToBytes({ é: "ü" }).toString("utf8")).toBe('{"é":"ü"}');
    expect(jsonToBytes(undefined)).toHaveLength(0);
    expect(jsonToBytes(null).toString()).toBe("null");
    expect(bytesToJson(Buffer.from('{"é":"ü"}'), "input")).toEqual({ é: "ü" });
    expect(bytesToJson(Buffer.alloc(0), "input")).toBeNull();
    expect(bytesToJson(undefined, "input")).toBeNull();
    expect(fieldOf(() => bytesToJson(Buffer.from([0xc3, 0x28]), "input"))).toBe("input");
    expect(fieldOf(() => bytesToJson(Buffer.from("{nope"), "requests[1].input"))).toBe(
      "requests[1].input",
    );
  });
});

describe("enums", () => {
  it("maps states and priorities both ways", () => {
    expect(stateToProto("DEAD")).toBe("TASK_STATE_DEAD");
    expect(stateFromProto("TASK_STATE_RUNNING", "states[0]")).toBe("RUNNING");
    expect(stateFromProto(6, "states[0]")).toBe("DEAD");
    expect(fieldOf(() => stateFromProto("TASK_STATE_UNSPECIFIED", "states[1]"))).toBe("states[1]");
    expect(fieldOf(() => stateFromProto(0, "states[0]"))).toBe("states[0]");
    expect(priorityFromProto("PRIORITY_UNSPECIFIED")).toBeUndefined();
    expect(priorityFromProto(0)).toBeUndefined();
    expect(priorityFromProto("PRIORITY_LOW")).toBe("low");
    expect(priorityFromProto(1)).toBe("high");
    expect(fieldOf(() => priorityFromProto(7, "requests[0].priority"))).toBe(
      "requests[0].priority",
    );
  });
});

describe("records to messages", () => {
  it("converts a task record, leaving stacks out", () => {
    const t = taskToProto(record);
    expect(t).toMatchObject({
      id: record.id,
      capability: "echo",
      state: "TASK_STATE_RUNNING",
      priority: "PRIORITY_HIGH",
      idempotencyKey: "key-1",
      labels: { team: "infra" },
      timeout: { seconds: 90, nanos: 0 },
      deadline: { seconds: 1_800_000_000, nanos: 123_000_000 },
      runTime: { seconds: 1_700_000_000, nanos: 500_000_000 },
      createTime: { seconds: 1_700_000_000, nanos: 0 },
      startTime: { seconds: 1_700_000_000, nanos: 900_000_000 },
      finishTime: null,
      attempt: 2,
      ownerAgentId: "a2",
      leaseExpireTime: { seconds: 1_700_000_030, nanos: 900_000_000 },
      parentId: record.parentId,
      rootId: record.rootId,
      replays: 1,
      error: { message: "boom", name: "Error", code: "X", nonRetryable: false },
      retry: {
        maxAttempts: 4,
        initialInterval: { seconds: 1, nanos: 500_000_000 },
        backoffCoefficient: 2,
        maximumInterval: { seconds: 60, nanos: 0 },
        jitter: 0,
      },
    });
    expect(JSON.parse(t.input.toString())).toEqual({ a: [1, "two"] });
    expect(t.result).toHaveLength(0);
    expect(JSON.parse(t.progress.toString())).toEqual({ pct: 50 });
    expect(t.attempts).toEqual([
      {
        attempt: 1,
        agentId: "a1",
        startTime: { seconds: 1_700_000_000, nanos: 100_000_000 },
        endTime: { seconds: 1_700_000_000, nanos: 200_000_000 },
        outcome: "failed",
        error: { message: "first", name: "", code: "", nonRetryable: false },
      },
      {
        attempt: 2,
        agentId: "a2",
        startTime: { seconds: 1_700_000_000, nanos: 900_000_000 },
        endTime: null,
        outcome: "",
        error: null,
      },
    ]);
    expect(JSON.stringify(t)).not.toContain("stack");
  });

  it("converts placement fields: requirements, affinity key, waiting and placements", () => {
    const t = taskToProto({
      ...record,
      state: "PENDING",
      requirements: { gpuType: "a100", gpuCount: 1, labels: { zone: "a" } },
      affinityKey: "root-1",
      waiting: { reason: "busy", since: 1_700_000_000_500, resourceClass: "gpu:a100x1" },
      placements: [
        {
          time: 1_700_000_000_000,
          negotiator: "a1",
          bids: [
            {
              agentId: "a2",
              taskId: record.id,
              fit: 1,
              freeSlots: 0,
              load: 1,
              warm: false,
              cost: 0,
              score: 0.5,
            },
          ],
          reason: "all 1 eligible agents are busy",
        },
      ],
    });
    expect(t.requirements).toEqual({
      labels: { zone: "a" },
      cpuSlots: 0,
      gpuType: "a100",
      gpuCount: 1,
      gpuMemoryMib: 0,
      models: [],
    });
    expect(t.affinityKey).toBe("root-1");
    expect(t.waiting).toEqual({
      reason: "busy",
      sinceTime: { seconds: 1_700_000_000, nanos: 500_000_000 },
      resourceClass: "gpu:a100x1",
    });
    expect(t.placements).toEqual([
      {
        time: { seconds: 1_700_000_000, nanos: 0 },
        negotiator: "a1",
        bids: [{ agentId: "a2", fit: 1, freeSlots: 0, load: 1, warm: false, cost: 0, score: 0.5 }],
        winner: "",
        reason: "all 1 eligible agents are busy",
      },
    ]);
  });

  it("fills empty defaults for a fresh record, and a null result is the JSON null", () => {
    const t = taskToProto({
      id: record.id,
      capability: "c",
      state: "SUCCEEDED",
      input: null,
      result: null,
      priority: "normal",
      createdAt: 1,
      updatedAt: 2,
      attempt: 0,
      attempts: [],
      rootId: record.id,
    });
    expect(t).toMatchObject({
      idempotencyKey: "",
      requirements: null,
      affinityKey: "",
      waiting: null,
      placements: [],
      labels: {},
      retry: null,
      timeout: null,
      ownerAgentId: "",
      leaseExpireTime: null,
      parentId: "",
      replays: 0,
      error: null,
    });
    expect(t.result.toString()).toBe("null");
    expect(t.input.toString()).toBe("null");
  });

  it("survives the real protobuf encoding", () => {
    const method = loadBatonProto().TaskService.service.GetTask;
    if (!method) throw new Error("GetTask missing");
    const decoded = method.responseDeserialize(
      method.responseSerialize(taskToProto(record)),
    ) as ReturnType<typeof taskToProto>;
    expect(decoded.state).toBe("TASK_STATE_RUNNING");
    expect(decoded.retry?.jitter).toBe(0);
    expect(decoded.deadline).toEqual({ seconds: 1_800_000_000, nanos: 123_000_000 });
    expect(decoded.attempts[1]?.endTime).toBeNull();
    expect(JSON.parse(decoded.input.toString())).toEqual(record.input);
  });

  it("converts events of each kind", () => {
    const base = { seq: 7, taskId: record.id, time: 1_700_000_000_000 };
    expect(
      eventToProto({ ...base, type: "state", state: "SUCCEEDED", attempt: 1, result: [1] }),
    ).toEqual({
      sequence: 7,
      taskId: record.id,
      time: { seconds: 1_700_000_000, nanos: 0 },
      stateChange: {
        state: "TASK_STATE_SUCCEEDED",
        attempt: 1,
        error: null,
        result: Buffer.from("[1]"),
        runTime: null,
      },
    });
    const retry = eventToProto({
      ...base,
      type: "state",
      state: "PENDING",
      attempt: 1,
      error: { message: "x", stack: "s" },
      runAt: 1_700_000_005_000,
    });
    expect(retry.stateChange?.runTime).toEqual({ seconds: 1_700_000_005, nanos: 0 });
    expect(retry.stateChange?.error).toEqual({
      message: "x",
      name: "",
      code: "",
      nonRetryable: false,
    });
    expect(
      eventToProto({ ...base, type: "progress", attempt: 2, progress: { p: 1 } }),
    ).toMatchObject({ progress: { attempt: 2, value: Buffer.from('{"p":1}') } });
    expect(eventToProto({ ...base, type: "output", attempt: 2, chunk: "tok" })).toMatchObject({
      output: { attempt: 2, chunk: Buffer.from('"tok"') },
    });
  });

  it("converts dead letters, agents and queue stats", () => {
    expect(
      deadLetterToProto({
        seq: 3,
        taskId: record.id,
        capability: "c",
        input: { x: 1 },
        attempts: [],
        error: { message: "spent", stack: "s" },
        deadAt: 1_700_000_000_000,
      }),
    ).toEqual({
      sequence: 3,
      taskId: record.id,
      capability: "c",
      input: Buffer.from('{"x":1}'),
      attempts: [],
      error: { message: "spent", name: "", code: "", nonRetryable: false },
      deadTime: { seconds: 1_700_000_000, nanos: 0 },
    });
    expect(
      agentToProto({
        id: "a",
        name: "n",
        capabilities: ["c"],
        concurrency: 4,
        inFlight: 1,
        freeSlots: 3,
        hostname: "h",
        pid: 42,
        startedAt: 1000,
        lastHeartbeat: 2000,
      }),
    ).toEqual({
      id: "a",
      name: "n",
      capabilities: ["c"],
      concurrency: 4,
      inFlight: 1,
      freeSlots: 3,
      hostname: "h",
      pid: 42,
      startTime: { seconds: 1, nanos: 0 },
      lastHeartbeatTime: { seconds: 2, nanos: 0 },
      resources: null,
      warmKeys: [],
      peerAddress: "",
    });
    expect(
      agentToProto({
        id: "a",
        name: "n",
        capabilities: ["c"],
        concurrency: 1,
        inFlight: 0,
        freeSlots: 1,
        hostname: "h",
        pid: 1,
        startedAt: 0,
        lastHeartbeat: 0,
        warmKeys: ["k2", "k1"],
        peerAddress: "h:7001",
      }),
    ).toMatchObject({ warmKeys: ["k2", "k1"], peerAddress: "h:7001" });
    expect(
      demandToProto({
        capability: "c",
        resourceClass: "gpu:a100x1",
        waiting: 2,
        oldestSince: 1_700_000_000_250,
        reason: "no eligible agent",
      }),
    ).toEqual({
      capability: "c",
      resourceClass: "gpu:a100x1",
      waiting: 2,
      oldestSinceTime: { seconds: 1_700_000_000, nanos: 250_000_000 },
      reason: "no eligible agent",
    });
    expect(
      queueStatsToProto({
        capability: "c",
        backlog: 5,
        backlogByPriority: { high: 1, normal: 4, low: 0 },
        inFlight: 2,
        deadLetters: 1,
      }),
    ).toEqual({
      capability: "c",
      backlog: 5,
      inFlight: 2,
      oldestAge: null,
      deadLetters: 1,
      backlogByPriority: { high: 1, normal: 4, low: 0 },
    });
  });
});

describe("submit requests", () => {
  it("maps every field to core submit options", () => {
    const out = submitFromProto({
      capability: "c",
      input: Buffer.from('{"q":1}'),
      idempotencyKey: "k",
      priority: "PRIORITY_LOW",
      delay: { seconds: 5, nanos: 0 },
      retry: {
        maxAttempts: 3,
        initialInterval: { seconds: 1, nanos: 0 },
        backoffCoefficient: 1.5,
        maximumInterval: null,
        jitter: 0,
        _jitter: "jitter",
      },
      timeout: { seconds: 60, nanos: 0 },
      deadline: { seconds: 2_000_000_000, nanos: 0 },
      labels: { a: "b" },
      parentId: record.id,
      affinityKey: "warm-key",
      requirements: {
        labels: { zone: "eu" },
        cpuSlots: 2,
        gpuType: "a100",
        gpuCount: 0,
        gpuMemoryMib: "40960",
        models: ["llama"],
      },
    });
    expect(out).toEqual({
      capability: "c",
      input: { q: 1 },
      options: {
        idempotencyKey: "k",
        priority: "low",
        delay: 5000,
        retry: { maxAttempts: 3, initialInterval: 1000, backoffCoefficient: 1.5, jitter: 0 },
        timeout: 60_000,
        deadline: 2_000_000_000_000,
        labels: { a: "b" },
        parentId: record.id,
        requirements: {
          cpuSlots: 2,
          gpuType: "a100",
          gpuMemoryMib: 40_960,
          models: ["llama"],
          labels: { zone: "eu" },
        },
        affinityKey: "warm-key",
      },
    });
  });

  it("leaves defaults alone: empty strings, unset messages, unset jitter, empty retry", () => {
    const out = submitFromProto({
      capability: "c",
      input: Buffer.alloc(0),
      idempotencyKey: "",
      priority: "PRIORITY_UNSPECIFIED",
      delay: null,
      runTime: null,
      retry: { maxAttempts: 0, backoffCoefficient: 0, jitter: 0 },
      labels: {},
      parentId: "",
      affinityKey: "",
      requirements: { labels: {}, cpuSlots: 0, gpuType: "", gpuCount: 0, models: [] },
    });
    expect(out).toEqual({ capability: "c", input: null, options: {} });
    // A proto without `optional` cannot tell 0 from unset; a non-zero jitter still counts.
    expect(submitFromProto({ capability: "c", retry: { jitter: 0.5 } }).options.retry).toEqual({
      jitter: 0.5,
    });
    expect(
      submitFromProto({ capability: "c", runTime: { seconds: 10, nanos: 0 } }).options,
    ).toEqual({
      runAt: 10_000,
    });
  });

  it("names fields with the request prefix", () => {
    expect(fieldOf(() => submitFromProto({ input: Buffer.from("{") }, "requests[4]."))).toBe(
      "requests[4].input",
    );
    expect(
      fieldOf(() =>
        submitFromProto({ retry: { initialInterval: { seconds: -1, nanos: 0 } } }, "requests[0]."),
      ),
    ).toBe("requests[0].retry.initial_interval");
    expect(fieldOf(() => submitFromProto({ priority: 12 }))).toBe("priority");
  });

  it("passes invalid requirement values on for the core to reject by field", () => {
    expect(
      submitFromProto({ capability: "c", requirements: { gpuCount: -1, models: [""] } }).options
        .requirements,
    ).toEqual({ gpuCount: -1, models: [""] });
  });

  it("treats only a non-empty Requirements message as a placement request", () => {
    expect(hasRequirements(null)).toBe(false);
    expect(hasRequirements({ labels: {}, cpuSlots: 0, gpuType: "", models: [] })).toBe(false);
    expect(hasRequirements({ gpuCount: 1 })).toBe(true);
    expect(hasRequirements({ models: ["llama"] })).toBe(true);
    expect(hasRequirements({ gpuMemoryMib: "1024" })).toBe(true);
  });
});

describe("field names", () => {
  it.each([
    ["capability", "capability"],
    ["input", "input"],
    ["input.user.firstName", "input.user.firstName"],
    ["input[2].a", "input[2].a"],
    ["options.retry.maxAttempts", "retry.max_attempts"],
    ["options.retry.initialInterval", "retry.initial_interval"],
    ["options.retry", "retry"],
    ["options.idempotencyKey", "idempotency_key"],
    ["options.runAt", "run_time"],
    ["options.delay", "delay"],
    ["options.parentId", "parent_id"],
    ["options.labels.myLabel", "labels.myLabel"],
    ["options.requirements.gpuCount", "requirements.gpu_count"],
    ["options.requirements.gpuMemoryMib", "requirements.gpu_memory_mib"],
    ["options.requirements.labels.myZone", "requirements.labels.myZone"],
    ["options.affinityKey", "affinity_key"],
    ["requests[1].options.requirements.cpuSlots", "requests[1].requirements.cpu_slots"],
    ["options", "request"],
    ["requests[2].capability", "requests[2].capability"],
    ["requests[2].options.retry.backoffCoefficient", "requests[2].retry.backoff_coefficient"],
    ["requests[0].input.n", "requests[0].input.n"],
    ["requests", "requests"],
  ])("%s -> %s", (core, proto) => {
    expect(protoFieldName(core)).toBe(proto);
  });

  it("renames the field and the option names inside the message", () => {
    const err = toProtoValidationError(
      new ValidationError("options.runAt", "cannot be combined with options.delay"),
    );
    expect(err.field).toBe("run_time");
    expect(err.message).toBe("run_time: cannot be combined with delay");
    const retry = toProtoValidationError(
      new ValidationError(
        "requests[1].options.retry.maximumInterval",
        "maximumInterval (1s) must be >= initialInterval (10s)",
      ),
    );
    expect(retry.message).toBe(
      "requests[1].retry.maximum_interval: maximum_interval (1s) must be >= initial_interval (10s)",
    );
    const list = toProtoValidationError(new ValidationError("limit", "bad"), (f) =>
      f === "limit" ? "page_size" : f,
    );
    expect(list.message).toBe("page_size: bad");
  });
});
