import { describe, expect, it } from "vitest";
import { SlotTable } from "../../src/slot-table.js";

describe("SlotTable", () => {
  it("hands out a token per entry and takes the entry back by it once", () => {
    const t = new SlotTable<string>("r");
    const a = t.add("a");
    const b = t.add("b");
    expect(a).not.toBe(b);
    expect(t.size).toBe(2);
    expect(t.get(a)).toBe("a");
    expect(t.take(a)).toBe("a");
    expect(t.take(a)).toBeUndefined();
    expect(t.get(a)).toBeUndefined();
    expect(t.size).toBe(1);
    expect(t.get(b)).toBe("b");
  });

  it("never lets an old token reach the entry that reuses its slot", () => {
    const t = new SlotTable<string>("r");
    const first = t.add("first");
    t.take(first);
    const second = t.add("second");
    expect(second).not.toBe(first);
    expect(t.get(first)).toBeUndefined();
    expect(t.take(first)).toBeUndefined();
    expect(t.get(second)).toBe("second");
  });

  it("ignores tokens of another tag and malformed ones", () => {
    const requests = new SlotTable<string>("r");
    const gathers = new SlotTable<string>("g");
    const r = requests.add("request");
    const g = gathers.add("gather");
    expect(gathers.get(r)).toBeUndefined();
    expect(requests.take(g)).toBeUndefined();
    for (const bad of ["", "r", "r-", "r-0", "rzz", "x0-0", "r0-0-0", "r0-"]) {
      expect(requests.take(bad)).toBeUndefined();
    }
    expect(requests.get(r)).toBe("request");
  });

  it("makes tokens that can end a NATS subject", () => {
    const t = new SlotTable<number>("g");
    for (let i = 0; i < 5000; i++) {
      const token = t.add(i);
      expect(token).toMatch(/^g[0-9a-z]+-[0-9a-z]+$/);
      if (i % 3 !== 0) t.take(token);
    }
  });

  it("lists what is present and allows taking while listing", () => {
    const t = new SlotTable<number>("r");
    const tokens = Array.from({ length: 10 }, (_, i) => t.add(i));
    t.take(tokens[4] ?? "");
    const seen: number[] = [];
    for (const [token, value] of t.entries()) {
      seen.push(value);
      if (value % 2 === 0) expect(t.take(token)).toBe(value);
    }
    expect(seen).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9]);
    expect([...t.entries()].map(([, v]) => v)).toEqual([1, 3, 5, 7, 9]);
    expect(t.size).toBe(5);
  });

  it("stays correct through heavy churn, reusing its slots", () => {
    const t = new SlotTable<number>("r");
    const live = new Map<string, number>();
    const order: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const token = t.add(i);
      live.set(token, i);
      order.push(token);
      if (order.length > 64) {
        const old = order.shift() ?? "";
        expect(t.take(old)).toBe(live.get(old));
        live.delete(old);
      }
    }
    expect(t.size).toBe(64);
    expect(new Map(t.entries())).toEqual(live);
    // 65 slots at most were ever needed: every token names one of them.
    const slots = new Set([...t.entries()].map(([token]) => token.slice(1, token.indexOf("-"))));
    for (const s of slots) expect(parseInt(s, 36)).toBeLessThan(65);
  });
});
