import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import {
  adjustCounts,
  anyLimitApplies,
  canStart,
  limitKeys,
  validateLimits,
  type ConcurrencyLimit,
  type RunningCounts,
} from "../../src/placement/concurrency-limit.js";

const limits: ConcurrencyLimit[] = [
  { label: "tenant", max: 2 },
  { label: "tenant", value: "big", max: 5 },
  { label: "model", max: 1 },
];

describe("limitKeys", () => {
  it("derives one key per applicable label, sorted", () => {
    expect(limitKeys(limits, { tenant: "acme", model: "llama", other: "x" })).toEqual([
      "model=llama",
      "tenant=acme",
    ]);
    expect(limitKeys(limits, {})).toEqual([]);
    expect(limitKeys(limits)).toEqual([]);
  });
});

describe("anyLimitApplies", () => {
  it("says whether limitKeys would find a key, for the claim path's shortcut", () => {
    const onlyBig: ConcurrencyLimit[] = [{ label: "tenant", value: "big", max: 5 }];
    const cases: [readonly ConcurrencyLimit[], Record<string, string> | undefined][] = [
      [limits, { tenant: "acme" }],
      [limits, { other: "x" }],
      [limits, undefined],
      [onlyBig, { tenant: "big" }],
      [onlyBig, { tenant: "small" }],
      [[], { tenant: "acme" }],
    ];
    for (const [ls, labels] of cases) {
      expect(anyLimitApplies(ls, labels)).toBe(limitKeys(ls, labels).length > 0);
    }
    expect(cases.map(([ls, labels]) => anyLimitApplies(ls, labels))).toEqual([
      true,
      false,
      false,
      true,
      false,
      false,
    ]);
  });
});

describe("canStart", () => {
  it("allows up to max running per label value", () => {
    let running: RunningCounts = {};
    const labels = { tenant: "acme" };
    const keys = limitKeys(limits, labels);
    for (let i = 0; i < 2; i++) {
      expect(canStart(limits, running, labels)).toEqual({ ok: true });
      running = adjustCounts(running, keys, 1);
    }
    expect(canStart(limits, running, labels)).toEqual({
      ok: false,
      key: "tenant=acme",
      running: 2,
      max: 2,
      reason: "limit tenant=acme reached (2/2 running)",
    });
    // Other tenants and unlabelled tasks are not affected.
    expect(canStart(limits, running, { tenant: "beta" }).ok).toBe(true);
    expect(canStart(limits, running, {}).ok).toBe(true);
    running = adjustCounts(running, keys, -1);
    expect(canStart(limits, running, labels).ok).toBe(true);
  });

  it("lets a value-specific limit override the general one", () => {
    expect(canStart(limits, { "tenant=big": 4 }, { tenant: "big" }).ok).toBe(true);
    expect(canStart(limits, { "tenant=big": 5 }, { tenant: "big" }).ok).toBe(false);
  });

  it("takes the tightest of duplicate limits and checks every key", () => {
    const dup: ConcurrencyLimit[] = [...limits, { label: "tenant", max: 1 }];
    expect(canStart(dup, { "tenant=acme": 1 }, { tenant: "acme" }).ok).toBe(false);
    const verdict = canStart(limits, { "model=llama": 1 }, { tenant: "acme", model: "llama" });
    expect(verdict).toMatchObject({ ok: false, key: "model=llama" });
  });
});

describe("adjustCounts", () => {
  it("never goes below zero and drops zero keys", () => {
    expect(adjustCounts({ a: 1, b: 2 }, ["a", "b", "c"], -1)).toEqual({ b: 1 });
    expect(adjustCounts({}, ["a"], 1)).toEqual({ a: 1 });
  });

  it("does not mutate its input", () => {
    const before = { a: 1 };
    adjustCounts(before, ["a"], 1);
    expect(before).toEqual({ a: 1 });
  });
});

describe("validateLimits", () => {
  it.each([
    ["limits[0].label", [{ label: "", max: 1 }]],
    [
      "limits[1].max",
      [
        { label: "a", max: 1 },
        { label: "b", max: 0 },
      ],
    ],
    ["limits[0].max", [{ label: "a", max: 1.5 }]],
  ])("names %s", (field, bad) => {
    expect(() => validateLimits(bad)).toThrow(ValidationError);
    expect(() => validateLimits(bad)).toThrow(`${field}:`);
  });

  it("accepts valid limits", () => {
    expect(() => validateLimits(limits)).not.toThrow();
  });
});
