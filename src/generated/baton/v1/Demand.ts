// Original file: proto/baton/v1/cluster_service.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.js';

/**
 * Pending tasks of one capability that wait for the same kind of agent.
 */
export interface Demand {
  /**
   * Capability.
   */
  'capability'?: (string);
  /**
   * Kind of agent they need, e.g. "gpu:a100x1|models:llama"; "any" for tasks without
   * requirements (all agents busy, or a concurrency limit).
   */
  'resourceClass'?: (string);
  /**
   * Number of tasks waiting.
   */
  'waiting'?: (number);
  /**
   * When the longest-waiting of them started waiting.
   */
  'oldestSinceTime'?: (_google_protobuf_Timestamp | null);
  /**
   * Why the longest-waiting of them waits.
   */
  'reason'?: (string);
}

/**
 * Pending tasks of one capability that wait for the same kind of agent.
 */
export interface Demand__Output {
  /**
   * Capability.
   */
  'capability': (string);
  /**
   * Kind of agent they need, e.g. "gpu:a100x1|models:llama"; "any" for tasks without
   * requirements (all agents busy, or a concurrency limit).
   */
  'resourceClass': (string);
  /**
   * Number of tasks waiting.
   */
  'waiting': (number);
  /**
   * When the longest-waiting of them started waiting.
   */
  'oldestSinceTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * Why the longest-waiting of them waits.
   */
  'reason': (string);
}
