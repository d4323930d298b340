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
