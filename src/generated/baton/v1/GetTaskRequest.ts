// Original file: proto/baton/v1/task_service.proto


/**
 * Which task to read.
 */
export interface GetTaskRequest {
  /**
   * Task id.
   */
  'id'?: (string);
}

/**
 * Which task to read.
 */
export interface GetTaskRequest__Output {
  /**
   * Task id.
   */
  'id': (string);
}
