// Original file: proto/baton/v1/agent_peer_service.proto

import type { TaskState as _baton_v1_TaskState, TaskState__Output as _baton_v1_TaskState__Output } from '../../baton/v1/TaskState.js';
import type { TaskError as _baton_v1_TaskError, TaskError__Output as _baton_v1_TaskError__Output } from '../../baton/v1/TaskError.js';

/**
 * The task's record once the attempt settled.
 */
export interface RunTaskFinished {
  /**
   * State of the record: terminal, PENDING when a retry is due, or RUNNING when another agent
   * took the task over.
   */
  'state'?: (_baton_v1_TaskState);
  /**
   * Latest claim number of the record (higher than the accepted one after a take-over).
   */
  'attempt'?: (number);
  /**
   * Result as UTF-8 JSON, for SUCCEEDED; empty otherwise.
   */
  'result'?: (Buffer | Uint8Array | string);
  /**
   * Why the attempt did not succeed: the task's error, or the attempt's when a retry is due.
   */
  'error'?: (_baton_v1_TaskError | null);
}

/**
 * The task's record once the attempt settled.
 */
export interface RunTaskFinished__Output {
  /**
   * State of the record: terminal, PENDING when a retry is due, or RUNNING when another agent
   * took the task over.
   */
  'state': (_baton_v1_TaskState__Output);
  /**
   * Latest claim number of the record (higher than the accepted one after a take-over).
   */
  'attempt': (number);
  /**
   * Result as UTF-8 JSON, for SUCCEEDED; empty otherwise.
   */
  'result': (Buffer);
  /**
   * Why the attempt did not succeed: the task's error, or the attempt's when a retry is due.
   */
  'error': (_baton_v1_TaskError__Output | null);
}
