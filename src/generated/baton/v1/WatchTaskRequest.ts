// Original file: proto/baton/v1/task_service.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Which task to watch, and from where.
 */
export interface WatchTaskRequest {
  /**
   * Task id.
   */
  'id'?: (string);
  /**
   * Deliver events with sequence >= this; 0 means from the start. To resume after an
   * event, pass its sequence + 1.
   */
  'fromSequence'?: (number | string | Long);
}

/**
 * Which task to watch, and from where.
 */
export interface WatchTaskRequest__Output {
  /**
   * Task id.
   */
  'id': (string);
  /**
   * Deliver events with sequence >= this; 0 means from the start. To resume after an
   * event, pass its sequence + 1.
   */
  'fromSequence': (number);
}
