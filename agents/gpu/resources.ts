import { ValidationError } from "../../src/errors.js";
import type { Resources } from "../../src/placement/types.js";

export const DEFAULT_GPU_TYPE = "a100";
/** 80 GiB, the large A100. */
export const DEFAULT_GPU_MEMORY_MIB = 81_920;
export const DEFAULT_MODELS = ["fake-7b", "fake-70b"];

type Env = Readonly<Record<string, string | undefined>>;

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  // Fail at start-up: an agent advertising NaN GPUs would mislead placement later.
  if (!Number.isInteger(n) || n < 1) throw new ValidationError(name, "must be a positive integer");
  return n;
}

/**
 * What this process advertises, from BATON_GPU_TYPE, BATON_GPU_COUNT, BATON_GPU_MEMORY_MIB and
 * BATON_GPU_MODELS (comma-separated). Read once at start: resources are static per process.
 */
export function gpuResources(env: Env = process.env): Resources & { models: string[] } {
  const models = (env.BATON_GPU_MODELS ?? DEFAULT_MODELS.join(","))
    .split(",")
    .map((m) => m.trim())
    .filter((m) => m.length > 0);
  if (models.length === 0) throw new ValidationError("BATON_GPU_MODELS", "lists no model");
  return {
    gpus: [
      {
        type: env.BATON_GPU_TYPE || DEFAULT_GPU_TYPE,
        count: positiveInt(env, "BATON_GPU_COUNT", 1),
        memoryMib: positiveInt(env, "BATON_GPU_MEMORY_MIB", DEFAULT_GPU_MEMORY_MIB),
      },
    ],
    models,
  };
}

/** Simulated inference time per task, BATON_GPU_LATENCY_MS (default 50). */
export function gpuLatencyMs(env: Env = process.env): number {
  const raw = env.BATON_GPU_LATENCY_MS;
  if (raw === undefined || raw === "") return 50;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    throw new ValidationError("BATON_GPU_LATENCY_MS", "must be a number of ms, 0 or more");
  }
  return n;
}
