/**
 * Affinity yields to load: agent A (concurrency 1) is warm for key K but busy with a long task;
 * agent B is idle and eligible. A task with key K is awarded to B at once instead of waiting for
 * A, and the task's placement history shows both bids: A warm without a free slot, B cold and free.
 */
import { describe, expect, it } from "vitest";
import { createClient, type BatonClient } from "../../src/client/client.js";
import { TaskState } from "../../src/types.js";
import { waitForState } from "../helpers/core.js";
import { queuedMessages, waitUntil } from "../helpers/fault.js";
import { placeAgent, placementCluster, terminalEventProblems } from "../helpers/placement.js";

const LEASE = "2s";
const KEY = "conversation-42";

const cluster = placementCluster();

describe("placement: a busy warm agent", () => {
  it("awards an affinity task to an idle agent while the warm one is busy", async () => {
    const started = Date.now();
    const agents = cluster.agents(LEASE);
    let client: BatonClient | undefined;
    try {
      const a = await agents.start(placeAgent({ name: "busy-a", concurrency: 1 }));
      const aId = a.agentIds[0]!;
      client = await createClient({
        natsUrl: cluster.nats.url,
        prefix: cluster.nats.prefix,
        lease: LEASE,
      });
      const c = client;
      const ids: string[] = [];

      // A alone: it runs the first task of K and holds K's warm state from then on.
      const first = await c.submit("place", { ms: 10 }, { affinityKey: KEY });
      ids.push(first.id);
      const warmed = await c.wait(first.id, { timeoutMs: 15_000 });
      expect(warmed.state).toBe(TaskState.Succeeded);
      expect(warmed.attempts.map((x) => x.agentId)).toEqual([aId]);

      const b = await agents.start(placeAgent({ name: "idle-b", concurrency: 1 }));
      const bId = b.agentIds[0]!;

      // A long task of K goes to A (warm, free) and fills A's only slot.
      const long = await c.submit("place", { ms: 60_000 }, { affinityKey: KEY });
      ids.push(long.id);
      const longRunning = await waitForState(
        c,
        long.id,
        (r) => r.state === TaskState.Running,
        "RUNNING",
        15_000,
      );
      expect(longRunning.owner?.agentId).toBe(aId);
      expect(longRunning.placements?.at(-1)?.winner).toBe(aId);

      // Another task of K: A is warm but busy, so B gets it without waiting for A.
      const submittedAt = Date.now();
      const next = await c.submit("place", { ms: 10 }, { affinityKey: KEY });
      ids.push(next.id);
      const done = await c.wait(next.id, { timeoutMs: 15_000 });
      const doneAt = Date.now();
      expect(done.state).toBe(TaskState.Succeeded);
      expect(done.attempts.map((x) => x.agentId)).toEqual([bId]);
      const placement = done.placements?.at(-1);
      expect(placement?.winner).toBe(bId);
      expect(placement?.bids.find((x) => x.agentId === aId)).toMatchObject({
        warm: true,
        freeSlots: 0,
      });
      expect(placement?.bids.find((x) => x.agentId === bId)).toMatchObject({ warm: false });
      expect(placement?.bids.find((x) => x.agentId === bId)?.freeSlots).toBeGreaterThan(0);
      // ... while A was still busy with the long task.
      const longNow = await c.get(long.id);
      expect(longNow.state).toBe(TaskState.Running);
      expect(longNow.owner?.agentId).toBe(aId);
      expect(done.attempts[0]?.startedAt).toBeGreaterThan(
        longRunning.attempts.at(-1)?.startedAt ?? Infinity,
      );

      // End the long task; every task reached exactly one terminal state.
      await c.cancel(long.id);
      const cancelled = await c.wait(long.id, { timeoutMs: 15_000 });
      expect(cancelled.state).toBe(TaskState.Cancelled);
      await waitUntil(async () => (await queuedMessages(c.connection)) === 0, {
        timeoutMs: 15_000,
        what: "work queue drained",
      });
      expect(await terminalEventProblems(c.connection, ids)).toEqual([]);
      console.log(
        `[placement-busy] awarded_to=${b.name} while ${a.name} busy; ` +
          `next_task_ms=${doneAt - submittedAt} total_ms=${Date.now() - started}`,
      );
    } finally {
      await client?.close();
      await agents[Symbol.asyncDispose]();
    }
  }, 90_000);
});
