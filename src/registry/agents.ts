import type { JetStreamClient } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { kvSnapshot } from "../nats/snapshot.js";
import type { Resources } from "../placement/types.js";

/** What an agent process reports about itself at every heartbeat. */
export interface AgentInfo {
  id: string;
  name: string;
  capabilities: string[];
  concurrency: number;
  inFlight: number;
  freeSlots: number;
  hostname: string;
  pid: number;
  startedAt: number;
  lastHeartbeat: number;
  /** What the agent offers (GPUs, models, labels), when its definition says. */
  resources?: Resources;
  /** `host:port` of its process's AgentPeerService, where peers hand it sub-tasks directly. */
  peerAddress?: string;
  /** `host:port` of its process's Prometheus /metrics endpoint, when it serves one. */
  metricsAddress?: string;
  /** Affinity keys it ran most recently (warm state), newest first, bounded. */
  warmKeys?: string[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Agents silent for longer than this are treated as gone (the bucket's TTL removes them later). */
export const AGENT_STALE_MS = 15_000;
/** TTL of the registry bucket: a crashed agent's entry disappears on its own. */
export const AGENT_TTL_MS = 30_000;

export async function reportAgent(kv: KV, info: AgentInfo): Promise<void> {
  await kv.put(info.id, encoder.encode(JSON.stringify(info)));
}

export async function removeAgent(kv: KV, id: string): Promise<void> {
  await kv.delete(id);
}

/** Live agents, optionally only those serving `capability`. */
export async function listAgents(
  js: JetStreamClient,
  bucket: string,
  capability?: string,
  now = Date.now(),
): Promise<AgentInfo[]> {
  const out: AgentInfo[] = [];
  for (const value of (await kvSnapshot(js, bucket)).values()) {
    const info = JSON.parse(decoder.decode(value)) as AgentInfo;
    if (now - info.lastHeartbeat > AGENT_STALE_MS) continue;
    if (capability && !info.capabilities.includes(capability)) continue;
    out.push(info);
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
