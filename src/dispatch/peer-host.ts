import type { PlacementRecord, TaskEventBody, TaskRecord } from "../types.js";

/** The answer of an agent asked to run a task now (an award, or a direct hand-off). */
export type DirectRun =
  | {
      accepted: true;
      /** The claim number this agent holds (the fencing token). */
      attempt: number;
      /** The record once this attempt settled: terminal, PENDING for a retry, or taken over. */
      done: Promise<TaskRecord>;
    }
  | { accepted: false; reason: string };

/** What the peer service needs of an agent runner; one per agent in the process. */
export interface PeerHost {
  readonly agentId: string;
  /**
   * Claims `taskId` by CAS for this agent when it has a free slot and may run it, then runs it.
   * `onEvent` receives the attempt's progress and output events as the handler reports them.
   */
  runDirect(
    taskId: string,
    onEvent?: (event: TaskEventBody) => void,
    placement?: PlacementRecord,
  ): Promise<DirectRun>;
}
