import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { RequestMux } from "../nats/request-mux.js";
import type { Bid, Requirements } from "../placement/types.js";
import type { PlacementRecord } from "../types.js";

const encoder = new TextEncoder();

/** What a negotiator tells every agent of a capability about a task it wants placed. */
export interface CallForBids {
  taskId: string;
  capability: string;
  requirements?: Requirements;
  affinityKey?: string;
}

/** The negotiator's award; the winner claims the task itself and answers. */
export interface AwardRequest {
  taskId: string;
  placement: PlacementRecord;
}

export type AwardReply = { accepted: true; attempt: number } | { accepted: false; reason: string };

/**
 * Asks every agent serving the capability for a bid and collects them until `expected` arrived
 * or `maxWaitMs` passed (an agent that died since the registry saw it costs that wait once).
 */
export async function callForBids(
  mux: RequestMux,
  subject: string,
  call: CallForBids,
  expected: number,
  maxWaitMs: number,
): Promise<Bid[]> {
  if (expected <= 0) return [];
  const bids: Bid[] = [];
  for (const msg of await mux.gather(subject, JSON.stringify(call), expected, maxWaitMs)) {
    try {
      const bid = msg.json<Bid>();
      if (typeof bid.agentId === "string" && typeof bid.score === "number") bids.push(bid);
    } catch {
      // a malformed reply is no bid
    }
  }
  return bids;
}

/** Answers calls for bids with this agent's bid; agents that cannot run the task stay silent. */
export function serveBids(
  nc: NatsConnection,
  subject: string,
  bidFor: (call: CallForBids) => Bid | undefined,
): Subscription {
  return nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err || !msg.reply) return;
      let call: CallForBids;
      try {
        call = msg.json<CallForBids>();
      } catch {
        return;
      }
      const bid = bidFor(call);
      if (bid) msg.respond(encoder.encode(JSON.stringify(bid)));
    },
  });
}

/** Sends the award to the winner; a timeout or no responder is a refusal. */
export async function sendAward(
  nc: NatsConnection,
  subject: string,
  award: AwardRequest,
  timeoutMs: number,
): Promise<AwardReply> {
  try {
    const reply = await nc.request(subject, encoder.encode(JSON.stringify(award)), {
      timeout: timeoutMs,
    });
    return reply.json<AwardReply>();
  } catch (err) {
    return { accepted: false, reason: `award not answered: ${String(err)}` };
  }
}
