import { describe, expect, it } from "vitest";
import {
  AttemptTimeoutError,
  CancelledError,
  FailedPreconditionError,
  ValidationError,
} from "../../src/errors.js";
import type { TaskContext } from "../../src/sdk/types.js";
import { createMockContext } from "../../src/sdk/testing.js";

/** A sample handler: two durable steps, fails once between them on the first attempt. */
let calls = { fetch: 0, summarize: 0 };
async function summarize(ctx: TaskContext<{ url: string }>): Promise<{ summary: string }> {
  const page = await ctx.step("fetch", () => {
    calls.fetch++;
    return `page at ${ctx.input.url}`;
  });
  await ctx.progress({ stage: "fetched", attempt: ctx.attempt });
  if (ctx.attempt === 1) throw new Error("flaky");
  const summary = await ctx.step("summarize", () => {
    calls.summarize++;
    return page.toUpperCase();
  });
  await ctx.emit(summary);
  ctx.log.info({ chars: summary.length }, "summarized");
  return { summary };
}

describe("createMockContext", () => {
  it("replays stored steps across a retry", async () => {
    calls = { fetch: 0, summarize: 0 };
    const mock = createMockContext({ url: "x" });
    await expect(mock.run(summarize)).rejects.toThrow("flaky");
    expect(mock.retry().attempt).toBe(2);
    expect(mock.task.attempts).toHaveLength(2);
    await expect(mock.run(summarize)).resolves.toEqual({ summary: "PAGE AT X" });
    expect(calls).toEqual({ fetch: 1, summarize: 1 });
    expect(mock.ranSteps).toEqual(["fetch", "summarize"]);
    expect(Object.fromEntries(mock.steps)).toEqual({ fetch: "page at x", summarize: "PAGE AT X" });
    expect(mock.progressEvents).toEqual([
      { stage: "fetched", attempt: 1 },
      { stage: "fetched", attempt: 2 },
    ]);
    expect(mock.outputs).toEqual(["PAGE AT X"]);
    expect(mock.logs).toEqual([
      { level: "info", task_id: "task-mock", chars: 9, msg: "summarized" },
    ]);
  });

  it("starts from preset steps and stores void results as null, like the runtime", async () => {
    const mock = createMockContext(null, { steps: { a: 1 } });
    expect(await mock.step("a", () => 2)).toBe(1);
    expect(await mock.step("b", () => undefined)).toBeUndefined();
    mock.retry();
    expect(await mock.step("b", () => undefined)).toBeNull();
  });

  it("rejects a step name used twice in one attempt, but not across attempts", async () => {
    const mock = createMockContext(null);
    await mock.step("s", () => 1);
    await expect(mock.step("s", () => 2)).rejects.toThrow(ValidationError);
    await expect(mock.step("", () => 2)).rejects.toThrow("step.name: must be a non-empty string");
    mock.retry();
    expect(await mock.step("s", () => 2)).toBe(1);
  });

  it("aborts the signal on cancel with the runtime's error", async () => {
    const mock = createMockContext(null);
    const seen: unknown[] = [];
    const handler = async (ctx: TaskContext<null>): Promise<string> => {
      await new Promise<void>((resolve) => {
        ctx.signal.addEventListener("abort", () => {
          seen.push(ctx.signal.reason);
          resolve();
        });
      });
      return "stopped";
    };
    const running = mock.run(handler);
    await new Promise((r) => setTimeout(r, 1)); // the cancel arrives while the handler waits
    mock.cancel("user asked");
    await expect(running).rejects.toThrow(CancelledError);
    expect(seen).toHaveLength(1);
    expect((seen[0] as Error).message).toBe("user asked");
    // A step after the abort does not run.
    await expect(mock.step("late", () => 1)).rejects.toThrow(CancelledError);
    expect(mock.ranSteps).toEqual([]);
    // The next attempt gets a fresh signal.
    expect(mock.retry().signal.aborted).toBe(false);
  });

  it("times out with AttemptTimeoutError, even when the handler ignores the signal", async () => {
    const mock = createMockContext(null, { task: { timeoutMs: 500 } });
    const running = mock.run(() => new Promise<never>(() => undefined));
    mock.timeout();
    await expect(running).rejects.toBeInstanceOf(AttemptTimeoutError);
    expect(mock.signal.reason).toMatchObject({ timeoutMs: 500 });
  });

  it("counts heartbeats and exposes the task record", async () => {
    const mock = createMockContext({ a: 1 }, { taskId: "t1", capability: "cap" });
    await mock.heartbeat();
    await mock.heartbeat();
    expect(mock.heartbeats).toBe(2);
    expect(mock.task).toMatchObject({
      id: "t1",
      capability: "cap",
      state: "RUNNING",
      input: { a: 1 },
    });
  });

  it("delegates to the fake, with a concurrency limit for delegateAll", async () => {
    let active = 0;
    let peak = 0;
    const mock = createMockContext(null, {
      delegate: async (capability, input) => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 5));
        active--;
        return `${capability}:${JSON.stringify(input)}`;
      },
    });
    expect(await mock.delegate("embed", "x")).toBe('embed:"x"');
    const calls = [1, 2, 3, 4, 5].map((n) => ({ capability: "sum", input: n }));
    expect(await mock.delegateAll(calls, { concurrency: 2 })).toEqual([
      "sum:1",
      "sum:2",
      "sum:3",
      "sum:4",
      "sum:5",
    ]);
    expect(peak).toBe(2);
    expect(mock.delegations).toHaveLength(6);
  });

  it("says clearly when no delegate fake was given", async () => {
    const mock = createMockContext(null);
    await expect(mock.delegate("embed", 1)).rejects.toThrow(FailedPreconditionError);
    await expect(mock.delegate("embed", 1)).rejects.toThrow(/no delegate fake/);
  });
});
