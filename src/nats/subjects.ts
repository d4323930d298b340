import { createHash } from "node:crypto";
import { ValidationError } from "../errors.js";
import type { Priority } from "../types.js";

/** Capability names become subject tokens and consumer names, so keep them to safe characters. */
const CAPABILITY_RE = /^[A-Za-z0-9_-]{1,64}$/;

export function validateCapability(capability: unknown, field = "capability"): string {
  if (typeof capability !== "string" || !CAPABILITY_RE.test(capability)) {
    throw new ValidationError(
      field,
      `must be 1-64 characters of letters, digits, "-" or "_", got ${JSON.stringify(capability)}`,
    );
  }
  return capability;
}

/** Names of every stream, bucket and subject under one prefix. */
export class Names {
  constructor(readonly prefix: string) {}

  get tasksStream(): string {
    return `${this.prefix}_TASKS`;
  }
  get eventsStream(): string {
    return `${this.prefix}_EVENTS`;
  }
  get dlqStream(): string {
    return `${this.prefix}_DLQ`;
  }
  /** Finished spans (the built-in span store), bounded by age and size. */
  get spansStream(): string {
    return `${this.prefix}_SPANS`;
  }
  get tasksBucket(): string {
    return `${this.prefix}_tasks`;
  }
  get idempotencyBucket(): string {
    return `${this.prefix}_idempotency`;
  }
  get stepsBucket(): string {
    return `${this.prefix}_steps`;
  }
  get capabilitiesBucket(): string {
    return `${this.prefix}_capabilities`;
  }
  get agentsBucket(): string {
    return `${this.prefix}_agents`;
  }
  /** Concurrency-limit slots: one entry per limit key, holders with their own leases. */
  get limitsBucket(): string {
    return `${this.prefix}_limits`;
  }
  /** Tasks that waited lately (see store/waiting.ts): what demand() reads instead of every task. */
  get waitingBucket(): string {
    return `${this.prefix}_waiting`;
  }
  /** A parent's links to sub-tasks past those its record holds: one key `<parent>.<child>` each. */
  get linksBucket(): string {
    return `${this.prefix}_links`;
  }

  tasksSubject(capability: string, priority: Priority): string {
    return `${this.prefix}.tasks.${capability}.${priority}`;
  }
  get tasksWildcard(): string {
    return `${this.prefix}.tasks.>`;
  }
  eventsSubject(taskId: string): string {
    return `${this.prefix}.events.${taskId}`;
  }
  get eventsWildcard(): string {
    return `${this.prefix}.events.>`;
  }
  dlqSubject(capability: string): string {
    return `${this.prefix}.dlq.${capability}`;
  }
  get dlqWildcard(): string {
    return `${this.prefix}.dlq.>`;
  }
  /** The span store subject of one shard (see spanShard). */
  spansSubject(shard: string): string {
    return `${this.prefix}.spans.${shard}`;
  }
  get spansWildcard(): string {
    return `${this.prefix}.spans.>`;
  }
  /** Core NATS subject on which cancellations are broadcast to running agents. */
  get cancelSubject(): string {
    return `${this.prefix}.ctl.cancel`;
  }
  /** Core NATS subject of the call for bids on constrained tasks of one capability. */
  bidsSubject(capability: string): string {
    return `${this.prefix}.bids.${capability}`;
  }
  /** Core NATS subject on which one agent accepts awards. */
  awardSubject(agentId: string): string {
    return `${this.prefix}.award.${subjectToken(agentId)}`;
  }
  /** Durable consumer shared by every agent of a capability, one per priority band. */
  consumerName(capability: string, priority: Priority): string {
    return `${capability}_${priority}`;
  }
}

/** Agent ids carry host names, whose dots would split a subject token. */
export function subjectToken(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, "_");
}

/** KV keys allow a limited alphabet; user-chosen strings are hashed into it. */
export function hashKey(value: string): string {
  return createHash("sha256").update(value).digest("base64url");
}

export function stepKey(taskId: string, stepName: string): string {
  return `${taskId}.${hashKey(stepName)}`;
}

/**
 * The span store shard holding a trace's spans: one of 16, by the trace id's first hex digit, so
 * one export batch is a handful of messages, not one per trace.
 */
export function spanShard(traceId: string): string {
  return traceId.charAt(0) || "0";
}
