/**
 * The tasks bucket keeps three revisions per task (see TASKS_HISTORY): a bucket made by an older
 * Baton with one is raised on connect, reads still see the current record, a task that ran once
 * keeps all three of its writes, and one with more writes (a retry) keeps only the newest three.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Kvm } from "@nats-io/kv";
import { jetstream } from "@nats-io/jetstream";
import { defineAgent, TaskState, type SubmitOptions } from "../../src/index.js";
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
  it("raises an older one-revision bucket and keeps the newest three revisions of a task", async () => {
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
        handler: (ctx) => {
          const { n, failFirst } = ctx.input as { n: number; failFirst?: boolean };
          if (failFirst && ctx.attempt === 1) throw new Error("first attempt fails");
          return { n: n * 2 };
        },
      }),
    ]);
    const kv = await new Kvm(jetstream(nc)).open(names.tasksBucket);
    /** Runs a task to success and returns its stored revisions as "STATE:attempt", oldest first. */
    const revisionsAfter = async (
      input: { n: number; failFirst?: boolean },
      options: SubmitOptions = {},
    ): Promise<string[]> => {
      const task = await client.submit("double", input, options);
      const done = await client.wait(task.id, { timeoutMs: 10_000 });
      expect(done.state).toBe(TaskState.Succeeded);
      expect(done.result).toEqual({ n: input.n * 2 });
      expect((await client.get(task.id)).state).toBe(TaskState.Succeeded);
      const out: string[] = [];
      for await (const e of await kv.history({ key: task.id })) {
        const r = e.json<{ state: string; attempt: number }>();
        out.push(`${r.state}:${r.attempt}`);
      }
      return out;
    };

    // Submit, claim and finish: nothing was replaced.
    expect(await revisionsAfter({ n: 21 })).toEqual([
      `${TaskState.Pending}:0`,
      `${TaskState.Running}:1`,
      `${TaskState.Succeeded}:1`,
    ]);
    // Submit, claim, retry wait, claim, finish: the two oldest were dropped.
    const retry = { maxAttempts: 2, initialInterval: "50ms", jitter: 0 };
    expect(await revisionsAfter({ n: 5, failFirst: true }, { retry })).toEqual([
      `${TaskState.Pending}:1`,
      `${TaskState.Running}:2`,
      `${TaskState.Succeeded}:2`,
    ]);
  });
});
