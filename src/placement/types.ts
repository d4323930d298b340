/**
 * A group of identical GPUs on one agent. A task's GPUs all come from one group: multi-GPU work
 * needs matching devices, so 1 "t4" + 1 "a100" do not make 2 GPUs.
 */
export interface GpuGroup {
  /** GPU model, e.g. "a100". Compared case-insensitively. */
  type: string;
  count: number;
  /** Memory of each GPU in MiB. */
  memoryMib: number;
}

/** What an agent offers; static for the life of the agent process. */
export interface Resources {
  /** CPU slots; an agent that states none offers 1. */
  cpuSlots?: number;
  gpus?: GpuGroup[];
  /** Models the agent can serve (loaded or loadable). */
  models?: string[];
  labels?: Record<string, string>;
}

/**
 * What a task needs (mirrors `baton.v1.Requirements`; 0 and "" mean "not required", as in proto3).
 * `gpuCount` defaults to 1 when `gpuType` or `gpuMemoryMib` is given.
 */
export interface Requirements {
  cpuSlots?: number;
  /** GPU model; unset for any. */
  gpuType?: string;
  gpuCount?: number;
  /** Memory per GPU in MiB. */
  gpuMemoryMib?: number;
  /** Models the agent must be able to serve, all of them. */
  models?: string[];
  /** Labels the agent must carry with exactly these values. */
  labels?: Record<string, string>;
}

/** One agent as the placer sees it: registry entry plus live load. */
export interface AgentSnapshot {
  id: string;
  capabilities: string[];
  resources: Resources;
  freeSlots: number;
  concurrency: number;
  inFlight: number;
  /** Affinity keys (e.g. root task ids) it holds warm state for. */
  warmKeys: string[];
  /** Relative price of one task on this agent; 0 when unset. */
  costPerTask?: number;
  lastHeartbeat: number;
}

/** What the placer needs of a task. */
export interface PlacementTask {
  id: string;
  requirements?: Requirements;
  /** Tasks with the same key prefer the agent that holds its warm state (e.g. the root id). */
  affinityKey?: string;
}

/** One agent's offer for one task; recorded in the task's history. */
export interface Bid {
  agentId: string;
  taskId: string;
  /** 0..1, 1 = the agent's resources match the task exactly (nothing big left idle). */
  fit: number;
  freeSlots: number;
  /** 0..1, inFlight / concurrency. */
  load: number;
  /** The agent holds warm state for the task's affinity key. */
  warm: boolean;
  cost: number;
  /** Higher is better; see score.ts for the formula. */
  score: number;
}
