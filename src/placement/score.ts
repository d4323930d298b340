import { cpuSlotsOf, gpuGroupFor, normalizeRequirements } from "./match.js";
import type { AgentSnapshot, Bid, PlacementTask } from "./types.js";

export interface ScoreWeights {
  fit: number;
  load: number;
  warm: number;
  cost: number;
}

/** Fit outweighs load so small agents fill first; warm outweighs every other term together. */
export const DEFAULT_WEIGHTS: Readonly<ScoreWeights> = { fit: 4, load: 1, warm: 10, cost: 1 };

/** GPU memory left idle is counted in units of one large (80 GiB) device. */
const GPU_MEMORY_UNIT_MIB = 80 * 1024;
/** Idle CPU slots matter less than idle GPUs: CPUs are plentiful, GPUs are not. */
const CPU_WASTE_WEIGHT = 0.25;

/**
 * How tightly the agent's resources match the task, in (0, 1]; 0 if no GPU group fits.
 *
 *   waste = idle GPUs (all GPUs the task does not use, in any group)
 *         + for the GPUs it uses: gpuCount * (memoryMib - needed) / 80 GiB
 *         + 0.25 * idle share of CPU slots
 *   fit   = 1 / (1 + waste)
 *
 * So a CPU-only task scores an agent without GPUs above a GPU agent, and a 16 GiB task scores a
 * 24 GiB device above an 80 GiB one.
 */
export function fitOf(agent: AgentSnapshot, task: Pick<PlacementTask, "requirements">): number {
  const req = normalizeRequirements(task.requirements);
  const res = agent.resources;
  const totalGpus = (res.gpus ?? []).reduce((n, g) => n + Math.max(0, g.count), 0);
  let waste = totalGpus;
  if (req.gpuCount > 0) {
    const group = gpuGroupFor(res, req);
    if (!group) return 0;
    waste -= req.gpuCount;
    waste += (req.gpuCount * (group.memoryMib - req.gpuMemoryMib)) / GPU_MEMORY_UNIT_MIB;
  }
  const cpu = cpuSlotsOf(res);
  waste += (CPU_WASTE_WEIGHT * Math.max(0, cpu - Math.max(1, req.cpuSlots))) / cpu;
  return 1 / (1 + waste);
}

/**
 * One agent's bid for a task; call it only for eligible agents (see `eligibility`).
 *
 *   score = w.fit * fit                      fit in (0, 1], see fitOf
 *         + w.load * (1 - load)              load = inFlight / concurrency, clamped to 0..1
 *         + w.warm * [warm and freeSlots > 0]
 *         - w.cost * cost / (1 + cost)       cost = costPerTask, squashed into 0..1
 *
 * With the default weights the warm bonus (10) exceeds the largest possible difference of the
 * other terms (4 + 1 + 1), and `chooseWinner` also ranks by free slots and warmth before score.
 */
export function scoreBid(
  agent: AgentSnapshot,
  task: PlacementTask,
  weights: Partial<ScoreWeights> = {},
): Bid {
  const w = { ...DEFAULT_WEIGHTS, ...weights };
  const fit = fitOf(agent, task);
  const load = agent.concurrency > 0 ? clamp01(agent.inFlight / agent.concurrency) : 1;
  const warm = task.affinityKey !== undefined && agent.warmKeys.includes(task.affinityKey);
  const cost = Math.max(0, agent.costPerTask ?? 0);
  const freeSlots = Math.max(0, agent.freeSlots);
  const score =
    w.fit * fit +
    w.load * (1 - load) +
    (warm && freeSlots > 0 ? w.warm : 0) -
    (w.cost * cost) / (1 + cost);
  return {
    agentId: agent.id,
    taskId: task.id,
    fit: round(fit),
    freeSlots,
    load: round(load),
    warm,
    cost,
    score: round(score),
  };
}

/**
 * Bids best first: agents with free slots before busy ones, among those warm before cold (so
 * affinity holds while the warm agent has capacity and others steal once it is saturated), then
 * by score, then by agent id so equal bids always rank the same way.
 */
export function rankBids(bids: readonly Bid[]): Bid[] {
  const tier = (b: Bid): number => (b.freeSlots > 0 ? (b.warm ? 0 : 1) : 2);
  return [...bids].sort(
    (a, b) =>
      tier(a) - tier(b) ||
      b.score - a.score ||
      (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0),
  );
}

export function chooseWinner(bids: readonly Bid[]): Bid | undefined {
  return rankBids(bids)[0];
}

function clamp01(n: number): number {
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 1;
}

/** Bids end up in task history; 6 decimals keep them readable and stable across platforms. */
function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
