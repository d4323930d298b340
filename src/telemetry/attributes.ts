/**
 * Every span attribute name Baton sets, in one place: the OpenTelemetry semantic conventions
 * (`messaging.*`, `rpc.*`, ...) where they cover the thing, `baton.*` for the rest. The trace
 * viewer and any query over the spans rely on these names, so change them only with both.
 */
import type { Attributes } from "@opentelemetry/api";
import type { Bid } from "../placement/types.js";
import type { PlacementRecord, TaskRecord } from "../types.js";

/**
 * Build attribute objects as a literal and add to it by assignment: a literal that starts with a
 * spread and goes on with computed keys (`{ ...a, [ATTR.X]: v }`) is built on V8's slow path,
 * about 2 µs each, and stays slow to copy and to stringify.
 */
export const ATTR = {
  // Messaging (semconv): the queue hop through JetStream.
  MESSAGING_SYSTEM_NAME: "messaging.system.name",
  MESSAGING_OPERATION_TYPE: "messaging.operation.type",
  MESSAGING_OPERATION_NAME: "messaging.operation.name",
  MESSAGING_DESTINATION_NAME: "messaging.destination.name",
  MESSAGING_CONSUMER_GROUP_NAME: "messaging.consumer.group.name",
  MESSAGING_MESSAGE_ID: "messaging.message.id",
  MESSAGING_MESSAGE_BODY_SIZE: "messaging.message.body.size",
  // RPC (semconv, stable set): gRPC client and server spans.
  RPC_SYSTEM_NAME: "rpc.system.name",
  RPC_METHOD: "rpc.method",
  RPC_STATUS_CODE: "rpc.status_code",
  SERVER_ADDRESS: "server.address",
  SERVER_PORT: "server.port",
  ERROR_TYPE: "error.type",
  // Baton: tasks, attempts, steps, placement.
  TASK_ID: "baton.task.id",
  TASK_CAPABILITY: "baton.task.capability",
  TASK_ATTEMPT: "baton.task.attempt",
  TASK_STATE: "baton.task.state",
  TASK_PRIORITY: "baton.task.priority",
  TASK_PARENT_ID: "baton.task.parent_id",
  TASK_DEDUPLICATED: "baton.task.deduplicated",
  ROOT_ID: "baton.root.id",
  AGENT_ID: "baton.agent.id",
  CLAIM_VIA: "baton.claim.via",
  ATTEMPT_OUTCOME: "baton.attempt.outcome",
  RETRY: "baton.retry",
  STEP_NAME: "baton.step.name",
  STEP_CACHED: "baton.step.cached",
  NEGOTIATOR: "baton.negotiation.negotiator",
  WAITING_REASON: "baton.negotiation.waiting",
  BID_COUNT: "baton.bid.count",
  BID_WINNER: "baton.bid.winner",
  BID_AGENT_ID: "baton.bid.agent_id",
  BID_SCORE: "baton.bid.score",
  BID_FIT: "baton.bid.fit",
  BID_LOAD: "baton.bid.load",
  BID_FREE_SLOTS: "baton.bid.free_slots",
  BID_WARM: "baton.bid.warm",
  BID_COST: "baton.bid.cost",
  ERROR_MESSAGE: "baton.error.message",
  ERROR_CODE: "baton.error.code",
} as const;

export type AttributeName = (typeof ATTR)[keyof typeof ATTR];

/** Span and event names that are not derived from a capability or RPC method. */
export const SPAN_EVENT = {
  BID: "bid",
  RETRY: "retry scheduled",
  DEAD_LETTER: "dead-lettered",
  DISCARDED: "result discarded",
} as const;

/** `messaging.system.name` for the queue hop. */
export const MESSAGING_SYSTEM_NATS = "nats";
/** `rpc.system.name` of every gRPC span. */
export const RPC_SYSTEM_GRPC = "grpc";

/** What identifies a task on every span about it. */
export function taskAttributes(record: TaskRecord): Attributes {
  const attrs: Attributes = {
    [ATTR.TASK_ID]: record.id,
    [ATTR.TASK_CAPABILITY]: record.capability,
    [ATTR.ROOT_ID]: record.rootId,
  };
  if (record.parentId !== undefined) attrs[ATTR.TASK_PARENT_ID] = record.parentId;
  return attrs;
}

/** One bid as a span event's attributes. */
export function bidAttributes(bid: Bid): Attributes {
  return {
    [ATTR.BID_AGENT_ID]: bid.agentId,
    [ATTR.BID_SCORE]: bid.score,
    [ATTR.BID_FIT]: bid.fit,
    [ATTR.BID_LOAD]: bid.load,
    [ATTR.BID_FREE_SLOTS]: bid.freeSlots,
    [ATTR.BID_WARM]: bid.warm,
    [ATTR.BID_COST]: bid.cost,
  };
}

/** A negotiation's outcome: who ran it, how many bid, who won (or why the task waits). */
export function placementAttributes(
  placement: PlacementRecord | undefined,
  waiting: string | undefined,
): Attributes {
  return {
    ...(placement
      ? {
          [ATTR.NEGOTIATOR]: placement.negotiator,
          [ATTR.BID_COUNT]: placement.bids.length,
          ...(placement.winner !== undefined ? { [ATTR.BID_WINNER]: placement.winner } : {}),
        }
      : { [ATTR.BID_COUNT]: 0 }),
    ...(waiting !== undefined ? { [ATTR.WAITING_REASON]: waiting } : {}),
  };
}

/** `/pkg.Service/Method` as the span name and `rpc.*` attributes (semconv: "pkg.Service/Method"). */
export function rpcAttributes(path: string): { name: string; attributes: Attributes } {
  const method = path.startsWith("/") ? path.slice(1) : path;
  return {
    name: method,
    attributes: { [ATTR.RPC_SYSTEM_NAME]: RPC_SYSTEM_GRPC, [ATTR.RPC_METHOD]: method },
  };
}

/** `host:port` (IPv6 bracketed) as `server.address` and `server.port`. */
export function serverAttributes(target: string): Attributes {
  const m = /^(?:dns:\/\/\/|ipv4:|ipv6:)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(target);
  if (!m?.[1]) return {};
  const host = m[1].startsWith("[") ? m[1].slice(1, -1) : m[1];
  return {
    [ATTR.SERVER_ADDRESS]: host,
    ...(m[2] !== undefined ? { [ATTR.SERVER_PORT]: Number(m[2]) } : {}),
  };
}
