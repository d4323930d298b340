import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Attempt as _baton_v1_Attempt, Attempt__Output as _baton_v1_Attempt__Output } from './baton/v1/Attempt.js';
import type { Bid as _baton_v1_Bid, Bid__Output as _baton_v1_Bid__Output } from './baton/v1/Bid.js';
import type { CancelTaskRequest as _baton_v1_CancelTaskRequest, CancelTaskRequest__Output as _baton_v1_CancelTaskRequest__Output } from './baton/v1/CancelTaskRequest.js';
import type { DeadLetter as _baton_v1_DeadLetter, DeadLetter__Output as _baton_v1_DeadLetter__Output } from './baton/v1/DeadLetter.js';
import type { GetTaskRequest as _baton_v1_GetTaskRequest, GetTaskRequest__Output as _baton_v1_GetTaskRequest__Output } from './baton/v1/GetTaskRequest.js';
import type { ListDeadLettersRequest as _baton_v1_ListDeadLettersRequest, ListDeadLettersRequest__Output as _baton_v1_ListDeadLettersRequest__Output } from './baton/v1/ListDeadLettersRequest.js';
import type { ListDeadLettersResponse as _baton_v1_ListDeadLettersResponse, ListDeadLettersResponse__Output as _baton_v1_ListDeadLettersResponse__Output } from './baton/v1/ListDeadLettersResponse.js';
import type { ListTasksRequest as _baton_v1_ListTasksRequest, ListTasksRequest__Output as _baton_v1_ListTasksRequest__Output } from './baton/v1/ListTasksRequest.js';
import type { ListTasksResponse as _baton_v1_ListTasksResponse, ListTasksResponse__Output as _baton_v1_ListTasksResponse__Output } from './baton/v1/ListTasksResponse.js';
import type { Output as _baton_v1_Output, Output__Output as _baton_v1_Output__Output } from './baton/v1/Output.js';
import type { Placement as _baton_v1_Placement, Placement__Output as _baton_v1_Placement__Output } from './baton/v1/Placement.js';
import type { Progress as _baton_v1_Progress, Progress__Output as _baton_v1_Progress__Output } from './baton/v1/Progress.js';
import type { ReplayDeadLetterRequest as _baton_v1_ReplayDeadLetterRequest, ReplayDeadLetterRequest__Output as _baton_v1_ReplayDeadLetterRequest__Output } from './baton/v1/ReplayDeadLetterRequest.js';
import type { Requirements as _baton_v1_Requirements, Requirements__Output as _baton_v1_Requirements__Output } from './baton/v1/Requirements.js';
import type { RetryPolicy as _baton_v1_RetryPolicy, RetryPolicy__Output as _baton_v1_RetryPolicy__Output } from './baton/v1/RetryPolicy.js';
import type { StateChange as _baton_v1_StateChange, StateChange__Output as _baton_v1_StateChange__Output } from './baton/v1/StateChange.js';
import type { SubmitTaskRequest as _baton_v1_SubmitTaskRequest, SubmitTaskRequest__Output as _baton_v1_SubmitTaskRequest__Output } from './baton/v1/SubmitTaskRequest.js';
import type { SubmitTaskResponse as _baton_v1_SubmitTaskResponse, SubmitTaskResponse__Output as _baton_v1_SubmitTaskResponse__Output } from './baton/v1/SubmitTaskResponse.js';
import type { SubmitTasksRequest as _baton_v1_SubmitTasksRequest, SubmitTasksRequest__Output as _baton_v1_SubmitTasksRequest__Output } from './baton/v1/SubmitTasksRequest.js';
import type { SubmitTasksResponse as _baton_v1_SubmitTasksResponse, SubmitTasksResponse__Output as _baton_v1_SubmitTasksResponse__Output } from './baton/v1/SubmitTasksResponse.js';
import type { Task as _baton_v1_Task, Task__Output as _baton_v1_Task__Output } from './baton/v1/Task.js';
import type { TaskError as _baton_v1_TaskError, TaskError__Output as _baton_v1_TaskError__Output } from './baton/v1/TaskError.js';
import type { TaskEvent as _baton_v1_TaskEvent, TaskEvent__Output as _baton_v1_TaskEvent__Output } from './baton/v1/TaskEvent.js';
import type { TaskServiceClient as _baton_v1_TaskServiceClient, TaskServiceDefinition as _baton_v1_TaskServiceDefinition } from './baton/v1/TaskService.js';
import type { WaitTaskRequest as _baton_v1_WaitTaskRequest, WaitTaskRequest__Output as _baton_v1_WaitTaskRequest__Output } from './baton/v1/WaitTaskRequest.js';
import type { Waiting as _baton_v1_Waiting, Waiting__Output as _baton_v1_Waiting__Output } from './baton/v1/Waiting.js';
import type { WatchTaskRequest as _baton_v1_WatchTaskRequest, WatchTaskRequest__Output as _baton_v1_WatchTaskRequest__Output } from './baton/v1/WatchTaskRequest.js';
import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from './google/protobuf/Duration.js';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  baton: {
    v1: {
      Attempt: MessageTypeDefinition<_baton_v1_Attempt, _baton_v1_Attempt__Output>
      Bid: MessageTypeDefinition<_baton_v1_Bid, _baton_v1_Bid__Output>
      CancelTaskRequest: MessageTypeDefinition<_baton_v1_CancelTaskRequest, _baton_v1_CancelTaskRequest__Output>
      DeadLetter: MessageTypeDefinition<_baton_v1_DeadLetter, _baton_v1_DeadLetter__Output>
      GetTaskRequest: MessageTypeDefinition<_baton_v1_GetTaskRequest, _baton_v1_GetTaskRequest__Output>
      ListDeadLettersRequest: MessageTypeDefinition<_baton_v1_ListDeadLettersRequest, _baton_v1_ListDeadLettersRequest__Output>
      ListDeadLettersResponse: MessageTypeDefinition<_baton_v1_ListDeadLettersResponse, _baton_v1_ListDeadLettersResponse__Output>
      ListTasksRequest: MessageTypeDefinition<_baton_v1_ListTasksRequest, _baton_v1_ListTasksRequest__Output>
      ListTasksResponse: MessageTypeDefinition<_baton_v1_ListTasksResponse, _baton_v1_ListTasksResponse__Output>
      Output: MessageTypeDefinition<_baton_v1_Output, _baton_v1_Output__Output>
      Placement: MessageTypeDefinition<_baton_v1_Placement, _baton_v1_Placement__Output>
      Priority: EnumTypeDefinition
      Progress: MessageTypeDefinition<_baton_v1_Progress, _baton_v1_Progress__Output>
      ReplayDeadLetterRequest: MessageTypeDefinition<_baton_v1_ReplayDeadLetterRequest, _baton_v1_ReplayDeadLetterRequest__Output>
      Requirements: MessageTypeDefinition<_baton_v1_Requirements, _baton_v1_Requirements__Output>
      RetryPolicy: MessageTypeDefinition<_baton_v1_RetryPolicy, _baton_v1_RetryPolicy__Output>
      StateChange: MessageTypeDefinition<_baton_v1_StateChange, _baton_v1_StateChange__Output>
      SubmitTaskRequest: MessageTypeDefinition<_baton_v1_SubmitTaskRequest, _baton_v1_SubmitTaskRequest__Output>
      SubmitTaskResponse: MessageTypeDefinition<_baton_v1_SubmitTaskResponse, _baton_v1_SubmitTaskResponse__Output>
      SubmitTasksRequest: MessageTypeDefinition<_baton_v1_SubmitTasksRequest, _baton_v1_SubmitTasksRequest__Output>
      SubmitTasksResponse: MessageTypeDefinition<_baton_v1_SubmitTasksResponse, _baton_v1_SubmitTasksResponse__Output>
      Task: MessageTypeDefinition<_baton_v1_Task, _baton_v1_Task__Output>
      TaskError: MessageTypeDefinition<_baton_v1_TaskError, _baton_v1_TaskError__Output>
      TaskEvent: MessageTypeDefinition<_baton_v1_TaskEvent, _baton_v1_TaskEvent__Output>
      /**
       * Submit, observe, cancel and recover tasks.
       */
      TaskService: SubtypeConstructor<typeof grpc.Client, _baton_v1_TaskServiceClient> & { service: _baton_v1_TaskServiceDefinition }
      TaskState: EnumTypeDefinition
      WaitTaskRequest: MessageTypeDefinition<_baton_v1_WaitTaskRequest, _baton_v1_WaitTaskRequest__Output>
      Waiting: MessageTypeDefinition<_baton_v1_Waiting, _baton_v1_Waiting__Output>
      WatchTaskRequest: MessageTypeDefinition<_baton_v1_WatchTaskRequest, _baton_v1_WatchTaskRequest__Output>
    }
  }
  google: {
    protobuf: {
      Duration: MessageTypeDefinition<_google_protobuf_Duration, _google_protobuf_Duration__Output>
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
    }
  }
}

