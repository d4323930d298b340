import { ValidationError } from "../errors.js";
import type { Requirements } from "../placement/types.js";
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

/** `--label k=v` values as labels, undefined when none were given. */
export function parseLabels(items: readonly string[]): Record<string, string> | undefined {
  if (items.length === 0) return undefined;
  const labels: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new ValidationError("--label", `expected key=value, got ${item}`);
    labels[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return labels;
}

const REQUIRE_KEYS = "cpu, gpu, gpus, gpu-mem, model, label.<name>";
const MIB_PER: Readonly<Record<string, number>> = { mi: 1, gi: 1024, ti: 1024 * 1024 };
const MEMORY = /^(\d+(?:\.\d+)?)\s*(?:([mgt]i)b?)?$/i;

function requireError(message: string): ValidationError {
  return new ValidationError("--require", message);
}

function requireCount(key: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw requireError(`${key} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** GPU memory in MiB: a plain number is MiB; "512MiB", "40GiB", "1.5GiB" (or Mi/Gi/Ti) convert. */
export function parseMemoryMib(value: string): number {
  const m = MEMORY.exec(value.trim());
  const unit = (m?.[2] ?? "mi").toLowerCase();
  const mib = m ? Number(m[1]) * (MIB_PER[unit] ?? 1) : NaN;
  if (!Number.isSafeInteger(mib) || mib < 1) {
    throw requireError(
      `gpu-mem must be a whole number of MiB (40960) or a size like 40GiB, got ${JSON.stringify(value)}`,
    );
  }
  return mib;
}

/**
 * --require key=value items as Requirements: cpu=2, gpu=a100, gpus=2, gpu-mem=40GiB, model=x
 * (repeatable), label.zone=a (repeatable). Errors name the flag; the client checks the rest
 * (label names, lengths) and names the option.
 */
export function parseRequirements(items: readonly string[]): Requirements | undefined {
  if (items.length === 0) return undefined;
  const out: Requirements = {};
  const seen = new Set<string>();
  for (const item of items) {
    const eq = item.indexOf("=");
    const key = eq > 0 ? item.slice(0, eq).trim() : "";
    const value = eq > 0 ? item.slice(eq + 1).trim() : "";
    if (key === "" || value === "") {
      throw requireError(`expected key=value (keys: ${REQUIRE_KEYS}), got ${JSON.stringify(item)}`);
    }
    if (key === "model") {
      (out.models ??= []).push(value);
      continue;
    }
    if (seen.has(key)) throw requireError(`${key} given twice`);
    seen.add(key);
    if (key.startsWith("label.") && key.length > "label.".length) {
      (out.labels ??= {})[key.slice("label.".length)] = value;
      continue;
    }
    switch (key) {
      case "cpu":
        out.cpuSlots = requireCount(key, value);
        break;
      case "gpu":
        if (/^\d+$/.test(value)) {
          throw requireError(`gpu takes a GPU type (gpu=a100); for a count use gpus=${value}`);
        }
        out.gpuType = value;
        break;
      case "gpus":
        out.gpuCount = requireCount(key, value);
        break;
      case "gpu-mem":
        out.gpuMemoryMib = parseMemoryMib(value);
        break;
      default:
        throw requireError(`unknown requirement ${JSON.stringify(key)} (keys: ${REQUIRE_KEYS})`);
    }
  }
  return out;
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
  const requirements = parseRequirements(stringsFlag(values, "require"));
  if (requirements) options.requirements = requirements;
  const affinity = stringFlag(values, "affinity");
  if (affinity !== undefined) options.affinityKey = affinity;
  return options;
}

export const PRIORITY_CHOICES = PRIORITIES.join("|");
