// Original file: proto/baton/v1/task.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.js';

/**
 * Why a pending task is not running (no eligible agent, all eligible agents busy, a limit).
 */
export interface Waiting {
  /**
   * Human-readable reason, e.g. which resources the serving agents lack.
   */
  'reason'?: (string);
  /**
   * When the task started waiting for this reason.
   */
  'sinceTime'?: (_google_protobuf_Timestamp | null);
  /**
   * Kind of agent the task needs, e.g. "gpu:a100x1"; "any" without requirements. Demand is
   * counted per class (ClusterService.GetDemand).
   */
  'resourceClass'?: (string);
}

/**
 * Why a pending task is not running (no eligible agent, all eligible agents busy, a limit).
 */
export interface Waiting__Output {
  /**
   * Human-readable reason, e.g. which resources the serving agents lack.
   */
  'reason': (string);
  /**
   * When the task started waiting for this reason.
   */
  'sinceTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * Kind of agent the task needs, e.g. "gpu:a100x1"; "any" without requirements. Demand is
   * counted per class (ClusterService.GetDemand).
   */
  'resourceClass': (string);
}
