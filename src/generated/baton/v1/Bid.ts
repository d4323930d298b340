// Original file: proto/baton/v1/task.proto


/**
 * One agent's offer to run a task.
 */
export interface Bid {
  /**
   * Agent that bid.
   */
  'agentId'?: (string);
  /**
   * From 0 to 1; 1 means the agent's resources match the task exactly (nothing big left idle).
   */
  'fit'?: (number | string);
  /**
   * Free slots of the agent when it bid.
   */
  'freeSlots'?: (number);
  /**
   * From 0 to 1: tasks in flight / concurrency.
   */
  'load'?: (number | string);
  /**
   * The agent holds warm state for the task's affinity key.
   */
  'warm'?: (boolean);
  /**
   * Relative price of the task on this agent; 0 when unset.
   */
  'cost'?: (number | string);
  /**
   * Higher is better; the best bid with a free slot wins.
   */
  'score'?: (number | string);
}

/**
 * One agent's offer to run a task.
 */
export interface Bid__Output {
  /**
   * Agent that bid.
   */
  'agentId': (string);
  /**
   * From 0 to 1; 1 means the agent's resources match the task exactly (nothing big left idle).
   */
  'fit': (number);
  /**
   * Free slots of the agent when it bid.
   */
  'freeSlots': (number);
  /**
   * From 0 to 1: tasks in flight / concurrency.
   */
  'load': (number);
  /**
   * The agent holds warm state for the task's affinity key.
   */
  'warm': (boolean);
  /**
   * Relative price of the task on this agent; 0 when unset.
   */
  'cost': (number);
  /**
   * Higher is better; the best bid with a free slot wins.
   */
  'score': (number);
}
