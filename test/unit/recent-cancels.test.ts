import { describe, expect, it } from "vitest";
import { RecentCancels } from "../../src/dispatch/recent-cancels.js";

describe("RecentCancels", () => {
  const t0 = 1_000_000;

  it("vouches for nothing until it listens", () => {
    const c = new RecentCancels(30_000, 1_000);
    expect(c.vouchesFrom()).toBeUndefined();
    expect(c.uncancelled("a", t0, t0 + 10)).toBe(false);
    c.add("a", t0);
    expect(c.heard("a")).toBe(false);
  });

  it("vouches for a task created while listening, and not for one it heard cancelled", () => {
    const c = new RecentCancels(30_000, 1_000);
    c.listening(t0);
    expect(c.vouchesFrom()).toBe(t0 + 1_000);
    expect(c.uncancelled("a", t0 + 1_500, t0 + 1_600)).toBe(true);
    c.add("a", t0 + 1_550);
    expect(c.heard("a")).toBe(true);
    expect(c.uncancelled("a", t0 + 1_500, t0 + 1_600)).toBe(false);
    expect(c.uncancelled("b", t0 + 1_500, t0 + 1_600)).toBe(true);
  });

  it("does not vouch for tasks created before listening began, within the clock margin", () => {
    const c = new RecentCancels(30_000, 1_000);
    c.listening(t0);
    expect(c.uncancelled("a", t0 - 5_000, t0 + 100)).toBe(false);
    expect(c.uncancelled("a", t0 + 999, t0 + 1_100)).toBe(false);
    expect(c.uncancelled("a", t0 + 1_000, t0 + 1_100)).toBe(true);
  });

  it("does not vouch for tasks older than its memory", () => {
    const c = new RecentCancels(30_000, 1_000);
    c.listening(t0);
    const created = t0 + 2_000;
    expect(c.uncancelled("a", created, created + 29_000)).toBe(true);
    expect(c.uncancelled("a", created, created + 29_001)).toBe(false);
  });

  it("forgets cancels older than its memory as new ones arrive", () => {
    const c = new RecentCancels(30_000, 1_000);
    c.listening(t0);
    c.add("old", t0 + 1);
    c.add("new", t0 + 30_002);
    expect(c.heard("old")).toBe(false);
    expect(c.heard("new")).toBe(true);
  });

  it("starts over after a disconnect, and after more cancels than it keeps", () => {
    const c = new RecentCancels(30_000, 1_000, 2);
    c.listening(t0);
    c.deaf();
    expect(c.uncancelled("a", t0 + 5_000, t0 + 5_001)).toBe(false);
    c.listening(t0 + 10_000);
    expect(c.uncancelled("a", t0 + 5_000, t0 + 12_000)).toBe(false);
    expect(c.uncancelled("a", t0 + 11_000, t0 + 12_000)).toBe(true);
    c.add("x", t0 + 12_000);
    c.add("y", t0 + 12_001);
    // The third is one too many: everything before it now reads its record.
    c.add("z", t0 + 12_002);
    expect(c.uncancelled("a", t0 + 11_000, t0 + 12_003)).toBe(false);
    expect(c.uncancelled("a", t0 + 13_002, t0 + 13_003)).toBe(true);
  });
});
