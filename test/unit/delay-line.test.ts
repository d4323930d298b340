import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DelayLine } from "../../src/dispatch/delay-line.js";

describe("DelayLine", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("hands each item out its delay after it went in, in order", () => {
    const out: string[] = [];
    const line = new DelayLine<string>(50, (item) => out.push(item));
    line.add("a");
    vi.advanceTimersByTime(20);
    line.add("b");
    vi.advanceTimersByTime(29);
    expect(out).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(out).toEqual(["a"]);
    vi.advanceTimersByTime(19);
    expect(out).toEqual(["a"]);
    vi.advanceTimersByTime(1);
    expect(out).toEqual(["a", "b"]);
    expect(line.size).toBe(0);
    line.add("c");
    vi.advanceTimersByTime(50);
    expect(out).toEqual(["a", "b", "c"]);
  });

  it("runs one timer for any number of items", () => {
    const line = new DelayLine<number>(50, () => undefined);
    for (let i = 0; i < 5000; i++) line.add(i);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(50);
    expect(line.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("takes items added while handing out, once each", () => {
    const out: number[] = [];
    const line = new DelayLine<number>(10, (n) => {
      out.push(n);
      if (n < 3) line.add(n + 1);
    });
    line.add(0);
    vi.advanceTimersByTime(100);
    expect(out).toEqual([0, 1, 2, 3]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("drops everything on clear", () => {
    const out: number[] = [];
    const line = new DelayLine<number>(10, (n) => out.push(n));
    line.add(1);
    line.clear();
    vi.advanceTimersByTime(100);
    expect(out).toEqual([]);
    expect(line.size).toBe(0);
  });
});
