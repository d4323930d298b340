import { describe, expect, it } from "vitest";
import { isEligible } from "../../src/placement/match.js";
import { placeTask } from "../../src/placement/place.js";
import { chooseWinner, fitOf, rankBids, scoreBid } from "../../src/placement/score.js";
import type { AgentSnapshot, Requirements, Resources } from "../../src/placement/types.js";

function agent(id: string, over: Partial<AgentSnapshot> = {}): AgentSnapshot {
  return {
    id,
    capabilities: ["run"],
    resources: {},
    freeSlots: 4,
    concurrency: 4,
    inFlight: 0,
    warmKeys: [],
    lastHeartbeat: 0,
    ...over,
  };
}
const gpu = (type: string, count: number, memoryMib: number): Resources["gpus"] => [
  { type, count, memoryMib },
];

/** mulberry32: a tiny seeded PRNG, so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("fit", () => {
  it("prefers the smallest sufficient GPU", () => {
    const small = agent("small", { resources: { gpus: gpu("l4", 1, 24576) } });
    const big = agent("big", { resources: { gpus: gpu("a100", 1, 81920) } });
    const task = { id: "t", requirements: { gpuMemoryMib: 16384 } };
    expect(fitOf(small, task)).toBeGreaterThan(fitOf(big, task));
    expect(placeTask([big, small], "run", task).winner?.agentId).toBe("small");
  });

  it("keeps GPU agents free of CPU-only work, even when the CPU agent is busier", () => {
    const cpu = agent("cpu", { resources: { cpuSlots: 4 }, inFlight: 3, freeSlots: 1 });
    const gpuAgent = agent("gpu", { resources: { cpuSlots: 4, gpus: gpu("t4", 1, 16384) } });
    expect(placeTask([gpuAgent, cpu], "run", { id: "t" }).winner?.agentId).toBe("cpu");
  });

  it("prefers one GPU group that fits over a larger one on a mixed agent", () => {
    const mixed = agent("m", {
      resources: { gpus: [...(gpu("a100", 4, 81920) ?? []), ...(gpu("t4", 1, 16384) ?? [])] },
    });
    const exact = agent("e", { resources: { gpus: gpu("t4", 1, 16384) } });
    const task = { id: "t", requirements: { gpuCount: 1 } };
    expect(fitOf(exact, task)).toBeGreaterThan(fitOf(mixed, task));
    expect(fitOf(mixed, task)).toBeGreaterThan(0);
  });

  it("is 1 for an exact match", () => {
    const a = agent("a", { resources: { cpuSlots: 2, gpus: gpu("a100", 2, 40960) } });
    const task = { id: "t", requirements: { cpuSlots: 2, gpuCount: 2, gpuMemoryMib: 40960 } };
    expect(scoreBid(a, task).fit).toBe(1);
  });
});

describe("chooseWinner", () => {
  it("is undefined without bids and breaks ties by agent id", () => {
    expect(chooseWinner([])).toBeUndefined();
    const bids = ["c", "a", "b"].map((id) => scoreBid(agent(id), { id: "t" }));
    expect(chooseWinner(bids)?.agentId).toBe("a");
    expect(rankBids(bids).map((b) => b.agentId)).toEqual(["a", "b", "c"]);
  });

  it("does not award a busy agent while an idle eligible one exists", () => {
    const busy = agent("busy", { freeSlots: 0, inFlight: 4, costPerTask: 0 });
    const idle = agent("idle", { freeSlots: 1, inFlight: 3, costPerTask: 100 });
    expect(chooseWinner([scoreBid(busy, { id: "t" }), scoreBid(idle, { id: "t" })])?.agentId).toBe(
      "idle",
    );
  });

  it("balances load between equal agents", () => {
    const a = agent("a", { inFlight: 3, freeSlots: 1 });
    const b = agent("b", { inFlight: 1, freeSlots: 3 });
    expect(placeTask([a, b], "run", { id: "t" }).winner?.agentId).toBe("b");
  });

  it("keeps a program on its warm agent while it has capacity, then others steal", () => {
    const warm = agent("warm", {
      warmKeys: ["root-1"],
      resources: { gpus: gpu("a100", 1, 81920) },
      inFlight: 3,
      freeSlots: 1,
      costPerTask: 5,
    });
    const cold = agent("cold");
    const task = { id: "t", affinityKey: "root-1" };
    const first = placeTask([cold, warm], "run", task);
    expect(first.winner).toMatchObject({ agentId: "warm", warm: true });
    const saturated = { ...warm, inFlight: 4, freeSlots: 0 };
    expect(placeTask([cold, saturated], "run", task).winner?.agentId).toBe("cold");
    expect(placeTask([cold], "run", task).winner?.agentId).toBe("cold"); // warm agent gone
  });

  it("uses custom weights", () => {
    const cheap = agent("cheap", { costPerTask: 0, inFlight: 3, freeSlots: 1 });
    const pricey = agent("pricey", { costPerTask: 1 });
    expect(placeTask([cheap, pricey], "run", { id: "t" }).winner?.agentId).toBe("pricey");
    const byCost = placeTask([cheap, pricey], "run", { id: "t" }, { cost: 5 });
    expect(byCost.winner?.agentId).toBe("cheap");
  });
});

describe("placeTask", () => {
  it("explains why a task waits", () => {
    const p = placeTask([agent("a")], "run", { id: "t", requirements: { gpuType: "h100" } });
    expect(p).toEqual({
      bids: [],
      reason: 'no eligible agent among the 1 agent serving "run": needs gpu_type "h100" (1 of 1)',
    });
  });

  it("never picks an ineligible agent (random agents and requirements)", () => {
    const gpuTypes = ["t4", "l4", "a100", "h100"];
    const labels = ["acme", "beta"];
    for (let seed = 1; seed <= 500; seed++) {
      const rand = prng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
      const agents = Array.from({ length: 1 + Math.floor(rand() * 6) }, (_, i) => {
        const concurrency = 1 + Math.floor(rand() * 4);
        const inFlight = Math.floor(rand() * (concurrency + 1));
        const resources: Resources = {
          cpuSlots: 1 + Math.floor(rand() * 16),
          ...(rand() < 0.6
            ? { gpus: gpu(pick(gpuTypes), 1 + Math.floor(rand() * 4), pick([16384, 24576, 81920])) }
            : {}),
          ...(rand() < 0.5 ? { models: [pick(["llama", "bert"])] } : {}),
          ...(rand() < 0.5 ? { labels: { tenant: pick(labels) } } : {}),
        };
        return agent(`a${i}`, {
          capabilities: rand() < 0.9 ? ["run"] : ["other"],
          resources,
          concurrency,
          inFlight,
          freeSlots: concurrency - inFlight,
          warmKeys: rand() < 0.3 ? ["root"] : [],
          costPerTask: Math.floor(rand() * 3),
        });
      });
      const requirements: Requirements = {
        ...(rand() < 0.4 ? { cpuSlots: 1 + Math.floor(rand() * 12) } : {}),
        ...(rand() < 0.5 ? { gpuType: pick(gpuTypes) } : {}),
        ...(rand() < 0.4 ? { gpuCount: 1 + Math.floor(rand() * 3) } : {}),
        ...(rand() < 0.4 ? { gpuMemoryMib: pick([8192, 20000, 40960]) } : {}),
        ...(rand() < 0.3 ? { models: [pick(["llama", "bert"])] } : {}),
        ...(rand() < 0.3 ? { labels: { tenant: pick(labels) } } : {}),
      };
      const task = { id: `t${seed}`, requirements, affinityKey: "root" };
      const { winner, bids, reason } = placeTask(agents, "run", task);
      const eligible = agents.filter((a) => isEligible(a, "run", requirements));
      const ctx = `seed ${seed}`;
      if (eligible.length === 0) {
        expect(winner, ctx).toBeUndefined();
        expect(reason, ctx).toMatch(/^no (eligible )?agent/);
        continue;
      }
      const chosen = agents.find((a) => a.id === winner?.agentId);
      expect(chosen && isEligible(chosen, "run", requirements), ctx).toBe(true);
      expect(bids, ctx).toHaveLength(eligible.length);
      if (eligible.some((a) => a.freeSlots > 0)) expect(winner?.freeSlots, ctx).toBeGreaterThan(0);
      if (eligible.some((a) => a.freeSlots > 0 && a.warmKeys.includes("root")))
        expect(winner?.warm, ctx).toBe(true);
    }
  });
});
