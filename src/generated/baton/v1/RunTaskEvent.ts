// Original file: proto/baton/v1/agent_peer_service.proto

import type { RunTaskAccepted as _baton_v1_RunTaskAccepted, RunTaskAccepted__Output as _baton_v1_RunTaskAccepted__Output } from '../../baton/v1/RunTaskAccepted.js';
import type { Progress as _baton_v1_Progress, Progress__Output as _baton_v1_Progress__Output } from '../../baton/v1/Progress.js';
import type { Output as _baton_v1_Output, Output__Output as _baton_v1_Output__Output } from '../../baton/v1/Output.js';
import type { RunTaskFinished as _baton_v1_RunTaskFinished, RunTaskFinished__Output as _baton_v1_RunTaskFinished__Output } from '../../baton/v1/RunTaskFinished.js';

/**
 * One message of a RunTask stream.
 */
export interface RunTaskEvent {
  /**
   * The agent claimed the task; the first message, unless `finished` comes first and alone.
   */
  'accepted'?: (_baton_v1_RunTaskAccepted | null);
  /**
   * The handler reported progress.
   */
  'progress'?: (_baton_v1_Progress | null);
  /**
   * The handler streamed a chunk of output.
   */
  'output'?: (_baton_v1_Output | null);
  /**
   * The attempt settled; always the last message.
   */
  'finished'?: (_baton_v1_RunTaskFinished | null);
  /**
   * What happened.
   */
  'event'?: "accepted"|"progress"|"output"|"finished";
}

/**
 * One message of a RunTask stream.
 */
export interface RunTaskEvent__Output {
  /**
   * The agent claimed the task; the first message, unless `finished` comes first and alone.
   */
  'accepted'?: (_baton_v1_RunTaskAccepted__Output | null);
  /**
   * The handler reported progress.
   */
  'progress'?: (_baton_v1_Progress__Output | null);
  /**
   * The handler streamed a chunk of output.
   */
  'output'?: (_baton_v1_Output__Output | null);
  /**
   * The attempt settled; always the last message.
   */
  'finished'?: (_baton_v1_RunTaskFinished__Output | null);
  /**
   * What happened.
   */
  'event'?: "accepted"|"progress"|"output"|"finished";
}
