// Original file: proto/baton/v1/task_service.proto

import type { TaskState as _baton_v1_TaskState, TaskState__Output as _baton_v1_TaskState__Output } from '../../baton/v1/TaskState.js';

/**
 * Filters and paging for ListTasks.
 */
export interface ListTasksRequest {
  /**
   * Only tasks in one of these states; empty for all.
   */
  'states'?: (_baton_v1_TaskState)[];
  /**
   * Only tasks of this capability; empty for all.
   */
  'capability'?: (string);
  /**
   * Page size from 1 to 1000; 0 means 100.
   */
  'pageSize'?: (number);
  /**
   * Token from a previous response's next_page_token.
   */
  'pageToken'?: (string);
  /**
   * Only tasks carrying every one of these labels; empty for all.
   */
  'labels'?: ({[key: string]: string});
}

/**
 * Filters and paging for ListTasks.
 */
export interface ListTasksRequest__Output {
  /**
   * Only tasks in one of these states; empty for all.
   */
  'states': (_baton_v1_TaskState__Output)[];
  /**
   * Only tasks of this capability; empty for all.
   */
  'capability': (string);
  /**
   * Page size from 1 to 1000; 0 means 100.
   */
  'pageSize': (number);
  /**
   * Token from a previous response's next_page_token.
   */
  'pageToken': (string);
  /**
   * Only tasks carrying every one of these labels; empty for all.
   */
  'labels': ({[key: string]: string});
}
