// Original file: proto/baton/v1/task_service.proto

import type { Task as _baton_v1_Task, Task__Output as _baton_v1_Task__Output } from '../../baton/v1/Task.js';

/**
 * The stored task.
 */
export interface SubmitTaskResponse {
  /**
   * The task (the existing one when the idempotency key matched).
   */
  'task'?: (_baton_v1_Task | null);
  /**
   * True when the idempotency key matched an earlier submit and nothing new was queued.
   */
  'deduplicated'?: (boolean);
}

/**
 * The stored task.
 */
export interface SubmitTaskResponse__Output {
  /**
   * The task (the existing one when the idempotency key matched).
   */
  'task': (_baton_v1_Task__Output | null);
  /**
   * True when the idempotency key matched an earlier submit and nothing new was queued.
   */
  'deduplicated': (boolean);
}
