/**
 * Placement through the gateway: requirements and affinity keys submitted over gRPC are stored
 * and negotiated, GetTask shows the placement (bids, winner) and why a task waits, GetDemand
 * counts the waiting ones, and ListAgents shows warm keys. Checked with a generic grpc-js client
 * (wire shapes) and the typed GrpcClient (which must read what the library reads).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, defineAgent, Worker, type BatonClient } from "../../src/index.js";
import { createGrpcClient, type GrpcClient } from "../../src/grpc/client/client.js";
import { startGateway, type Gateway } from "../../src/grpc/server/gateway.js";
import type { TaskRecord } from "../../src/types.js";
import { waitFor } from "../helpers/core.js";
import { fieldOf, GenericClient, grpcError, status } from "../helpers/grpc-gateway.js";
import { startNats, type TestNats } from "../helpers/nats.js";

interface PbTimestamp {
  seconds: number;
  nanos: number;
}
interface PbTask {
  id: string;
  state: string;
  requirements: {
    labels: Record<string, string>;
    cpuSlots: number;
    gpuType: string;
    gpuCount: number;
    gpuMemoryMib: number;
    models: string[];
  } | null;
  affinityKey: string;
  waiting: { reason: string; sinceTime: PbTimestamp | null; resourceClass: string } | null;
  placements: {
    time: PbTimestamp | null;
    negotiator: string;
    bids: {
      agentId: string;
      fit: number;
      freeSlots: number;
      load: number;
      warm: boolean;
      cost: number;
      score: number;
    }[];
    winner: string;
    reason: string;
  }[];
}
interface PbDemand {
  capability: string;
  resourceClass: string;
  waiting: number;
  oldestSinceTime: PbTimestamp | null;
  reason: string;
}

let nats: TestNats;
let worker: Worker;
let core: BatonClient;
let gateway: Gateway;
let rpc: GenericClient;
let grpc: GrpcClient;

beforeAll(async () => {
  nats = await startNats();
  const options = { natsUrl: nats.url, prefix: nats.prefix, logLevel: "silent" as const };
  // Serves "infer" with a T4 only: tasks that need an A100 are negotiated and wait.
  const infer = defineAgent({
    name: "infer",
    capabilities: ["infer"],
    concurrency: 2,
    resources: {
      cpuSlots: 2,
      gpus: [{ type: "t4", count: 1, memoryMib: 16_384 }],
      models: ["small"],
      labels: { zone: "a" },
    },
    handler: (ctx) => Promise.resolve({ ran: ctx.input }),
  });
  worker = await Worker.start([infer], options);
  core = await createClient(options);
  gateway = await startGateway({ client: core, address: "127.0.0.1:0", env: {} });
  rpc = new GenericClient(gateway.address);
  grpc = createGrpcClient({ address: gateway.address });
});

afterAll(async () => {
  rpc?.close();
  await grpc?.close();
  await gateway?.stop();
  await worker?.stop(0);
  await worker?.connection.close();
  await core?.close();
  await nats?.[Symbol.asyncDispose]();
});

const submit = (req: Record<string, unknown>): Promise<{ task: PbTask }> =>
  rpc.call("SubmitTask", req);
const getTask = (id: string): Promise<PbTask> => rpc.call("GetTask", { id });

/** The record without what only the server side keeps (lease owner, delivery bookkeeping). */
function comparable(r: TaskRecord): Partial<TaskRecord> {
  const {
    owner: _o,
    budgetFrom: _b,
    deliveryBase: _d,
    handoffUntil: _h,
    children: _c,
    ...rest
  } = r;
  return rest;
}

describe("placement through the gateway", () => {
  it("stores requirements and the affinity key, and shows the placement once it ran", async () => {
    const { task } = await submit({
      capability: "infer",
      requirements: { gpuType: "t4", models: ["small"], labels: { zone: "a" } },
      affinityKey: "session-1",
    });
    expect(task.requirements).toEqual({
      labels: { zone: "a" },
      cpuSlots: 0,
      gpuType: "t4",
      gpuCount: 0,
      gpuMemoryMib: 0,
      models: ["small"],
    });
    expect(task.affinityKey).toBe("session-1");
    expect(task.placements).toEqual([]);

    const done = await core.wait(task.id, { timeoutMs: 15_000 });
    expect(done.state).toBe("SUCCEEDED");
    const got = await getTask(task.id);
    expect(got.requirements?.gpuType).toBe("t4");
    expect(got.affinityKey).toBe("session-1");
    const agentId = worker.agentIds[0];
    const last = got.placements.at(-1);
    expect(last?.winner).toBe(agentId);
    expect(last?.negotiator).toBe(agentId);
    expect(last?.time?.seconds).toBeGreaterThan(0);
    expect(last?.bids.map((b) => b.agentId)).toEqual([agentId]);
    expect(last?.bids[0]?.score).toEqual(expect.any(Number));
    expect(last?.bids[0]?.fit).toBeGreaterThan(0);
    // The typed client reads the same record as the library.
    expect(comparable(await grpc.get(task.id))).toEqual(comparable(await core.get(task.id)));

    // The agent now holds warm state for the key, and says where its peer service is.
    const agent = await waitFor("warm key in ListAgents", async () => {
      const { agents } = await rpc.clusterCall<{
        agents: { id: string; warmKeys: string[]; peerAddress: string }[];
      }>("ListAgents", {});
      const a = agents.find((x) => x.id === agentId);
      return a?.warmKeys.includes("session-1") ? a : undefined;
    });
    expect(agent.peerAddress).toMatch(/^.+:\d+$/);
    const typed = (await grpc.listAgents()).find((a) => a.id === agentId);
    expect(typed?.warmKeys).toContain("session-1");
    expect(typed?.peerAddress).toBe(agent.peerAddress);
  });

  it("names the proto field of an invalid requirement or affinity key", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ requirements: { gpuCount: -1 } }, "requirements.gpu_count"],
      [{ requirements: { cpuSlots: -2 } }, "requirements.cpu_slots"],
      [{ requirements: { gpuMemoryMib: -5 } }, "requirements.gpu_memory_mib"],
      [{ requirements: { gpuType: "x".repeat(65) } }, "requirements.gpu_type"],
      [{ requirements: { models: ["ok", ""] } }, "requirements.models"],
      [{ requirements: { labels: { "bad label": "x" } } }, "requirements.labels.bad label"],
      [{ affinityKey: "k".repeat(257) }, "affinity_key"],
    ];
    for (const [extra, field] of cases) {
      const err = await grpcError(submit({ capability: "infer", ...extra }));
      expect.soft(err.code, err.details).toBe(status.INVALID_ARGUMENT);
      expect.soft(fieldOf(err), err.details).toBe(field);
      expect.soft(err.details.startsWith(`${field}: `), err.details).toBe(true);
    }
    const batch = await grpcError(
      rpc.call("SubmitTasks", {
        requests: [
          { capability: "infer" },
          { capability: "infer", requirements: { gpuCount: -1 } },
        ],
      }),
    );
    expect(batch.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldOf(batch)).toBe("requests[1].requirements.gpu_count");
    // The typed client checks the same before it sends (naming the library's option).
    await expect(grpc.submit("infer", null, { requirements: { gpuCount: -1 } })).rejects.toThrow(
      /^options\.requirements\.gpuCount: /,
    );
  });

  it("shows why a task waits, and counts it in GetDemand", async () => {
    const { responses } = await rpc.call<{ responses: { task: PbTask }[] }>("SubmitTasks", {
      requests: [
        { capability: "infer", requirements: { gpuType: "a100" } },
        { capability: "infer", requirements: { gpuType: "a100" }, affinityKey: "s2" },
      ],
    });
    const ids = responses.map((r) => r.task.id);
    const waiting = await Promise.all(
      ids.map((id) =>
        waitFor(`${id} waiting`, async () => {
          const t = await getTask(id);
          return t.waiting ? t : undefined;
        }),
      ),
    );
    for (const t of waiting) {
      expect(t.state).toBe("TASK_STATE_PENDING");
      expect(t.waiting?.reason).toMatch(/no eligible agent/);
      expect(t.waiting?.reason).toMatch(/a100/);
      expect(t.waiting?.resourceClass).toBe("gpu:a100x1");
      expect(t.waiting?.sinceTime?.seconds).toBeGreaterThan(Date.now() / 1000 - 60);
    }
    const [first = ""] = ids;
    const typed = await grpc.get(first);
    expect(typed.waiting).toEqual((await core.get(first)).waiting);
    expect(typed.requirements).toEqual({ gpuType: "a100" });

    const { demand } = await rpc.clusterCall<{ demand: PbDemand[] }>("GetDemand", {});
    expect(demand).toHaveLength(1);
    expect(demand[0]).toMatchObject({
      capability: "infer",
      resourceClass: "gpu:a100x1",
      waiting: 2,
    });
    expect(demand[0]?.reason).toMatch(/a100/);
    const oldest = Math.min(...waiting.map((t) => Number(t.waiting?.sinceTime?.seconds)));
    expect(demand[0]?.oldestSinceTime?.seconds).toBe(oldest);
    const only = await rpc.clusterCall<{ demand: PbDemand[] }>("GetDemand", {
      capability: "infer",
    });
    expect(only.demand).toHaveLength(1);
    const none = await rpc.clusterCall<{ demand: PbDemand[] }>("GetDemand", {
      capability: "other",
    });
    expect(none.demand).toEqual([]);
    const bad = await grpcError(rpc.clusterCall("GetDemand", { capability: "a b" }));
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldOf(bad)).toBe("capability");
    expect(await grpc.demand({ capability: "infer" })).toEqual(
      await core.demand({ capability: "infer" }),
    );

    // Cancelled, they wait no more.
    for (const id of ids) await rpc.call("CancelTask", { id });
    expect((await grpc.demand()).length).toBe(0);
  });
});
