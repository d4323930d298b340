/**
 * The tasks bucket keeps two revisions per task (see TASKS_HISTORY): a bucket made by an older
 * Baton with one is raised on connect, reads still see the current record, and a finished task
 * holds at most two revisions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Kvm } from "@nats-io/kv";
import { jetstream } from "@nats-io/jetstream";
import { defineAgent, TaskState } from "../../src/index.js";
import { TASKS_HISTORY } from "../../src/nats/topology.js";
import { coreEnv } from "../helpers/core.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats[Symbol.asyncDispose]();
});

describe("tasks bucket history", () => {
  it("raises an older one-revision bucket and keeps at most two revisions of a finished task", async () => {
    const env = coreEnv(nats);
    const nc = await nats.connect();
    // What an older Baton created: history 1.
    await new Kvm(jetstream(nc)).create(`${env.prefix}_tasks`, { history: 1 });

    const client = await env.client();
    const { jsm, names } = client.connection;
    const info = await jsm.streams.info(`KV_${names.tasksBucket}`);
    expect(info.config.max_msgs_per_subject).toBe(TASKS_HISTORY);

    await env.worker([
      defineAgent({
        name: "doubler",
        capabilities: ["double"],
        handler: (ctx) => ({ n: (ctx.input as { n: number }).n * 2 }),
      }),
    ]);
    const task = await client.submit("double", { n: 21 });
    const done = await client.wait(task.id, { timeoutMs: 10_000 });
    expect(done.state).toBe(TaskState.Succeeded);
    expect(done.result).toEqual({ n: 42 });
    expect((await client.get(task.id)).state).toBe(TaskState.Succeeded);

    // Submit, claim and finish wrote three revisions; the oldest was dropped.
    const kv = await new Kvm(jetstream(nc)).open(names.tasksBucket);
    const revisions = [];
    for await (const e of await kv.history({ key: task.id })) revisions.push(e);
    expect(revisions.length).toBe(2);
    const states = revisions.map((e) => e.json<{ state: string }>().state);
    expect(states).toEqual([TaskState.Running, TaskState.Succeeded]);
  });
});
