// Original file: proto/baton/v1/task.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.js';
import type { TaskError as _baton_v1_TaskError, TaskError__Output as _baton_v1_TaskError__Output } from '../../baton/v1/TaskError.js';

/**
 * One claim of a task by an agent.
 */
export interface Attempt {
  /**
   * Claim number (1-based, increasing); the fencing token of the attempt.
   */
  'attempt'?: (number);
  /**
   * Agent that claimed the task.
   */
  'agentId'?: (string);
  /**
   * When the claim was made.
   */
  'startTime'?: (_google_protobuf_Timestamp | null);
  /**
   * When the attempt ended; unset while it runs.
   */
  'endTime'?: (_google_protobuf_Timestamp | null);
  /**
   * "succeeded", "failed", "timeout", "lost", "released", "cancelled" or "dead"; empty while running.
   */
  'outcome'?: (string);
  /**
   * Error of a failed attempt.
   */
  'error'?: (_baton_v1_TaskError | null);
}

/**
 * One claim of a task by an agent.
 */
export interface Attempt__Output {
  /**
   * Claim number (1-based, increasing); the fencing token of the attempt.
   */
  'attempt': (number);
  /**
   * Agent that claimed the task.
   */
  'agentId': (string);
  /**
   * When the claim was made.
   */
  'startTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * When the attempt ended; unset while it runs.
   */
  'endTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * "succeeded", "failed", "timeout", "lost", "released", "cancelled" or "dead"; empty while running.
   */
  'outcome': (string);
  /**
   * Error of a failed attempt.
   */
  'error': (_baton_v1_TaskError__Output | null);
}
