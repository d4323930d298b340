// Original file: proto/baton/v1/cluster_service.proto


/**
 * Which queues to describe.
 */
export interface GetQueueStatsRequest {
  /**
   * Only this capability; empty for all known capabilities.
   */
  'capability'?: (string);
}

/**
 * Which queues to describe.
 */
export interface GetQueueStatsRequest__Output {
  /**
   * Only this capability; empty for all known capabilities.
   */
  'capability': (string);
}
