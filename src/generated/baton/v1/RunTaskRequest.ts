// Original file: proto/baton/v1/agent_peer_service.proto


/**
 * Which task to run, on which agent of the process.
 */
export interface RunTaskRequest {
  /**
   * Agent to run it (an id from the agent registry).
   */
  'agentId'?: (string);
  /**
   * The stored task; it must be one the agent may claim now (pending, of its capabilities).
   */
  'taskId'?: (string);
  /**
   * The caller's negotiation (bids and winner) as JSON, recorded in the task's history; optional.
   */
  'placement'?: (Buffer | Uint8Array | string);
}

/**
 * Which task to run, on which agent of the process.
 */
export interface RunTaskRequest__Output {
  /**
   * Agent to run it (an id from the agent registry).
   */
  'agentId': (string);
  /**
   * The stored task; it must be one the agent may claim now (pending, of its capabilities).
   */
  'taskId': (string);
  /**
   * The caller's negotiation (bids and winner) as JSON, recorded in the task's history; optional.
   */
  'placement': (Buffer);
}
