// Original file: proto/baton/v1/task.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.js';
import type { StateChange as _baton_v1_StateChange, StateChange__Output as _baton_v1_StateChange__Output } from '../../baton/v1/StateChange.js';
import type { Progress as _baton_v1_Progress, Progress__Output as _baton_v1_Progress__Output } from '../../baton/v1/Progress.js';
import type { Output as _baton_v1_Output, Output__Output as _baton_v1_Output__Output } from '../../baton/v1/Output.js';
import type { Long } from '@grpc/proto-loader';

/**
 * One event in a task's history, as streamed by WatchTask.
 */
export interface TaskEvent {
  /**
   * Position in the events stream; pass sequence + 1 as from_sequence to resume after it.
   * 0 for an event made from the task record: the first (PENDING), or a terminal state
   * rebuilt when its event was never stored.
   */
  'sequence'?: (number | string | Long);
  /**
   * Task the event belongs to.
   */
  'taskId'?: (string);
  /**
   * When the event happened.
   */
  'time'?: (_google_protobuf_Timestamp | null);
  /**
   * The task changed state.
   */
  'stateChange'?: (_baton_v1_StateChange | null);
  /**
   * The handler reported progress.
   */
  'progress'?: (_baton_v1_Progress | null);
  /**
   * The handler streamed a chunk of output (e.g. LLM tokens).
   */
  'output'?: (_baton_v1_Output | null);
  /**
   * What happened.
   */
  'event'?: "stateChange"|"progress"|"output";
}

/**
 * One event in a task's history, as streamed by WatchTask.
 */
export interface TaskEvent__Output {
  /**
   * Position in the events stream; pass sequence + 1 as from_sequence to resume after it.
   * 0 for an event made from the task record: the first (PENDING), or a terminal state
   * rebuilt when its event was never stored.
   */
  'sequence': (number);
  /**
   * Task the event belongs to.
   */
  'taskId': (string);
  /**
   * When the event happened.
   */
  'time': (_google_protobuf_Timestamp__Output | null);
  /**
   * The task changed state.
   */
  'stateChange'?: (_baton_v1_StateChange__Output | null);
  /**
   * The handler reported progress.
   */
  'progress'?: (_baton_v1_Progress__Output | null);
  /**
   * The handler streamed a chunk of output (e.g. LLM tokens).
   */
  'output'?: (_baton_v1_Output__Output | null);
  /**
   * What happened.
   */
  'event'?: "stateChange"|"progress"|"output";
}
