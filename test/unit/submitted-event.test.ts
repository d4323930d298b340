import { describe, expect, it } from "vitest";
import { isStoredSubmitEvent, submittedEvent } from "../../src/store/events.js";
import { TaskState } from "../../src/types.js";
import { pendingRecord } from "../helpers/records.js";

describe("submittedEvent", () => {
  it("is the PENDING event submit would have stored: attempt 0 at the record's creation", () => {
    const record = pendingRecord({ createdAt: 1_000, updatedAt: 5_000 });
    expect(submittedEvent(record)).toEqual({
      type: "state",
      taskId: record.id,
      time: 1_000,
      state: TaskState.Pending,
      attempt: 0,
      seq: 0,
    });
  });

  it("carries the runAt the task was submitted with, whatever runAt says now", () => {
    expect(submittedEvent(pendingRecord({ runAt: 9_000, submitRunAt: 9_000 })).runAt).toBe(9_000);
    // A retry set a new runAt; the first event still shows the submitted one.
    const retried = pendingRecord({ attempt: 1, runAt: 20_000, submitRunAt: 9_000 });
    expect(submittedEvent(retried)).toMatchObject({ attempt: 0, runAt: 9_000 });
    // Not delayed at submit: a later runAt (a retry's) is not the first event's.
    expect(submittedEvent(pendingRecord({ attempt: 1, runAt: 20_000 }))).not.toHaveProperty(
      "runAt",
    );
  });
});

describe("isStoredSubmitEvent", () => {
  const base = { taskId: "t", time: 1_000, seq: 3 };
  const pending = { ...base, type: "state" as const, state: TaskState.Pending };
  it("matches only a PENDING state event of attempt 0 at the record's creation", () => {
    expect(isStoredSubmitEvent({ ...pending, attempt: 0 }, 1_000)).toBe(true);
    // A retry or a release goes back to PENDING with the attempt it used.
    expect(isStoredSubmitEvent({ ...pending, attempt: 1 }, 1_000)).toBe(false);
    // A replay of a task that died before any claim: attempt 0, but not at creation.
    expect(isStoredSubmitEvent({ ...pending, attempt: 0, time: 9_000 }, 1_000)).toBe(false);
    expect(
      isStoredSubmitEvent({ ...base, type: "state", state: TaskState.Running, attempt: 0 }, 1_000),
    ).toBe(false);
    expect(
      isStoredSubmitEvent({ ...base, type: "progress", attempt: 0, progress: {} }, 1_000),
    ).toBe(false);
  });
});
