// Original file: proto/baton/v1/agent_peer_service.proto


/**
 * The agent holds the task.
 */
export interface RunTaskAccepted {
  /**
   * Agent that claimed it.
   */
  'agentId'?: (string);
  /**
   * Its claim number (the fencing token of this attempt).
   */
  'attempt'?: (number);
}

/**
 * The agent holds the task.
 */
export interface RunTaskAccepted__Output {
  /**
   * Agent that claimed it.
   */
  'agentId': (string);
  /**
   * Its claim number (the fencing token of this attempt).
   */
  'attempt': (number);
}
