import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coreEnv } from "../../test/helpers/core.js";
import { startNats, type TestNats } from "../../test/helpers/nats.js";
import embed from "../embed/index.js";
import summarize from "../summarize/index.js";
import { DOCUMENTS, QUESTION } from "./fixtures.js";
import research from "./index.js";
import type { ResearchOutput } from "./input.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats[Symbol.asyncDispose]();
});

describe("research on a real nats-server", () => {
  it("hands work to peer agents in another worker and cites the relevant document first", async () => {
    const env = coreEnv(nats);
    // Two workers, each with its own connection: the children go through the durable queues.
    const peers = await env.worker([summarize, embed]);
    const orchestrator = await env.worker([research]);
    const client = await env.client();

    const task = await client.submit("research", { question: QUESTION, documents: DOCUMENTS });
    const done = await client.wait(task.id, { timeoutMs: 30_000 });

    expect(done.state).toBe("SUCCEEDED");
    const result = done.result as ResearchOutput;
    expect(result.ranked.map((r) => r.id)[0]).toBe("jetstream");
    expect(result.answer).toMatch(/^A stream stores messages durably[^[]*\[jetstream\]/);
    expect(result.answer.match(/\[[a-z]+\]/g)).toHaveLength(3); // top defaults to 3

    // One summarize child per document plus one embed child, all linked to the parent.
    expect(done.children).toHaveLength(DOCUMENTS.length + 1);
    const kids = await Promise.all((done.children ?? []).map((id) => client.get(id)));
    expect(kids.map((k) => k.capability).sort()).toEqual([
      "embed",
      "summarize",
      "summarize",
      "summarize",
    ]);
    for (const kid of kids) {
      expect(kid).toMatchObject({ parentId: task.id, rootId: task.id, state: "SUCCEEDED" });
    }
    // The hand-off crossed workers: the parent ran on one, every child on the other.
    expect(orchestrator.agentIds).toContain(done.attempts?.[0]?.agentId);
    for (const kid of kids) expect(peers.agentIds).toContain(kid.attempts?.[0]?.agentId);
  });

  it("rejects input that breaks the schema at submit, naming the path", async () => {
    const env = coreEnv(nats);
    await env.worker([research]);
    const client = await env.client();
    await expect(client.submit("research", { question: "q", documents: [] })).rejects.toThrow(
      /input\.documents/,
    );
  });
});
