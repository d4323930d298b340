// Original file: proto/baton/v1/task_service.proto

import type { DeadLetter as _baton_v1_DeadLetter, DeadLetter__Output as _baton_v1_DeadLetter__Output } from '../../baton/v1/DeadLetter.js';

/**
 * A page of dead letters.
 */
export interface ListDeadLettersResponse {
  /**
   * Oldest first.
   */
  'deadLetters'?: (_baton_v1_DeadLetter)[];
  /**
   * Token for the next page; empty when this is the last.
   */
  'nextPageToken'?: (string);
}

/**
 * A page of dead letters.
 */
export interface ListDeadLettersResponse__Output {
  /**
   * Oldest first.
   */
  'deadLetters': (_baton_v1_DeadLetter__Output)[];
  /**
   * Token for the next page; empty when this is the last.
   */
  'nextPageToken': (string);
}
