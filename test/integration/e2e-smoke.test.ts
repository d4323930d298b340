import { afterAll, beforeAll, describe, expect, it } from "vitest";
import sleepAgent from "../../agents/sleep/index.js";
import { createClient } from "../../src/client/client.js";
import { Worker } from "../../src/dispatch/worker.js";
import { TaskState, type TaskEvent } from "../../src/types.js";
import { startNats, type TestNats } from "../helpers/nats.js";

describe("end to end: client, worker and the sleep agent", () => {
  let nats: TestNats;

  beforeAll(async () => {
    nats = await startNats();
  });

  afterAll(async () => {
    await nats?.[Symbol.asyncDispose]();
  });

  it("runs a 3-step task through a planned failure to SUCCEEDED without re-running steps", async () => {
    const options = { natsUrl: nats.url, prefix: nats.prefix, logLevel: "warn" as const };
    const worker = await Worker.start([sleepAgent], options);
    const client = await createClient(options);
    try {
      const ms = 1500;
      const task = await client.submit(
        "sleep",
        { ms, steps: 3, failTimes: 1 },
        { retry: { initialInterval: "100ms" } },
      );
      const events: TaskEvent[] = [];
      for await (const event of client.watch(task.id)) events.push(event);

      const states = events.flatMap((e) => (e.type === "state" ? [[e.state, e.attempt]] : []));
      expect(states).toEqual([
        [TaskState.Pending, 0],
        [TaskState.Running, 1],
        [TaskState.Pending, 1],
        [TaskState.Running, 2],
        [TaskState.Succeeded, 2],
      ]);
      const firstRunning = events.findIndex((e) => e.type === "state" && e.state === "RUNNING");
      const firstProgress = events.findIndex((e) => e.type === "progress");
      const succeeded = events.findIndex((e) => e.type === "state" && e.state === "SUCCEEDED");
      expect(firstRunning).toBeGreaterThanOrEqual(0);
      expect(firstProgress).toBeGreaterThan(firstRunning);
      expect(succeeded).toBe(events.length - 1);
      const progress = events.flatMap((e) => (e.type === "progress" ? [e.progress] : []));
      expect(progress.slice(0, 3)).toEqual([
        { step: 1, of: 3 },
        { step: 2, of: 3 },
        { step: 3, of: 3 },
      ]);

      const record = await client.get(task.id);
      expect(record.state).toBe(TaskState.Succeeded);
      expect(record.result).toEqual({ slept: ms, steps: 3, attempt: 2 });
      expect(record.attempts.map((a) => a.outcome)).toEqual(["failed", "succeeded"]);
      // Re-running the steps would sleep the full 1.5s again; stored results come back at once.
      const retry = record.attempts[1];
      expect(retry?.endedAt).toBeDefined();
      expect((retry?.endedAt ?? Infinity) - (retry?.startedAt ?? 0)).toBeLessThan(ms);
    } finally {
      await client.close();
      await worker.stop(0);
    }
  });
});
