import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { printActivity } from "../../src/cli/quickstart/activity.js";
import { defineAgent } from "../../src/index.js";
import { coreEnv, waitFor } from "../helpers/core.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats[Symbol.asyncDispose]();
});

describe("quickstart activity feed", () => {
  it("prints a task submitted elsewhere from PENDING to SUCCEEDED, one line per state", async () => {
    const env = coreEnv(nats);
    await env.worker([
      defineAgent({ name: "echo", capabilities: ["echo"], handler: (ctx) => ctx.input }),
    ]);
    const feed = await env.client();
    const lines: string[] = [];
    const stop = printActivity(feed.connection, (line) => lines.push(line));
    await feed.connection.nc.flush();
    try {
      // Another process's client: the feed sees only what goes through NATS.
      const other = await env.client();
      const task = await other.submit("echo", { n: 1 });
      const mine = () => lines.filter((l) => l.includes(task.id));
      await waitFor("the SUCCEEDED line", () => mine().some((l) => l.includes("SUCCEEDED")));
      expect(mine().map((l) => /\b(PENDING|RUNNING|SUCCEEDED)\b/.exec(l)?.[1])).toEqual([
        "PENDING",
        "RUNNING",
        "SUCCEEDED",
      ]);
      expect(mine()[2]).toContain('{"n":1}');
    } finally {
      stop();
    }
  });
});
