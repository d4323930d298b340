import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Attempt as _baton_v1_Attempt, Attempt__Output as _baton_v1_Attempt__Output } from './baton/v1/Attempt.js';
import type { Bid as _baton_v1_Bid, Bid__Output as _baton_v1_Bid__Output } from './baton/v1/Bid.js';
import type { DeadLetter as _baton_v1_DeadLetter, DeadLetter__Output as _baton_v1_DeadLetter__Output } from './baton/v1/DeadLetter.js';
import type { Output as _baton_v1_Output, Output__Output as _baton_v1_Output__Output } from './baton/v1/Output.js';
import type { Placement as _baton_v1_Placement, Placement__Output as _baton_v1_Placement__Output } from './baton/v1/Placement.js';
import type { Progress as _baton_v1_Progress, Progress__Output as _baton_v1_Progress__Output } from './baton/v1/Progress.js';
import type { Requirements as _baton_v1_Requirements, Requirements__Output as _baton_v1_Requirements__Output } from './baton/v1/Requirements.js';
import type { RetryPolicy as _baton_v1_RetryPolicy, RetryPolicy__Output as _baton_v1_RetryPolicy__Output } from './baton/v1/RetryPolicy.js';
import type { StateChange as _baton_v1_StateChange, StateChange__Output as _baton_v1_StateChange__Output } from './baton/v1/StateChange.js';
import type { Task as _baton_v1_Task, Task__Output as _baton_v1_Task__Output } from './baton/v1/Task.js';
import type { TaskError as _baton_v1_TaskError, TaskError__Output as _baton_v1_TaskError__Output } from './baton/v1/TaskError.js';
import type { TaskEvent as _baton_v1_TaskEvent, TaskEvent__Output as _baton_v1_TaskEvent__Output } from './baton/v1/TaskEvent.js';
import type { Waiting as _baton_v1_Waiting, Waiting__Output as _baton_v1_Waiting__Output } from './baton/v1/Waiting.js';
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
      DeadLetter: MessageTypeDefinition<_baton_v1_DeadLetter, _baton_v1_DeadLetter__Output>
      Output: MessageTypeDefinition<_baton_v1_Output, _baton_v1_Output__Output>
      Placement: MessageTypeDefinition<_baton_v1_Placement, _baton_v1_Placement__Output>
      Priority: EnumTypeDefinition
      Progress: MessageTypeDefinition<_baton_v1_Progress, _baton_v1_Progress__Output>
      Requirements: MessageTypeDefinition<_baton_v1_Requirements, _baton_v1_Requirements__Output>
      RetryPolicy: MessageTypeDefinition<_baton_v1_RetryPolicy, _baton_v1_RetryPolicy__Output>
      StateChange: MessageTypeDefinition<_baton_v1_StateChange, _baton_v1_StateChange__Output>
      Task: MessageTypeDefinition<_baton_v1_Task, _baton_v1_Task__Output>
      TaskError: MessageTypeDefinition<_baton_v1_TaskError, _baton_v1_TaskError__Output>
      TaskEvent: MessageTypeDefinition<_baton_v1_TaskEvent, _baton_v1_TaskEvent__Output>
      TaskState: EnumTypeDefinition
      Waiting: MessageTypeDefinition<_baton_v1_Waiting, _baton_v1_Waiting__Output>
    }
  }
  google: {
    protobuf: {
      Duration: MessageTypeDefinition<_google_protobuf_Duration, _google_protobuf_Duration__Output>
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
    }
  }
}

