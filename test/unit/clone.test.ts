import { describe, expect, it } from "vitest";
import { cloneJson } from "../../src/store/clone.js";

describe("cloneJson", () => {
  it("copies a record deeply, so changing the copy leaves the original as it was", () => {
    const original = {
      id: "t1",
      attempts: [{ n: 1, outcome: undefined as string | undefined }],
      owner: { agentId: "a", leaseUntil: 5 },
      input: { list: [1, { x: "y" }], none: null },
    };
    const copy = cloneJson(original);
    expect(copy).toEqual(original);
    copy.attempts[0]!.outcome = "lost";
    copy.owner.leaseUntil = 9;
    (copy.input.list[1] as { x: string }).x = "z";
    copy.attempts.push({ n: 2, outcome: undefined });
    expect(original.attempts).toEqual([{ n: 1, outcome: undefined }]);
    expect(original.owner.leaseUntil).toBe(5);
    expect(original.input.list).toEqual([1, { x: "y" }]);
  });

  it("returns primitives and null as they are", () => {
    expect(cloneJson(3)).toBe(3);
    expect(cloneJson("s")).toBe("s");
    expect(cloneJson(null)).toBeNull();
    expect(cloneJson([true, false])).toEqual([true, false]);
  });
});
