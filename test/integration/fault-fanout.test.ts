/**
 * Fault test: a parent fanning out past the children its record lists (the rest are links of
 * their own) is SIGKILLed mid-way, and a new agent process resumes it. Every child must exist once
 * (a resumed parent finds the children it stored under the same derived ids), run once and reach
 * one terminal state, and be linked exactly once, so the parent sees them all.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../src/client/client.js";
import { CHILDREN_IN_RECORD, childIds } from "../../src/store/children.js";
import { TaskState } from "../../src/types.js";
import { AgentProcesses } from "../helpers/agent-process.js";
import {
  queuedMessages,
  readEventsOnceEnded,
  stateEventsByTask,
  terminalEvents,
  waitUntil,
} from "../helpers/fault.js";
import { startNats, type TestNats } from "../helpers/nats.js";

const FAN_OUT = fileURLToPath(new URL("../helpers/agents/fan-out.ts", import.meta.url));
const CHILDREN = CHILDREN_IN_RECORD + 200;

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats?.[Symbol.asyncDispose]();
});

describe("fault: a fanning-out parent killed with SIGKILL", () => {
  it(`resumes a parent of ${CHILDREN} children with each child stored, run and linked once`, async () => {
    const env = {
      BATON_NATS_URL: nats.url,
      BATON_PREFIX: nats.prefix,
      BATON_LEASE: "1500ms",
      BATON_LOG_LEVEL: "warn",
      BATON_SLEEP_CONCURRENCY: "32",
    };
    await using agents = new AgentProcesses({ env });
    // Children run in their own process, so the kill hits only the parent. 32 at a time, 50 ms
    // each: once the record is full, a few hundred children still have to run (half a second).
    const sleeper = await agents.start({ name: "sleeper" });
    const parents = { env: { BATON_TEST_NO_SLEEP: "1" }, modules: [FAN_OUT] };
    const first = await agents.start({ name: "parent-1", ...parents });
    const client = await createClient({ natsUrl: nats.url, prefix: nats.prefix });
    try {
      const parent = await client.submit("fan-out", { n: CHILDREN, ms: 50, concurrency: 128 });
      // Past the record's list, with more children still to come.
      await waitUntil(async () => (await client.get(parent.id)).moreChildren === true, {
        timeoutMs: 60_000,
        intervalMs: 50,
        what: "the parent to link more children than its record lists",
      });
      await first.kill("SIGKILL");
      const linkedAtKill = (await childIds(client.connection, await client.get(parent.id))).length;
      expect(linkedAtKill).toBeLessThan(CHILDREN);
      const second = await agents.start({ name: "parent-2", ...parents });

      const done = await client.wait(parent.id, { timeoutMs: 120_000 });
      expect(done.state).toBe(TaskState.Succeeded);
      expect(done.result).toEqual({ children: CHILDREN });
      expect(done.attempts.map((a) => a.outcome)).toEqual(["lost", "succeeded"]);
      expect(done.attempts[1]?.agentId).toBe(second.agentIds[0]);

      const ids = await childIds(client.connection, done);
      expect(done.children).toHaveLength(CHILDREN_IN_RECORD);
      expect(ids).toHaveLength(CHILDREN);
      expect(new Set(ids).size).toBe(CHILDREN);
      // No child stored twice: every record naming this parent is one of the linked ones.
      const page = await client.list({ limit: 10_000 });
      const stored = page.tasks.filter((t) => t.parentId === parent.id);
      expect(stored).toHaveLength(CHILDREN);
      expect(stored.every((t) => ids.includes(t.id))).toBe(true);
      // Each ran once (its process was never killed) and ended once.
      expect(stored.filter((t) => t.state !== TaskState.Succeeded)).toEqual([]);
      expect(stored.filter((t) => t.attempts.length !== 1)).toEqual([]);
      expect(stored.every((t) => sleeper.agentIds.includes(t.attempts[0]?.agentId ?? ""))).toBe(
        true,
      );
      const events = stateEventsByTask(
        await readEventsOnceEnded(
          client.connection,
          [done, ...stored].map((t) => t.id),
        ),
      );
      for (const t of [done, ...stored]) expect(terminalEvents(events.get(t.id))).toHaveLength(1);
      await waitUntil(async () => (await queuedMessages(client.connection)) === 0, {
        timeoutMs: 10_000,
        what: "every queue message acked",
      });
    } finally {
      await client.close();
    }
  }, 180_000);
});
