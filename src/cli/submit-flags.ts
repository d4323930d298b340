import { ValidationError } from "../errors.js";
import { PRIORITIES, type Priority, type SubmitOptions } from "../types.js";
import { stringFlag, stringsFlag, type FlagValues } from "./command.js";

/** Parses --input; the error names the flag so the user knows which argument was wrong. */
export function parseInput(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ValidationError("--input", `not valid JSON (${reason})`);
  }
}

export function parsePositiveInt(text: string, flag: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new ValidationError(flag, `expected a positive integer, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

function parseLabels(items: readonly string[]): Record<string, string> | undefined {
  if (items.length === 0) return undefined;
  const labels: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new ValidationError("--label", `expected key=value, got ${item}`);
    labels[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return labels;
}

/**
 * Submit options from flags. Values pass through as text so the client validates them and its
 * errors name the option (options.priority, options.delay, ...).
 */
export function submitOptionsFrom(values: FlagValues): SubmitOptions {
  const options: SubmitOptions = {};
  const key = stringFlag(values, "idempotency-key");
  if (key !== undefined) options.idempotencyKey = key;
  const priority = stringFlag(values, "priority");
  // Checked by the client; the cast only carries the text there.
  if (priority !== undefined) options.priority = priority as Priority;
  const delay = stringFlag(values, "delay");
  if (delay !== undefined) options.delay = delay;
  const runAt = stringFlag(values, "run-at");
  if (runAt !== undefined) options.runAt = runAt;
  const timeout = stringFlag(values, "timeout");
  if (timeout !== undefined) options.timeout = timeout;
  const deadline = stringFlag(values, "deadline");
  if (deadline !== undefined) options.deadline = deadline;
  const maxAttempts = stringFlag(values, "max-attempts");
  if (maxAttempts !== undefined) {
    options.retry = { maxAttempts: parsePositiveInt(maxAttempts, "--max-attempts") };
  }
  const labels = parseLabels(stringsFlag(values, "label"));
  if (labels) options.labels = labels;
  return options;
}

export const PRIORITY_CHOICES = PRIORITIES.join("|");
