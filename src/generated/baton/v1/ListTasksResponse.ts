// Original file: proto/baton/v1/task_service.proto

import type { Task as _baton_v1_Task, Task__Output as _baton_v1_Task__Output } from '../../baton/v1/Task.js';

/**
 * A page of tasks.
 */
export interface ListTasksResponse {
  /**
   * Tasks, newest first.
   */
  'tasks'?: (_baton_v1_Task)[];
  /**
   * Token for the next page; empty when this is the last.
   */
  'nextPageToken'?: (string);
}

/**
 * A page of tasks.
 */
export interface ListTasksResponse__Output {
  /**
   * Tasks, newest first.
   */
  'tasks': (_baton_v1_Task__Output)[];
  /**
   * Token for the next page; empty when this is the last.
   */
  'nextPageToken': (string);
}
