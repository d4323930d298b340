import { JetStreamApiError } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { hashKey } from "../nats/subjects.js";
import {
  anyLimitApplies,
  applicableLimits,
  limitKeys,
  type ConcurrencyLimit,
} from "../placement/concurrency-limit.js";
import { isWrongLastSequence } from "../nats/errors.js";

/** One task holding a slot; the slot frees itself once `leaseUntil` (epoch ms) passes. */
export interface SlotHolder {
  attempt: number;
  leaseUntil: number;
}

/** The KV value of one limit key. */
export interface SlotEntry {
  key: string;
  holders: Record<string, SlotHolder>;
}

export type AcquireResult =
  | { ok: true; keys: string[] }
  | { ok: false; key: string; running: number; max: number; reason: string };

/** A slot decision: the entry to write (undefined: leave it), and whether the task holds a slot. */
export interface SlotChange {
  next: SlotEntry | undefined;
  held: boolean;
  running: number;
}

const WRONG_LAST_SEQUENCE_UNKNOWN = 10164;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** KV key of a limit key; limit keys hold user strings outside the KV key alphabet. */
export function slotKvKey(key: string): string {
  return hashKey(key);
}

/** Holders whose lease has not passed at `now`. */
export function liveHolders(
  holders: Readonly<Record<string, SlotHolder>>,
  now: number,
): Record<string, SlotHolder> {
  const live: Record<string, SlotHolder> = {};
  for (const [taskId, h] of Object.entries(holders)) if (h.leaseUntil > now) live[taskId] = h;
  return live;
}

function changed(before: SlotEntry, after: SlotEntry): boolean {
  return JSON.stringify(before.holders) !== JSON.stringify(after.holders);
}

/**
 * Take (or refresh) a slot for `taskId` unless `max` live holders already exist. Expired
 * holders are dropped first, so a crashed agent's slots free themselves after its lease.
 */
export function decideAcquire(
  entry: SlotEntry,
  taskId: string,
  holder: SlotHolder,
  max: number,
  now: number,
): SlotChange {
  const holders = liveHolders(entry.holders, now);
  const others = Object.keys(holders).filter((id) => id !== taskId).length;
  if (!(taskId in holders) && others >= max) {
    const next = { key: entry.key, holders };
    return { next: changed(entry, next) ? next : undefined, held: false, running: others };
  }
  holders[taskId] = { ...holder };
  const next = { key: entry.key, holders };
  return { next: changed(entry, next) ? next : undefined, held: true, running: others + 1 };
}

/**
 * Extend `taskId`'s lease. A holder pruned meanwhile is re-added only if a slot is still
 * free: the task keeps running either way, but the limit must never be over-counted.
 */
export function decideRenew(
  entry: SlotEntry,
  taskId: string,
  leaseUntil: number,
  max: number,
  now: number,
): SlotChange {
  const current = entry.holders[taskId];
  const attempt = current?.attempt ?? 0;
  return decideAcquire(entry, taskId, { attempt, leaseUntil }, max, now);
}

/**
 * Drop `taskId` (and expired holders); no write when nothing changes. With `attempt`, a slot a
 * later attempt took over (after a lapsed lease) is left to that attempt.
 */
export function decideRelease(
  entry: SlotEntry,
  taskId: string,
  now: number,
  attempt?: number,
): SlotChange {
  const holders = liveHolders(entry.holders, now);
  const current = holders[taskId];
  if (current && (attempt === undefined || current.attempt <= attempt)) delete holders[taskId];
  const next = { key: entry.key, holders };
  return {
    next: changed(entry, next) ? next : undefined,
    held: false,
    running: Object.keys(holders).length,
  };
}

/** The max of a limit key ("tenant=acme"), or undefined when no configured limit yields it. */
export function maxForKey(limits: readonly ConcurrencyLimit[], key: string): number | undefined {
  for (const l of limits) {
    if (!key.startsWith(`${l.label}=`)) continue;
    const max = applicableLimits(limits, { [l.label]: key.slice(l.label.length + 1) }).get(key);
    if (max !== undefined) return max;
  }
  return undefined;
}

function isHolder(value: unknown): value is SlotHolder {
  if (typeof value !== "object" || value === null) return false;
  const h = value as Record<string, unknown>;
  return typeof h["attempt"] === "number" && typeof h["leaseUntil"] === "number";
}

/** Decode a stored entry; unreadable holders are dropped rather than counted forever. */
export function decodeSlotEntry(key: string, bytes: Uint8Array | undefined): SlotEntry {
  const entry: SlotEntry = { key, holders: {} };
  if (bytes === undefined || bytes.length === 0) return entry;
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes));
  } catch {
    return entry;
  }
  if (typeof parsed !== "object" || parsed === null) return entry;
  const holders: unknown = (parsed as Record<string, unknown>)["holders"];
  if (typeof holders !== "object" || holders === null) return entry;
  for (const [taskId, h] of Object.entries(holders)) {
    if (isHolder(h)) entry.holders[taskId] = { attempt: h.attempt, leaseUntil: h.leaseUntil };
  }
  return entry;
}

function isCasConflict(err: unknown): boolean {
  if (err instanceof JetStreamApiError && err.code === WRONG_LAST_SEQUENCE_UNKNOWN) return true;
  return isWrongLastSequence(err);
}

function backoff(attempt: number): Promise<void> {
  // Spread racing writers out so contended keys settle in a few rounds.
  const ms = Math.random() * Math.min(50, 2 ** Math.min(attempt, 6));
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Concurrency-limit slots counted in a KV bucket shared by every agent. Each limit key is one
 * entry; every write is a compare-and-set on the revision read, so racing agents never
 * admit more than `max` holders.
 */
export class LimitSlots {
  constructor(
    private readonly kv: KV,
    private readonly limits: readonly ConcurrencyLimit[],
  ) {}

  /** Whether any limit applies to a task with `labels` (a claim takes slots only then). */
  applies(labels?: Readonly<Record<string, string>>): boolean {
    return anyLimitApplies(this.limits, labels);
  }

  /** Limit keys a task with `labels` needs, sorted; empty when no limit applies. */
  keysFor(labels?: Readonly<Record<string, string>>): string[] {
    return limitKeys(this.limits, labels);
  }

  /**
   * Take a slot on every applicable key, or none: keys are taken in sorted order and given
   * back if a later one is full. Re-acquiring for the same task refreshes its holder.
   */
  async acquire(
    taskId: string,
    attempt: number,
    labels: Record<string, string> | undefined,
    leaseUntil: number,
    now?: number,
  ): Promise<AcquireResult> {
    const applicable = [...applicableLimits(this.limits, labels)].sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    if (applicable.length === 0) return { ok: true, keys: [] };
    const taken: string[] = [];
    try {
      for (const [key, max] of applicable) {
        const change = await this.modify(key, (entry, at) =>
          decideAcquire(entry, taskId, { attempt, leaseUntil }, max, now ?? at),
        );
        if (!change.held) {
          await this.release(taskId, taken);
          return {
            ok: false,
            key,
            running: change.running,
            max,
            reason: `limit ${key} reached (${change.running}/${max} running)`,
          };
        }
        taken.push(key);
      }
    } catch (err) {
      // Best effort: a slot left behind frees itself when its lease passes.
      await this.release(taskId, taken).catch(() => undefined);
      throw err;
    }
    return { ok: true, keys: taken };
  }

  /** Extend the task's lease on `keys` (from a successful acquire). */
  async renew(taskId: string, keys: readonly string[], leaseUntil: number): Promise<void> {
    for (const key of keys) {
      const max = maxForKey(this.limits, key);
      // A key no configured limit yields any more has nothing to count against.
      if (max === undefined) continue;
      await this.modify(key, (entry, now) => decideRenew(entry, taskId, leaseUntil, max, now));
    }
  }

  /** Give back the task's slots on `keys` (only those still held by `attempt` or earlier). */
  async release(taskId: string, keys: readonly string[], attempt?: number): Promise<void> {
    for (const key of keys) {
      await this.modify(key, (entry, now) => decideRelease(entry, taskId, now, attempt));
    }
  }

  /** The current holders of a limit key, expired ones included (for inspection and tests). */
  async read(key: string): Promise<SlotEntry> {
    const stored = await this.kv.get(slotKvKey(key));
    return decodeSlotEntry(key, stored?.operation === "PUT" ? stored.value : undefined);
  }

  /** Read-decide-CAS loop on one key; retries when another writer got there first. */
  private async modify(
    key: string,
    decide: (entry: SlotEntry, now: number) => SlotChange,
  ): Promise<SlotChange> {
    const kvKey = slotKvKey(key);
    for (let attempt = 0; ; attempt++) {
      const stored = await this.kv.get(kvKey);
      // Revision 0 asks the server for "no entry yet"; a deleted entry's marker counts as one.
      const revision = stored?.revision ?? 0;
      const entry = decodeSlotEntry(key, stored?.operation === "PUT" ? stored.value : undefined);
      const change = decide(entry, Date.now());
      if (change.next === undefined) return change;
      try {
        await this.kv.put(kvKey, encoder.encode(JSON.stringify(change.next)), {
          previousSeq: revision,
        });
        return change;
      } catch (err) {
        if (!isCasConflict(err)) throw err;
        await backoff(attempt);
      }
    }
  }
}
