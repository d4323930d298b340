import {
  ATTR_ERROR_TYPE,
  ATTR_RPC_METHOD,
  ATTR_RPC_STATUS_CODE,
  ATTR_RPC_SYSTEM_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from "@opentelemetry/semantic-conventions";
import { describe, expect, it } from "vitest";
import type { Bid } from "../../src/placement/types.js";
import {
  ATTR,
  bidAttributes,
  placementAttributes,
  rpcAttributes,
  serverAttributes,
  taskAttributes,
} from "../../src/telemetry/attributes.js";
import { attemptOutcome } from "../../src/telemetry/trace-telemetry.js";
import type { TaskRecord } from "../../src/types.js";

const record: TaskRecord = {
  id: "01TASK",
  capability: "summarize",
  state: "PENDING",
  input: null,
  priority: "normal",
  createdAt: 1,
  updatedAt: 1,
  attempt: 0,
  attempts: [],
  rootId: "01ROOT",
};

const bid: Bid = {
  agentId: "a-1",
  taskId: "01TASK",
  fit: 0.5,
  freeSlots: 2,
  load: 0.25,
  warm: true,
  cost: 1.5,
  score: 0.75,
};

describe("span attribute names", () => {
  it("are unique, and namespaced by semconv or baton.*", () => {
    const names = Object.values(ATTR);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name).toMatch(/^(messaging|rpc|server|error|baton)\.[a-z_.]+$/);
    }
  });

  it("match the stable semantic conventions where they exist", () => {
    expect(ATTR.RPC_SYSTEM_NAME).toBe(ATTR_RPC_SYSTEM_NAME);
    expect(ATTR.RPC_METHOD).toBe(ATTR_RPC_METHOD);
    expect(ATTR.RPC_STATUS_CODE).toBe(ATTR_RPC_STATUS_CODE);
    expect(ATTR.SERVER_ADDRESS).toBe(ATTR_SERVER_ADDRESS);
    expect(ATTR.SERVER_PORT).toBe(ATTR_SERVER_PORT);
    expect(ATTR.ERROR_TYPE).toBe(ATTR_ERROR_TYPE);
  });
});

describe("attribute helpers", () => {
  it("identify a task, with its parent only for a sub-task", () => {
    expect(taskAttributes(record)).toEqual({
      "baton.task.id": "01TASK",
      "baton.task.capability": "summarize",
      "baton.root.id": "01ROOT",
    });
    expect(taskAttributes({ ...record, parentId: "01PARENT" })).toMatchObject({
      "baton.task.parent_id": "01PARENT",
    });
  });

  it("describe a bid and a negotiation", () => {
    expect(bidAttributes(bid)).toEqual({
      "baton.bid.agent_id": "a-1",
      "baton.bid.score": 0.75,
      "baton.bid.fit": 0.5,
      "baton.bid.load": 0.25,
      "baton.bid.free_slots": 2,
      "baton.bid.warm": true,
      "baton.bid.cost": 1.5,
    });
    const placement = { time: 5, negotiator: "a-0", bids: [bid], winner: "a-1" };
    expect(placementAttributes(placement, undefined)).toEqual({
      "baton.negotiation.negotiator": "a-0",
      "baton.bid.count": 1,
      "baton.bid.winner": "a-1",
    });
    expect(placementAttributes(undefined, "no eligible agent")).toEqual({
      "baton.bid.count": 0,
      "baton.negotiation.waiting": "no eligible agent",
    });
  });

  it("name gRPC spans by the fully qualified method", () => {
    expect(rpcAttributes("/baton.v1.TaskService/SubmitTask")).toEqual({
      name: "baton.v1.TaskService/SubmitTask",
      attributes: {
        "rpc.system.name": "grpc",
        "rpc.method": "baton.v1.TaskService/SubmitTask",
      },
    });
  });

  it("split a dialled target into server.address and server.port", () => {
    expect(serverAttributes("127.0.0.1:50051")).toEqual({
      "server.address": "127.0.0.1",
      "server.port": 50051,
    });
    expect(serverAttributes("[::1]:7000")).toEqual({
      "server.address": "::1",
      "server.port": 7000,
    });
    expect(serverAttributes("dns:///gateway.internal:443")).toEqual({
      "server.address": "gateway.internal",
      "server.port": 443,
    });
    expect(serverAttributes("gateway")).toEqual({ "server.address": "gateway" });
  });

  it("name an attempt's outcome from how it ended", () => {
    expect(attemptOutcome({ state: "SUCCEEDED" })).toEqual({ outcome: "succeeded", failed: false });
    expect(attemptOutcome({ state: "PENDING" })).toEqual({ outcome: "retry", failed: true });
    expect(attemptOutcome({ state: "DEAD" })).toEqual({ outcome: "dead", failed: true });
    expect(attemptOutcome({ state: "FAILED" })).toEqual({ outcome: "failed", failed: true });
    expect(attemptOutcome({ state: "CANCELLED" })).toEqual({
      outcome: "cancelled",
      failed: false,
    });
    expect(attemptOutcome({ state: "RUNNING", discarded: "fenced" })).toEqual({
      outcome: "fenced",
      failed: true,
    });
    expect(attemptOutcome({ state: "PENDING", discarded: "released" })).toEqual({
      outcome: "released",
      failed: false,
    });
  });
});
