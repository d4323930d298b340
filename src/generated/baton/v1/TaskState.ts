// Original file: proto/baton/v1/task.proto

/**
 * Lifecycle state of a task. Terminal states are SUCCEEDED, FAILED, CANCELLED and DEAD;
 * DEAD tasks can be replayed back to PENDING.
 */
export const TaskState = {
  /**
   * Not a valid state; used only as the default value.
   */
  TASK_STATE_UNSPECIFIED: 'TASK_STATE_UNSPECIFIED',
  /**
   * Stored and queued, waiting for an agent (also between retries).
   */
  TASK_STATE_PENDING: 'TASK_STATE_PENDING',
  /**
   * Claimed by an agent that holds a live lease.
   */
  TASK_STATE_RUNNING: 'TASK_STATE_RUNNING',
  /**
   * The handler returned a result.
   */
  TASK_STATE_SUCCEEDED: 'TASK_STATE_SUCCEEDED',
  /**
   * Failed without retry: a terminal error, or the deadline passed.
   */
  TASK_STATE_FAILED: 'TASK_STATE_FAILED',
  /**
   * Cancelled by a client.
   */
  TASK_STATE_CANCELLED: 'TASK_STATE_CANCELLED',
  /**
   * The retry budget was spent; the task is in the dead-letter stream.
   */
  TASK_STATE_DEAD: 'TASK_STATE_DEAD',
} as const;

/**
 * Lifecycle state of a task. Terminal states are SUCCEEDED, FAILED, CANCELLED and DEAD;
 * DEAD tasks can be replayed back to PENDING.
 */
export type TaskState =
  /**
   * Not a valid state; used only as the default value.
   */
  | 'TASK_STATE_UNSPECIFIED'
  | 0
  /**
   * Stored and queued, waiting for an agent (also between retries).
   */
  | 'TASK_STATE_PENDING'
  | 1
  /**
   * Claimed by an agent that holds a live lease.
   */
  | 'TASK_STATE_RUNNING'
  | 2
  /**
   * The handler returned a result.
   */
  | 'TASK_STATE_SUCCEEDED'
  | 3
  /**
   * Failed without retry: a terminal error, or the deadline passed.
   */
  | 'TASK_STATE_FAILED'
  | 4
  /**
   * Cancelled by a client.
   */
  | 'TASK_STATE_CANCELLED'
  | 5
  /**
   * The retry budget was spent; the task is in the dead-letter stream.
   */
  | 'TASK_STATE_DEAD'
  | 6

/**
 * Lifecycle state of a task. Terminal states are SUCCEEDED, FAILED, CANCELLED and DEAD;
 * DEAD tasks can be replayed back to PENDING.
 */
export type TaskState__Output = typeof TaskState[keyof typeof TaskState]
