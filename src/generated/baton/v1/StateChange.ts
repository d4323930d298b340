// Original file: proto/baton/v1/task.proto

import type { TaskState as _baton_v1_TaskState, TaskState__Output as _baton_v1_TaskState__Output } from '../../baton/v1/TaskState.js';
import type { TaskError as _baton_v1_TaskError, TaskError__Output as _baton_v1_TaskError__Output } from '../../baton/v1/TaskError.js';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.js';

/**
 * A state transition.
 */
export interface StateChange {
  /**
   * New state.
   */
  'state'?: (_baton_v1_TaskState);
  /**
   * Attempt number at the time of the change.
   */
  'attempt'?: (number);
  /**
   * Error, for FAILED, CANCELLED, DEAD and retries (PENDING after RUNNING).
   */
  'error'?: (_baton_v1_TaskError | null);
  /**
   * Result as UTF-8 JSON, for SUCCEEDED.
   */
  'result'?: (Buffer | Uint8Array | string);
  /**
   * When the next attempt may start, for PENDING with a delay or backoff.
   */
  'runTime'?: (_google_protobuf_Timestamp | null);
}

/**
 * A state transition.
 */
export interface StateChange__Output {
  /**
   * New state.
   */
  'state': (_baton_v1_TaskState__Output);
  /**
   * Attempt number at the time of the change.
   */
  'attempt': (number);
  /**
   * Error, for FAILED, CANCELLED, DEAD and retries (PENDING after RUNNING).
   */
  'error': (_baton_v1_TaskError__Output | null);
  /**
   * Result as UTF-8 JSON, for SUCCEEDED.
   */
  'result': (Buffer);
  /**
   * When the next attempt may start, for PENDING with a delay or backoff.
   */
  'runTime': (_google_protobuf_Timestamp__Output | null);
}
