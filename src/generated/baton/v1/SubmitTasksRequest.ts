// Original file: proto/baton/v1/task_service.proto

import type { SubmitTaskRequest as _baton_v1_SubmitTaskRequest, SubmitTaskRequest__Output as _baton_v1_SubmitTaskRequest__Output } from '../../baton/v1/SubmitTaskRequest.js';

/**
 * Many tasks at once.
 */
export interface SubmitTasksRequest {
  /**
   * Up to 1000 tasks.
   */
  'requests'?: (_baton_v1_SubmitTaskRequest)[];
}

/**
 * Many tasks at once.
 */
export interface SubmitTasksRequest__Output {
  /**
   * Up to 1000 tasks.
   */
  'requests': (_baton_v1_SubmitTaskRequest__Output)[];
}
