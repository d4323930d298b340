// Original file: proto/baton/v1/task_service.proto


/**
 * Which dead task to replay.
 */
export interface ReplayDeadLetterRequest {
  /**
   * Task id.
   */
  'taskId'?: (string);
}

/**
 * Which dead task to replay.
 */
export interface ReplayDeadLetterRequest__Output {
  /**
   * Task id.
   */
  'taskId': (string);
}
