// Original file: proto/baton/v1/cluster_service.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetDemandRequest as _baton_v1_GetDemandRequest, GetDemandRequest__Output as _baton_v1_GetDemandRequest__Output } from '../../baton/v1/GetDemandRequest.js';
import type { GetDemandResponse as _baton_v1_GetDemandResponse, GetDemandResponse__Output as _baton_v1_GetDemandResponse__Output } from '../../baton/v1/GetDemandResponse.js';
import type { GetQueueStatsRequest as _baton_v1_GetQueueStatsRequest, GetQueueStatsRequest__Output as _baton_v1_GetQueueStatsRequest__Output } from '../../baton/v1/GetQueueStatsRequest.js';
import type { GetQueueStatsResponse as _baton_v1_GetQueueStatsResponse, GetQueueStatsResponse__Output as _baton_v1_GetQueueStatsResponse__Output } from '../../baton/v1/GetQueueStatsResponse.js';
import type { ListAgentsRequest as _baton_v1_ListAgentsRequest, ListAgentsRequest__Output as _baton_v1_ListAgentsRequest__Output } from '../../baton/v1/ListAgentsRequest.js';
import type { ListAgentsResponse as _baton_v1_ListAgentsResponse, ListAgentsResponse__Output as _baton_v1_ListAgentsResponse__Output } from '../../baton/v1/ListAgentsResponse.js';

/**
 * What the cluster looks like: agents and queues.
 */
export interface ClusterServiceClient extends grpc.Client {
  /**
   * Pending tasks that wait for a kind of agent (missing, or all busy), grouped by capability
   * and resource class: what an operator or autoscaler should add.
   */
  GetDemand(argument: _baton_v1_GetDemandRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_GetDemandResponse__Output>): grpc.ClientUnaryCall;
  GetDemand(argument: _baton_v1_GetDemandRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_GetDemandResponse__Output>): grpc.ClientUnaryCall;
  GetDemand(argument: _baton_v1_GetDemandRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_GetDemandResponse__Output>): grpc.ClientUnaryCall;
  GetDemand(argument: _baton_v1_GetDemandRequest, callback: grpc.requestCallback<_baton_v1_GetDemandResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Pending tasks that wait for a kind of agent (missing, or all busy), grouped by capability
   * and resource class: what an operator or autoscaler should add.
   */
  getDemand(argument: _baton_v1_GetDemandRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_GetDemandResponse__Output>): grpc.ClientUnaryCall;
  getDemand(argument: _baton_v1_GetDemandRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_GetDemandResponse__Output>): grpc.ClientUnaryCall;
  getDemand(argument: _baton_v1_GetDemandRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_GetDemandResponse__Output>): grpc.ClientUnaryCall;
  getDemand(argument: _baton_v1_GetDemandRequest, callback: grpc.requestCallback<_baton_v1_GetDemandResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Per-capability queue statistics.
   */
  GetQueueStats(argument: _baton_v1_GetQueueStatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_GetQueueStatsResponse__Output>): grpc.ClientUnaryCall;
  GetQueueStats(argument: _baton_v1_GetQueueStatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_GetQueueStatsResponse__Output>): grpc.ClientUnaryCall;
  GetQueueStats(argument: _baton_v1_GetQueueStatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_GetQueueStatsResponse__Output>): grpc.ClientUnaryCall;
  GetQueueStats(argument: _baton_v1_GetQueueStatsRequest, callback: grpc.requestCallback<_baton_v1_GetQueueStatsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Per-capability queue statistics.
   */
  getQueueStats(argument: _baton_v1_GetQueueStatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_GetQueueStatsResponse__Output>): grpc.ClientUnaryCall;
  getQueueStats(argument: _baton_v1_GetQueueStatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_GetQueueStatsResponse__Output>): grpc.ClientUnaryCall;
  getQueueStats(argument: _baton_v1_GetQueueStatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_GetQueueStatsResponse__Output>): grpc.ClientUnaryCall;
  getQueueStats(argument: _baton_v1_GetQueueStatsRequest, callback: grpc.requestCallback<_baton_v1_GetQueueStatsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Lists live agents (those whose heartbeat is recent).
   */
  ListAgents(argument: _baton_v1_ListAgentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _baton_v1_ListAgentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _baton_v1_ListAgentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _baton_v1_ListAgentsRequest, callback: grpc.requestCallback<_baton_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Lists live agents (those whose heartbeat is recent).
   */
  listAgents(argument: _baton_v1_ListAgentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _baton_v1_ListAgentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _baton_v1_ListAgentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _baton_v1_ListAgentsRequest, callback: grpc.requestCallback<_baton_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * What the cluster looks like: agents and queues.
 */
export interface ClusterServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Pending tasks that wait for a kind of agent (missing, or all busy), grouped by capability
   * and resource class: what an operator or autoscaler should add.
   */
  GetDemand: grpc.handleUnaryCall<_baton_v1_GetDemandRequest__Output, _baton_v1_GetDemandResponse>;
  
  /**
   * Per-capability queue statistics.
   */
  GetQueueStats: grpc.handleUnaryCall<_baton_v1_GetQueueStatsRequest__Output, _baton_v1_GetQueueStatsResponse>;
  
  /**
   * Lists live agents (those whose heartbeat is recent).
   */
  ListAgents: grpc.handleUnaryCall<_baton_v1_ListAgentsRequest__Output, _baton_v1_ListAgentsResponse>;
  
}

export interface ClusterServiceDefinition extends grpc.ServiceDefinition {
  GetDemand: MethodDefinition<_baton_v1_GetDemandRequest, _baton_v1_GetDemandResponse, _baton_v1_GetDemandRequest__Output, _baton_v1_GetDemandResponse__Output>
  GetQueueStats: MethodDefinition<_baton_v1_GetQueueStatsRequest, _baton_v1_GetQueueStatsResponse, _baton_v1_GetQueueStatsRequest__Output, _baton_v1_GetQueueStatsResponse__Output>
  ListAgents: MethodDefinition<_baton_v1_ListAgentsRequest, _baton_v1_ListAgentsResponse, _baton_v1_ListAgentsRequest__Output, _baton_v1_ListAgentsResponse__Output>
}
