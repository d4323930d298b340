// Original file: proto/baton/v1/cluster_service.proto


/**
 * Which demand to report.
 */
export interface GetDemandRequest {
  /**
   * Only this capability; empty for all.
   */
  'capability'?: (string);
}

/**
 * Which demand to report.
 */
export interface GetDemandRequest__Output {
  /**
   * Only this capability; empty for all.
   */
  'capability': (string);
}
