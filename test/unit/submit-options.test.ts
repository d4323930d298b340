import { describe, expect, it } from "vitest";
import { compileSubmitOptions, checkInput } from "../../src/client/submit-options.js";
import { PayloadTooLargeError, ValidationError } from "../../src/errors.js";
import { DEFAULT_RETRY_POLICY } from "../../src/retry.js";
import type { SubmitOptions } from "../../src/types.js";
import { isTaskId, newTaskId } from "../../src/ids.js";

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.field;
    throw err;
  }
  return undefined;
}

describe("compileSubmitOptions", () => {
  const now = 1_000_000;
  it("defaults to normal priority and no retry override", () => {
    expect(compileSubmitOptions(undefined, DEFAULT_RETRY_POLICY, now)).toEqual({
      priority: "normal",
    });
  });

  it("turns delay, timeout and deadline into absolute values", () => {
    const c = compileSubmitOptions(
      { delay: "30s", timeout: "1m", deadline: now + 120_000, priority: "high" },
      DEFAULT_RETRY_POLICY,
      now,
    );
    expect(c).toMatchObject({
      runAt: now + 30_000,
      timeoutMs: 60_000,
      deadline: now + 120_000,
      priority: "high",
    });
  });

  it("merges a partial retry policy over the default", () => {
    const c = compileSubmitOptions({ retry: { maxAttempts: 7 } }, DEFAULT_RETRY_POLICY, now);
    expect(c.retry).toEqual({ ...DEFAULT_RETRY_POLICY, maxAttempts: 7 });
  });

  it.each<[string, SubmitOptions]>([
    ["options.priority", { priority: "urgent" as never }],
    ["options.delay", { delay: "soon" }],
    ["options.timeout", { timeout: 0 }],
    ["options.deadline", { deadline: now - 1 }],
    ["options.runAt", { delay: "1s", runAt: now }],
    ["options.retry.maxAttempts", { retry: { maxAttempts: 0 } }],
    ["options.idempotencyKey", { idempotencyKey: "" }],
    ["options.labels.bad key", { labels: { "bad key": "x" } }],
    ["options.parentId", { parentId: "nope" }],
    ["options.colour", { colour: "red" } as SubmitOptions],
  ])("names %s when it is invalid", (field, options) => {
    expect(fieldOf(() => compileSubmitOptions(options, DEFAULT_RETRY_POLICY, now))).toBe(field);
  });
});

describe("checkInput", () => {
  it("accepts JSON within the limit and rejects the rest naming input", () => {
    expect(checkInput({ a: 1 }, 100)).toEqual({ a: 1 });
    expect(checkInput(undefined, 100)).toBeNull();
    expect(() => checkInput({ a: "x".repeat(200) }, 100)).toThrow(PayloadTooLargeError);
    expect(fieldOf(() => checkInput({ n: 10n }, 100))).toBe("input");
  });
});

describe("task ids", () => {
  it("sort by creation time and validate", () => {
    const a = newTaskId(1000);
    const b = newTaskId(2000);
    expect(a < b).toBe(true);
    expect(isTaskId(a)).toBe(true);
    expect(isTaskId("not-an-id")).toBe(false);
  });
});

describe("placement options", () => {
  it("keeps requirements without their zero values and the affinity key", () => {
    const out = compileSubmitOptions(
      {
        requirements: { gpuType: "a100", gpuCount: 2, cpuSlots: 0, models: [], labels: { z: "a" } },
        affinityKey: "program-7",
      },
      DEFAULT_RETRY_POLICY,
    );
    expect(out.requirements).toEqual({ gpuType: "a100", gpuCount: 2, labels: { z: "a" } });
    expect(out.affinityKey).toBe("program-7");
    expect(
      compileSubmitOptions({ requirements: { cpuSlots: 0 } }, DEFAULT_RETRY_POLICY).requirements,
    ).toBeUndefined();
  });

  it("names the field of a bad requirement", () => {
    const fieldOf = (options: unknown): string | undefined => {
      try {
        compileSubmitOptions(options as SubmitOptions, DEFAULT_RETRY_POLICY);
      } catch (err) {
        return (err as ValidationError).field;
      }
      return undefined;
    };
    expect(fieldOf({ requirements: { gpuCount: -1 } })).toBe("options.requirements.gpuCount");
    expect(fieldOf({ requirements: { gpus: 1 } })).toBe("options.requirements.gpus");
    expect(fieldOf({ requirements: { models: [""] } })).toBe("options.requirements.models");
    expect(fieldOf({ requirements: { labels: { "bad key": "x" } } })).toBe(
      "options.requirements.labels.bad key",
    );
    expect(fieldOf({ requirements: "gpu" })).toBe("options.requirements");
    expect(fieldOf({ affinityKey: "" })).toBe("options.affinityKey");
  });
});
