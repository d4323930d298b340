import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForEnd } from "../../src/client/wait.js";
import { endRecord } from "../../src/store/transitions.js";
import type { JsonValue } from "../../src/types.js";
import {
  BatonError,
  defineAgent,
  ErrorCode,
  TaskNotFoundError,
  TaskState,
} from "../../src/index.js";
import { coreEnv, gate, rejection, waitForState } from "../helpers/core.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats[Symbol.asyncDispose]();
});

/** A client, and a worker whose agent holds every task until `release` opens, then answers. */
async function gatedAgent(capability: string, answer: (input: unknown) => JsonValue) {
  const env = coreEnv(nats);
  const release = gate();
  await env.worker([
    defineAgent({
      name: capability,
      capabilities: [capability],
      handler: async (ctx) => {
        await release.promise;
        return answer(ctx.input);
      },
    }),
  ]);
  return { client: await env.client(), release };
}

describe("client.wait", () => {
  it("resolves with the record when a running task ends, and at once for a finished one", async () => {
    const { client, release } = await gatedAgent("held", (input) => ({
      n: (input as { n: number }).n * 2,
    }));
    const tasks = await Promise.all([1, 2, 3].map((n) => client.submit("held", { n })));
    await waitForState(client, tasks[0]?.id ?? "", (r) => r.state === TaskState.Running);
    const waits = tasks.map((t) => client.wait(t.id, { timeoutMs: 15_000 }));
    release.open();
    const done = await Promise.all(waits);
    expect(done.map((r) => [r.state, r.result])).toEqual([
      [TaskState.Succeeded, { n: 2 }],
      [TaskState.Succeeded, { n: 4 }],
      [TaskState.Succeeded, { n: 6 }],
    ]);
    const again = await client.wait(tasks[1]?.id ?? "");
    expect(again.state).toBe(TaskState.Succeeded);
    expect(again.result).toEqual({ n: 4 });
  });

  it("wakes on the terminal event, not the periodic re-read", async () => {
    const { client, release } = await gatedAgent("evented", () => "done");
    const task = await client.submit("evented", null);
    await waitForState(client, task.id, (r) => r.state === TaskState.Running);
    let reads = 0;
    // No timeout and a re-read every ten minutes: only the event can end this wait before the
    // test's own 20 s limit.
    const waiting = waitForEnd(
      client.connection,
      task.id,
      () => {
        reads++;
        return client.get(task.id);
      },
      { recheckMs: 600_000 },
    );
    release.open();
    const done = await waiting;
    expect(done.state).toBe(TaskState.Succeeded);
    expect(reads).toBeLessThanOrEqual(2);
  }, 20_000);

  it("times out naming the task, which goes on; a later wait sees its end", async () => {
    const { client, release } = await gatedAgent("slow", () => "late");
    const task = await client.submit("slow", null);
    const err = await rejection(client.wait(task.id, { timeoutMs: 300 }));
    expect(err).toBeInstanceOf(BatonError);
    expect((err as BatonError).code).toBe(ErrorCode.Timeout);
    expect(err.message).toContain(task.id);
    expect((await client.get(task.id)).state).not.toBe(TaskState.Succeeded);
    release.open();
    const done = await client.wait(task.id, { timeoutMs: 15_000 });
    expect(done.state).toBe(TaskState.Succeeded);
    expect(done.result).toBe("late");
  });

  it("stops when its signal aborts, rejecting with the reason, while the task goes on", async () => {
    const { client, release } = await gatedAgent("abortable", () => "finished");
    const task = await client.submit("abortable", null);
    await waitForState(client, task.id, (r) => r.state === TaskState.Running);
    const controller = new AbortController();
    const waiting = client.wait(task.id, { signal: controller.signal });
    const reason = new Error("caller gave up");
    controller.abort(reason);
    expect(await rejection(waiting)).toBe(reason);
    release.open();
    expect((await client.wait(task.id, { timeoutMs: 15_000 })).result).toBe("finished");
  });

  it("names an unknown task, and a wildcard id listens to nothing", async () => {
    const env = coreEnv(nats);
    const client = await env.client();
    for (const id of ["01M98N9HW45YE3NCB97PTZF33X", ">", "a.*", ""]) {
      const err = await rejection(client.wait(id, { timeoutMs: 2_000 }));
      expect(err).toBeInstanceOf(TaskNotFoundError);
    }
  });

  it("finds an end whose event was never published by reading the record again", async () => {
    const env = coreEnv(nats, { allowUndeclaredCapabilities: true });
    const client = await env.client();
    // No agent serves this capability: the task stays pending until the record is ended below.
    const task = await client.submit("nobody-serves-this", null);
    const waiting = client.wait(task.id, { timeoutMs: 15_000 });
    // A writer that stored the end and died before publishing its event.
    await client.connection.tasks.mutate(task.id, (r) =>
      endRecord(
        r,
        TaskState.Failed,
        { code: ErrorCode.WorkerLost, message: "writer died" },
        Date.now(),
      ),
    );
    const done = await waiting;
    expect(done.state).toBe(TaskState.Failed);
    expect(done.error?.message).toBe("writer died");
  });
});
