// Original file: proto/baton/v1/cluster_service.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration.js';
import type { Long } from '@grpc/proto-loader';

/**
 * Statistics of one capability's queue.
 */
export interface QueueStats {
  /**
   * Capability.
   */
  'capability'?: (string);
  /**
   * Tasks queued and not yet delivered (all priority bands).
   */
  'backlog'?: (number | string | Long);
  /**
   * Deliveries not yet acknowledged (running or waiting for a retry).
   */
  'inFlight'?: (number | string | Long);
  /**
   * Age of the oldest queued message; unset when the backlog is empty.
   */
  'oldestAge'?: (_google_protobuf_Duration | null);
  /**
   * Messages in the dead-letter stream for this capability.
   */
  'deadLetters'?: (number | string | Long);
  /**
   * Backlog per band: "high", "normal", "low".
   */
  'backlogByPriority'?: ({[key: string]: number | string | Long});
}

/**
 * Statistics of one capability's queue.
 */
export interface QueueStats__Output {
  /**
   * Capability.
   */
  'capability': (string);
  /**
   * Tasks queued and not yet delivered (all priority bands).
   */
  'backlog': (number);
  /**
   * Deliveries not yet acknowledged (running or waiting for a retry).
   */
  'inFlight': (number);
  /**
   * Age of the oldest queued message; unset when the backlog is empty.
   */
  'oldestAge': (_google_protobuf_Duration__Output | null);
  /**
   * Messages in the dead-letter stream for this capability.
   */
  'deadLetters': (number);
  /**
   * Backlog per band: "high", "normal", "low".
   */
  'backlogByPriority': ({[key: string]: number});
}
