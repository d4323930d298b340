// Original file: proto/baton/v1/task_service.proto

import type { SubmitTaskResponse as _baton_v1_SubmitTaskResponse, SubmitTaskResponse__Output as _baton_v1_SubmitTaskResponse__Output } from '../../baton/v1/SubmitTaskResponse.js';

/**
 * The stored tasks, in request order.
 */
export interface SubmitTasksResponse {
  /**
   * One response per request, in the same order.
   */
  'responses'?: (_baton_v1_SubmitTaskResponse)[];
}

/**
 * The stored tasks, in request order.
 */
export interface SubmitTasksResponse__Output {
  /**
   * One response per request, in the same order.
   */
  'responses': (_baton_v1_SubmitTaskResponse__Output)[];
}
