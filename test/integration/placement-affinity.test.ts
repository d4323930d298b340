/**
 * Affinity: a program of 40 steps sharing one affinity key, each submitted once the previous one
 * finished, runs on one agent (the warm one) while it has free slots. Then that agent is SIGKILLed
 * mid-step: its lease lapses, the step is negotiated again among the survivors, and the remaining
 * steps all complete there.
 */
import { describe, expect, it } from "vitest";
import { createClient, type BatonClient } from "../../src/client/client.js";
import { TaskState, type TaskRecord } from "../../src/types.js";
import type { AgentProcess } from "../helpers/agent-process.js";
import { waitForState } from "../helpers/core.js";
import { loadRecords, queuedMessages, waitUntil } from "../helpers/fault.js";
import { placeAgent, placementCluster, terminalEventProblems } from "../helpers/placement.js";

const LEASE = "1s";
const STEPS = 40;
/** Steps before the kill; the share that ran on the warm agent is measured over these. */
const BEFORE_KILL = 30;
const KEY = "program-7";

const cluster = placementCluster();

describe("placement: affinity", () => {
  it(`runs a ${STEPS}-step program on its warm agent and moves on when that agent dies`, async () => {
    const started = Date.now();
    const agents = cluster.agents(LEASE);
    let client: BatonClient | undefined;
    try {
      const procs = await Promise.all(
        ["aff-1", "aff-2", "aff-3"].map((name) =>
          agents.start(placeAgent({ name, concurrency: 2 })),
        ),
      );
      const procOf = new Map<string, AgentProcess>();
      for (const p of procs) for (const id of p.agentIds) procOf.set(id, p);
      client = await createClient({
        natsUrl: cluster.nats.url,
        prefix: cluster.nats.prefix,
        lease: LEASE,
      });
      const c = client;
      const readyAt = Date.now();

      const ids: string[] = [];
      const runStep = async (step: number, ms: number): Promise<TaskRecord> => {
        const t = await c.submit("place", { ms, step }, { affinityKey: KEY });
        ids.push(t.id);
        return c.wait(t.id, { timeoutMs: 20_000 });
      };

      // Phase 1: steps one after another; all but the first should find a warm agent.
      const phase1: TaskRecord[] = [];
      for (let s = 1; s <= BEFORE_KILL; s++) phase1.push(await runStep(s, 20));
      const phase1At = Date.now();
      const counts = new Map<string, number>();
      for (const r of phase1) {
        expect(r.state, r.id).toBe(TaskState.Succeeded);
        const agent = r.attempts.at(-1)?.agentId ?? "?";
        counts.set(agent, (counts.get(agent) ?? 0) + 1);
      }
      const [warmId, warmCount] = [...counts].sort(([, a], [, b]) => b - a)[0]!;
      expect(warmCount / BEFORE_KILL).toBeGreaterThanOrEqual(0.95);
      // Negotiated, and once warm the winner's bid says so.
      for (const r of phase1.slice(1)) {
        const p = r.placements?.at(-1);
        expect(p?.winner, r.id).toBe(r.attempts.at(-1)?.agentId);
        if (p?.winner === warmId) {
          expect(p.bids.find((b) => b.agentId === warmId)?.warm, r.id).toBe(true);
        }
      }

      // Phase 2: kill the warm agent while it runs a step.
      const warm = procOf.get(warmId);
      if (!warm) throw new Error(`no process for ${warmId}`);
      const killed = await c.submit(
        "place",
        { ms: 1500, step: BEFORE_KILL + 1 },
        { affinityKey: KEY },
      );
      ids.push(killed.id);
      const running = await waitForState(
        c,
        killed.id,
        (r) => r.state === TaskState.Running,
        "RUNNING",
        10_000,
      );
      expect(running.owner?.agentId).toBe(warmId);
      const status = await warm.kill("SIGKILL");
      expect(status.signal).toBe("SIGKILL");
      const killedAt = Date.now();
      const takenOver = await c.wait(killed.id, { timeoutMs: 20_000 });
      const recoveredAt = Date.now();
      expect(takenOver.state).toBe(TaskState.Succeeded);
      expect(takenOver.attempts.map((a) => [a.agentId === warmId, a.outcome])).toEqual([
        [true, "lost"],
        [false, "succeeded"],
      ]);

      const phase2: TaskRecord[] = [takenOver];
      for (let s = BEFORE_KILL + 2; s <= STEPS; s++) phase2.push(await runStep(s, 20));
      const survivors = new Set(procs.filter((p) => p !== warm).flatMap((p) => p.agentIds));
      const after = new Map<string, number>();
      for (const r of phase2) {
        expect(r.state, r.id).toBe(TaskState.Succeeded);
        const agent = r.attempts.at(-1)?.agentId ?? "?";
        expect(survivors.has(agent), `${r.id} ran on ${agent}`).toBe(true);
        after.set(agent, (after.get(agent) ?? 0) + 1);
      }
      // The survivor that took the killed step over is warm now and keeps the program.
      const newWarm = takenOver.attempts.at(-1)?.agentId ?? "?";
      expect(after.get(newWarm) ?? 0).toBeGreaterThanOrEqual(phase2.length - 1);

      // Every step reached exactly one terminal state, and every message was acked.
      expect(ids).toHaveLength(STEPS);
      const records = await loadRecords(c.connection, ids);
      expect([...records.values()].map((v) => v?.record.state)).toEqual(
        ids.map(() => TaskState.Succeeded),
      );
      await waitUntil(async () => (await queuedMessages(c.connection)) === 0, {
        timeoutMs: 15_000,
        what: "work queue drained",
      });
      expect(await terminalEventProblems(c.connection, ids)).toEqual([]);

      const short = (id: string): string => procOf.get(id)?.name ?? id;
      console.log(
        [
          `[placement-affinity] steps=${STEPS} warm=${short(warmId)} warm_share=${warmCount}/${BEFORE_KILL}`,
          `before_kill=${JSON.stringify(Object.fromEntries([...counts].map(([k, v]) => [short(k), v])))}`,
          `after_kill=${JSON.stringify(Object.fromEntries([...after].map(([k, v]) => [short(k), v])))}`,
          `agents_ready_ms=${readyAt - started} phase1_ms=${phase1At - readyAt}`,
          `takeover_ms=${recoveredAt - killedAt} total_ms=${Date.now() - started}`,
        ].join(" "),
      );
    } finally {
      await client?.close();
      await agents[Symbol.asyncDispose]();
    }
  }, 120_000);
});
