// Original file: proto/baton/v1/task.proto

import type { TaskState as _baton_v1_TaskState, TaskState__Output as _baton_v1_TaskState__Output } from '../../baton/v1/TaskState.js';
import type { TaskError as _baton_v1_TaskError, TaskError__Output as _baton_v1_TaskError__Output } from '../../baton/v1/TaskError.js';
import type { Priority as _baton_v1_Priority, Priority__Output as _baton_v1_Priority__Output } from '../../baton/v1/Priority.js';
import type { RetryPolicy as _baton_v1_RetryPolicy, RetryPolicy__Output as _baton_v1_RetryPolicy__Output } from '../../baton/v1/RetryPolicy.js';
import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration.js';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.js';
import type { Attempt as _baton_v1_Attempt, Attempt__Output as _baton_v1_Attempt__Output } from '../../baton/v1/Attempt.js';
import type { Requirements as _baton_v1_Requirements, Requirements__Output as _baton_v1_Requirements__Output } from '../../baton/v1/Requirements.js';
import type { Waiting as _baton_v1_Waiting, Waiting__Output as _baton_v1_Waiting__Output } from '../../baton/v1/Waiting.js';
import type { Placement as _baton_v1_Placement, Placement__Output as _baton_v1_Placement__Output } from '../../baton/v1/Placement.js';

/**
 * A unit of work and everything known about it.
 */
export interface Task {
  /**
   * Unique, time-sortable id (26 characters).
   */
  'id'?: (string);
  /**
   * Capability (queue) the task runs on.
   */
  'capability'?: (string);
  /**
   * Current state.
   */
  'state'?: (_baton_v1_TaskState);
  /**
   * Input as UTF-8 JSON.
   */
  'input'?: (Buffer | Uint8Array | string);
  /**
   * Result as UTF-8 JSON; set when SUCCEEDED.
   */
  'result'?: (Buffer | Uint8Array | string);
  /**
   * Final error; set when FAILED, CANCELLED or DEAD.
   */
  'error'?: (_baton_v1_TaskError | null);
  /**
   * Priority band.
   */
  'priority'?: (_baton_v1_Priority);
  /**
   * Idempotency key given at submit, if any.
   */
  'idempotencyKey'?: (string);
  /**
   * Labels given at submit.
   */
  'labels'?: ({[key: string]: string});
  /**
   * Retry policy chosen at submit; unset when the agent's or server's default applies.
   */
  'retry'?: (_baton_v1_RetryPolicy | null);
  /**
   * Per-attempt time limit; unset when none was given.
   */
  'timeout'?: (_google_protobuf_Duration | null);
  /**
   * Time by which the task must finish; unset when none was given.
   */
  'deadline'?: (_google_protobuf_Timestamp | null);
  /**
   * Earliest start of the next attempt (delay or retry backoff); unset when due now.
   */
  'runTime'?: (_google_protobuf_Timestamp | null);
  /**
   * When the task was submitted.
   */
  'createTime'?: (_google_protobuf_Timestamp | null);
  /**
   * When the record last changed.
   */
  'updateTime'?: (_google_protobuf_Timestamp | null);
  /**
   * When the first attempt started.
   */
  'startTime'?: (_google_protobuf_Timestamp | null);
  /**
   * When the task reached a terminal state.
   */
  'finishTime'?: (_google_protobuf_Timestamp | null);
  /**
   * Number of the latest attempt (0 before the first claim).
   */
  'attempt'?: (number);
  /**
   * Every attempt so far, oldest first.
   */
  'attempts'?: (_baton_v1_Attempt)[];
  /**
   * Agent holding the task while RUNNING.
   */
  'ownerAgentId'?: (string);
  /**
   * When the owner's lease lapses unless renewed.
   */
  'leaseExpireTime'?: (_google_protobuf_Timestamp | null);
  /**
   * Latest progress as UTF-8 JSON (updated at heartbeats).
   */
  'progress'?: (Buffer | Uint8Array | string);
  /**
   * Parent task of a sub-task.
   */
  'parentId'?: (string);
  /**
   * Root task of the program this task belongs to (its own id for a root task).
   */
  'rootId'?: (string);
  /**
   * Times the task was replayed from the dead-letter stream.
   */
  'replays'?: (number);
  /**
   * What the agent must offer, as given at submit; unset when nothing was required.
   */
  'requirements'?: (_baton_v1_Requirements | null);
  /**
   * Affinity key: the task prefers the agent holding warm state for it. Empty when none.
   */
  'affinityKey'?: (string);
  /**
   * Why a PENDING task is not running yet; unset when it is not waiting.
   */
  'waiting'?: (_baton_v1_Waiting | null);
  /**
   * Placement negotiations, oldest first (only the latest few are kept).
   */
  'placements'?: (_baton_v1_Placement)[];
  /**
   * W3C trace id (32 lowercase hex digits) of the task's trace; empty when it was not traced.
   */
  'traceId'?: (string);
  /**
   * W3C traceparent of the span that queued the task; its attempts continue from it. Empty when
   * the task was not traced.
   */
  'traceparent'?: (string);
  /**
   * W3C tracestate that goes with traceparent; usually empty.
   */
  'tracestate'?: (string);
}

/**
 * A unit of work and everything known about it.
 */
export interface Task__Output {
  /**
   * Unique, time-sortable id (26 characters).
   */
  'id': (string);
  /**
   * Capability (queue) the task runs on.
   */
  'capability': (string);
  /**
   * Current state.
   */
  'state': (_baton_v1_TaskState__Output);
  /**
   * Input as UTF-8 JSON.
   */
  'input': (Buffer);
  /**
   * Result as UTF-8 JSON; set when SUCCEEDED.
   */
  'result': (Buffer);
  /**
   * Final error; set when FAILED, CANCELLED or DEAD.
   */
  'error': (_baton_v1_TaskError__Output | null);
  /**
   * Priority band.
   */
  'priority': (_baton_v1_Priority__Output);
  /**
   * Idempotency key given at submit, if any.
   */
  'idempotencyKey': (string);
  /**
   * Labels given at submit.
   */
  'labels': ({[key: string]: string});
  /**
   * Retry policy chosen at submit; unset when the agent's or server's default applies.
   */
  'retry': (_baton_v1_RetryPolicy__Output | null);
  /**
   * Per-attempt time limit; unset when none was given.
   */
  'timeout': (_google_protobuf_Duration__Output | null);
  /**
   * Time by which the task must finish; unset when none was given.
   */
  'deadline': (_google_protobuf_Timestamp__Output | null);
  /**
   * Earliest start of the next attempt (delay or retry backoff); unset when due now.
   */
  'runTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * When the task was submitted.
   */
  'createTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * When the record last changed.
   */
  'updateTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * When the first attempt started.
   */
  'startTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * When the task reached a terminal state.
   */
  'finishTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * Number of the latest attempt (0 before the first claim).
   */
  'attempt': (number);
  /**
   * Every attempt so far, oldest first.
   */
  'attempts': (_baton_v1_Attempt__Output)[];
  /**
   * Agent holding the task while RUNNING.
   */
  'ownerAgentId': (string);
  /**
   * When the owner's lease lapses unless renewed.
   */
  'leaseExpireTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * Latest progress as UTF-8 JSON (updated at heartbeats).
   */
  'progress': (Buffer);
  /**
   * Parent task of a sub-task.
   */
  'parentId': (string);
  /**
   * Root task of the program this task belongs to (its own id for a root task).
   */
  'rootId': (string);
  /**
   * Times the task was replayed from the dead-letter stream.
   */
  'replays': (number);
  /**
   * What the agent must offer, as given at submit; unset when nothing was required.
   */
  'requirements': (_baton_v1_Requirements__Output | null);
  /**
   * Affinity key: the task prefers the agent holding warm state for it. Empty when none.
   */
  'affinityKey': (string);
  /**
   * Why a PENDING task is not running yet; unset when it is not waiting.
   */
  'waiting': (_baton_v1_Waiting__Output | null);
  /**
   * Placement negotiations, oldest first (only the latest few are kept).
   */
  'placements': (_baton_v1_Placement__Output)[];
  /**
   * W3C trace id (32 lowercase hex digits) of the task's trace; empty when it was not traced.
   */
  'traceId': (string);
  /**
   * W3C traceparent of the span that queued the task; its attempts continue from it. Empty when
   * the task was not traced.
   */
  'traceparent': (string);
  /**
   * W3C tracestate that goes with traceparent; usually empty.
   */
  'tracestate': (string);
}
