import { ValidationError } from "../errors.js";

/**
 * At most `max` running tasks per value of `label` (e.g. per tenant). With `value` set the limit
 * applies to that value only and overrides a general limit on the same label.
 */
export interface ConcurrencyLimit {
  label: string;
  value?: string;
  max: number;
}

/** Running tasks per limit key ("tenant=acme"), counted across all agents. */
export type RunningCounts = Readonly<Record<string, number>>;

export type LimitVerdict =
  { ok: true } | { ok: false; key: string; running: number; max: number; reason: string };

export function limitKey(label: string, value: string): string {
  return `${label}=${value}`;
}

/** Throws a ValidationError naming the entry for a limit that cannot be enforced. */
export function validateLimits(limits: readonly ConcurrencyLimit[], field = "limits"): void {
  limits.forEach((l, i) => {
    if (typeof l.label !== "string" || l.label.length === 0)
      throw new ValidationError(`${field}[${i}].label`, "must be a non-empty string");
    if (!Number.isInteger(l.max) || l.max < 1)
      throw new ValidationError(`${field}[${i}].max`, "must be an integer of at least 1");
  });
}

/** The label value by which `limit` counts a task with `labels`, or undefined when it does not. */
function countedAs(
  limit: ConcurrencyLimit,
  labels: Readonly<Record<string, string>>,
): string | undefined {
  const actual = labels[limit.label];
  return limit.value === undefined || limit.value === actual ? actual : undefined;
}

/** Whether any limit counts a task with `labels`; allocates nothing (asked on every claim). */
export function anyLimitApplies(
  limits: readonly ConcurrencyLimit[],
  labels?: Readonly<Record<string, string>>,
): boolean {
  return labels !== undefined && limits.some((l) => countedAs(l, labels) !== undefined);
}

/** The effective limit per key for a task with `labels`: value-specific limits win. */
export function applicableLimits(
  limits: readonly ConcurrencyLimit[],
  labels: Readonly<Record<string, string>> = {},
): Map<string, number> {
  const general = new Map<string, number>();
  const specific = new Map<string, number>();
  for (const l of limits) {
    const actual = countedAs(l, labels);
    if (actual === undefined) continue;
    const target = l.value === undefined ? general : specific;
    const key = limitKey(l.label, actual);
    target.set(key, Math.min(target.get(key) ?? Infinity, l.max));
  }
  return new Map([...general, ...specific]);
}

/** Keys whose counts a task with `labels` uses, sorted; empty when no limit applies. */
export function limitKeys(
  limits: readonly ConcurrencyLimit[],
  labels?: Readonly<Record<string, string>>,
): string[] {
  return [...applicableLimits(limits, labels).keys()].sort();
}

/** Whether one more task with `labels` may start without exceeding any limit. */
export function canStart(
  limits: readonly ConcurrencyLimit[],
  running: RunningCounts,
  labels?: Readonly<Record<string, string>>,
): LimitVerdict {
  const applicable = [...applicableLimits(limits, labels)].sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [key, max] of applicable) {
    const count = running[key] ?? 0;
    if (count >= max) {
      return {
        ok: false,
        key,
        running: count,
        max,
        reason: `limit ${key} reached (${count}/${max} running)`,
      };
    }
  }
  return { ok: true };
}

/** Counts after a task with these keys starts (+1) or ends (-1); keys at zero are dropped. */
export function adjustCounts(
  running: RunningCounts,
  keys: readonly string[],
  delta: 1 | -1,
): RunningCounts {
  const next: Record<string, number> = { ...running };
  for (const key of keys) {
    const n = Math.max(0, (next[key] ?? 0) + delta);
    if (n === 0) delete next[key];
    else next[key] = n;
  }
  return next;
}
