/**
 * An idle agent waits on long polls (5 s) that a restarted server has forgotten. It must ask
 * again once the connection is back, not when those polls would have expired locally (up to 7 s
 * later), so a task submitted right after the restart starts at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineAgent, TaskState } from "../../src/index.js";
import type { NatsConnection } from "@nats-io/transport-node";
import { coreEnv } from "../helpers/core.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats[Symbol.asyncDispose]();
});

/** Well under the 5 s long poll, well over a pull round trip after a reconnect. */
const PROMPT_MS = 2500;

function reconnected(nc: NatsConnection): Promise<void> {
  return (async () => {
    for await (const s of nc.status()) if (s.type === "reconnect") return;
  })();
}

describe("pulling across a server restart", () => {
  it("starts a task submitted after the restart at once, without waiting out the old long polls", async () => {
    const env = coreEnv(nats);
    const startedAt = new Map<string, number>();
    const agent = defineAgent({
      name: "idle",
      capabilities: ["idle"],
      handler: (ctx) => {
        startedAt.set(ctx.task.id, Date.now());
        return ctx.input;
      },
    });
    const worker = await env.worker([agent]);
    const client = await env.client();
    // One task through, so the agent is back to waiting on fresh long polls.
    const first = await client.submit("idle", "before");
    expect((await client.wait(first.id, { timeoutMs: 10_000 })).state).toBe(TaskState.Succeeded);

    const back = Promise.all([
      reconnected(worker.connection.nc),
      reconnected(client.connection.nc),
    ]);
    await nats.server.kill("SIGKILL");
    await nats.server.restart();
    await back;
    const { id } = await client.submit("idle", "after");
    const submittedAt = Date.now();
    const done = await client.wait(id, { timeoutMs: 15_000 });
    expect(done.state).toBe(TaskState.Succeeded);
    const ranAt = startedAt.get(id);
    expect(ranAt).toBeDefined();
    expect((ranAt ?? Infinity) - submittedAt).toBeLessThan(PROMPT_MS);
  });
});
