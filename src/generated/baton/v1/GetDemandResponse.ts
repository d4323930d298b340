// Original file: proto/baton/v1/cluster_service.proto

import type { Demand as _baton_v1_Demand, Demand__Output as _baton_v1_Demand__Output } from '../../baton/v1/Demand.js';

/**
 * Waiting tasks, grouped.
 */
export interface GetDemandResponse {
  /**
   * Largest groups first.
   */
  'demand'?: (_baton_v1_Demand)[];
}

/**
 * Waiting tasks, grouped.
 */
export interface GetDemandResponse__Output {
  /**
   * Largest groups first.
   */
  'demand': (_baton_v1_Demand__Output)[];
}
