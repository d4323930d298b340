import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AttemptTimeoutError,
  CancelledError,
  DeadlineExceededError,
  defineAgent,
  ErrorCode,
  FailedPreconditionError,
  TaskNotFoundError,
  TaskState,
  type TaskEvent,
} from "../../src/index.js";
import {
  aborted,
  coreEnv,
  gate,
  queueDepth,
  rejection,
  sleepObeying,
  waitFor,
  waitForState,
} from "../helpers/core.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats[Symbol.asyncDispose]();
});

/** Slack for timers on a loaded 2-core machine. */
const LATE_MS = 700;

describe("per-attempt timeout", () => {
  it("abandons an attempt whose handler ignores its signal, then retries and succeeds", async () => {
    const env = coreEnv(nats);
    const reasons: unknown[] = [];
    await env.worker([
      defineAgent({
        name: "stubborn",
        capabilities: ["stubborn"],
        handler: async (ctx) => {
          if (ctx.attempt === 1) {
            void aborted(ctx.signal).then((r) => reasons.push(r));
            await env.forever(); // never looks at the signal
          }
          return { attempt: ctx.attempt };
        },
      }),
    ]);
    const client = await env.client();
    const task = await client.submit("stubborn", null, {
      timeout: "300ms",
      retry: { maxAttempts: 2, initialInterval: "50ms", jitter: 0 },
    });
    const done = await client.wait(task.id, { timeoutMs: 10_000 });

    expect(done.state).toBe(TaskState.Succeeded);
    expect(done.result).toEqual({ attempt: 2 });
    expect(done.attempts.map((a) => a.outcome)).toEqual(["timeout", "succeeded"]);
    expect(done.attempts[0]?.error?.code).toBe(ErrorCode.Timeout);
    const took = (done.attempts[0]?.endedAt ?? 0) - (done.attempts[0]?.startedAt ?? 0);
    expect(took).toBeGreaterThanOrEqual(300);
    expect(took).toBeLessThan(300 + LATE_MS);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toBeInstanceOf(AttemptTimeoutError);
  });

  it("times out every attempt of a handler that obeys its signal until the task is DEAD", async () => {
    const env = coreEnv(nats);
    const reasons: unknown[] = [];
    await env.worker([
      defineAgent({
        name: "slow",
        capabilities: ["slow"],
        timeout: "200ms", // the agent's limit, for tasks that bring none
        retry: { maxAttempts: 2, initialInterval: "50ms", jitter: 0 },
        handler: async (ctx) => {
          try {
            await sleepObeying(10_000, ctx.signal);
          } catch (err) {
            reasons.push(err);
            throw err;
          }
          return null;
        },
      }),
    ]);
    const client = await env.client();
    const task = await client.submit("slow", null);
    const dead = await client.wait(task.id, { timeoutMs: 10_000 });

    expect(dead.state).toBe(TaskState.Dead);
    expect(dead.attempts).toHaveLength(2);
    expect(dead.attempts[0]?.outcome).toBe("timeout");
    expect(dead.attempts.map((a) => a.error?.code)).toEqual([ErrorCode.Timeout, ErrorCode.Timeout]);
    expect(dead.error?.code).toBe(ErrorCode.Timeout);
    for (const a of dead.attempts) {
      expect((a.endedAt ?? 0) - a.startedAt).toBeGreaterThanOrEqual(200);
      expect((a.endedAt ?? 0) - a.startedAt).toBeLessThan(200 + LATE_MS);
    }
    expect(reasons).toHaveLength(2);
    expect(reasons.every((r) => r instanceof AttemptTimeoutError)).toBe(true);
    expect((await client.deadLetters({ capability: "slow" })).map((l) => l.taskId)).toEqual([
      task.id,
    ]);
  });
});

describe("deadline", () => {
  it("fails a running task at its deadline with DEADLINE_EXCEEDED and does not retry it", async () => {
    const env = coreEnv(nats);
    let calls = 0;
    const reasons: unknown[] = [];
    await env.worker([
      defineAgent({
        name: "late",
        capabilities: ["late"],
        handler: async (ctx) => {
          calls++;
          void aborted(ctx.signal).then((r) => reasons.push(r));
          await env.forever();
          return null;
        },
      }),
    ]);
    const client = await env.client();
    const deadline = Date.now() + 700;
    const task = await client.submit("late", null, {
      deadline: new Date(deadline),
      timeout: "10s",
      retry: { maxAttempts: 5, initialInterval: "50ms" },
    });
    const failed = await client.wait(task.id, { timeoutMs: 10_000 });

    expect(failed.state).toBe(TaskState.Failed);
    expect(failed.deadline).toBe(deadline);
    expect(failed.error?.code).toBe(ErrorCode.DeadlineExceeded);
    expect(failed.error?.nonRetryable).toBe(true);
    expect(failed.attempts).toHaveLength(1);
    expect(failed.finishedAt).toBeGreaterThanOrEqual(deadline);
    expect((failed.finishedAt ?? 0) - deadline).toBeLessThan(LATE_MS);
    expect(reasons[0]).toBeInstanceOf(DeadlineExceededError);
    await waitFor("queue drained", async () => {
      const d = await queueDepth(client, "late");
      return d.pending === 0 && d.unacked === 0;
    });
    expect(calls).toBe(1);
    expect(await client.deadLetters({ capability: "late" })).toEqual([]);
  });

  it("fails without another attempt when the deadline passes during a retry backoff", async () => {
    const env = coreEnv(nats);
    let calls = 0;
    await env.worker([
      defineAgent({
        name: "backoff",
        capabilities: ["backoff"],
        handler: () => {
          calls++;
          throw new Error("transient");
        },
      }),
    ]);
    const client = await env.client();
    const task = await client.submit("backoff", null, {
      deadline: Date.now() + 400,
      retry: { maxAttempts: 5, initialInterval: "1s", jitter: 0 },
    });
    const failed = await client.wait(task.id, { timeoutMs: 10_000 });
    expect(failed.state).toBe(TaskState.Failed);
    expect(failed.error?.code).toBe(ErrorCode.DeadlineExceeded);
    expect(failed.attempts).toHaveLength(1);
    expect(failed.attempts[0]?.error?.message).toBe("transient");
    await waitFor("queue drained", async () => {
      const d = await queueDepth(client, "backoff");
      return d.pending === 0 && d.unacked === 0;
    });
    expect(calls).toBe(1);
  });
});

describe("cancel", () => {
  it("cancels a pending task: it never runs", async () => {
    const env = coreEnv(nats);
    const client = await env.client();
    await client.declareCapability("idle");
    const task = await client.submit("idle", null);
    const cancelled = await client.cancel(task.id, "not needed");
    expect(cancelled.state).toBe(TaskState.Cancelled);
    expect(cancelled.error).toMatchObject({ code: ErrorCode.Cancelled, message: "not needed" });

    let calls = 0;
    await env.worker([
      defineAgent({
        name: "idle",
        capabilities: ["idle"],
        handler: () => {
          calls++;
          return null;
        },
      }),
    ]);
    // The agent receives the queue message and drops it.
    await waitFor("queue drained", async () => {
      const d = await queueDepth(client, "idle");
      return d.pending === 0 && d.unacked === 0;
    });
    expect(calls).toBe(0);
    const after = await client.get(task.id);
    expect(after.state).toBe(TaskState.Cancelled);
    expect(after.attempts).toEqual([]);
    const events: TaskEvent[] = [];
    for await (const e of client.watch(task.id)) events.push(e);
    expect(events.map((e) => (e.type === "state" ? e.state : e.type))).toEqual([
      TaskState.Pending,
      TaskState.Cancelled,
    ]);
  });

  it("aborts a running handler's signal at once and ends CANCELLED", async () => {
    // A long lease: the abort must come from the cancel broadcast, not a later heartbeat.
    const env = coreEnv(nats, { lease: "20s" });
    const started = gate();
    let abortedAt = 0;
    let reason: unknown;
    await env.worker([
      defineAgent({
        name: "obedient",
        capabilities: ["obedient"],
        handler: async (ctx) => {
          started.open();
          reason = await aborted(ctx.signal);
          abortedAt = Date.now();
          throw reason;
        },
      }),
    ]);
    const client = await env.client();
    const task = await client.submit("obedient", null);
    await started.promise;
    await waitForState(client, task.id, (r) => r.state === TaskState.Running);

    const cancelAt = Date.now();
    const cancelled = await client.cancel(task.id);
    expect(cancelled.state).toBe(TaskState.Cancelled);
    await waitFor("handler aborted", () => abortedAt > 0, 5_000);
    expect(abortedAt - cancelAt).toBeLessThan(1000);
    expect(reason).toBeInstanceOf(CancelledError);

    await waitFor("queue drained", async () => {
      const d = await queueDepth(client, "obedient");
      return d.pending === 0 && d.unacked === 0;
    });
    const after = await client.get(task.id);
    expect(after.state).toBe(TaskState.Cancelled);
    expect(after.attempts).toHaveLength(1);
    expect(after.attempts[0]?.outcome).toBe("cancelled");
    expect(after.owner).toBeUndefined();
    const final = await client.wait(task.id, { timeoutMs: 5_000 });
    expect(final.state).toBe(TaskState.Cancelled);
  });

  it("rejects the late result of a handler that ignores the cancel", async () => {
    const env = coreEnv(nats);
    const release = gate();
    const started = gate();
    let returned = false;
    await env.worker([
      defineAgent({
        name: "deaf",
        capabilities: ["deaf"],
        handler: async () => {
          started.open();
          await release.promise;
          returned = true;
          return { late: true };
        },
      }),
    ]);
    const client = await env.client();
    const task = await client.submit("deaf", null);
    await started.promise;
    await client.cancel(task.id);
    release.open();
    await waitFor("handler returned", () => returned);
    await waitFor("queue drained", async () => {
      const d = await queueDepth(client, "deaf");
      return d.pending === 0 && d.unacked === 0;
    });
    const after = await client.get(task.id);
    expect(after.state).toBe(TaskState.Cancelled);
    expect(after.result).toBeUndefined();
    expect(after.attempts.map((a) => a.outcome)).toEqual(["cancelled"]);
  });

  it("refuses to cancel a finished task and leaves it unchanged", async () => {
    const env = coreEnv(nats);
    await env.worker([defineAgent({ name: "quick", capabilities: ["quick"], handler: () => 7 })]);
    const client = await env.client();
    const task = await client.submit("quick", null);
    const done = await client.wait(task.id, { timeoutMs: 10_000 });
    expect(done.state).toBe(TaskState.Succeeded);

    const err = await rejection(client.cancel(task.id));
    expect(err).toBeInstanceOf(FailedPreconditionError);
    expect(err.message).toMatch(/SUCCEEDED/);
    expect(await client.get(task.id)).toEqual(done);

    const missing = await rejection(client.cancel("0".repeat(26)));
    expect(missing).toBeInstanceOf(TaskNotFoundError);
  });
});
