import { describe, expect, it } from "vitest";
import { derivedTaskId, isTaskId, newTaskId } from "../../src/ids.js";

describe("task ids", () => {
  it("derives the same id from the same name and time, and another from another name", () => {
    const t = Date.UTC(2026, 10, 29, 12);
    const id = derivedTaskId(t, "child:01JXYZ:double#1");
    expect(isTaskId(id)).toBe(true);
    expect(derivedTaskId(t, "child:01JXYZ:double#1")).toBe(id);
    expect(derivedTaskId(t, "child:01JXYZ:double#2")).not.toBe(id);
  });

  it("gives a derived id the time part a random id of that time has, so both sort by it", () => {
    const t = Date.UTC(2026, 10, 29, 12);
    expect(derivedTaskId(t, "a").slice(0, 10)).toBe(newTaskId(t).slice(0, 10));
    expect(derivedTaskId(t + 1, "a") > derivedTaskId(t, "zzz")).toBe(true);
  });
});
