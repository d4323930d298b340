/**
 * WaitTask and GrpcClient.wait: a long poll that answers when the task ends, or with the task as
 * it is when its window has passed; a wait on a gateway without WaitTask falls back to a watch.
 */
import { Server, ServerCredentials, status, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { createGrpcClient } from "../../src/grpc/client/client.js";
import { loadBatonProto } from "../../src/grpc/proto.js";
import { TaskServiceImpl } from "../../src/grpc/server/task-service.js";
import type { Task__Output } from "../../src/generated/baton/v1/Task.js";
import type { WaitTaskRequest } from "../../src/generated/baton/v1/WaitTaskRequest.js";
import { BatonError, defineAgent, ErrorCode, TaskState } from "../../src/index.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { gate, rejection, waitFor, waitForState } from "../helpers/core.js";
import { grpcClientEnv, type GrpcClientEnv } from "../helpers/grpc-client-env.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(() => nats[Symbol.asyncDispose]());

/** A gateway environment whose agent holds every "held" task until `release` opens. */
async function heldEnv() {
  const release = gate();
  const env = await grpcClientEnv(nats, {
    agents: [
      defineAgent({
        name: "held",
        capabilities: ["held"],
        handler: async (ctx) => {
          await release.promise;
          return { n: (ctx.input as { n: number }).n + 1 };
        },
      }),
    ],
  });
  return { env, release };
}

/** One raw WaitTask call. */
function waitTask(env: GrpcClientEnv, req: WaitTaskRequest): Promise<Task__Output> {
  return new Promise((resolve, reject) => {
    env.grpc.task.waitTask(req, env.grpc.callMetadata(), (err, task) =>
      err || !task ? reject(err ?? new Error("no answer")) : resolve(task),
    );
  });
}

describe("WaitTask", () => {
  it("answers when the task ends, or with the task as it is once its window passes", async () => {
    const { env, release } = await heldEnv();
    const task = await env.grpc.submit("held", { n: 1 });
    await waitForState(env.direct, task.id, (r) => r.state === TaskState.Running, "RUNNING");

    const windowed = await waitTask(env, { id: task.id, timeout: { seconds: 0, nanos: 200e6 } });
    expect(windowed.state).toBe("TASK_STATE_RUNNING");

    const ended = waitTask(env, { id: task.id });
    await waitFor("the wait open on the gateway", () => env.gateway.activeWaits === 1);
    // It listens: no watch stream, and no JetStream consumer on the events stream.
    expect(env.gateway.activeWatches).toBe(0);
    const jsm = await env.direct.connection.js.jetstreamManager();
    const names = env.direct.connection.names;
    expect(await jsm.consumers.list(names.eventsStream).next()).toEqual([]);
    release.open();
    const done = await ended;
    expect(env.gateway.activeWaits).toBe(0);
    expect(done.state).toBe("TASK_STATE_SUCCEEDED");
    expect(JSON.parse(Buffer.from(done.result ?? []).toString())).toEqual({ n: 2 });
    // A finished task is answered at once.
    expect((await waitTask(env, { id: task.id })).state).toBe("TASK_STATE_SUCCEEDED");
  });

  it("names the bad field, and says NOT_FOUND for an unknown task", async () => {
    const { env } = await heldEnv();
    const task = await env.grpc.submit("held", { n: 1 });
    const badId = (await rejection(waitTask(env, { id: "nope" }))) as ServiceError;
    expect(badId.code).toBe(status.INVALID_ARGUMENT);
    expect(badId.details).toMatch(/\bid\b/);
    const negative = (await rejection(
      waitTask(env, { id: task.id, timeout: { seconds: -1 } }),
    )) as ServiceError;
    expect(negative.code).toBe(status.INVALID_ARGUMENT);
    expect(negative.details).toMatch(/timeout/);
    const unknown = (await rejection(
      waitTask(env, { id: "01ARZ3NDEKTSV4RRFFQ69G5FAV" }),
    )) as ServiceError;
    expect(unknown.code).toBe(status.NOT_FOUND);
  });

  it("answers open waits when the gateway stops, instead of holding its shutdown", async () => {
    const { env } = await heldEnv();
    const task = await env.grpc.submit("held", { n: 1 });
    await waitForState(env.direct, task.id, (r) => r.state === TaskState.Running, "RUNNING");
    const open = waitTask(env, { id: task.id, timeout: { seconds: 60 } });
    await waitFor("the wait open on the gateway", () => env.gateway.activeWaits === 1);
    const started = Date.now();
    await env.stopGateway();
    expect((await open).state).toBe("TASK_STATE_RUNNING");
    // Well under the gateway's shutdown timeout, which cuts off calls still running.
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("GrpcClient.wait", () => {
  it("resolves once the task ends, and rejects with Timeout while the task goes on", async () => {
    const { env, release } = await heldEnv();
    const task = await env.grpc.submit("held", { n: 5 });
    const late = (await rejection(env.grpc.wait(task.id, { timeoutMs: 300 }))) as BatonError;
    expect(late).toBeInstanceOf(BatonError);
    expect(late.code).toBe(ErrorCode.Timeout);
    expect(late.message).toContain(task.id);

    const ac = new AbortController();
    const aborted = env.grpc.wait(task.id, { signal: ac.signal });
    ac.abort(new Error("caller gave up"));
    await expect(aborted).rejects.toThrow("caller gave up");

    const waiting = env.grpc.wait(task.id, { timeoutMs: 15_000 });
    release.open();
    const done = await waiting;
    expect(done).toMatchObject({ id: task.id, state: TaskState.Succeeded, result: { n: 6 } });
  });

  it("keeps waiting through a gateway restart", async () => {
    const { env, release } = await heldEnv();
    const task = await env.grpc.submit("held", { n: 7 });
    await waitForState(env.direct, task.id, (r) => r.state === TaskState.Running, "RUNNING");
    const waiting = env.grpc.wait(task.id, { timeoutMs: 20_000 });
    await waitFor("the wait open on the gateway", () => env.gateway.activeWaits === 1);
    await env.stopGateway();
    // The task ends while no gateway is up; the wait finds it on the next one.
    release.open();
    await waitForState(env.direct, task.id, (r) => r.state === TaskState.Succeeded, "SUCCEEDED");
    await env.startGatewayAgain();
    expect(await waiting).toMatchObject({ state: TaskState.Succeeded, result: { n: 8 } });
  });

  it("waits through a watch on a gateway without WaitTask", async () => {
    const { env, release } = await heldEnv();
    // A gateway as it was before WaitTask: the same service with that method left out.
    const handlers = new TaskServiceImpl({
      client: env.direct,
      logger: createLogger("silent"),
      natsConnected: () => true,
    }).handlers();
    delete handlers.WaitTask;
    const server = new Server();
    server.addService(loadBatonProto().TaskService.service, handlers);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    onTestFinished(() => void server.forceShutdown());
    const old = createGrpcClient({ address: `127.0.0.1:${port}` });
    onTestFinished(() => old.close());

    const task = await old.submit("held", { n: 9 });
    const unimplemented = (await rejection(
      new Promise((resolve, reject) =>
        old.task.waitTask({ id: task.id }, old.callMetadata(), (err, t) =>
          err ? reject(err) : resolve(t),
        ),
      ),
    )) as ServiceError;
    expect(unimplemented.code).toBe(status.UNIMPLEMENTED);
    const waiting = old.wait(task.id, { timeoutMs: 15_000 });
    release.open();
    expect(await waiting).toMatchObject({ state: TaskState.Succeeded, result: { n: 10 } });
  });
});
