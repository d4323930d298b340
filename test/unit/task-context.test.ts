import { describe, expect, it } from "vitest";
import type { BatonClient } from "../../src/client/client.js";
import { AttemptAbort } from "../../src/dispatch/attempt-abort.js";
import { createTaskContext, type AttemptState } from "../../src/dispatch/task-context.js";
import type { BatonConnection } from "../../src/nats/connection.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { TaskState, type TaskRecord } from "../../src/types.js";

const record: TaskRecord = {
  id: "t1",
  capability: "echo",
  state: TaskState.Running,
  input: { n: 1 },
  priority: "normal",
  createdAt: 0,
  updatedAt: 0,
  attempt: 1,
  attempts: [],
  rootId: "t1",
};

/** A context on stubs: only its shape and its signal are used here, never NATS. */
function context(abort: AttemptAbort) {
  const state: AttemptState = {
    record,
    versioned: { record, revision: 1 },
    abort,
    pendingEvents: new Set(),
    progressDirty: false,
    telemetry: {
      run: (fn) => fn(),
      step: (_n, _c, fn) => fn(),
      deadLettered: () => undefined,
      end: () => undefined,
    },
    flushRunning: () => undefined,
  };
  return createTaskContext(
    {} as BatonConnection,
    {} as BatonClient,
    state,
    createLogger("silent"),
    () => Promise.resolve(),
  );
}

describe("the handler's ctx", () => {
  it("has signal as an own enumerable property, so a spread copy keeps it", () => {
    const abort = new AttemptAbort();
    const ctx = context(abort);
    expect(Object.keys(ctx)).toContain("signal");
    const copy = { ...ctx, input: { n: 2 } };
    expect(copy.signal).toBe(ctx.signal);
    expect(copy.signal).toBeInstanceOf(AbortSignal);
    const reason = new Error("cancelled");
    abort.abort(reason);
    expect(copy.signal.aborted).toBe(true);
    expect(copy.signal.reason).toBe(reason);
  });

  it("gives each attempt its own signal", () => {
    const a = new AttemptAbort();
    const b = new AttemptAbort();
    const ctxA = context(a);
    const ctxB = context(b);
    a.abort(new Error("timed out"));
    expect(ctxA.signal.aborted).toBe(true);
    expect(ctxB.signal.aborted).toBe(false);
    const { signal, taskId, attempt } = ctxB;
    expect([signal, taskId, attempt]).toEqual([ctxB.signal, "t1", 0]);
  });
});
