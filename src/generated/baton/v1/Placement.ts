// Original file: proto/baton/v1/task.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.js';
import type { Bid as _baton_v1_Bid, Bid__Output as _baton_v1_Bid__Output } from '../../baton/v1/Bid.js';

/**
 * One negotiation: the call for bids for a task, the bids and the award.
 */
export interface Placement {
  /**
   * When the negotiation ended.
   */
  'time'?: (_google_protobuf_Timestamp | null);
  /**
   * Agent that ran it.
   */
  'negotiator'?: (string);
  /**
   * Bids, best first (at most a few are kept).
   */
  'bids'?: (_baton_v1_Bid)[];
  /**
   * Agent awarded the task; empty when nobody could take it.
   */
  'winner'?: (string);
  /**
   * Why there was no award, if there was none.
   */
  'reason'?: (string);
}

/**
 * One negotiation: the call for bids for a task, the bids and the award.
 */
export interface Placement__Output {
  /**
   * When the negotiation ended.
   */
  'time': (_google_protobuf_Timestamp__Output | null);
  /**
   * Agent that ran it.
   */
  'negotiator': (string);
  /**
   * Bids, best first (at most a few are kept).
   */
  'bids': (_baton_v1_Bid__Output)[];
  /**
   * Agent awarded the task; empty when nobody could take it.
   */
  'winner': (string);
  /**
   * Why there was no award, if there was none.
   */
  'reason': (string);
}
