import { describe, expect, it } from "vitest";
import { InFlightTable } from "../../src/in-flight.js";

describe("InFlightTable", () => {
  it("keeps, counts and forgets entries by key", () => {
    const t = new InFlightTable<{ n: number }>();
    const a = { n: 1 };
    t.set("a", a).set("b", { n: 2 });
    expect(t.size).toBe(2);
    expect(t.get("a")).toBe(a);
    expect(t.has("b")).toBe(true);
    t.set("a", { n: 3 });
    expect(t.size).toBe(2);
    expect(t.get("a")).toEqual({ n: 3 });
    expect(t.delete("a")).toBe(true);
    expect(t.delete("a")).toBe(false);
    expect(t.has("a")).toBe(false);
    expect(t.get("a")).toBeUndefined();
    expect(t.size).toBe(1);
    t.clear();
    expect(t.size).toBe(0);
    expect(t.get("b")).toBeUndefined();
  });

  it("takes any string as a key, those an object would inherit or index too", () => {
    const t = new InFlightTable<string>();
    const keys = [
      "__proto__",
      "constructor",
      "toString",
      "hasOwnProperty",
      "0",
      "42",
      "01M98N9HW4",
    ];
    for (const k of keys) {
      expect(t.has(k)).toBe(false);
      t.set(k, `v${k}`);
    }
    expect(t.size).toBe(keys.length);
    for (const k of keys) expect(t.get(k)).toBe(`v${k}`);
    expect(new Set(t.keys())).toEqual(new Set(keys));
    for (const k of keys) expect(t.delete(k)).toBe(true);
    expect(t.size).toBe(0);
    expect([...t.entries()]).toEqual([]);
  });

  it("iterates what is present and allows deleting while iterating", () => {
    const t = new InFlightTable<number>();
    for (let i = 0; i < 10; i++) t.set(`k${i}`, i);
    const seen: number[] = [];
    for (const [key, value] of t) {
      seen.push(value);
      if (value % 2 === 0) t.delete(key);
    }
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...t.values()].sort((a, b) => a - b)).toEqual([1, 3, 5, 7, 9]);
    expect(t.size).toBe(5);
  });

  it("stays correct through heavy churn", () => {
    const t = new InFlightTable<number>();
    const live = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const key = `task-${i}`;
      t.set(key, i);
      live.set(key, i);
      if (i >= 64) {
        const old = `task-${i - 64}`;
        expect(t.delete(old)).toBe(true);
        live.delete(old);
      }
    }
    expect(t.size).toBe(live.size);
    expect(new Map(t.entries())).toEqual(live);
  });
});
