import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  defineAgent,
  ErrorCode,
  FailedPreconditionError,
  RetryableError,
  TaskState,
  TerminalError,
} from "../../src/index.js";
import { coreEnv, queueDepth, rejection, waitFor } from "../helpers/core.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats[Symbol.asyncDispose]();
});

/** Lower and upper slack for timer-driven gaps on a loaded 2-core machine. */
const EARLY_MS = 20;
const LATE_MS = 400;

describe("retries", () => {
  it("retries with exponential backoff (200 ms, then 400 ms) and then succeeds", async () => {
    const env = coreEnv(nats);
    const starts: number[] = [];
    const seenAttempts: number[] = [];
    await env.worker([
      defineAgent({
        name: "flaky",
        capabilities: ["flaky"],
        handler: (ctx) => {
          starts.push(performance.now());
          seenAttempts.push(ctx.attempt);
          if (ctx.attempt <= 2) throw new Error(`planned failure ${ctx.attempt}`);
          return { attempt: ctx.attempt };
        },
      }),
    ]);
    const client = await env.client();
    const task = await client.submit("flaky", null, {
      retry: { maxAttempts: 3, initialInterval: "200ms", backoffCoefficient: 2, jitter: 0 },
    });
    const done = await client.wait(task.id, { timeoutMs: 15_000 });

    expect(done.state).toBe(TaskState.Succeeded);
    expect(done.result).toEqual({ attempt: 3 });
    expect(seenAttempts).toEqual([1, 2, 3]);
    expect(done.attempts.map((a) => a.outcome)).toEqual(["failed", "failed", "succeeded"]);
    expect(done.attempts.map((a) => a.error?.message)).toEqual([
      "planned failure 1",
      "planned failure 2",
      undefined,
    ]);

    // Gaps between attempt starts as the handler saw them...
    const gaps = [(starts[1] ?? 0) - (starts[0] ?? 0), (starts[2] ?? 0) - (starts[1] ?? 0)];
    expect(gaps[0]).toBeGreaterThanOrEqual(200 - EARLY_MS);
    expect(gaps[0]).toBeLessThanOrEqual(200 + LATE_MS);
    expect(gaps[1]).toBeGreaterThanOrEqual(400 - EARLY_MS);
    expect(gaps[1]).toBeLessThanOrEqual(400 + LATE_MS);
    // ...and from each failure to the next claim as the record shows them.
    const [a1, a2, a3] = done.attempts;
    const waits = [
      (a2?.startedAt ?? 0) - (a1?.endedAt ?? 0),
      (a3?.startedAt ?? 0) - (a2?.endedAt ?? 0),
    ];
    expect(waits[0]).toBeGreaterThanOrEqual(200 - EARLY_MS);
    expect(waits[0]).toBeLessThanOrEqual(200 + LATE_MS);
    expect(waits[1]).toBeGreaterThanOrEqual(400 - EARLY_MS);
    expect(waits[1]).toBeLessThanOrEqual(400 + LATE_MS);
  });

  it("honours RetryableError's retryAfter instead of the backoff", async () => {
    const env = coreEnv(nats);
    await env.worker([
      defineAgent({
        name: "later",
        capabilities: ["later"],
        handler: (ctx) => {
          if (ctx.attempt === 1) throw new RetryableError("busy", { retryAfterMs: 300 });
          return "ok";
        },
      }),
    ]);
    const client = await env.client();
    const task = await client.submit("later", null, {
      retry: { maxAttempts: 2, initialInterval: "20s", maximumInterval: "20s", jitter: 0 },
    });
    const done = await client.wait(task.id, { timeoutMs: 10_000 });
    expect(done.state).toBe(TaskState.Succeeded);
    const wait = (done.attempts[1]?.startedAt ?? 0) - (done.attempts[0]?.endedAt ?? 0);
    expect(wait).toBeGreaterThanOrEqual(300 - EARLY_MS);
    expect(wait).toBeLessThanOrEqual(300 + LATE_MS);
  });

  it("fails a TerminalError at once: FAILED after one attempt, not retried, not dead-lettered", async () => {
    const env = coreEnv(nats);
    let calls = 0;
    await env.worker([
      defineAgent({
        name: "terminal",
        capabilities: ["terminal"],
        retry: { maxAttempts: 5, initialInterval: "50ms" },
        handler: () => {
          calls++;
          throw new TerminalError("input is unusable");
        },
      }),
    ]);
    const client = await env.client();
    const task = await client.submit("terminal", { x: 1 });
    const done = await client.wait(task.id, { timeoutMs: 10_000 });

    expect(done.state).toBe(TaskState.Failed);
    expect(done.error).toMatchObject({
      message: "input is unusable",
      name: "TerminalError",
      code: ErrorCode.Terminal,
      nonRetryable: true,
    });
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]?.outcome).toBe("failed");
    expect(done.finishedAt).toBeDefined();
    await waitFor("queue drained", async () => {
      const d = await queueDepth(client, "terminal");
      return d.pending === 0 && d.unacked === 0;
    });
    expect(calls).toBe(1);
    expect((await client.get(task.id)).state).toBe(TaskState.Failed);
    expect(await client.deadLetters({ capability: "terminal" })).toEqual([]);
  });
});

describe("dead letters", () => {
  it("dead-letters a task with every attempt's error, and a replay gets a fresh budget", async () => {
    const env = coreEnv(nats);
    let calls = 0;
    // Fails every call up to and including this one.
    let failThrough = Infinity;
    const attemptsSeen: number[] = [];
    const agent = defineAgent({
      name: "doomed",
      capabilities: ["doomed"],
      // The agent's own policy applies: the task brings none.
      retry: { maxAttempts: 3, initialInterval: "50ms", jitter: 0 },
      handler: (ctx) => {
        calls++;
        attemptsSeen.push(ctx.attempt);
        if (calls <= failThrough) throw new Error(`boom ${calls}`);
        return { calls };
      },
    });
    await env.worker([agent]);
    const client = await env.client();
    const task = await client.submit("doomed", { n: 42 });
    const dead = await client.wait(task.id, { timeoutMs: 10_000 });

    expect(dead.state).toBe(TaskState.Dead);
    expect(calls).toBe(3);
    expect(dead.error?.message).toBe("boom 3");
    expect(dead.attempts.map((a) => a.error?.message)).toEqual(["boom 1", "boom 2", "boom 3"]);
    expect(dead.attempts.every((a) => a.endedAt !== undefined)).toBe(true);

    const letters = await client.deadLetters({ capability: "doomed" });
    expect(letters).toHaveLength(1);
    const letter = letters[0];
    expect(letter?.taskId).toBe(task.id);
    expect(letter?.capability).toBe("doomed");
    expect(letter?.input).toEqual({ n: 42 });
    expect(letter?.error?.message).toBe("boom 3");
    expect(letter?.attempts.map((a) => a.error?.message)).toEqual(["boom 1", "boom 2", "boom 3"]);
    expect(letter?.seq).toBeGreaterThan(0);

    // Replay: two more failures then success, which needs a fresh budget of three attempts.
    failThrough = calls + 2;
    const replayed = await client.replay(task.id);
    expect(replayed.state).toBe(TaskState.Pending);
    expect(replayed.replays).toBe(1);
    const done = await client.wait(task.id, { timeoutMs: 10_000 });

    expect(done.state).toBe(TaskState.Succeeded);
    expect(done.result).toEqual({ calls: 6 });
    expect(attemptsSeen).toEqual([1, 2, 3, 1, 2, 3]);
    expect(done.attempts).toHaveLength(6);
    expect(done.attempts.map((a) => a.error?.message)).toEqual([
      "boom 1",
      "boom 2",
      "boom 3",
      "boom 4",
      "boom 5",
      undefined,
    ]);
    expect(done.error).toBeUndefined();
    expect(await client.deadLetters({ capability: "doomed" })).toEqual([]);
    // Only a DEAD task can be replayed.
    const err = await rejection(client.replay(task.id));
    expect(err).toBeInstanceOf(FailedPreconditionError);
    expect((await client.get(task.id)).state).toBe(TaskState.Succeeded);
  });
});
