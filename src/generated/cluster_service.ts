import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Agent as _baton_v1_Agent, Agent__Output as _baton_v1_Agent__Output } from './baton/v1/Agent.js';
import type { ClusterServiceClient as _baton_v1_ClusterServiceClient, ClusterServiceDefinition as _baton_v1_ClusterServiceDefinition } from './baton/v1/ClusterService.js';
import type { Demand as _baton_v1_Demand, Demand__Output as _baton_v1_Demand__Output } from './baton/v1/Demand.js';
import type { GetDemandRequest as _baton_v1_GetDemandRequest, GetDemandRequest__Output as _baton_v1_GetDemandRequest__Output } from './baton/v1/GetDemandRequest.js';
import type { GetDemandResponse as _baton_v1_GetDemandResponse, GetDemandResponse__Output as _baton_v1_GetDemandResponse__Output } from './baton/v1/GetDemandResponse.js';
import type { GetQueueStatsRequest as _baton_v1_GetQueueStatsRequest, GetQueueStatsRequest__Output as _baton_v1_GetQueueStatsRequest__Output } from './baton/v1/GetQueueStatsRequest.js';
import type { GetQueueStatsResponse as _baton_v1_GetQueueStatsResponse, GetQueueStatsResponse__Output as _baton_v1_GetQueueStatsResponse__Output } from './baton/v1/GetQueueStatsResponse.js';
import type { GpuGroup as _baton_v1_GpuGroup, GpuGroup__Output as _baton_v1_GpuGroup__Output } from './baton/v1/GpuGroup.js';
import type { ListAgentsRequest as _baton_v1_ListAgentsRequest, ListAgentsRequest__Output as _baton_v1_ListAgentsRequest__Output } from './baton/v1/ListAgentsRequest.js';
import type { ListAgentsResponse as _baton_v1_ListAgentsResponse, ListAgentsResponse__Output as _baton_v1_ListAgentsResponse__Output } from './baton/v1/ListAgentsResponse.js';
import type { QueueStats as _baton_v1_QueueStats, QueueStats__Output as _baton_v1_QueueStats__Output } from './baton/v1/QueueStats.js';
import type { Resources as _baton_v1_Resources, Resources__Output as _baton_v1_Resources__Output } from './baton/v1/Resources.js';
import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from './google/protobuf/Duration.js';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  baton: {
    v1: {
      Agent: MessageTypeDefinition<_baton_v1_Agent, _baton_v1_Agent__Output>
      /**
       * What the cluster looks like: agents and queues.
       */
      ClusterService: SubtypeConstructor<typeof grpc.Client, _baton_v1_ClusterServiceClient> & { service: _baton_v1_ClusterServiceDefinition }
      Demand: MessageTypeDefinition<_baton_v1_Demand, _baton_v1_Demand__Output>
      GetDemandRequest: MessageTypeDefinition<_baton_v1_GetDemandRequest, _baton_v1_GetDemandRequest__Output>
      GetDemandResponse: MessageTypeDefinition<_baton_v1_GetDemandResponse, _baton_v1_GetDemandResponse__Output>
      GetQueueStatsRequest: MessageTypeDefinition<_baton_v1_GetQueueStatsRequest, _baton_v1_GetQueueStatsRequest__Output>
      GetQueueStatsResponse: MessageTypeDefinition<_baton_v1_GetQueueStatsResponse, _baton_v1_GetQueueStatsResponse__Output>
      GpuGroup: MessageTypeDefinition<_baton_v1_GpuGroup, _baton_v1_GpuGroup__Output>
      ListAgentsRequest: MessageTypeDefinition<_baton_v1_ListAgentsRequest, _baton_v1_ListAgentsRequest__Output>
      ListAgentsResponse: MessageTypeDefinition<_baton_v1_ListAgentsResponse, _baton_v1_ListAgentsResponse__Output>
      QueueStats: MessageTypeDefinition<_baton_v1_QueueStats, _baton_v1_QueueStats__Output>
      Resources: MessageTypeDefinition<_baton_v1_Resources, _baton_v1_Resources__Output>
    }
  }
  google: {
    protobuf: {
      Duration: MessageTypeDefinition<_google_protobuf_Duration, _google_protobuf_Duration__Output>
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
    }
  }
}

