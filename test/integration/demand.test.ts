/**
 * client.demand() reads the waiting index (tasks that waited lately), not every task: a waiting
 * task is marked there and counted, tasks that never waited are not in it, and one that stopped
 * waiting is no longer counted though its entry lives on until the index's TTL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineAgent, TaskState } from "../../src/index.js";
import { coreEnv, waitForState, waitTerminal } from "../helpers/core.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats[Symbol.asyncDispose]();
});

function infer(gpu: string) {
  return defineAgent({
    name: `infer-${gpu}`,
    capabilities: ["infer"],
    concurrency: 8,
    resources: { gpus: [{ type: gpu, count: 1, memoryMib: 16_384 }] },
    handler: (ctx) => ctx.input,
  });
}

describe("demand", () => {
  it("counts waiting tasks from the waiting index, and only while they wait", async () => {
    const env = coreEnv(nats);
    await env.worker([infer("t4")]);
    const client = await env.client();
    const indexed = async (): Promise<string[]> => {
      const ids: string[] = [];
      for await (const id of await client.connection.waiting.keys()) ids.push(id);
      return ids;
    };

    const needy = await client.submit("infer", 0, { requirements: { gpuType: "h100" } });
    await waitForState(client, needy.id, (r) => r.waiting !== undefined);
    const plain = await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.submit("infer", i + 1)),
    );
    for (const t of plain) expect((await waitTerminal(client, t.id)).state).toBe("SUCCEEDED");

    expect(await indexed()).toEqual([needy.id]);
    const demand = await client.demand();
    expect(demand).toEqual([
      expect.objectContaining({ capability: "infer", resourceClass: "gpu:h100x1", waiting: 1 }),
    ]);
    expect(demand[0]?.reason).toMatch(/h100/);

    // An h100 agent appears: the task runs, and waits no more.
    await env.worker([infer("h100")]);
    expect((await client.wait(needy.id, { timeoutMs: 15_000 })).state).toBe(TaskState.Succeeded);
    expect(await indexed()).toEqual([needy.id]);
    expect(await client.demand()).toEqual([]);
  });
});
