// Original file: proto/baton/v1/agent_peer_service.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { RunTaskEvent as _baton_v1_RunTaskEvent, RunTaskEvent__Output as _baton_v1_RunTaskEvent__Output } from '../../baton/v1/RunTaskEvent.js';
import type { RunTaskRequest as _baton_v1_RunTaskRequest, RunTaskRequest__Output as _baton_v1_RunTaskRequest__Output } from '../../baton/v1/RunTaskRequest.js';

/**
 * Agent to agent: a parent agent hands a stored sub-task straight to a peer agent, which runs it
 * at once and streams how it goes. Served by every agent process (not by the gateway).
 */
export interface AgentPeerServiceClient extends grpc.Client {
  /**
   * Claims the task for the named agent and runs it. The stream sends `accepted`, then the
   * attempt's progress and output in order, then `finished`, then ends. `accepted` waits until
   * the attempt has run 50 ms or reports its first progress or output: an attempt that ends
   * sooner sends `finished` alone, which says as much. The task is durable: a caller that
   * cancels or whose deadline passes only stops listening; the run goes on and settles in the
   * store as usual.
   * Errors: INVALID_ARGUMENT (empty agent_id or task_id; the message names the field),
   * NOT_FOUND (no such agent in this process), RESOURCE_EXHAUSTED with trailer
   * `baton-error-code: PEER_REJECTED` (the agent declined: no free slot, not runnable, ...;
   * the message says why).
   */
  RunTask(argument: _baton_v1_RunTaskRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_baton_v1_RunTaskEvent__Output>;
  RunTask(argument: _baton_v1_RunTaskRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_baton_v1_RunTaskEvent__Output>;
  /**
   * Claims the task for the named agent and runs it. The stream sends `accepted`, then the
   * attempt's progress and output in order, then `finished`, then ends. `accepted` waits until
   * the attempt has run 50 ms or reports its first progress or output: an attempt that ends
   * sooner sends `finished` alone, which says as much. The task is durable: a caller that
   * cancels or whose deadline passes only stops listening; the run goes on and settles in the
   * store as usual.
   * Errors: INVALID_ARGUMENT (empty agent_id or task_id; the message names the field),
   * NOT_FOUND (no such agent in this process), RESOURCE_EXHAUSTED with trailer
   * `baton-error-code: PEER_REJECTED` (the agent declined: no free slot, not runnable, ...;
   * the message says why).
   */
  runTask(argument: _baton_v1_RunTaskRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_baton_v1_RunTaskEvent__Output>;
  runTask(argument: _baton_v1_RunTaskRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_baton_v1_RunTaskEvent__Output>;
  
}

/**
 * Agent to agent: a parent agent hands a stored sub-task straight to a peer agent, which runs it
 * at once and streams how it goes. Served by every agent process (not by the gateway).
 */
export interface AgentPeerServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Claims the task for the named agent and runs it. The stream sends `accepted`, then the
   * attempt's progress and output in order, then `finished`, then ends. `accepted` waits until
   * the attempt has run 50 ms or reports its first progress or output: an attempt that ends
   * sooner sends `finished` alone, which says as much. The task is durable: a caller that
   * cancels or whose deadline passes only stops listening; the run goes on and settles in the
   * store as usual.
   * Errors: INVALID_ARGUMENT (empty agent_id or task_id; the message names the field),
   * NOT_FOUND (no such agent in this process), RESOURCE_EXHAUSTED with trailer
   * `baton-error-code: PEER_REJECTED` (the agent declined: no free slot, not runnable, ...;
   * the message says why).
   */
  RunTask: grpc.handleServerStreamingCall<_baton_v1_RunTaskRequest__Output, _baton_v1_RunTaskEvent>;
  
}

export interface AgentPeerServiceDefinition extends grpc.ServiceDefinition {
  RunTask: MethodDefinition<_baton_v1_RunTaskRequest, _baton_v1_RunTaskEvent, _baton_v1_RunTaskRequest__Output, _baton_v1_RunTaskEvent__Output>
}
