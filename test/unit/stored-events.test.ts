import { describe, expect, it } from "vitest";
import { storedEvents, type StoredEventBody } from "../../src/store/events.js";
import { TaskState } from "../../src/types.js";

const end: StoredEventBody = {
  type: "state",
  taskId: "t1",
  time: 2_000,
  state: TaskState.Succeeded,
  attempt: 1,
  result: { ok: true },
  runningAt: 1_500,
};

describe("storedEvents", () => {
  it("shows an end event that carries RUNNING as RUNNING, then the end one sequence later", () => {
    const { runningAt: _, ...withoutRunning } = end;
    expect(storedEvents(end, 42)).toEqual([
      { type: "state", taskId: "t1", time: 1_500, state: TaskState.Running, attempt: 1, seq: 41 },
      { ...withoutRunning, seq: 42 },
    ]);
  });

  it("leaves RUNNING out of a resume that starts after it, and keeps it in one from it", () => {
    expect(storedEvents(end, 42, 42).map((e) => e.seq)).toEqual([42]);
    expect(storedEvents(end, 42, 41).map((e) => e.seq)).toEqual([41, 42]);
    expect(storedEvents(end, 42, 1).map((e) => e.seq)).toEqual([41, 42]);
  });

  it("passes every other event through with its sequence", () => {
    const progress: StoredEventBody = {
      type: "progress",
      taskId: "t1",
      time: 1,
      attempt: 1,
      progress: 0.5,
    };
    expect(storedEvents(progress, 7)).toEqual([{ ...progress, seq: 7 }]);
    const { runningAt: _, ...plain } = end;
    expect(storedEvents(plain, 9)).toEqual([{ ...plain, seq: 9 }]);
  });

  it("numbers both 0 when read without a sequence, and never below 0", () => {
    expect(storedEvents(end, 0).map((e) => e.seq)).toEqual([0, 0]);
    expect(storedEvents(end, 1).map((e) => e.seq)).toEqual([0, 1]);
  });
});
