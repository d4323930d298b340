import { s } from "../../src/sdk/schema.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createClient,
  defineAgent,
  ValidationError,
  Worker,
  type BatonClient,
} from "../../src/index.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
let client: BatonClient;
let worker: Worker;
let release: () => void = () => undefined;

beforeAll(async () => {
  nats = await startNats();
  const opts = { natsUrl: nats.url, prefix: nats.prefix, lease: "2s", logLevel: "silent" as const };
  const gate = new Promise<void>((r) => (release = r));
  const agent = defineAgent<{ n: number }>({
    name: "typed",
    capabilities: ["typed"],
    concurrency: 2,
    inputSchema: {
      type: "object",
      properties: { n: { type: "integer", minimum: 0 } },
      required: ["n"],
      additionalProperties: false,
    },
    handler: async (ctx) => {
      await gate;
      return ctx.input.n * 2;
    },
  });
  worker = await Worker.start([agent], opts);
  client = await createClient(opts);
});

afterAll(async () => {
  release();
  await worker?.stop(1000);
  await client?.close();
  await nats?.[Symbol.asyncDispose]();
});

function fieldOf(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => "no error",
    (err: unknown) =>
      err instanceof ValidationError ? err.field : `not a ValidationError: ${String(err)}`,
  );
}

describe("capability schema, batch submit, registry and queue stats", () => {
  it("validates input against the schema the agent declared, naming the path", async () => {
    expect(await fieldOf(client.submit("typed", { n: -1 }))).toBe("input.n");
    expect(await fieldOf(client.submit("typed", {}))).toBe("input.n");
    expect(await fieldOf(client.submit("typed", { n: 1, extra: true }))).toBe("input");
    expect((await client.list({ capability: "typed" })).tasks).toHaveLength(0);
  });

  it("validates a whole batch before storing any of it", async () => {
    const field = await fieldOf(
      client.submitMany([
        { capability: "typed", input: { n: 1 } },
        { capability: "typed", input: { n: "x" } },
      ]),
    );
    expect(field).toBe("requests[1].input.n");
    expect((await client.list({ capability: "typed" })).tasks).toHaveLength(0);
  });

  it("lists the live agent and reports backlog, in-flight and deduplication", async () => {
    const agents = await client.listAgents({ capability: "typed" });
    expect(agents).toHaveLength(1);
    expect(agents[0]).toMatchObject({ name: "typed", capabilities: ["typed"], concurrency: 2 });
    expect(await client.listAgents({ capability: "other" })).toHaveLength(0);

    const results = await client.submitMany(
      Array.from({ length: 5 }, (_, i) => ({
        capability: "typed",
        input: { n: i },
        options: { idempotencyKey: `k${i}` },
      })),
    );
    expect(results.every((r) => !r.deduplicated)).toBe(true);
    const again = await client.submitDetailed("typed", { n: 0 }, { idempotencyKey: "k0" });
    expect(again).toMatchObject({ deduplicated: true, task: { id: results[0]?.task.id } });

    // Two run (held at the gate), three wait in the queue.
    let stats = (await client.queueStats({ capability: "typed" }))[0];
    for (let i = 0; i < 100 && stats?.inFlight !== 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      stats = (await client.queueStats({ capability: "typed" }))[0];
    }
    expect(stats).toMatchObject({ capability: "typed", inFlight: 2, backlog: 3, deadLetters: 0 });
    expect(stats?.backlogByPriority.normal).toBe(3);
    expect(stats?.oldestAgeMs).toBeGreaterThanOrEqual(0);
    release();
    const done = await Promise.all(results.map((r) => client.wait(r.task.id)));
    expect(done.map((t) => t.result)).toEqual([0, 2, 4, 6, 8]);
  });

  it("counts the backlog of a capability whose agents have not started yet", async () => {
    await client.declareCapability("later");
    await client.submit("later", { a: 1 });
    await client.submit("later", { a: 2 }, { priority: "high" });
    const [stats] = await client.queueStats({ capability: "later" });
    expect(stats).toMatchObject({
      backlog: 2,
      inFlight: 0,
      backlogByPriority: { high: 1, normal: 1, low: 0 },
    });
    expect(stats?.oldestAgeMs).toBeGreaterThanOrEqual(0);
  });

  it("fails a result that breaks the output schema without retrying, and shows resources", async () => {
    const opts = {
      natsUrl: nats.url,
      prefix: nats.prefix,
      lease: "2s",
      logLevel: "silent" as const,
    };
    const gpu = defineAgent({
      name: "gpu",
      capabilities: ["render"],
      resources: { gpus: [{ type: "a100", count: 2, memoryMib: 81920 }], labels: { zone: "a" } },
      input: s.object({ frames: s.integer({ minimum: 1 }) }),
      output: s.object({ rendered: s.integer() }),
      handler: (ctx) => ({
        rendered: ctx.input.frames > 1 ? ctx.input.frames : ("one" as unknown as number),
      }),
    });
    const w = await Worker.start([gpu], opts);
    try {
      const [info] = await client.listAgents({ capability: "render" });
      expect(info?.resources).toEqual({
        gpus: [{ type: "a100", count: 2, memoryMib: 81920 }],
        labels: { zone: "a" },
      });
      const ok = await client.wait((await client.submit("render", { frames: 3 })).id);
      expect(ok).toMatchObject({ state: "SUCCEEDED", result: { rendered: 3 } });
      const bad = await client.wait((await client.submit("render", { frames: 1 })).id);
      expect(bad.state).toBe("FAILED");
      expect(bad.attempts).toHaveLength(1);
      expect(bad.error?.message).toMatch(/output schema: result\.rendered/);
    } finally {
      await w.stop(1000);
    }
  });

  it("removes a stopped agent from the registry", async () => {
    await worker.stop(1000);
    expect(await client.listAgents()).toHaveLength(0);
  });
});
