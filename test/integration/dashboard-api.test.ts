/** The dashboard's JSON API and static UI over a real nats-server and an in-process worker. */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { BatonClient } from "../../src/client/client.js";
import { dashboardRoutes } from "../../src/dashboard/routes.js";
import { startGateway } from "../../src/grpc/server/gateway.js";
import { defineAgent, TerminalError } from "../../src/index.js";
import type { TaskNode, TaskSummary } from "../../src/dashboard/task-view.js";
import type { QueueSample } from "../../src/dashboard/queue-sampler.js";
import type { TraceView } from "../../src/dashboard/trace-view.js";
import type { DeadLetter, TaskEvent, TaskRecord } from "../../src/types.js";
import {
  coreEnv,
  gate,
  sleepObeying,
  waitFor,
  waitForState,
  waitTerminal,
} from "../helpers/core.js";
import { readSse, startDashboard, type TestDashboard } from "../helpers/dashboard.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats[Symbol.asyncDispose]();
});

const echo = defineAgent<{ n: number }>({
  name: "echo",
  capabilities: ["echo"],
  concurrency: 4,
  handler: (ctx) => ({ n: ctx.input.n }),
});

async function dashboard(client: BatonClient): Promise<TestDashboard> {
  const d = await startDashboard(client, { sampler: { intervalMs: 100 } });
  onTestFinished(() => d.close());
  return d;
}

async function getJson<T>(
  d: TestDashboard,
  path: string,
  init?: RequestInit,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${d.url}${path}`, init);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  return { status: res.status, body: (await res.json()) as T };
}

const post = (body?: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
});

type Page = { tasks: TaskSummary[]; nextCursor?: string };
type Failure = { error: string };

describe("dashboard API", () => {
  it("lists tasks newest first, filtered by state, capability and label, in pages", async () => {
    const env = coreEnv(nats);
    await env.worker([echo]);
    const client = await env.client();
    await client.declareCapability("parked");
    const a1 = await client.submit("echo", { n: 1 }, { labels: { team: "a" } });
    const b = await client.submit("echo", { n: 2 }, { labels: { team: "b" } });
    const a2 = await client.submit("echo", { n: 3 }, { labels: { team: "a", tier: "gold" } });
    const parked = await client.submit("parked", null, { labels: { team: "a" } });
    for (const t of [a1, b, a2]) await waitTerminal(client, t.id);
    const d = await dashboard(client);

    const all = await getJson<Page>(d, "/api/tasks");
    expect(all.status).toBe(200);
    expect(all.body.tasks.map((t) => t.id)).toEqual([parked.id, a2.id, b.id, a1.id]);
    expect(all.body.tasks[1]).toMatchObject({
      capability: "echo",
      state: "SUCCEEDED",
      labels: { team: "a", tier: "gold" },
      attempt: 1,
    });
    expect(all.body.tasks[1]).not.toHaveProperty("input");

    const ids = async (query: string): Promise<string[]> =>
      (await getJson<Page>(d, `/api/tasks?${query}`)).body.tasks.map((t) => t.id);
    expect(await ids("state=SUCCEEDED")).toEqual([a2.id, b.id, a1.id]);
    expect(await ids("state=pending,running")).toEqual([parked.id]);
    expect(await ids("capability=parked")).toEqual([parked.id]);
    expect(await ids("label=team%3Da")).toEqual([parked.id, a2.id, a1.id]);
    expect(await ids("label=team%3Da&label=tier%3Dgold")).toEqual([a2.id]);
    expect(await ids("label=team%3Da&capability=echo&state=SUCCEEDED")).toEqual([a2.id, a1.id]);

    // Pages, with and without a label filter.
    const first = await getJson<Page>(d, "/api/tasks?limit=2");
    expect(first.body.tasks.map((t) => t.id)).toEqual([parked.id, a2.id]);
    expect(first.body.nextCursor).toBe(a2.id);
    const second = await getJson<Page>(d, `/api/tasks?limit=2&cursor=${a2.id}`);
    expect(second.body).toEqual({ tasks: expect.any(Array) as unknown });
    expect(second.body.tasks.map((t) => t.id)).toEqual([b.id, a1.id]);
    const labelled = await getJson<Page>(d, "/api/tasks?label=team%3Da&limit=2");
    expect(labelled.body.tasks.map((t) => t.id)).toEqual([parked.id, a2.id]);
    const rest = await getJson<Page>(d, `/api/tasks?label=team%3Da&limit=2&cursor=${a2.id}`);
    expect(rest.body.tasks.map((t) => t.id)).toEqual([a1.id]);
    expect(rest.body.nextCursor).toBeUndefined();

    const bad = async (query: string): Promise<string> => {
      const res = await getJson<Failure>(d, `/api/tasks?${query}`);
      expect(res.status).toBe(400);
      return res.body.error;
    };
    expect(await bad("state=DONE")).toBe(
      'state: must be one of PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED, DEAD, got "DONE"',
    );
    expect(await bad("limit=0")).toBe('limit: must be an integer from 1 to 1000, got "0"');
    expect(await bad("limit=ten")).toMatch(/^limit: must be an integer/);
    expect(await bad("label=team")).toBe('label: must be key=value, got "team"');
    expect(await bad("capability=no.dots")).toMatch(/^capability: must be 1-64 characters/);
  });

  it("returns a task with its tree of sub-tasks, and 404 for an unknown task", async () => {
    const env = coreEnv(nats);
    const leaf = defineAgent<{ n: number }>({
      name: "leaf",
      capabilities: ["leaf"],
      concurrency: 4,
      handler: (ctx) => ctx.input.n,
    });
    const middle = defineAgent<{ n: number }>({
      name: "middle",
      capabilities: ["middle"],
      concurrency: 4,
      handler: async (ctx) => (await ctx.delegate<number>("leaf", { n: ctx.input.n })) + 1,
    });
    const root = defineAgent<{ n: number }>({
      name: "root",
      capabilities: ["root"],
      handler: async (ctx) => {
        const [x, y] = await ctx.delegateAll<number>([
          { capability: "middle", input: { n: ctx.input.n } },
          { capability: "leaf", input: { n: 100 } },
        ]);
        return (x ?? 0) + (y ?? 0);
      },
    });
    await env.worker([leaf, middle, root]);
    const client = await env.client();
    const task = await client.submit("root", { n: 1 });
    expect(await client.wait(task.id, { timeoutMs: 15_000 })).toMatchObject({ result: 102 });
    const d = await dashboard(client);

    const { status, body } = await getJson<{ task: TaskRecord; tree: TaskNode }>(
      d,
      `/api/tasks/${task.id}`,
    );
    expect(status).toBe(200);
    expect(body.task).toMatchObject({ id: task.id, input: { n: 1 }, result: 102 });
    const shape = (n: TaskNode): unknown => ({
      capability: n.capability,
      state: n.state,
      subtasks: n.subtasks.map(shape),
    });
    expect(shape(body.tree)).toEqual({
      capability: "root",
      state: "SUCCEEDED",
      subtasks: [
        {
          capability: "middle",
          state: "SUCCEEDED",
          subtasks: [{ capability: "leaf", state: "SUCCEEDED", subtasks: [] }],
        },
        { capability: "leaf", state: "SUCCEEDED", subtasks: [] },
      ],
    });
    const middleNode = body.tree.subtasks[0];
    expect(middleNode).toMatchObject({ parentId: task.id, rootId: task.id, children: 1 });

    const missing = await getJson<Failure>(d, "/api/tasks/01NOSUCHTASK");
    expect(missing).toEqual({ status: 404, body: { error: "task 01NOSUCHTASK not found" } });
    for (const path of ["events", "trace"]) {
      const res = await getJson<Failure>(d, `/api/tasks/01NOSUCHTASK/${path}`);
      expect(res).toEqual({ status: 404, body: { error: "task 01NOSUCHTASK not found" } });
    }
  });

  it("streams a running task's progress and output as Server-Sent Events until it ends", async () => {
    const env = coreEnv(nats);
    const go = gate();
    const writer = defineAgent({
      name: "writer",
      capabilities: ["write"],
      handler: async (ctx) => {
        await ctx.progress({ done: 0, of: 2 });
        await ctx.emit("hello ");
        await go.promise;
        await ctx.emit("world");
        await ctx.progress({ done: 2, of: 2 });
        return "written";
      },
    });
    await env.worker([writer]);
    const client = await env.client();
    const task = await client.submit("write", null);
    const d = await dashboard(client);

    const res = await fetch(`${d.url}/api/tasks/${task.id}/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const events = await readSse(
      res,
      (e) => e.event === "end",
      (e) => {
        // Live: the first chunk arrives while the handler is still parked.
        if (e.event === "output") go.open();
      },
    );
    expect(go.opened).toBe(true);
    const summary = events.map((e) => {
      const ev = e.data as TaskEvent;
      if (e.event === "end") return "end";
      if (ev.type === "state") return ev.state;
      if (ev.type === "output") return `output:${JSON.stringify(ev.chunk)}`;
      return `progress:${JSON.stringify(ev.progress)}`;
    });
    expect(summary).toEqual([
      "PENDING",
      "RUNNING",
      'progress:{"done":0,"of":2}',
      'output:"hello "',
      'output:"world"',
      'progress:{"done":2,"of":2}',
      "SUCCEEDED",
      "end",
    ]);
    for (const e of events.slice(0, -1)) expect(e.id).toBe(String((e.data as TaskEvent).seq));
    expect(events.at(-2)?.data).toMatchObject({ result: "written" });

    // A reconnecting EventSource sends Last-Event-ID and gets only what came after it.
    const third = events[2]?.id ?? "";
    const resumed = await readSse(
      await fetch(`${d.url}/api/tasks/${task.id}/events`, {
        headers: { "last-event-id": third },
      }),
    );
    expect(resumed.map((e) => e.event)).toEqual(["output", "output", "progress", "state", "end"]);
    // The first event is made from the record (id 0); resuming after it repeats nothing.
    expect(events[0]?.id).toBe("0");
    const afterFirst = await readSse(
      await fetch(`${d.url}/api/tasks/${task.id}/events`, { headers: { "last-event-id": "0" } }),
    );
    expect(afterFirst.map((e) => e.id)).toEqual(events.slice(1).map((e) => e.id));

    const badResume = await getJson<Failure>(d, `/api/tasks/${task.id}/events?from=x`);
    expect(badResume).toEqual({
      status: 400,
      body: { error: 'from: must be a positive integer, got "x"' },
    });
  });

  it("cancels a running task, and answers 409 once it is finished", async () => {
    const env = coreEnv(nats);
    const slow = defineAgent({
      name: "slow",
      capabilities: ["slow"],
      handler: async (ctx) => {
        await sleepObeying(60_000, ctx.signal);
        return null;
      },
    });
    await env.worker([slow]);
    const client = await env.client();
    const task = await client.submit("slow", null);
    await waitForState(client, task.id, (r) => r.state === "RUNNING");
    const d = await dashboard(client);

    const badBody = await getJson<Failure>(d, `/api/tasks/${task.id}/cancel`, post([1]));
    expect(badBody).toEqual({
      status: 400,
      body: { error: 'request body must be a JSON object like {"reason": "..."}' },
    });
    const done = await getJson<{ task: TaskSummary }>(
      d,
      `/api/tasks/${task.id}/cancel`,
      post({ reason: "operator said so" }),
    );
    expect(done.status).toBe(200);
    expect(done.body.task).toMatchObject({
      id: task.id,
      state: "CANCELLED",
      error: { message: "operator said so", code: "CANCELLED" },
    });
    const again = await getJson<Failure>(d, `/api/tasks/${task.id}/cancel`, post());
    expect(again).toEqual({
      status: 409,
      body: { error: `task ${task.id} is already CANCELLED` },
    });
    const unknown = await getJson<Failure>(d, "/api/tasks/01NOSUCHTASK/cancel", post());
    expect(unknown.status).toBe(404);
    // Another web page cannot make the browser cancel tasks: no form posts, no foreign origin.
    const form = await getJson<Failure>(d, `/api/tasks/${task.id}/cancel`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "reason=x",
    });
    expect(form).toEqual({
      status: 415,
      body: { error: "POST requests must send content-type: application/json" },
    });
    const foreign = await getJson<Failure>(d, `/api/tasks/${task.id}/cancel`, {
      ...post(),
      headers: { "content-type": "application/json", origin: "http://evil.example" },
    });
    expect(foreign).toEqual({
      status: 403,
      body: { error: "cross-origin request from http://evil.example refused" },
    });
    // The handler saw the cancellation and the worker settled.
    await waitFor("the attempt to end", async () => {
      const r = await client.get(task.id);
      return r.attempts[0]?.outcome === "cancelled";
    });
  });

  it("lists dead letters and replays one back to a successful run", async () => {
    const env = coreEnv(nats);
    let runs = 0;
    const flaky = defineAgent({
      name: "flaky",
      capabilities: ["flaky"],
      handler: () => {
        runs++;
        if (runs === 1) throw new Error("first run breaks");
        return { runs };
      },
    });
    const broken = defineAgent({
      name: "broken",
      capabilities: ["broken"],
      handler: () => {
        throw new TerminalError("never works");
      },
    });
    await env.worker([flaky, broken]);
    const client = await env.client();
    const task = await client.submit("flaky", { x: 1 }, { retry: { maxAttempts: 1 } });
    const failed = await client.submit("broken", null);
    await waitForState(client, task.id, (r) => r.state === "DEAD");
    await waitTerminal(client, failed.id);
    const d = await dashboard(client);

    const letters = async (query = ""): Promise<DeadLetter[]> =>
      (await getJson<{ deadLetters: DeadLetter[] }>(d, `/api/dlq${query}`)).body.deadLetters;
    await waitFor("the dead letter", async () => (await letters()).length === 1);
    const [letter] = await letters();
    expect(letter).toMatchObject({
      taskId: task.id,
      capability: "flaky",
      input: { x: 1 },
      error: { message: "first run breaks" },
    });
    expect(await letters("?capability=broken")).toEqual([]);
    const badLimit = await getJson<Failure>(d, "/api/dlq?limit=-1");
    expect(badLimit).toEqual({
      status: 400,
      body: { error: 'limit: must be a positive integer, got "-1"' },
    });

    const notDead = await getJson<Failure>(d, `/api/dlq/${failed.id}/replay`, post());
    expect(notDead).toEqual({
      status: 409,
      body: { error: `task ${failed.id} is FAILED, not DEAD` },
    });
    const replayed = await getJson<{ task: TaskSummary }>(d, `/api/dlq/${task.id}/replay`, post());
    expect(replayed.status).toBe(200);
    expect(replayed.body.task).toMatchObject({ id: task.id, state: "PENDING" });
    expect(await waitTerminal(client, task.id)).toMatchObject({
      state: "SUCCEEDED",
      result: { runs: 2 },
    });
    expect(await letters()).toEqual([]);
    const missing = await getJson<Failure>(d, "/api/dlq/01NOSUCHTASK/replay", post());
    expect(missing).toEqual({ status: 404, body: { error: "task 01NOSUCHTASK not found" } });
  });

  it("reports agents, queue backlog and throughput over time, and waiting demand", async () => {
    const env = coreEnv(nats);
    const worker = await env.worker([echo]);
    const client = await env.client();
    const d = await dashboard(client);
    // A task no agent can run: it waits, visibly, as demand.
    const needy = await client.submit("echo", { n: 0 }, { requirements: { gpuType: "h100" } });

    const agents = await getJson<{ now: number; agents: { id: string; capabilities: string[] }[] }>(
      d,
      "/api/agents",
    );
    expect(agents.body.agents).toEqual([
      expect.objectContaining({ id: worker.agentIds[0], capabilities: ["echo"] }),
    ]);

    const tasks = await Promise.all(
      Array.from({ length: 20 }, (_, n) => client.submit("echo", { n })),
    );
    for (const t of tasks) await waitTerminal(client, t.id);
    type Queues = {
      intervalMs: number;
      queues: { capability: string; backlog: number }[];
      history: Record<string, QueueSample[]>;
    };
    const queues = await waitFor("throughput samples of echo", async () => {
      const { body } = await getJson<Queues>(d, "/api/queues");
      const finished = (body.history.echo ?? []).reduce(
        (n, s, i, all) => n + (s.throughput * (s.time - (all[i - 1]?.time ?? s.time))) / 1000,
        0,
      );
      return finished >= 15 ? body : undefined;
    });
    expect(queues.intervalMs).toBe(100);
    expect(queues.queues).toEqual([expect.objectContaining({ capability: "echo" })]);
    const samples = queues.history.echo ?? [];
    expect(samples.length).toBeGreaterThan(1);
    for (const s of samples) {
      expect(s).toEqual({
        time: expect.any(Number) as unknown,
        backlog: expect.any(Number) as unknown,
        inFlight: expect.any(Number) as unknown,
        throughput: expect.any(Number) as unknown,
      });
    }

    const demand = await waitFor("the waiting task as demand", async () => {
      const { body } = await getJson<{ demand: { capability: string; waiting: number }[] }>(
        d,
        "/api/demand",
      );
      return body.demand.length > 0 ? body.demand : undefined;
    });
    expect(demand).toEqual([expect.objectContaining({ capability: "echo", waiting: 1 })]);
    expect((await client.get(needy.id)).state).toBe("PENDING");
  });

  it("serves the UI and its assets, and nothing outside the assets folder", async () => {
    const env = coreEnv(nats);
    const client = await env.client();
    const d = await dashboard(client);

    const page = await fetch(`${d.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await page.text()).toContain("<title>Baton</title>");
    const script = await fetch(`${d.url}/assets/app.js`);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await script.text()).toContain("hashchange");

    for (const path of [
      "/assets/missing.js",
      "/assets/%2e%2e/routes.ts",
      "/assets/..%2Froutes.ts",
      "/assets/..%2F..%2F..%2Fpackage.json",
    ]) {
      const res = await getJson<Failure>(d, path);
      expect(res.status, path).toBe(404);
      // fetch folds "%2e%2e" into the path itself, so the router may answer first.
      expect(res.body.error).toMatch(/^no (dashboard asset|route for GET) /);
    }
    const unknown = await getJson<Failure>(d, "/api/nothing");
    expect(unknown).toEqual({ status: 404, body: { error: "no route for GET /api/nothing" } });
  });

  it("is served by the gateway's HTTP server with one call", async () => {
    const env = coreEnv(nats);
    const client = await env.client();
    const gateway = await startGateway({
      client,
      address: "127.0.0.1:0",
      httpAddress: "127.0.0.1:0",
      httpRoutes: (ctx) => dashboardRoutes(ctx.client, ctx),
    });
    onTestFinished(() => gateway.stop());
    const url = `http://${gateway.httpAddress ?? ""}`;
    expect((await fetch(`${url}/`)).status).toBe(200);
    const res = await fetch(`${url}/api/tasks`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ tasks: [] });
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
  });

  it("returns a delegating task's trace as spans nested by parent, and 404 without one", async () => {
    const env = coreEnv(nats);
    const relay = defineAgent<{ n: number }>({
      name: "relay",
      capabilities: ["relay"],
      handler: async (ctx) => ctx.delegate("echo", { n: ctx.input.n }),
    });
    await env.worker([echo, relay]);
    const client = await env.client();
    const task = await client.submit("relay", { n: 1 });
    const done = await client.wait(task.id, { timeoutMs: 15_000 });
    const childId = done.children?.[0] ?? "";
    const traceId = done.trace?.traceparent.split("-")[1];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const d = await dashboard(client);

    // Spans reach the store in batches, about a second after they end.
    const trace = await waitFor("the child's spans in the span store", async () => {
      const { status, body } = await getJson<TraceView>(d, `/api/tasks/${task.id}/trace`);
      expect(status).toBe(200);
      return body.spans.some((s) => s.taskId === childId) ? body : undefined;
    });
    expect(trace.traceId).toBe(traceId);
    expect(trace.spans.some((s) => s.taskId === task.id)).toBe(true);
    const ids = new Set(trace.spans.map((s) => s.spanId));
    expect(trace.spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId))).not.toEqual(
      trace.spans,
    );
    for (const s of trace.spans) {
      expect(s.start).toBeGreaterThanOrEqual(trace.start);
      expect(s.end).toBeLessThanOrEqual(trace.end);
      expect(trace.processes.map((p) => p.key)).toContain(s.process);
    }
    // The child's trace is its root's: the same spans.
    const child = await getJson<TraceView>(d, `/api/tasks/${childId}/trace`);
    expect(child.body.traceId).toBe(traceId);

    await client.connection.tasks.mutate(task.id, (r) => {
      delete r.trace;
      return r;
    });
    const untraced = await getJson<Failure>(d, `/api/tasks/${task.id}/trace`);
    expect(untraced.status).toBe(404);
    expect(untraced.body.error).toMatch(new RegExp(`^task ${task.id} has no trace`));
  });
});
