import type { JetStreamClient } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { AgentSnapshot } from "../placement/types.js";
import type { Logger } from "../telemetry/logger.js";
import { AGENT_STALE_MS, listAgents, type AgentInfo } from "./agents.js";

const decoder = new TextDecoder();

/** The placer's view of a registry entry (live load comes from bids, not from here). */
export function snapshotOf(info: AgentInfo): AgentSnapshot {
  return {
    id: info.id,
    capabilities: info.capabilities,
    resources: info.resources ?? {},
    freeSlots: info.freeSlots,
    concurrency: info.concurrency,
    inFlight: info.inFlight,
    warmKeys: info.warmKeys ?? [],
    lastHeartbeat: info.lastHeartbeat,
  };
}

/**
 * A live copy of the agents bucket, kept by a KV watch: negotiators read it to know how many
 * bids to expect and to explain why nobody can take a task, without a round trip per task.
 */
export class AgentDirectory {
  private readonly entries = new Map<string, AgentInfo>();
  private stopped = false;
  private stopWatch: (() => void) | undefined;
  private readonly ready: Promise<void>;

  constructor(
    private readonly js: JetStreamClient,
    private readonly bucket: string,
    private readonly kv: KV,
    private readonly log: Logger,
    /** The watch ends with its connection; nothing to restart then. */
    private readonly closed: () => boolean,
  ) {
    this.ready = this.watch();
  }

  /** Resolves once the initial contents are loaded. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  private async watch(): Promise<void> {
    // The snapshot makes the directory usable at once; the watch then keeps it current.
    for (const info of await listAgents(this.js, this.bucket).catch(() => [])) {
      this.entries.set(info.id, info);
    }
    const run = async (): Promise<void> => {
      while (!this.stopped && !this.closed()) {
        try {
          const iter = await this.kv.watch();
          this.stopWatch = () => iter.stop();
          for await (const e of iter) this.apply(e.key, e.operation, e.value);
        } catch (err) {
          if (this.stopped || this.closed()) return;
          this.log.warn({ err }, "agent registry watch failed; retrying");
        }
        if (!this.stopped) await new Promise((r) => setTimeout(r, 500));
      }
    };
    void run();
  }

  private apply(key: string, operation: string, value: Uint8Array): void {
    if (operation !== "PUT") {
      this.entries.delete(key);
      return;
    }
    try {
      this.entries.set(key, JSON.parse(decoder.decode(value)) as AgentInfo);
    } catch {
      this.entries.delete(key);
    }
  }

  /** Live agents (a fresh heartbeat), optionally those serving `capability`. */
  agents(capability?: string, now = Date.now()): AgentInfo[] {
    const out: AgentInfo[] = [];
    for (const info of this.entries.values()) {
      if (now - info.lastHeartbeat > AGENT_STALE_MS) continue;
      if (capability !== undefined && !info.capabilities.includes(capability)) continue;
      out.push(info);
    }
    return out;
  }

  get(id: string): AgentInfo | undefined {
    return this.entries.get(id);
  }

  /** Tells the directory about an agent before its own report comes back through the watch. */
  note(info: AgentInfo): void {
    this.entries.set(info.id, info);
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
  }
}
