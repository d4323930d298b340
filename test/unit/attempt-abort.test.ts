import { describe, expect, it } from "vitest";
import { AttemptAbort } from "../../src/dispatch/attempt-abort.js";

describe("AttemptAbort", () => {
  it("aborts a signal read before the abort, after the runtime's listener", () => {
    const a = new AttemptAbort();
    const order: string[] = [];
    a.onAbort(() => order.push("runtime"));
    const signal = a.signal;
    signal.addEventListener("abort", () => order.push("handler"));
    const reason = new Error("cancelled");
    a.abort(reason);
    expect(order).toEqual(["runtime", "handler"]);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
    expect(a.signal).toBe(signal);
  });

  it("hands a signal read after the abort already aborted, with the same reason", () => {
    const a = new AttemptAbort();
    const reason = new Error("timed out");
    a.abort(reason);
    expect(a.signal.aborted).toBe(true);
    expect(a.signal.reason).toBe(reason);
    expect(() => a.signal.throwIfAborted()).toThrow(reason);
  });

  it("keeps the first reason and calls the runtime's listener once", () => {
    const a = new AttemptAbort();
    const seen: Error[] = [];
    a.onAbort((r) => seen.push(r));
    const first = new Error("first");
    a.abort(first);
    a.abort(new Error("second"));
    expect(seen).toEqual([first]);
    expect(a.reason).toBe(first);
    expect(() => a.throwIfAborted()).toThrow(first);
  });

  it("calls a listener added after the abort at once", () => {
    const a = new AttemptAbort();
    expect(() => a.throwIfAborted()).not.toThrow();
    const reason = new Error("fenced");
    a.abort(reason);
    let seen: Error | undefined;
    a.onAbort((r) => (seen = r));
    expect(seen).toBe(reason);
  });
});
