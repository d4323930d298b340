// Original file: proto/baton/v1/task.proto


/**
 * What went wrong in an attempt or a task.
 */
export interface TaskError {
  /**
   * Human-readable message.
   */
  'message'?: (string);
  /**
   * Error class name, e.g. "TerminalError".
   */
  'name'?: (string);
  /**
   * Stable code, e.g. "TIMEOUT", "DEADLINE_EXCEEDED", "WORKER_LOST", "CANCELLED".
   */
  'code'?: (string);
  /**
   * True when the error was not retried by design.
   */
  'nonRetryable'?: (boolean);
}

/**
 * What went wrong in an attempt or a task.
 */
export interface TaskError__Output {
  /**
   * Human-readable message.
   */
  'message': (string);
  /**
   * Error class name, e.g. "TerminalError".
   */
  'name': (string);
  /**
   * Stable code, e.g. "TIMEOUT", "DEADLINE_EXCEEDED", "WORKER_LOST", "CANCELLED".
   */
  'code': (string);
  /**
   * True when the error was not retried by design.
   */
  'nonRetryable': (boolean);
}
