// Original file: proto/baton/v1/task_service.proto


/**
 * Which task to cancel.
 */
export interface CancelTaskRequest {
  /**
   * Task id.
   */
  'id'?: (string);
  /**
   * Reason recorded in the task's error; optional.
   */
  'reason'?: (string);
}

/**
 * Which task to cancel.
 */
export interface CancelTaskRequest__Output {
  /**
   * Task id.
   */
  'id': (string);
  /**
   * Reason recorded in the task's error; optional.
   */
  'reason': (string);
}
