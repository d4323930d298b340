// Original file: proto/baton/v1/task.proto


/**
 * A chunk of streamed output.
 */
export interface Output {
  /**
   * Attempt that produced it.
   */
  'attempt'?: (number);
  /**
   * The chunk as UTF-8 JSON (a string for text tokens).
   */
  'chunk'?: (Buffer | Uint8Array | string);
}

/**
 * A chunk of streamed output.
 */
export interface Output__Output {
  /**
   * Attempt that produced it.
   */
  'attempt': (number);
  /**
   * The chunk as UTF-8 JSON (a string for text tokens).
   */
  'chunk': (Buffer);
}
