import { describe, expect, it } from "vitest";
import { parseTaskMessage } from "../../src/dispatch/task-message.js";
import { newTaskId } from "../../src/ids.js";

const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

describe("parseTaskMessage", () => {
  it("reads the id of a bare message", () => {
    expect(parseTaskMessage(enc({ id: "abc" }))).toEqual({ id: "abc" });
  });

  it("keeps the inline record and its revision", () => {
    const record = { id: "abc", state: "PENDING", attempt: 0 };
    expect(parseTaskMessage(enc({ id: "abc", rev: 7, record }))).toEqual({
      id: "abc",
      inline: { record, revision: 7 },
    });
  });

  it("ignores an inline record of another task or without a revision", () => {
    expect(parseTaskMessage(enc({ id: "abc", rev: 7, record: { id: "xyz" } }))).toEqual({
      id: "abc",
    });
    expect(parseTaskMessage(enc({ id: "abc", record: { id: "abc" } }))).toEqual({ id: "abc" });
    expect(parseTaskMessage(enc({ id: "abc", rev: 0, record: { id: "abc" } }))).toEqual({
      id: "abc",
    });
  });

  it("rejects what is not a task message", () => {
    expect(parseTaskMessage(new TextEncoder().encode("not json"))).toBeUndefined();
    expect(parseTaskMessage(enc(null))).toBeUndefined();
    expect(parseTaskMessage(enc({ id: 5 }))).toBeUndefined();
    expect(parseTaskMessage(enc({ id: "" }))).toBeUndefined();
  });
});

describe("newTaskId", () => {
  it("stays unique and well formed across refills of its random pool", () => {
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) ids.add(newTaskId(1_700_000_000_000));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });
});
