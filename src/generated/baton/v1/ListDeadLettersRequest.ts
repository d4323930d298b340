// Original file: proto/baton/v1/task_service.proto


/**
 * Filters for ListDeadLetters.
 */
export interface ListDeadLettersRequest {
  /**
   * Only dead letters of this capability; empty for all.
   */
  'capability'?: (string);
  /**
   * Maximum number to return, from 1 to 1000; 0 means 100.
   */
  'pageSize'?: (number);
  /**
   * Token from a previous response's next_page_token.
   */
  'pageToken'?: (string);
}

/**
 * Filters for ListDeadLetters.
 */
export interface ListDeadLettersRequest__Output {
  /**
   * Only dead letters of this capability; empty for all.
   */
  'capability': (string);
  /**
   * Maximum number to return, from 1 to 1000; 0 means 100.
   */
  'pageSize': (number);
  /**
   * Token from a previous response's next_page_token.
   */
  'pageToken': (string);
}
