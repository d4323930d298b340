// Original file: proto/baton/v1/task_service.proto

import type { Priority as _baton_v1_Priority, Priority__Output as _baton_v1_Priority__Output } from '../../baton/v1/Priority.js';
import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration.js';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.js';
import type { RetryPolicy as _baton_v1_RetryPolicy, RetryPolicy__Output as _baton_v1_RetryPolicy__Output } from '../../baton/v1/RetryPolicy.js';
import type { Requirements as _baton_v1_Requirements, Requirements__Output as _baton_v1_Requirements__Output } from '../../baton/v1/Requirements.js';

/**
 * A task to submit.
 */
export interface SubmitTaskRequest {
  /**
   * Capability (queue) to run on: 1-64 letters, digits, "-" or "_".
   */
  'capability'?: (string);
  /**
   * Input as UTF-8 JSON; empty means null. Checked against the capability's declared
   * input schema, if any.
   */
  'input'?: (Buffer | Uint8Array | string);
  /**
   * Optional key: the same key always returns the same task, which runs once.
   */
  'idempotencyKey'?: (string);
  /**
   * Priority band; unspecified means normal.
   */
  'priority'?: (_baton_v1_Priority);
  /**
   * Do not start before this much time has passed. Exclusive with run_time.
   */
  'delay'?: (_google_protobuf_Duration | null);
  /**
   * Do not start before this time. Exclusive with delay.
   */
  'runTime'?: (_google_protobuf_Timestamp | null);
  /**
   * Retry policy; unset fields take the defaults.
   */
  'retry'?: (_baton_v1_RetryPolicy | null);
  /**
   * Per-attempt time limit.
   */
  'timeout'?: (_google_protobuf_Duration | null);
  /**
   * Time by which the task must finish; it fails without retry after it.
   */
  'deadline'?: (_google_protobuf_Timestamp | null);
  /**
   * What the agent must offer; the task waits (visibly, see Task.waiting) until an agent that
   * offers it has a free slot. Zero values and an empty message mean "not required".
   */
  'requirements'?: (_baton_v1_Requirements | null);
  /**
   * Keeps related tasks on the agent that holds their warm state while it has free slots
   * (1-256 characters; empty for none).
   */
  'affinityKey'?: (string);
  /**
   * Free-form labels (names: letters, digits, "_", ".", "-"; values up to 256 characters).
   */
  'labels'?: ({[key: string]: string});
  /**
   * Parent task, for a sub-task.
   */
  'parentId'?: (string);
}

/**
 * A task to submit.
 */
export interface SubmitTaskRequest__Output {
  /**
   * Capability (queue) to run on: 1-64 letters, digits, "-" or "_".
   */
  'capability': (string);
  /**
   * Input as UTF-8 JSON; empty means null. Checked against the capability's declared
   * input schema, if any.
   */
  'input': (Buffer);
  /**
   * Optional key: the same key always returns the same task, which runs once.
   */
  'idempotencyKey': (string);
  /**
   * Priority band; unspecified means normal.
   */
  'priority': (_baton_v1_Priority__Output);
  /**
   * Do not start before this much time has passed. Exclusive with run_time.
   */
  'delay': (_google_protobuf_Duration__Output | null);
  /**
   * Do not start before this time. Exclusive with delay.
   */
  'runTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * Retry policy; unset fields take the defaults.
   */
  'retry': (_baton_v1_RetryPolicy__Output | null);
  /**
   * Per-attempt time limit.
   */
  'timeout': (_google_protobuf_Duration__Output | null);
  /**
   * Time by which the task must finish; it fails without retry after it.
   */
  'deadline': (_google_protobuf_Timestamp__Output | null);
  /**
   * What the agent must offer; the task waits (visibly, see Task.waiting) until an agent that
   * offers it has a free slot. Zero values and an empty message mean "not required".
   */
  'requirements': (_baton_v1_Requirements__Output | null);
  /**
   * Keeps related tasks on the agent that holds their warm state while it has free slots
   * (1-256 characters; empty for none).
   */
  'affinityKey': (string);
  /**
   * Free-form labels (names: letters, digits, "_", ".", "-"; values up to 256 characters).
   */
  'labels': ({[key: string]: string});
  /**
   * Parent task, for a sub-task.
   */
  'parentId': (string);
}
