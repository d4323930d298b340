// Original file: proto/baton/v1/cluster_service.proto

import type { Agent as _baton_v1_Agent, Agent__Output as _baton_v1_Agent__Output } from '../../baton/v1/Agent.js';

/**
 * Live agents.
 */
export interface ListAgentsResponse {
  /**
   * Agents, by id.
   */
  'agents'?: (_baton_v1_Agent)[];
}

/**
 * Live agents.
 */
export interface ListAgentsResponse__Output {
  /**
   * Agents, by id.
   */
  'agents': (_baton_v1_Agent__Output)[];
}
