// Original file: proto/baton/v1/cluster_service.proto

import type { QueueStats as _baton_v1_QueueStats, QueueStats__Output as _baton_v1_QueueStats__Output } from '../../baton/v1/QueueStats.js';

/**
 * Queue statistics.
 */
export interface GetQueueStatsResponse {
  /**
   * One entry per capability.
   */
  'queues'?: (_baton_v1_QueueStats)[];
}

/**
 * Queue statistics.
 */
export interface GetQueueStatsResponse__Output {
  /**
   * One entry per capability.
   */
  'queues': (_baton_v1_QueueStats__Output)[];
}
