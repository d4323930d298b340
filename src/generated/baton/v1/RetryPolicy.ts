// Original file: proto/baton/v1/task.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration.js';

/**
 * Exponential backoff with jitter. Unset fields take the server's defaults.
 */
export interface RetryPolicy {
  /**
   * Attempts in total, including the first; at least 1.
   */
  'maxAttempts'?: (number);
  /**
   * Delay before the first retry.
   */
  'initialInterval'?: (_google_protobuf_Duration | null);
  /**
   * Factor by which the delay grows per retry; at least 1.
   */
  'backoffCoefficient'?: (number | string);
  /**
   * Upper bound of the delay.
   */
  'maximumInterval'?: (_google_protobuf_Duration | null);
  /**
   * Random spread of each delay as a fraction of it, from 0 to 1. Optional so that 0 (no
   * jitter) can be told apart from unset (the default).
   */
  'jitter'?: (number | string);
  '_jitter'?: "jitter";
}

/**
 * Exponential backoff with jitter. Unset fields take the server's defaults.
 */
export interface RetryPolicy__Output {
  /**
   * Attempts in total, including the first; at least 1.
   */
  'maxAttempts': (number);
  /**
   * Delay before the first retry.
   */
  'initialInterval': (_google_protobuf_Duration__Output | null);
  /**
   * Factor by which the delay grows per retry; at least 1.
   */
  'backoffCoefficient': (number);
  /**
   * Upper bound of the delay.
   */
  'maximumInterval': (_google_protobuf_Duration__Output | null);
  /**
   * Random spread of each delay as a fraction of it, from 0 to 1. Optional so that 0 (no
   * jitter) can be told apart from unset (the default).
   */
  'jitter'?: (number);
  '_jitter'?: "jitter";
}
