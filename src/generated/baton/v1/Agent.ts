// Original file: proto/baton/v1/cluster_service.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.js';
import type { Resources as _baton_v1_Resources, Resources__Output as _baton_v1_Resources__Output } from '../../baton/v1/Resources.js';

/**
 * One running agent process.
 */
export interface Agent {
  /**
   * Unique id: name, host, pid and a random suffix.
   */
  'id'?: (string);
  /**
   * Agent name from its definition.
   */
  'name'?: (string);
  /**
   * Capabilities it serves.
   */
  'capabilities'?: (string)[];
  /**
   * Tasks it runs at once.
   */
  'concurrency'?: (number);
  /**
   * Tasks running now.
   */
  'inFlight'?: (number);
  /**
   * Free slots (concurrency - in_flight).
   */
  'freeSlots'?: (number);
  /**
   * Host name.
   */
  'hostname'?: (string);
  /**
   * Process id.
   */
  'pid'?: (number);
  /**
   * When the agent started.
   */
  'startTime'?: (_google_protobuf_Timestamp | null);
  /**
   * When it last reported in.
   */
  'lastHeartbeatTime'?: (_google_protobuf_Timestamp | null);
  /**
   * What the agent offers, as its definition declares.
   */
  'resources'?: (_baton_v1_Resources | null);
  /**
   * Affinity keys it ran most recently (it holds their warm state), newest first, bounded.
   */
  'warmKeys'?: (string)[];
  /**
   * host:port of its peer service, where other agents hand it sub-tasks directly; empty when
   * it has none.
   */
  'peerAddress'?: (string);
}

/**
 * One running agent process.
 */
export interface Agent__Output {
  /**
   * Unique id: name, host, pid and a random suffix.
   */
  'id': (string);
  /**
   * Agent name from its definition.
   */
  'name': (string);
  /**
   * Capabilities it serves.
   */
  'capabilities': (string)[];
  /**
   * Tasks it runs at once.
   */
  'concurrency': (number);
  /**
   * Tasks running now.
   */
  'inFlight': (number);
  /**
   * Free slots (concurrency - in_flight).
   */
  'freeSlots': (number);
  /**
   * Host name.
   */
  'hostname': (string);
  /**
   * Process id.
   */
  'pid': (number);
  /**
   * When the agent started.
   */
  'startTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * When it last reported in.
   */
  'lastHeartbeatTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * What the agent offers, as its definition declares.
   */
  'resources': (_baton_v1_Resources__Output | null);
  /**
   * Affinity keys it ran most recently (it holds their warm state), newest first, bounded.
   */
  'warmKeys': (string)[];
  /**
   * host:port of its peer service, where other agents hand it sub-tasks directly; empty when
   * it has none.
   */
  'peerAddress': (string);
}
