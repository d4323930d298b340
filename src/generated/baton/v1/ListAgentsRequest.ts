// Original file: proto/baton/v1/cluster_service.proto


/**
 * Filters for ListAgents.
 */
export interface ListAgentsRequest {
  /**
   * Only agents serving this capability; empty for all.
   */
  'capability'?: (string);
}

/**
 * Filters for ListAgents.
 */
export interface ListAgentsRequest__Output {
  /**
   * Only agents serving this capability; empty for all.
   */
  'capability': (string);
}
