/**
 * Placement with mixed requirements: 1,000 tasks (no requirements, a GPU type, GPU memory, GPU
 * count, a model, a label, CPU slots, combinations) on three agent processes that offer different
 * resources. Every task must succeed on an agent that satisfies its requirements (zero misplaced),
 * negotiated tasks must record who bid and who won, and tasks nobody can run must wait visibly:
 * an "h100" task stays PENDING with a reason naming h100 until an h100 agent appears, and a task
 * with a deadline that nobody can run fails at the deadline.
 */
import { describe, expect, it } from "vitest";
import { createClient, type BatonClient, type SubmitItem } from "../../src/client/client.js";
import { ErrorCode } from "../../src/errors.js";
import { isConstrained, isEligible } from "../../src/placement/index.js";
import type { Requirements, Resources } from "../../src/placement/types.js";
import { TaskState, type TaskRecord } from "../../src/types.js";
import type { AgentProcess } from "../helpers/agent-process.js";
import { waitFor, waitTerminal } from "../helpers/core.js";
import { loadRecords, queuedMessages, waitUntil } from "../helpers/fault.js";
import { uniquePrefix } from "../helpers/nats.js";
import {
  placeAgent,
  snapshotFor,
  terminalEventProblems,
  TerminalTracker,
  placementCluster,
} from "../helpers/placement.js";

const TASKS = 1000;
const LEASE = "2s";
const H100_TASKS = 5;
const DEADLINE_TASKS = 2;

type AgentName = "cpu" | "t4" | "a100" | "h100";

const AGENTS: Record<AgentName, { concurrency: number; resources: Resources }> = {
  cpu: { concurrency: 8, resources: { cpuSlots: 4 } },
  t4: {
    concurrency: 8,
    resources: {
      cpuSlots: 2,
      gpus: [{ type: "t4", count: 1, memoryMib: 16384 }],
      labels: { zone: "a" },
    },
  },
  a100: {
    concurrency: 16,
    resources: { gpus: [{ type: "a100", count: 2, memoryMib: 81920 }], models: ["llama"] },
  },
  // Started only once the h100 tasks are seen waiting.
  h100: { concurrency: 4, resources: { gpus: [{ type: "h100", count: 1, memoryMib: 81920 }] } },
};

/** Task kinds, each with the agents that may run it (checked against isEligible too). */
const KINDS: { kind: string; requirements?: Requirements; eligible: AgentName[] }[] = [
  { kind: "none", eligible: ["cpu", "t4", "a100", "h100"] },
  { kind: "cpu-1", requirements: { cpuSlots: 1 }, eligible: ["cpu", "t4", "a100", "h100"] },
  { kind: "gpu-t4", requirements: { gpuType: "t4" }, eligible: ["t4"] },
  { kind: "gpu-mem-40000", requirements: { gpuMemoryMib: 40000 }, eligible: ["a100", "h100"] },
  { kind: "gpu-count-2", requirements: { gpuCount: 2 }, eligible: ["a100"] },
  { kind: "any-gpu", requirements: { gpuCount: 1 }, eligible: ["t4", "a100", "h100"] },
  { kind: "model-llama", requirements: { models: ["llama"] }, eligible: ["a100"] },
  { kind: "zone-a", requirements: { labels: { zone: "a" } }, eligible: ["t4"] },
  { kind: "cpu-2", requirements: { cpuSlots: 2 }, eligible: ["cpu", "t4"] },
  { kind: "cpu-4", requirements: { cpuSlots: 4 }, eligible: ["cpu"] },
  {
    kind: "A100-llama",
    requirements: { gpuType: "A100", gpuCount: 2, models: ["llama"] },
    eligible: ["a100"],
  },
  { kind: "t4-zone-a", requirements: { gpuType: "t4", labels: { zone: "a" } }, eligible: ["t4"] },
];

const cluster = placementCluster();

describe("placement: mixed requirements", () => {
  it(`places ${TASKS} tasks with mixed requirements only on eligible agents; unmet ones wait`, async () => {
    const started = Date.now();
    const agents = cluster.agents(LEASE);
    let client: BatonClient | undefined;
    let tracker: TerminalTracker | undefined;
    try {
      const names: AgentName[] = ["cpu", "t4", "a100"];
      const procs = new Map<AgentName, AgentProcess>();
      await Promise.all(
        names.map(async (name) => {
          procs.set(name, await agents.start(placeAgent({ name, ...AGENTS[name] })));
        }),
      );
      const readyAt = Date.now();
      client = await createClient({
        natsUrl: cluster.nats.url,
        prefix: cluster.nats.prefix,
        lease: LEASE,
      });
      const conn = client.connection;
      tracker = await TerminalTracker.start(conn);

      // The test's own table agrees with isEligible.
      for (const k of KINDS) {
        const eligible = (Object.keys(AGENTS) as AgentName[]).filter((n) =>
          isEligible(snapshotFor(n, AGENTS[n].resources), "place", k.requirements),
        );
        expect(eligible, k.kind).toEqual(k.eligible);
      }

      // Tasks nobody can run yet, submitted first so they wait the whole run.
      const h100Ids: string[] = [];
      for (let i = 0; i < H100_TASKS; i++) {
        const t = await client.submit("place", { ms: 5 }, { requirements: { gpuType: "h100" } });
        h100Ids.push(t.id);
      }
      const deadlineIds: string[] = [];
      for (let i = 0; i < DEADLINE_TASKS; i++) {
        const t = await client.submit(
          "place",
          { ms: 5 },
          { requirements: { gpuType: "tpu-v5" }, deadline: Date.now() + 4000 },
        );
        deadlineIds.push(t.id);
      }

      const items: SubmitItem[] = Array.from({ length: TASKS }, (_, i) => {
        const k = KINDS[i % KINDS.length]!;
        return {
          capability: "place",
          input: { ms: (i * 7) % 21 },
          ...(k.requirements ? { options: { requirements: k.requirements } } : {}),
        };
      });
      const kindOf = new Map<string, (typeof KINDS)[number]>();
      const ids = (await client.submitMany(items)).map((r, i) => {
        kindOf.set(r.task.id, KINDS[i % KINDS.length]!);
        return r.task.id;
      });
      const submittedAt = Date.now();

      // Each h100 task waits PENDING with a reason that names what is missing.
      const c = client;
      const waiting = await waitFor(
        "h100 tasks waiting with a reason",
        async () => {
          const rs = await Promise.all(h100Ids.map((id) => c.get(id)));
          return rs.every(
            (r) => r.state === TaskState.Pending && r.waiting?.reason.includes("h100"),
          )
            ? rs
            : undefined;
        },
        20_000,
        100,
      );
      for (const r of waiting) {
        expect(r.attempts).toEqual([]);
        expect(r.waiting?.resourceClass).toBe("gpu:h100x1");
        expect(r.waiting?.reason).toMatch(/gpu_type "h100"/);
      }
      const waitingReason = waiting[0]?.waiting?.reason;
      const waitingSeenAt = Date.now();

      // The deadline tasks wait too, then fail at their deadline.
      await tracker.waitAll(deadlineIds, 15_000, "deadline tasks");
      for (const id of deadlineIds) {
        const r = await client.get(id);
        expect(r.state, id).toBe(TaskState.Failed);
        expect(r.error?.code, id).toBe(ErrorCode.DeadlineExceeded);
        expect(r.attempts, id).toEqual([]);
      }

      // An h100 agent appears; the waiting tasks run there.
      const h100 = await agents.start(placeAgent({ name: "h100", ...AGENTS.h100 }));
      procs.set("h100", h100);
      const h100ReadyAt = Date.now();

      const all = [...ids, ...h100Ids, ...deadlineIds];
      await tracker.waitAll(all, 45_000, "tasks");
      const doneAt = Date.now();

      // Every held or queued message is acked once its task is finished.
      await waitUntil(async () => (await queuedMessages(conn)) === 0, {
        timeoutMs: 15_000,
        what: "work queue drained",
      });

      const nameOf = new Map<string, AgentName>();
      for (const [name, p] of procs) for (const id of p.agentIds) nameOf.set(id, name);

      const records = await loadRecords(conn, all);
      const byState: Record<string, number> = {};
      for (const v of records.values()) {
        const s = v?.record.state ?? "missing";
        byState[s] = (byState[s] ?? 0) + 1;
      }
      expect(byState).toEqual({
        [TaskState.Succeeded]: TASKS + H100_TASKS,
        [TaskState.Failed]: DEADLINE_TASKS,
      });

      const misplaced: string[] = [];
      const badPlacements: string[] = [];
      const ranOn: Record<string, Record<string, number>> = {};
      let negotiated = 0;
      let awardedElsewhere = 0;
      const check = (id: string, eligible: readonly AgentName[], req?: Requirements): void => {
        const r = records.get(id)?.record as TaskRecord;
        const last = r.attempts.at(-1);
        expect(last?.outcome, id).toBe("succeeded");
        for (const a of r.attempts) {
          const name = nameOf.get(a.agentId);
          const ok =
            name !== undefined &&
            eligible.includes(name) &&
            isEligible(snapshotFor(a.agentId, AGENTS[name].resources), "place", req);
          if (!ok) misplaced.push(`${id} ${JSON.stringify(req)} ran on ${a.agentId}`);
        }
        if (isConstrained(req)) {
          negotiated++;
          const p = r.placements?.at(-1);
          if (!p || p.winner !== last?.agentId)
            badPlacements.push(`${id}: placement ${JSON.stringify(p)} vs ${last?.agentId}`);
          if (p && p.negotiator !== p.winner) awardedElsewhere++;
          for (const bid of r.placements?.flatMap((x) => x.bids) ?? []) {
            const name = nameOf.get(bid.agentId);
            if (name === undefined || !eligible.includes(name))
              badPlacements.push(`${id}: bid from ineligible ${bid.agentId}`);
          }
        } else if (r.placements !== undefined) {
          badPlacements.push(`${id}: unconstrained task negotiated`);
        }
      };
      for (const id of ids) {
        const k = kindOf.get(id)!;
        check(id, k.eligible, k.requirements);
        const name = nameOf.get(records.get(id)?.record.attempts.at(-1)?.agentId ?? "") ?? "?";
        (ranOn[k.kind] ??= {})[name] = (ranOn[k.kind]?.[name] ?? 0) + 1;
      }
      for (const id of h100Ids) check(id, ["h100"], { gpuType: "h100" });
      expect(misplaced).toEqual([]);
      expect(badPlacements).toEqual([]);

      // Exactly one terminal event per task.
      expect(await terminalEventProblems(conn, all)).toEqual([]);
      expect(await client.deadLetters()).toEqual([]);

      console.log(
        [
          `[placement-mixed] tasks=${TASKS} negotiated=${negotiated}`,
          `awarded_to_another_agent=${awardedElsewhere} misplaced=${misplaced.length}`,
          `agents_ready_ms=${readyAt - started} submit_ms=${submittedAt - readyAt}`,
          `h100_waiting_seen_ms=${waitingSeenAt - submittedAt}`,
          `h100_agent_ready_ms=${h100ReadyAt - started} all_done_ms=${doneAt - started}`,
          `\n  waiting reason: ${waitingReason}`,
          `\n  ran on: ${JSON.stringify(ranOn)}`,
        ].join(" "),
      );
    } finally {
      await tracker?.close();
      await client?.close();
      await agents[Symbol.asyncDispose]();
    }
  }, 120_000);

  it("counts each agent once in the waiting reason", async () => {
    // Its own namespace on the file's server: only these two agents serve "place" here.
    const prefix = uniquePrefix();
    const agents = cluster.agents(LEASE, { BATON_PREFIX: prefix });
    let client: BatonClient | undefined;
    try {
      await Promise.all(
        (["cpu", "t4"] as const).map((name) => agents.start(placeAgent({ name, ...AGENTS[name] }))),
      );
      client = await createClient({ natsUrl: cluster.nats.url, prefix, lease: LEASE });
      const c = client;
      const task = await c.submit("place", { ms: 5 }, { requirements: { gpuType: "h100" } });
      const waiting = await waitFor(
        "the task waiting with a reason",
        async () => (await c.get(task.id)).waiting,
        15_000,
        50,
      );
      // Both agents lack an h100; neither is counted twice.
      expect(waiting.reason).toBe(
        'no eligible agent among the 2 agents serving "place": needs gpu_type "h100" (2 of 2)',
      );
      await c.cancel(task.id);
      expect((await waitTerminal(c, task.id)).state).toBe(TaskState.Cancelled);
      expect(await terminalEventProblems(c.connection, [task.id])).toEqual([]);
    } finally {
      await client?.close();
      await agents[Symbol.asyncDispose]();
    }
  }, 60_000);
});
