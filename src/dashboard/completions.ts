import type { Subscription } from "@nats-io/transport-node";
import type { BatonConnection } from "../nats/connection.js";
import { isTerminal } from "../store/states.js";
import type { TaskEventBody } from "../types.js";

const decoder = new TextDecoder();
/** Bounds for the small caches below; old entries go first. */
const CACHE_SIZE = 10_000;

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.set(key, value);
  if (map.size > CACHE_SIZE) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}

/**
 * Counts tasks reaching a terminal state, per capability, from the live task events (a plain
 * NATS subscription: the events stream is not read, and nothing is stored). Throughput is what
 * finished, which consumer counters cannot tell apart from retries and deliberate redeliveries.
 */
export class CompletionCounter {
  private readonly sub: Subscription;
  private counts = new Map<string, number>();
  private readonly capabilityOf = new Map<string, string>();
  private readonly seen = new Map<string, true>();

  constructor(private readonly conn: BatonConnection) {
    this.sub = conn.nc.subscribe(conn.names.eventsWildcard, {
      callback: (err, msg) => {
        if (err) return;
        let body: TaskEventBody;
        try {
          body = JSON.parse(decoder.decode(msg.data)) as TaskEventBody;
        } catch {
          return;
        }
        if (body.type === "state" && isTerminal(body.state)) this.finished(body);
      },
    });
  }

  private finished(body: { taskId: string; state: string; attempt: number }): void {
    // A retried publish reaches core subscribers twice even when JetStream dedupes it.
    const key = `${body.taskId}:${body.state}:${body.attempt}`;
    if (this.seen.has(key)) return;
    remember(this.seen, key, true);
    const known = this.capabilityOf.get(body.taskId);
    if (known !== undefined) {
      this.add(known);
      return;
    }
    this.conn.tasks.get(body.taskId).then(
      (found) => {
        if (!found) return;
        remember(this.capabilityOf, body.taskId, found.record.capability);
        this.add(found.record.capability);
      },
      () => undefined,
    );
  }

  private add(capability: string): void {
    this.counts.set(capability, (this.counts.get(capability) ?? 0) + 1);
  }

  /** Tasks finished per capability since the previous call. */
  take(): Map<string, number> {
    const out = this.counts;
    this.counts = new Map();
    return out;
  }

  stop(): void {
    this.sub.unsubscribe();
  }
}
