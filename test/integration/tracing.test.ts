/**
 * One trace per root task across processes: a parent task in one agent process delegates to a
 * child that another agent process runs (gRPC hand-off). Both processes export over OTLP/HTTP
 * to a receiver here, and every process (this one too) writes the span store.
 */
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type BatonClient } from "../../src/client/client.js";
import type { Task__Output } from "../../src/generated/baton/v1/Task.js";
import { createGrpcClient } from "../../src/grpc/client/client.js";
import { startGateway } from "../../src/grpc/server/gateway.js";
import { readSnapshot } from "../../src/nats/snapshot.js";
import { spanShard } from "../../src/nats/subjects.js";
import { ATTR } from "../../src/telemetry/attributes.js";
import { readTrace, taskTraceId, type SpanRecord } from "../../src/telemetry/span-store.js";
import { AgentProcesses, type AgentProcess } from "../helpers/agent-process.js";
import { waitFor } from "../helpers/core.js";
import { startNats, type TestNats } from "../helpers/nats.js";
import { OtlpReceiver } from "../helpers/otlp-receiver.js";

const module = (name: string): string =>
  fileURLToPath(new URL(`../helpers/agents/${name}.ts`, import.meta.url));

let nats: TestNats;
let otlp: OtlpReceiver;
let agents: AgentProcesses;
let parentProc: AgentProcess;
let childProc: AgentProcess;
let client: BatonClient;

beforeAll(async () => {
  nats = await startNats();
  otlp = await OtlpReceiver.start();
  const env = {
    BATON_NATS_URL: nats.url,
    BATON_PREFIX: nats.prefix,
    BATON_LOG_LEVEL: "warn",
    BATON_TEST_NO_SLEEP: "1",
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_BSP_SCHEDULE_DELAY: "100",
  };
  agents = new AgentProcesses({ env });
  [childProc, parentProc] = await Promise.all([
    agents.start({
      name: "child",
      modules: [module("trace-child")],
      env: { OTEL_SERVICE_NAME: "trace-child" },
    }),
    agents.start({
      name: "parent",
      modules: [module("trace-parent")],
      env: { OTEL_SERVICE_NAME: "trace-parent" },
    }),
  ]);
  client = await createClient({ natsUrl: nats.url, prefix: nats.prefix, logLevel: "silent" });
});

afterAll(async () => {
  await client?.close();
  await agents?.[Symbol.asyncDispose]();
  await otlp?.[Symbol.asyncDispose]();
  await nats?.[Symbol.asyncDispose]();
});

/** The stored trace once it holds every span named in `names`. */
async function traceWith(
  traceId: string,
  names: readonly string[],
  from: BatonClient = client,
): Promise<SpanRecord[]> {
  return waitFor(
    `spans ${names.join(", ")} in the span store`,
    async () => {
      const spans = await readTrace(from.connection, traceId);
      return names.every((n) => spans.some((s) => s.name === n)) ? spans : undefined;
    },
    15_000,
    100,
  );
}

function one(spans: readonly SpanRecord[], name: string, taskId?: string): SpanRecord {
  const found = spans.filter(
    (s) => s.name === name && (taskId === undefined || s.attributes[ATTR.TASK_ID] === taskId),
  );
  expect(found, `exactly one span ${name}`).toHaveLength(1);
  return found[0] as SpanRecord;
}

describe("tracing across agent processes", () => {
  it("records a delegated task as one trace with parentage, links and both processes", async () => {
    const task = await client.submit("trace-parent", { n: 21 });
    const done = await client.wait(task.id, { timeoutMs: 20_000 });
    expect(done).toMatchObject({ state: "SUCCEEDED", result: 21 });
    const child = await client.get(done.children?.[0] ?? "");
    expect(child.attempts[0]?.agentId).toBe(childProc.agentIds[0]);

    const traceId = taskTraceId(task);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(taskTraceId(child)).toBe(traceId);

    const peerCall = "baton.v1.AgentPeerService/RunTask";
    const spans = await traceWith(traceId ?? "", [
      "trace-parent publish",
      "trace-parent process",
      "step halve",
      "trace-double publish",
      peerCall,
      "trace-double process",
      "step double",
      "handler work",
    ]);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));

    const producer = one(spans, "trace-parent publish");
    // One consumer span per claim is the attempt: messaging and attempt attributes together.
    const parentAttempt = one(spans, "trace-parent process");
    const halve = one(spans, "step halve");
    const childPublish = one(spans, "trace-double publish");
    const rpcClient = spans.find((s) => s.name === peerCall && s.kind === "client");
    const rpcServer = spans.find((s) => s.name === peerCall && s.kind === "server");
    const childAttempt = one(spans, "trace-double process");
    const step = one(spans, "step double");
    const handlerWork = one(spans, "handler work");

    // The submit (this process) is the root; the queue hop is a child with a link to it.
    expect(producer).toMatchObject({ kind: "producer", resource: { pid: process.pid } });
    expect(producer.parentSpanId).toBeUndefined();
    expect(producer.attributes[ATTR.TASK_ID]).toBe(task.id);
    expect(parentAttempt).toMatchObject({ kind: "consumer", parentSpanId: producer.spanId });
    expect(parentAttempt.links).toEqual([{ traceId, spanId: producer.spanId }]);
    expect(parentAttempt.attributes).toMatchObject({
      [ATTR.MESSAGING_SYSTEM_NAME]: "nats",
      [ATTR.MESSAGING_OPERATION_TYPE]: "process",
      [ATTR.MESSAGING_MESSAGE_ID]: task.id,
    });
    expect(parentAttempt).toMatchObject({
      status: { code: "ok" },
      resource: { pid: parentProc.pid, agentId: parentProc.agentIds[0] },
    });
    expect(parentAttempt.attributes).toMatchObject({
      [ATTR.TASK_ID]: task.id,
      [ATTR.TASK_ATTEMPT]: 1,
      [ATTR.AGENT_ID]: parentProc.agentIds[0],
      [ATTR.ATTEMPT_OUTCOME]: "succeeded",
    });
    expect(halve).toMatchObject({ parentSpanId: parentAttempt.spanId });
    expect(halve.attributes[ATTR.STEP_CACHED]).toBe(false);

    // attempt -> delegate's gRPC client -> peer server (other process) -> child's attempt.
    expect(childPublish).toMatchObject({ kind: "producer", parentSpanId: parentAttempt.spanId });
    expect(rpcClient).toMatchObject({
      parentSpanId: parentAttempt.spanId,
      resource: { pid: parentProc.pid },
      attributes: { [ATTR.RPC_METHOD]: peerCall, [ATTR.RPC_STATUS_CODE]: "OK" },
    });
    expect(rpcServer).toMatchObject({
      parentSpanId: rpcClient?.spanId,
      resource: { pid: childProc.pid },
    });
    expect(childAttempt).toMatchObject({
      kind: "consumer",
      parentSpanId: rpcServer?.spanId,
      attributes: { [ATTR.CLAIM_VIA]: "handoff", [ATTR.TASK_ID]: child.id },
      resource: { pid: childProc.pid, agentId: childProc.agentIds[0] },
    });
    expect(childAttempt.links).toEqual([{ traceId, spanId: childPublish.spanId }]);
    expect(step.parentSpanId).toBe(childAttempt.spanId);
    expect(handlerWork.parentSpanId).toBe(childAttempt.spanId);
    // Every span but the root has its parent in the trace.
    const ids = new Set(spans.map((s) => s.spanId));
    for (const s of spans) if (s !== producer) expect(ids.has(s.parentSpanId ?? "")).toBe(true);

    // Both agent processes exported their spans over OTLP too.
    await waitFor(
      "OTLP spans from both agent processes",
      () => {
        const mine = otlp.spans.filter((s) => s.traceId === traceId);
        const services = new Set(mine.map((s) => s.serviceName));
        return services.has("trace-parent") && services.has("trace-child") && mine.length >= 8;
      },
      10_000,
      50,
    );
    const received = otlp.spans.filter((s) => s.traceId === traceId);
    const byId = new Map(received.map((s) => [s.spanId, s]));
    const server = received.find((s) => s.name === peerCall && s.kind === 2);
    expect(server?.serviceName).toBe("trace-child");
    expect(byId.get(server?.parentSpanId ?? "")).toMatchObject({
      name: peerCall,
      kind: 3,
      serviceName: "trace-parent",
    });
    expect(otlp.rejected).toBe(0);

    // Unknown traces read as empty; a malformed id is the caller's error.
    expect(await readTrace(client.connection, "0".repeat(31) + "1")).toEqual([]);
    await expect(readTrace(client.connection, "not-a-trace")).rejects.toThrow(/traceId/);
  });

  it("stores span batches gzipped, and reads them and plain JSON batches alike", async () => {
    const task = await client.submit("trace-parent", { n: 2 });
    await client.wait(task.id, { timeoutMs: 20_000 });
    const traceId = taskTraceId(task) ?? "";
    await traceWith(traceId, ["trace-parent publish", "trace-double process"]);
    const conn = client.connection;
    const stored = await readSnapshot(conn.js, conn.names.spansStream, {
      filter: conn.names.spansWildcard,
    });
    expect(stored.length).toBeGreaterThan(0);
    // Every batch is packed: gzip's magic number, and it unpacks to the JSON array.
    for (const m of stored) expect([...m.data.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    const unpacked = JSON.parse(
      gunzipSync(stored[0]?.data ?? new Uint8Array()).toString(),
    ) as unknown;
    expect(Array.isArray(unpacked)).toBe(true);

    // A batch written as plain JSON (as before packing) still reads back.
    const plainTrace = "ab".repeat(16);
    const plain: SpanRecord = {
      traceId: plainTrace,
      spanId: "cd".repeat(8),
      name: "plain batch",
      kind: "internal",
      startTime: 1,
      endTime: 2,
      status: { code: "unset" },
      attributes: {},
      events: [],
      links: [],
      resource: { serviceName: "old", pid: 1, hostName: "h" },
    };
    await conn.js.publish(conn.names.spansSubject(spanShard(plainTrace)), JSON.stringify([plain]));
    expect(await readTrace(conn, plainTrace)).toEqual([plain]);
  });

  it("starts the trace at a gateway call and carries it through the gateway's server span", async () => {
    const gateway = await startGateway({
      client,
      address: "127.0.0.1:0",
      env: {},
    });
    const grpc = createGrpcClient({ address: gateway.address });
    try {
      const task = await grpc.submit("trace-parent", { n: 4 });
      const record = await client.wait(task.id, { timeoutMs: 20_000 });
      expect(record.state).toBe("SUCCEEDED");
      const traceId = taskTraceId(record) ?? "";
      const submit = "baton.v1.TaskService/SubmitTask";
      const spans = await traceWith(traceId, [
        submit,
        "trace-parent publish",
        "trace-double process",
      ]);
      const rpcClient = spans.find((s) => s.name === submit && s.kind === "client");
      const rpcServer = spans.find((s) => s.name === submit && s.kind === "server");
      expect(rpcClient?.parentSpanId).toBeUndefined();
      expect(rpcServer?.parentSpanId).toBe(rpcClient?.spanId);
      expect(one(spans, "trace-parent publish").parentSpanId).toBe(rpcServer?.spanId);
      // The gRPC Task message carries the trace id.
      const wire = await new Promise<Task__Output | undefined>((resolve, reject) =>
        grpc.task.getTask({ id: task.id }, (err, res) => (err ? reject(err) : resolve(res))),
      );
      expect(wire?.traceId).toBe(traceId);
    } finally {
      await grpc.close();
      await gateway.stop();
    }
  });
});

/** Agent processes under their own prefix with no exporter: spans go to the span store only. */
function storeOnlyEnv(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    BATON_NATS_URL: nats.url,
    BATON_PREFIX: prefix,
    BATON_LOG_LEVEL: "warn",
    BATON_TEST_NO_SLEEP: "1",
    ...extra,
  };
}

describe("tracing with the span store as the only destination", () => {
  it("records a sampled caller's task in an agent whose sampler drops its own roots", async () => {
    // The agent's ratio of 0 samples out every trace it would start; the caller's is sampled.
    const prefix = `${nats.prefix}R`;
    const env = storeOnlyEnv(prefix, {
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0",
    });
    await using sampling = new AgentProcesses({ env });
    const agent = await sampling.start({ name: "child-r", modules: [module("trace-child")] });
    await using own = await createClient({ natsUrl: nats.url, prefix, logLevel: "silent" });
    const task = await own.submit("trace-double", { n: 5 });
    expect(await own.wait(task.id, { timeoutMs: 20_000 })).toMatchObject({ result: 10 });
    const spans = await traceWith(
      taskTraceId(task) ?? "",
      ["trace-double process", "step double", "handler work"],
      own,
    );
    // Its spans name the agent's service: the resource was read though the sampler drops roots.
    expect(one(spans, "trace-double process")).toMatchObject({
      parentSpanId: one(spans, "trace-double publish").spanId,
      resource: { serviceName: "baton-agent", pid: agent.pid, agentId: agent.agentIds[0] },
    });
  });

  it("marks the attempt that dead-lettered its task", async () => {
    const prefix = `${nats.prefix}D`;
    await using storeOnly = new AgentProcesses({ env: storeOnlyEnv(prefix) });
    await storeOnly.start({ name: "relay-d", modules: [module("relay")] });
    await using own = await createClient({ natsUrl: nats.url, prefix, logLevel: "silent" });
    const task = await own.submit("flaky", null, { retry: { maxAttempts: 1 } });
    expect(await own.wait(task.id, { timeoutMs: 20_000 })).toMatchObject({ state: "DEAD" });
    const spans = await traceWith(taskTraceId(task) ?? "", ["flaky process"], own);
    const attempt = one(spans, "flaky process");
    expect(attempt.status.code).toBe("error");
    expect(attempt.events.map((e) => e.name)).toEqual(["dead-lettered"]);
  });

  it("stores Baton's spans and the handler's own as one trace, as with an exporter", async () => {
    // No OTLP: Baton's spans skip the SDK (StoreTracer); the handler's span still goes through it.
    const prefix = `${nats.prefix}S`;
    await using storeOnly = new AgentProcesses({ env: storeOnlyEnv(prefix) });
    const [child, parent] = await Promise.all([
      storeOnly.start({ name: "child-s", modules: [module("trace-child")] }),
      storeOnly.start({ name: "parent-s", modules: [module("trace-parent")] }),
    ]);
    await using own = await createClient({ natsUrl: nats.url, prefix, logLevel: "silent" });
    const task = await own.submit("trace-parent", { n: 6 });
    const done = await own.wait(task.id, { timeoutMs: 20_000 });
    expect(done).toMatchObject({ state: "SUCCEEDED", result: 6 });
    const traceId = taskTraceId(task) ?? "";
    const peerCall = "baton.v1.AgentPeerService/RunTask";
    const spans = await traceWith(
      traceId,
      ["trace-parent process", "step halve", peerCall, "trace-double process", "handler work"],
      own,
    );
    const producer = one(spans, "trace-parent publish");
    const parentAttempt = one(spans, "trace-parent process");
    const rpcClient = spans.find((s) => s.name === peerCall && s.kind === "client");
    const rpcServer = spans.find((s) => s.name === peerCall && s.kind === "server");
    const childAttempt = one(spans, "trace-double process");
    expect(parentAttempt).toMatchObject({
      parentSpanId: producer.spanId,
      links: [{ traceId, spanId: producer.spanId }],
      status: { code: "ok" },
      resource: { pid: parent.pid, agentId: parent.agentIds[0] },
    });
    expect(one(spans, "step halve").parentSpanId).toBe(parentAttempt.spanId);
    expect(rpcClient?.parentSpanId).toBe(parentAttempt.spanId);
    expect(rpcServer).toMatchObject({
      parentSpanId: rpcClient?.spanId,
      resource: { pid: child.pid },
    });
    expect(childAttempt).toMatchObject({
      parentSpanId: rpcServer?.spanId,
      resource: { pid: child.pid, agentId: child.agentIds[0] },
    });
    // The handler's span, made by the SDK, sits under the attempt made without it.
    expect(one(spans, "handler work")).toMatchObject({
      parentSpanId: childAttempt.spanId,
      attributes: { [ATTR.AGENT_ID]: child.agentIds[0] },
      resource: { pid: child.pid, agentId: child.agentIds[0] },
    });
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
  });
});
