import type { AgentSnapshot, GpuGroup, Requirements, Resources } from "./types.js";

/** Requirements with proto3 defaults resolved: 0 and "" are unset, gpuCount implied by a GPU ask. */
export interface NormalizedRequirements {
  cpuSlots: number;
  gpuType?: string;
  gpuCount: number;
  gpuMemoryMib: number;
  models: string[];
  labels: [string, string][];
}

export function normalizeRequirements(req: Requirements = {}): NormalizedRequirements {
  const gpuType = req.gpuType ? req.gpuType.toLowerCase() : undefined;
  const gpuMemoryMib = positive(req.gpuMemoryMib);
  const impliedGpu = gpuType !== undefined || gpuMemoryMib > 0 ? 1 : 0;
  return {
    cpuSlots: positive(req.cpuSlots),
    ...(gpuType !== undefined ? { gpuType } : {}),
    gpuCount: Math.max(positive(req.gpuCount), impliedGpu),
    gpuMemoryMib,
    models: [...new Set(req.models ?? [])].filter((m) => m.length > 0).sort(),
    labels: Object.entries(req.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  };
}

/** True when the task needs more than "any agent of the capability" (so it is negotiated). */
export function isConstrained(req: Requirements | undefined): boolean {
  if (req === undefined) return false; // most tasks: no allocations on the claim path
  const n = normalizeRequirements(req);
  return n.cpuSlots > 1 || n.gpuCount > 0 || n.models.length > 0 || n.labels.length > 0;
}

/** Every agent offers at least 1 CPU slot, so `cpuSlots: 1` constrains nothing. */
export function cpuSlotsOf(resources: Resources): number {
  return Math.max(1, resources.cpuSlots ?? 1);
}

/**
 * The GPU group a task would use: among sufficient groups the one that leaves least idle
 * (fewest GPUs, then least memory), so larger devices stay free for tasks that need them.
 */
export function gpuGroupFor(
  resources: Resources,
  req: NormalizedRequirements,
): GpuGroup | undefined {
  let best: GpuGroup | undefined;
  for (const g of resources.gpus ?? []) {
    if (!gpuFits(g, req)) continue;
    if (!best || g.count < best.count || (g.count === best.count && g.memoryMib < best.memoryMib))
      best = g;
  }
  return best;
}

function gpuFits(g: GpuGroup, req: NormalizedRequirements): boolean {
  return (
    (req.gpuType === undefined || g.type.toLowerCase() === req.gpuType) &&
    g.count >= req.gpuCount &&
    g.memoryMib >= req.gpuMemoryMib
  );
}

export type Eligibility = { eligible: true } | { eligible: false; reason: string };

/** What one agent lacks: `need` groups agents in summaries, `have` is this agent's side. */
interface Shortfall {
  need: string;
  have?: string;
}

/** Whether `agent` may run a task of `capability` with `requirements`, and if not, why. */
export function eligibility(
  agent: AgentSnapshot,
  capability: string,
  requirements?: Requirements,
): Eligibility {
  const missing = shortfalls(agent, capability, normalizeRequirements(requirements));
  if (missing.length === 0) return { eligible: true };
  return { eligible: false, reason: missing.map(describe).join("; ") };
}

export function isEligible(
  agent: AgentSnapshot,
  capability: string,
  requirements?: Requirements,
): boolean {
  return shortfalls(agent, capability, normalizeRequirements(requirements)).length === 0;
}

function describe(s: Shortfall): string {
  return s.have === undefined ? s.need : `${s.need} (agent has ${s.have})`;
}

function shortfalls(
  agent: AgentSnapshot,
  capability: string,
  req: NormalizedRequirements,
): Shortfall[] {
  if (!agent.capabilities.includes(capability)) return [{ need: `does not serve "${capability}"` }];
  const out: Shortfall[] = [];
  const res = agent.resources;
  const cpu = cpuSlotsOf(res);
  if (req.cpuSlots > cpu) out.push({ need: `needs ${req.cpuSlots} CPU slots`, have: String(cpu) });
  const gpu = gpuShortfall(res.gpus ?? [], req);
  if (gpu) out.push(gpu);
  const models = res.models ?? [];
  for (const m of req.models) {
    if (!models.includes(m))
      out.push({ need: `needs model "${m}"`, have: models.length ? quoted(models) : "no models" });
  }
  const labels = res.labels ?? {};
  for (const [k, v] of req.labels) {
    const actual = labels[k];
    if (actual !== v)
      out.push({
        need: `needs label ${k}=${v}`,
        have: actual === undefined ? `no ${k} label` : `${k}=${actual}`,
      });
  }
  return out;
}

/** The first GPU facet that fails (type, then memory, then count), each among the groups left. */
function gpuShortfall(groups: GpuGroup[], req: NormalizedRequirements): Shortfall | undefined {
  if (req.gpuCount === 0) return undefined;
  let left = groups.filter((g) => g.count > 0);
  const plural = req.gpuCount === 1 ? "a GPU" : `${req.gpuCount} GPUs`;
  if (left.length === 0) {
    return {
      need: req.gpuType ? `needs gpu_type "${req.gpuType}"` : `needs ${plural}`,
      have: "no GPU",
    };
  }
  if (req.gpuType !== undefined) {
    const type = req.gpuType;
    const ofType = left.filter((g) => g.type.toLowerCase() === type);
    if (ofType.length === 0)
      return { need: `needs gpu_type "${type}"`, have: quoted(left.map((g) => g.type)) };
    left = ofType;
  }
  const bigEnough = left.filter((g) => g.memoryMib >= req.gpuMemoryMib);
  if (bigEnough.length === 0) {
    return {
      need: `needs ${req.gpuMemoryMib} MiB per GPU`,
      have: left.map((g) => `${g.memoryMib} MiB "${g.type}"`).join(", "),
    };
  }
  if (!bigEnough.some((g) => g.count >= req.gpuCount)) {
    return {
      need: `needs ${plural} of one type`,
      have: bigEnough.map((g) => `${g.count} "${g.type}"`).join(", "),
    };
  }
  return undefined;
}

function quoted(values: string[]): string {
  return [...new Set(values)].map((v) => `"${v}"`).join(", ");
}

const SUMMARY_GROUPS = 3;

/**
 * Why no agent can take the task, for its visible waiting reason; undefined when one can.
 * Agents are grouped by what they lack, most common first.
 */
export function unmetReason(
  agents: readonly AgentSnapshot[],
  capability: string,
  requirements?: Requirements,
): string | undefined {
  const serving = agents.filter((a) => a.capabilities.includes(capability));
  if (serving.length === 0) return `no agent serves "${capability}"`;
  const req = normalizeRequirements(requirements);
  const counts = new Map<string, number>();
  for (const agent of serving) {
    const missing = shortfalls(agent, capability, req);
    if (missing.length === 0) return undefined;
    for (const need of new Set(missing.map((s) => s.need)))
      counts.set(need, (counts.get(need) ?? 0) + 1);
  }
  const groups = [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  const n = serving.length;
  const shown = groups.slice(0, SUMMARY_GROUPS).map(([need, c]) => `${need} (${c} of ${n})`);
  const more = groups.length > SUMMARY_GROUPS ? `, and ${groups.length - SUMMARY_GROUPS} more` : "";
  const among = n === 1 ? "the 1 agent" : `the ${n} agents`;
  return `no eligible agent among ${among} serving "${capability}": ${shown.join(", ")}${more}`;
}

/**
 * A stable key for the kind of agent a task needs, e.g. "cpu:4|gpu:a100x2:40960|models:llama",
 * so waiting tasks can be counted as demand per resource class. "any" when unconstrained.
 */
export function resourceClass(requirements?: Requirements): string {
  const req = normalizeRequirements(requirements);
  const parts: string[] = [];
  if (req.cpuSlots > 1) parts.push(`cpu:${req.cpuSlots}`);
  if (req.gpuCount > 0) {
    const mem = req.gpuMemoryMib > 0 ? `:${req.gpuMemoryMib}` : "";
    parts.push(`gpu:${req.gpuType ?? "any"}x${req.gpuCount}${mem}`);
  }
  if (req.models.length) parts.push(`models:${req.models.join(",")}`);
  if (req.labels.length) parts.push(`labels:${req.labels.map(([k, v]) => `${k}=${v}`).join(",")}`);
  return parts.length ? parts.join("|") : "any";
}

function positive(n: number | undefined): number {
  return n !== undefined && Number.isFinite(n) && n > 0 ? n : 0;
}
