import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from "@nats-io/jetstream";
import type { KV, Kvm, KvOptions } from "@nats-io/kv";
import type { BatonConfig } from "../config/index.js";
import { AGENT_TTL_MS } from "../registry/agents.js";
import { WAITING_INDEX_TTL_MS } from "../store/waiting.js";
import { PRIORITIES } from "../types.js";
import type { Names } from "./subjects.js";

const NS_PER_MS = 1_000_000;
const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;
/** How long the span store keeps spans, and its size bound. */
export const SPANS_MAX_AGE_MS = 24 * 3_600_000;
export const SPANS_MAX_BYTES = 128 * 1024 * 1024;

type StreamSpec = Partial<StreamConfig> & { name: string };

/** Streams Baton needs, declared as data so they can be created idempotently and compared. */
export function streamSpecs(names: Names, config: BatonConfig): StreamSpec[] {
  return [
    {
      name: names.tasksStream,
      subjects: [names.tasksWildcard],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      allow_direct: true,
      discard: DiscardPolicy.Old,
      duplicate_window: config.duplicateWindowMs * NS_PER_MS,
    },
    {
      name: names.eventsStream,
      subjects: [names.eventsWildcard],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      // A finished task's redelivery checks its last event by direct get (no JetStream API call).
      allow_direct: true,
      max_age: config.eventRetentionMs * NS_PER_MS,
      duplicate_window: Math.min(config.duplicateWindowMs, config.eventRetentionMs) * NS_PER_MS,
    },
    {
      name: names.dlqStream,
      subjects: [names.dlqWildcard],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      duplicate_window: config.duplicateWindowMs * NS_PER_MS,
    },
    {
      // The built-in span store: recent traces only, oldest dropped first.
      name: names.spansStream,
      subjects: [names.spansWildcard],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: SPANS_MAX_AGE_MS * NS_PER_MS,
      max_bytes: SPANS_MAX_BYTES,
      // Spans are never republished under a message id; a short window keeps its index small.
      duplicate_window: Math.min(config.duplicateWindowMs, 60_000) * NS_PER_MS,
    },
  ];
}

/**
 * The tasks bucket keeps three revisions per task, so a task's submit, claim and finish replace
 * nothing. Only the current one is read, but nats-server 2.9 drops a replaced revision slowly:
 * with one kept, it looks for it from the block of the key's first write (for a finish behind a
 * deep queue, every queued task's block: a 500k drain fell to 2,201 tasks/s); with two, a finish
 * drops the submit revision by reading message after message up to the claim (0.8x the short
 * queue). Lease renewals and retries, a task's 4th write on, still drop the oldest.
 */
export const TASKS_HISTORY = 3;

/** KV buckets, also declared as data. History 1 elsewhere: only the current value matters. */
export function bucketSpecs(names: Names): { name: string; options: Partial<KvOptions> }[] {
  return [
    { name: names.tasksBucket, options: { history: TASKS_HISTORY } },
    { name: names.idempotencyBucket, options: { history: 1 } },
    { name: names.stepsBucket, options: { history: 1 } },
    { name: names.capabilitiesBucket, options: { history: 1 } },
    { name: names.agentsBucket, options: { history: 1, ttl: AGENT_TTL_MS } },
    // No bucket TTL: each holder carries its own lease, pruned on the next write.
    { name: names.limitsBucket, options: { history: 1 } },
    { name: names.linksBucket, options: { history: 1 } },
    { name: names.waitingBucket, options: { history: 1, ttl: WAITING_INDEX_TTL_MS } },
  ];
}

/** The durable pull consumers of one capability: one per priority band. */
export function consumerSpecs(
  names: Names,
  capability: string,
  config: BatonConfig,
): Partial<ConsumerConfig>[] {
  return PRIORITIES.map((priority) => ({
    durable_name: names.consumerName(capability, priority),
    filter_subject: names.tasksSubject(capability, priority),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: config.leaseMs * NS_PER_MS,
    // Baton counts deliveries itself and dead-letters; the server must never drop a task.
    max_deliver: -1,
    max_ack_pending: -1,
    max_waiting: 512,
  }));
}

function apiCode(err: unknown): number | undefined {
  return err instanceof JetStreamApiError ? err.code : undefined;
}

export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<void> {
  try {
    const info = await jsm.streams.info(spec.name);
    const drift =
      JSON.stringify(info.config.subjects) !== JSON.stringify(spec.subjects) ||
      (spec.max_age !== undefined && info.config.max_age !== spec.max_age) ||
      (spec.allow_direct !== undefined && info.config.allow_direct !== spec.allow_direct) ||
      (spec.duplicate_window !== undefined &&
        info.config.duplicate_window !== spec.duplicate_window);
    if (drift) {
      const { name: _name, retention: _retention, storage: _storage, ...mutable } = spec;
      await jsm.streams.update(spec.name, mutable);
    }
  } catch (err) {
    if (apiCode(err) !== STREAM_NOT_FOUND) throw err;
    try {
      await jsm.streams.add(spec);
    } catch (addErr) {
      // Another process may have created it between our info and add.
      await jsm.streams.info(spec.name).catch(() => {
        throw addErr;
      });
    }
  }
}

/**
 * Opens a KV bucket, creating it when missing. Processes starting together on a fresh prefix all
 * try to create it; the server may turn down the loser's create as overlapping the winner's
 * subjects, and then the bucket is there to open.
 */
export async function ensureBucket(
  kvm: Kvm,
  jsm: JetStreamManager,
  name: string,
  options: Partial<KvOptions>,
): Promise<KV> {
  try {
    return await kvm.create(name, options);
  } catch (err) {
    await jsm.streams.info(`KV_${name}`).catch(() => {
      throw err;
    });
    return kvm.create(name, options);
  }
}

export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  spec: Partial<ConsumerConfig>,
): Promise<void> {
  const name = spec.durable_name;
  if (!name) throw new Error("consumer spec needs a durable_name");
  try {
    const info = await jsm.consumers.info(stream, name);
    if (info.config.ack_wait !== spec.ack_wait) {
      await jsm.consumers.update(stream, name, { ack_wait: spec.ack_wait });
    }
  } catch (err) {
    if (apiCode(err) !== CONSUMER_NOT_FOUND) throw err;
    try {
      await jsm.consumers.add(stream, spec);
    } catch (addErr) {
      await jsm.consumers.info(stream, name).catch(() => {
        throw addErr;
      });
    }
  }
}

/**
 * Raises a bucket created by an older Baton to the history it now declares (Kvm.create leaves
 * an existing bucket as it is). Only ever raised: a lower setting would drop revisions.
 */
export async function ensureBucketHistory(
  jsm: JetStreamManager,
  info: StreamInfo,
  history: number,
): Promise<void> {
  const current = info.config.max_msgs_per_subject;
  // 0 or -1: no limit, which already keeps every revision.
  if (current <= 0 || current >= history) return;
  await jsm.streams.update(info.config.name, { ...info.config, max_msgs_per_subject: history });
}
