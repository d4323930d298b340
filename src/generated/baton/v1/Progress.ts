// Original file: proto/baton/v1/task.proto


/**
 * Progress reported by a handler.
 */
export interface Progress {
  /**
   * Attempt that reported it.
   */
  'attempt'?: (number);
  /**
   * Progress value as UTF-8 JSON.
   */
  'value'?: (Buffer | Uint8Array | string);
}

/**
 * Progress reported by a handler.
 */
export interface Progress__Output {
  /**
   * Attempt that reported it.
   */
  'attempt': (number);
  /**
   * Progress value as UTF-8 JSON.
   */
  'value': (Buffer);
}
