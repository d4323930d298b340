import { TaskState, type TaskRecord } from "../../src/types.js";

/** A fresh PENDING record for unit tests of the pure record logic. */
export function pendingRecord(over: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id: "01ABCDEFGHJKMNPQRSTVWXYZ00",
    capability: "sleep",
    state: TaskState.Pending,
    input: null,
    priority: "normal",
    createdAt: 0,
    updatedAt: 0,
    attempt: 0,
    attempts: [],
    rootId: "01ABCDEFGHJKMNPQRSTVWXYZ00",
    ...over,
  };
}
