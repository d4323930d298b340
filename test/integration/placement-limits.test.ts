/**
 * Concurrency limits across agents: three agent processes with BATON_LIMITS="tenant=2" run 60
 * tasks labelled tenant=a or tenant=b. From the attempts' start and end times, at most 2 tasks of
 * a tenant ever overlap (across all agents), and each tenant does reach 2, so limits that merely
 * serialised the tenant would fail too.
 */
import { describe, expect, it } from "vitest";
import { createClient, type BatonClient } from "../../src/client/client.js";
import { TaskState } from "../../src/types.js";
import { loadRecords, queuedMessages, waitUntil } from "../helpers/fault.js";
import {
  maxOverlap,
  placeAgent,
  terminalEventProblems,
  TerminalTracker,
  placementCluster,
} from "../helpers/placement.js";

const LEASE = "2s";
const TASKS = 60;
const LIMIT = 2;
const TENANTS = ["a", "b"] as const;

const cluster = placementCluster();

describe("placement: per-tenant concurrency limits", () => {
  it(`never runs more than ${LIMIT} tasks of a tenant at once across three agents`, async () => {
    const started = Date.now();
    const agents = cluster.agents(LEASE, { BATON_LIMITS: `tenant=${LIMIT}` });
    let client: BatonClient | undefined;
    let tracker: TerminalTracker | undefined;
    try {
      // 3 x 4 slots: without the limit a tenant could run up to 12 at once.
      const procs = await Promise.all(
        ["lim-1", "lim-2", "lim-3"].map((name) =>
          agents.start(placeAgent({ name, concurrency: 4 })),
        ),
      );
      const readyAt = Date.now();
      client = await createClient({
        natsUrl: cluster.nats.url,
        prefix: cluster.nats.prefix,
        lease: LEASE,
      });
      const conn = client.connection;
      tracker = await TerminalTracker.start(conn);

      const tenantOf = new Map<string, string>();
      const ids = (
        await client.submitMany(
          Array.from({ length: TASKS }, (_, i) => ({
            capability: "place",
            input: { ms: 100 },
            options: { labels: { tenant: TENANTS[i % TENANTS.length]! } },
          })),
        )
      ).map((r) => {
        tenantOf.set(r.task.id, r.task.labels?.tenant ?? "?");
        return r.task.id;
      });
      const submittedAt = Date.now();
      await tracker.waitAll(ids, 60_000, "tasks");
      const doneAt = Date.now();
      await waitUntil(async () => (await queuedMessages(conn)) === 0, {
        timeoutMs: 15_000,
        what: "work queue drained",
      });

      const records = await loadRecords(conn, ids);
      expect([...records.values()].map((v) => v?.record.state)).toEqual(
        ids.map(() => TaskState.Succeeded),
      );
      expect(await terminalEventProblems(conn, ids)).toEqual([]);

      const report: string[] = [];
      for (const tenant of TENANTS) {
        const mine = ids.filter((id) => tenantOf.get(id) === tenant);
        expect(mine).toHaveLength(TASKS / TENANTS.length);
        const attempts = mine.flatMap((id) => records.get(id)?.record.attempts ?? []);
        expect(attempts.every((x) => x.endedAt !== undefined)).toBe(true);
        const overlap = maxOverlap(attempts.map((x) => [x.startedAt, x.endedAt ?? Infinity]));
        const ranOn = new Set(attempts.map((x) => x.agentId));
        report.push(`tenant=${tenant} max_overlap=${overlap} agents=${ranOn.size}`);
        expect(overlap, `tenant ${tenant}`).toBeLessThanOrEqual(LIMIT);
        // Reached the limit (not merely serial), spread over several agents.
        expect(overlap, `tenant ${tenant}`).toBe(LIMIT);
        expect(ranOn.size, `tenant ${tenant}`).toBeGreaterThanOrEqual(2);
      }
      // The limit binds: both tenants together never exceed 2 x 2.
      const everything = ids.flatMap((id) => records.get(id)?.record.attempts ?? []);
      const total = maxOverlap(everything.map((x) => [x.startedAt, x.endedAt ?? Infinity]));
      expect(total).toBeLessThanOrEqual(LIMIT * TENANTS.length);

      console.log(
        [
          `[placement-limits] tasks=${TASKS} agents=${procs.length} ${report.join(" ")}`,
          `overall_max_overlap=${total} agents_ready_ms=${readyAt - started}`,
          `submit_ms=${submittedAt - readyAt} run_ms=${doneAt - submittedAt}`,
          `ideal_run_ms=${((TASKS / TENANTS.length) * 100) / LIMIT}`,
        ].join(" "),
      );
    } finally {
      await tracker?.close();
      await client?.close();
      await agents[Symbol.asyncDispose]();
    }
  }, 120_000);
});
