import { describe, expect, it } from "vitest";
import { addChildren } from "../../src/store/children.js";
import { TaskState, type TaskRecord } from "../../src/types.js";

function parent(children?: string[]): TaskRecord {
  return {
    id: "P",
    capability: "orchestrate",
    state: TaskState.Running,
    input: null,
    priority: "normal",
    createdAt: 0,
    updatedAt: 0,
    attempt: 1,
    attempts: [],
    rootId: "P",
    ...(children ? { children } : {}),
  };
}

describe("addChildren", () => {
  it("lists new ids in the record, once each, in order", () => {
    const r = parent(["a"]);
    expect(addChildren(r, ["b", "a", "c", "b"], 10)).toEqual({ changed: true, overflow: [] });
    expect(r.children).toEqual(["a", "b", "c"]);
    expect(r.moreChildren).toBeUndefined();
  });

  it("leaves the record alone when every id is listed already", () => {
    const r = parent(["a", "b"]);
    expect(addChildren(r, ["b", "a"], 10)).toEqual({ changed: false, overflow: [] });
    expect(r.children).toEqual(["a", "b"]);
  });

  it("fills the record to the cap and returns the rest, marking the record once", () => {
    const r = parent(["a"]);
    expect(addChildren(r, ["b", "c", "d"], 2)).toEqual({ changed: true, overflow: ["c", "d"] });
    expect(r.children).toEqual(["a", "b"]);
    expect(r.moreChildren).toBe(true);
    // Full and marked: more links do not rewrite the record.
    expect(addChildren(r, ["e", "a"], 2)).toEqual({ changed: false, overflow: ["e"] });
    expect(r.children).toEqual(["a", "b"]);
  });
});
