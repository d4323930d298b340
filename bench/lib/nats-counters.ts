/**
 * Counting what a NATS client sends: every outgoing message of a connection goes through
 * `nc.publish` (requests publish with a reply subject, acks are `msg.respond`, pulls publish to
 * CONSUMER.MSG.NEXT), so wrapping that one method on the instance classifies all traffic.
 * Server-side, JetStream writes are the growth of every stream's last sequence.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import type { JetStreamManager } from "@nats-io/jetstream";

export type Kind =
  | "kv write"
  | "stream publish"
  | "js api"
  | "pull request"
  | "ack"
  | "other request"
  | "core publish";

export interface Counts {
  /** Outgoing messages by kind. */
  byKind: Record<Kind, number>;
  /** Outgoing messages that carry a reply subject: the sender expects an answer (a round trip). */
  withReply: number;
  /** nc.stats() over the counted connections. */
  inMsgs: number;
  outMsgs: number;
}

const KINDS: Kind[] = [
  "kv write",
  "stream publish",
  "js api",
  "pull request",
  "ack",
  "other request",
  "core publish",
];

function emptyCounts(): Counts {
  return {
    byKind: Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>,
    withReply: 0,
    inMsgs: 0,
    outMsgs: 0,
  };
}

function classify(subject: string, hasReply: boolean, streamSubjects: RegExp): Kind {
  if (subject.startsWith("$KV.")) return "kv write";
  if (subject.startsWith("$JS.API.CONSUMER.MSG.NEXT.")) return "pull request";
  if (subject.startsWith("$JS.API.")) return "js api";
  if (subject.startsWith("$JS.ACK.")) return "ack";
  if (streamSubjects.test(subject)) return "stream publish";
  return hasReply ? "other request" : "core publish";
}

/** Counts the outgoing traffic of a set of connections from the moment they are added. */
export class TrafficCounter {
  private readonly counts = emptyCounts();
  private readonly conns: NatsConnection[] = [];
  private base = { inMsgs: 0, outMsgs: 0 };

  /** `streamSubjects` matches subjects that are captured by a stream (plain JetStream publishes). */
  constructor(private readonly streamSubjects: RegExp) {}

  add(nc: NatsConnection): void {
    this.conns.push(nc);
    const original = nc.publish.bind(nc);
    const counts = this.counts;
    const re = this.streamSubjects;
    nc.publish = (subject, data, options) => {
      const hasReply = options?.reply !== undefined && options.reply !== "";
      counts.byKind[classify(subject, hasReply, re)]++;
      if (hasReply) counts.withReply++;
      original(subject, data, options);
    };
  }

  /** Starts counting from zero. */
  reset(): void {
    for (const k of KINDS) this.counts.byKind[k] = 0;
    this.counts.withReply = 0;
    this.base = this.stats();
  }

  private stats(): { inMsgs: number; outMsgs: number } {
    let inMsgs = 0;
    let outMsgs = 0;
    for (const nc of this.conns) {
      const s = nc.stats();
      inMsgs += s.inMsgs;
      outMsgs += s.outMsgs;
    }
    return { inMsgs, outMsgs };
  }

  snapshot(): Counts {
    const s = this.stats();
    return {
      byKind: { ...this.counts.byKind },
      withReply: this.counts.withReply,
      inMsgs: s.inMsgs - this.base.inMsgs,
      outMsgs: s.outMsgs - this.base.outMsgs,
    };
  }
}

/** Last sequence of every stream (messages ever stored), by stream name. */
export async function streamSequences(jsm: JetStreamManager): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const si of jsm.streams.list()) out.set(si.config.name, si.state.last_seq);
  return out;
}

/** JetStream API requests the account has served so far. */
export async function apiTotal(jsm: JetStreamManager): Promise<number> {
  return (await jsm.getAccountInfo()).api.total;
}

export function sequenceDelta(
  before: Map<string, number>,
  after: Map<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, seq] of after) {
    const d = seq - (before.get(name) ?? 0);
    if (d > 0) out[name] = d;
  }
  return out;
}
