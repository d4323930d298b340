import { once } from "node:events";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { CancelledError, RetryableError, TerminalError } from "../../src/errors.js";
import { createMockContext } from "../../src/sdk/testing.js";
import { chunk, startFakeEndpoint, startStream, type FakeEndpoint } from "./fake-server.js";
import agent from "./index.js";

const VARS = ["BATON_LLM_BASE_URL", "BATON_LLM_MODEL", "BATON_LLM_API_KEY"] as const;
const INPUT = { messages: [{ role: "user" as const, content: "Say hello" }] };

let fake: FakeEndpoint;
let saved: Partial<Record<(typeof VARS)[number], string>>;

beforeAll(async () => {
  fake = await startFakeEndpoint();
});
afterAll(() => fake.close());

beforeEach(() => {
  saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
  process.env.BATON_LLM_BASE_URL = `${fake.baseUrl}/`;
  process.env.BATON_LLM_MODEL = "fake-1";
  delete process.env.BATON_LLM_API_KEY;
  fake.requests.length = 0;
});
afterEach(() => {
  for (const v of VARS) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
});

const errorOf = async (input: unknown = INPUT): Promise<unknown> =>
  createMockContext(input)
    .run(agent.handler)
    .then(
      () => undefined,
      (err: unknown) => err,
    );

describe("llm agent", () => {
  it("streams deltas in order through ctx.emit and returns the completion", async () => {
    process.env.BATON_LLM_API_KEY = "sk-test";
    fake.respond = async (res) => {
      startStream(res);
      res.write(": keep-alive\n\n");
      const first = chunk("Hel");
      res.write(first.slice(0, 10)); // an event split across TCP writes
      await new Promise((r) => setTimeout(r, 20));
      res.write(first.slice(10) + chunk("lo, ") + chunk("wörld"));
      res.write(chunk(null, "stop"));
      const usage = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 };
      res.write(`data: ${JSON.stringify({ model: "fake-1", choices: [], usage })}\r\n\r\n`);
      res.end("data: [DONE]\n\n");
    };
    const mock = createMockContext({ ...INPUT, maxTokens: 16, temperature: 0.2 });
    expect(await mock.run(agent.handler)).toEqual({
      content: "Hello, wörld",
      model: "fake-1",
      finishReason: "stop",
      usage: { promptTokens: 5, completionTokens: 3, totalTokens: 8 },
    });
    expect(mock.outputs).toEqual(["Hel", "lo, ", "wörld"]);
    const [req] = fake.requests;
    expect(req).toMatchObject({
      method: "POST",
      url: "/v1/chat/completions",
      headers: { authorization: "Bearer sk-test" },
      body: { model: "fake-1", stream: true, max_tokens: 16, temperature: 0.2, ...INPUT },
    });
  });

  it("accepts a server that answers with one JSON completion instead of a stream", async () => {
    fake.respond = (res) => {
      const body = { model: "m", choices: [{ message: { content: "hi" }, finish_reason: "stop" }] };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    const mock = createMockContext(INPUT);
    expect(await mock.run(agent.handler)).toEqual({
      content: "hi",
      model: "m",
      finishReason: "stop",
    });
    expect(mock.outputs).toEqual(["hi"]);
    expect(fake.requests[0]?.headers.authorization).toBeUndefined();
  });

  it("turns 429 into a RetryableError that honours Retry-After", async () => {
    fake.respond = (res) => {
      res.writeHead(429, { "retry-after": "7", "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "slow down" } }));
    };
    const err = await errorOf();
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ retryAfterMs: 7000 });
    expect((err as Error).message).toMatch(/429: slow down/);
  });

  it("retries server errors and fails for good on other 4xx with the server's message", async () => {
    fake.respond = (res) => {
      res.writeHead(503).end("overloaded");
    };
    const unavailable = await errorOf();
    expect(unavailable).toBeInstanceOf(RetryableError);
    expect(unavailable).toMatchObject({ retryAfterMs: undefined });
    fake.respond = (res) => {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "model 'fake-1' not found" } }));
    };
    const bad = await errorOf();
    expect(bad).toBeInstanceOf(TerminalError);
    expect((bad as Error).message).toMatch(/400: model 'fake-1' not found/);
  });

  it("retries when the stream ends early or reports an error", async () => {
    fake.respond = (res) => {
      startStream(res);
      res.end(chunk("partial"));
    };
    expect(await errorOf()).toBeInstanceOf(RetryableError);
    fake.respond = (res) => {
      startStream(res);
      res.end(`data: ${JSON.stringify({ error: { message: "backend crashed" } })}\n\n`);
    };
    const reported = await errorOf();
    expect(reported).toBeInstanceOf(RetryableError);
    expect((reported as Error).message).toMatch(/backend crashed/);
  });

  it("retries when the endpoint cannot be reached", async () => {
    const gone = await startFakeEndpoint();
    await gone.close(); // a loopback port nobody listens on any more
    process.env.BATON_LLM_BASE_URL = gone.baseUrl;
    const err = await errorOf();
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as Error).message).toMatch(/unreachable/);
  });

  it("aborts the HTTP stream when the task is cancelled", async () => {
    let closed: Promise<unknown> = Promise.resolve();
    fake.respond = (res) => {
      closed = once(res, "close");
      startStream(res);
      res.write(chunk("first"));
      // ...and then hang, as a slow model would.
    };
    const mock = createMockContext(INPUT);
    const running = mock.run(agent.handler);
    await vi.waitFor(() => expect(mock.outputs).toEqual(["first"]));
    mock.cancel("user asked");
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    await closed; // the server saw the client hang up
    expect(fake.requests).toHaveLength(1);
  });

  it("names the missing variable and rejects bad input without retry", async () => {
    delete process.env.BATON_LLM_BASE_URL;
    const missing = await errorOf();
    expect(missing).toBeInstanceOf(TerminalError);
    expect((missing as Error).message).toMatch(/BATON_LLM_BASE_URL/);
    process.env.BATON_LLM_BASE_URL = fake.baseUrl;
    delete process.env.BATON_LLM_MODEL;
    expect(((await errorOf()) as Error).message).toMatch(/BATON_LLM_MODEL/);
    const bad = await errorOf({ messages: [{ role: "robot", content: "hi" }] });
    expect(bad).toBeInstanceOf(TerminalError);
    expect((bad as Error).message).toMatch(/input\.messages\[0\]\.role/);
    expect(await errorOf({ messages: [] })).toBeInstanceOf(TerminalError);
    expect(fake.requests).toHaveLength(0);
  });
});
