// Original file: proto/baton/v1/task_service.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration.js';

/**
 * Which task to wait for, and how long at most.
 */
export interface WaitTaskRequest {
  /**
   * Task id.
   */
  'id'?: (string);
  /**
   * How long this call waits at most; unset or zero means 30 s, and more than 60 s is cut to
   * 60 s, so a call never outlives a proxy's idle timeout. Poll again for longer waits.
   */
  'timeout'?: (_google_protobuf_Duration | null);
}

/**
 * Which task to wait for, and how long at most.
 */
export interface WaitTaskRequest__Output {
  /**
   * Task id.
   */
  'id': (string);
  /**
   * How long this call waits at most; unset or zero means 30 s, and more than 60 s is cut to
   * 60 s, so a call never outlives a proxy's idle timeout. Poll again for longer waits.
   */
  'timeout': (_google_protobuf_Duration__Output | null);
}
