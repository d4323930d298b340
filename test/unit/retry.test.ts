import { thrownBy } from "../helpers/errors.js";
import { describe, it, expect } from "vitest";
import { ValidationError } from "../../src/errors.js";
import {
  compileRetryPolicy,
  DEFAULT_RETRY_POLICY,
  hasAttemptsLeft,
  retryDelayMs,
  type RetryOptions,
  type RetryPolicy,
} from "../../src/retry.js";

const noJitter: RetryPolicy = {
  maxAttempts: 10,
  initialIntervalMs: 1000,
  backoffCoefficient: 2,
  maximumIntervalMs: 10_000,
  jitter: 0,
};

describe("compileRetryPolicy", () => {
  it("returns a copy of the base when no options are given", () => {
    const policy = compileRetryPolicy(undefined, DEFAULT_RETRY_POLICY, "retry");
    expect(policy).toEqual(DEFAULT_RETRY_POLICY);
    expect(policy).not.toBe(DEFAULT_RETRY_POLICY);
  });

  it("overrides only the fields given and parses durations", () => {
    const policy = compileRetryPolicy(
      { maxAttempts: 5, initialInterval: "250ms", maximumInterval: "1m30s" },
      DEFAULT_RETRY_POLICY,
      "retry",
    );
    expect(policy).toEqual({
      maxAttempts: 5,
      initialIntervalMs: 250,
      backoffCoefficient: 2,
      maximumIntervalMs: 90_000,
      jitter: 0.2,
    });
  });

  it("accepts numeric intervals as milliseconds", () => {
    const policy = compileRetryPolicy(
      { initialInterval: 10, maximumInterval: 10 },
      DEFAULT_RETRY_POLICY,
      "r",
    );
    expect(policy.initialIntervalMs).toBe(10);
    expect(policy.maximumIntervalMs).toBe(10);
  });

  it.each<[RetryOptions, string]>([
    [{ maxAttempts: 0 }, "task.retry.maxAttempts"],
    [{ maxAttempts: 1.5 }, "task.retry.maxAttempts"],
    [{ backoffCoefficient: 0.5 }, "task.retry.backoffCoefficient"],
    [{ jitter: -0.1 }, "task.retry.jitter"],
    [{ jitter: 1.01 }, "task.retry.jitter"],
    [{ initialInterval: 0 }, "task.retry.initialInterval"],
    [{ initialInterval: "soon" }, "task.retry.initialInterval"],
    [{ maximumInterval: "-1s" }, "task.retry.maximumInterval"],
    [{ maximumInterval: "500ms" }, "task.retry.maximumInterval"],
    [{ initialInterval: "2m" }, "task.retry.initialInterval"],
    [{ initialInterval: "2m", maximumInterval: "1m" }, "task.retry.maximumInterval"],
  ])("rejects %j naming %s", (opts, field) => {
    const err = validationError(() => compileRetryPolicy(opts, DEFAULT_RETRY_POLICY, "task.retry"));
    expect(err.field).toBe(field);
    expect(err.message.startsWith(`${field}: `)).toBe(true);
  });

  it("reports an unparseable duration with the duration hint", () => {
    const err = validationError(() =>
      compileRetryPolicy({ initialInterval: "soon" }, DEFAULT_RETRY_POLICY, "retry"),
    );
    expect(err.message).toBe(
      'retry.initialInterval: expected a duration like "30s", "500ms" or "5m", got "soon"',
    );
  });

  it("rejects unknown keys by name", () => {
    const opts = { maxAttempts: 2, maxAtempts: 3 } as RetryOptions;
    expect(
      validationError(() => compileRetryPolicy(opts, DEFAULT_RETRY_POLICY, "retry")).field,
    ).toBe("retry.maxAtempts");
  });

  it("rejects a non-object", () => {
    const opts = 5 as unknown as RetryOptions;
    expect(
      validationError(() => compileRetryPolicy(opts, DEFAULT_RETRY_POLICY, "retry")).field,
    ).toBe("retry");
  });
});

describe("retryDelayMs", () => {
  it("grows exponentially and is capped at the maximum interval", () => {
    const delays = [1, 2, 3, 4, 5, 6, 20].map((n) => retryDelayMs(noJitter, n));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it("gives exact values without jitter regardless of random()", () => {
    expect(retryDelayMs(noJitter, 3, () => 0)).toBe(4000);
    expect(retryDelayMs(noJitter, 3, () => 0.999)).toBe(4000);
  });

  it("keeps jittered delays within +/- jitter of the base", () => {
    const policy: RetryPolicy = { ...noJitter, jitter: 0.2 };
    expect(retryDelayMs(policy, 1, () => 0)).toBe(800);
    expect(retryDelayMs(policy, 1, () => 0.999)).toBe(1200);
    expect(retryDelayMs(policy, 1, () => 0.5)).toBe(1000);
    expect(retryDelayMs(policy, 3, () => 0)).toBe(3200);
    expect(retryDelayMs(policy, 3, () => 0.999)).toBe(4798);
    for (let i = 0; i < 200; i++) {
      const d = retryDelayMs(policy, 2);
      expect(d).toBeGreaterThanOrEqual(1600);
      expect(d).toBeLessThanOrEqual(2400);
      expect(Number.isInteger(d)).toBe(true);
    }
  });

  it("never exceeds the maximum interval even with upward jitter", () => {
    const policy: RetryPolicy = { ...noJitter, jitter: 0.5 };
    expect(retryDelayMs(policy, 10, () => 0.999)).toBe(10_000);
    expect(retryDelayMs(policy, 10, () => 0)).toBe(5000);
  });

  it("survives huge attempt numbers without overflow", () => {
    expect(retryDelayMs(noJitter, 10_000)).toBe(10_000);
  });

  it("uses the default policy sensibly", () => {
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 1, () => 0.5)).toBe(1000);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 2, () => 0.5)).toBe(2000);
  });
});

describe("hasAttemptsLeft", () => {
  it("counts the first attempt toward maxAttempts", () => {
    const policy: RetryPolicy = { ...noJitter, maxAttempts: 3 };
    expect(hasAttemptsLeft(policy, 0)).toBe(true);
    expect(hasAttemptsLeft(policy, 2)).toBe(true);
    expect(hasAttemptsLeft(policy, 3)).toBe(false);
    expect(hasAttemptsLeft({ ...policy, maxAttempts: 1 }, 1)).toBe(false);
  });
});

function validationError(fn: () => unknown): ValidationError {
  return thrownBy(fn, ValidationError);
}
