// Original file: proto/baton/v1/task.proto

import type { Attempt as _baton_v1_Attempt, Attempt__Output as _baton_v1_Attempt__Output } from '../../baton/v1/Attempt.js';
import type { TaskError as _baton_v1_TaskError, TaskError__Output as _baton_v1_TaskError__Output } from '../../baton/v1/TaskError.js';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.js';
import type { Long } from '@grpc/proto-loader';

/**
 * A task moved to the dead-letter stream after its retry budget was spent.
 */
export interface DeadLetter {
  /**
   * Position in the dead-letter stream.
   */
  'sequence'?: (number | string | Long);
  /**
   * The dead task.
   */
  'taskId'?: (string);
  /**
   * Its capability.
   */
  'capability'?: (string);
  /**
   * Its input as UTF-8 JSON.
   */
  'input'?: (Buffer | Uint8Array | string);
  /**
   * Every attempt with its error.
   */
  'attempts'?: (_baton_v1_Attempt)[];
  /**
   * The final error.
   */
  'error'?: (_baton_v1_TaskError | null);
  /**
   * When it went dead.
   */
  'deadTime'?: (_google_protobuf_Timestamp | null);
}

/**
 * A task moved to the dead-letter stream after its retry budget was spent.
 */
export interface DeadLetter__Output {
  /**
   * Position in the dead-letter stream.
   */
  'sequence': (number);
  /**
   * The dead task.
   */
  'taskId': (string);
  /**
   * Its capability.
   */
  'capability': (string);
  /**
   * Its input as UTF-8 JSON.
   */
  'input': (Buffer);
  /**
   * Every attempt with its error.
   */
  'attempts': (_baton_v1_Attempt__Output)[];
  /**
   * The final error.
   */
  'error': (_baton_v1_TaskError__Output | null);
  /**
   * When it went dead.
   */
  'deadTime': (_google_protobuf_Timestamp__Output | null);
}
