// Original file: proto/baton/v1/task_service.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CancelTaskRequest as _baton_v1_CancelTaskRequest, CancelTaskRequest__Output as _baton_v1_CancelTaskRequest__Output } from '../../baton/v1/CancelTaskRequest.js';
import type { GetTaskRequest as _baton_v1_GetTaskRequest, GetTaskRequest__Output as _baton_v1_GetTaskRequest__Output } from '../../baton/v1/GetTaskRequest.js';
import type { ListDeadLettersRequest as _baton_v1_ListDeadLettersRequest, ListDeadLettersRequest__Output as _baton_v1_ListDeadLettersRequest__Output } from '../../baton/v1/ListDeadLettersRequest.js';
import type { ListDeadLettersResponse as _baton_v1_ListDeadLettersResponse, ListDeadLettersResponse__Output as _baton_v1_ListDeadLettersResponse__Output } from '../../baton/v1/ListDeadLettersResponse.js';
import type { ListTasksRequest as _baton_v1_ListTasksRequest, ListTasksRequest__Output as _baton_v1_ListTasksRequest__Output } from '../../baton/v1/ListTasksRequest.js';
import type { ListTasksResponse as _baton_v1_ListTasksResponse, ListTasksResponse__Output as _baton_v1_ListTasksResponse__Output } from '../../baton/v1/ListTasksResponse.js';
import type { ReplayDeadLetterRequest as _baton_v1_ReplayDeadLetterRequest, ReplayDeadLetterRequest__Output as _baton_v1_ReplayDeadLetterRequest__Output } from '../../baton/v1/ReplayDeadLetterRequest.js';
import type { SubmitTaskRequest as _baton_v1_SubmitTaskRequest, SubmitTaskRequest__Output as _baton_v1_SubmitTaskRequest__Output } from '../../baton/v1/SubmitTaskRequest.js';
import type { SubmitTaskResponse as _baton_v1_SubmitTaskResponse, SubmitTaskResponse__Output as _baton_v1_SubmitTaskResponse__Output } from '../../baton/v1/SubmitTaskResponse.js';
import type { SubmitTasksRequest as _baton_v1_SubmitTasksRequest, SubmitTasksRequest__Output as _baton_v1_SubmitTasksRequest__Output } from '../../baton/v1/SubmitTasksRequest.js';
import type { SubmitTasksResponse as _baton_v1_SubmitTasksResponse, SubmitTasksResponse__Output as _baton_v1_SubmitTasksResponse__Output } from '../../baton/v1/SubmitTasksResponse.js';
import type { Task as _baton_v1_Task, Task__Output as _baton_v1_Task__Output } from '../../baton/v1/Task.js';
import type { TaskEvent as _baton_v1_TaskEvent, TaskEvent__Output as _baton_v1_TaskEvent__Output } from '../../baton/v1/TaskEvent.js';
import type { WaitTaskRequest as _baton_v1_WaitTaskRequest, WaitTaskRequest__Output as _baton_v1_WaitTaskRequest__Output } from '../../baton/v1/WaitTaskRequest.js';
import type { WatchTaskRequest as _baton_v1_WatchTaskRequest, WatchTaskRequest__Output as _baton_v1_WatchTaskRequest__Output } from '../../baton/v1/WatchTaskRequest.js';

/**
 * Submit, observe, cancel and recover tasks.
 */
export interface TaskServiceClient extends grpc.Client {
  /**
   * Cancels a pending or running task; a running handler sees its abort signal.
   * FAILED_PRECONDITION when the task already finished, NOT_FOUND when unknown.
   */
  CancelTask(argument: _baton_v1_CancelTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  CancelTask(argument: _baton_v1_CancelTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  CancelTask(argument: _baton_v1_CancelTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  CancelTask(argument: _baton_v1_CancelTaskRequest, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  /**
   * Cancels a pending or running task; a running handler sees its abort signal.
   * FAILED_PRECONDITION when the task already finished, NOT_FOUND when unknown.
   */
  cancelTask(argument: _baton_v1_CancelTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  cancelTask(argument: _baton_v1_CancelTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  cancelTask(argument: _baton_v1_CancelTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  cancelTask(argument: _baton_v1_CancelTaskRequest, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  
  /**
   * Reads a task. NOT_FOUND when no task has this id.
   */
  GetTask(argument: _baton_v1_GetTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  GetTask(argument: _baton_v1_GetTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  GetTask(argument: _baton_v1_GetTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  GetTask(argument: _baton_v1_GetTaskRequest, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  /**
   * Reads a task. NOT_FOUND when no task has this id.
   */
  getTask(argument: _baton_v1_GetTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  getTask(argument: _baton_v1_GetTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  getTask(argument: _baton_v1_GetTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  getTask(argument: _baton_v1_GetTaskRequest, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  
  /**
   * Lists dead letters, oldest first.
   */
  ListDeadLetters(argument: _baton_v1_ListDeadLettersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_ListDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  ListDeadLetters(argument: _baton_v1_ListDeadLettersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_ListDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  ListDeadLetters(argument: _baton_v1_ListDeadLettersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_ListDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  ListDeadLetters(argument: _baton_v1_ListDeadLettersRequest, callback: grpc.requestCallback<_baton_v1_ListDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Lists dead letters, oldest first.
   */
  listDeadLetters(argument: _baton_v1_ListDeadLettersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_ListDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  listDeadLetters(argument: _baton_v1_ListDeadLettersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_ListDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  listDeadLetters(argument: _baton_v1_ListDeadLettersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_ListDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  listDeadLetters(argument: _baton_v1_ListDeadLettersRequest, callback: grpc.requestCallback<_baton_v1_ListDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Lists tasks newest first, filtered by state and capability, in pages.
   */
  ListTasks(argument: _baton_v1_ListTasksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  ListTasks(argument: _baton_v1_ListTasksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  ListTasks(argument: _baton_v1_ListTasksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  ListTasks(argument: _baton_v1_ListTasksRequest, callback: grpc.requestCallback<_baton_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Lists tasks newest first, filtered by state and capability, in pages.
   */
  listTasks(argument: _baton_v1_ListTasksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  listTasks(argument: _baton_v1_ListTasksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  listTasks(argument: _baton_v1_ListTasksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  listTasks(argument: _baton_v1_ListTasksRequest, callback: grpc.requestCallback<_baton_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Moves a DEAD task back to PENDING with a fresh retry budget.
   * FAILED_PRECONDITION when the task is not DEAD, NOT_FOUND when unknown.
   */
  ReplayDeadLetter(argument: _baton_v1_ReplayDeadLetterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  ReplayDeadLetter(argument: _baton_v1_ReplayDeadLetterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  ReplayDeadLetter(argument: _baton_v1_ReplayDeadLetterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  ReplayDeadLetter(argument: _baton_v1_ReplayDeadLetterRequest, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  /**
   * Moves a DEAD task back to PENDING with a fresh retry budget.
   * FAILED_PRECONDITION when the task is not DEAD, NOT_FOUND when unknown.
   */
  replayDeadLetter(argument: _baton_v1_ReplayDeadLetterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  replayDeadLetter(argument: _baton_v1_ReplayDeadLetterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  replayDeadLetter(argument: _baton_v1_ReplayDeadLetterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  replayDeadLetter(argument: _baton_v1_ReplayDeadLetterRequest, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  
  /**
   * Stores and queues a task. Returns OK only once the task is durable. With an
   * idempotency key, repeated calls return the first task and queue nothing new.
   * Errors: INVALID_ARGUMENT (the message names the field), RESOURCE_EXHAUSTED (input
   * larger than the transport allows), UNAVAILABLE (NATS unreachable; safe to retry with
   * an idempotency key).
   */
  SubmitTask(argument: _baton_v1_SubmitTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_SubmitTaskResponse__Output>): grpc.ClientUnaryCall;
  SubmitTask(argument: _baton_v1_SubmitTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_SubmitTaskResponse__Output>): grpc.ClientUnaryCall;
  SubmitTask(argument: _baton_v1_SubmitTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_SubmitTaskResponse__Output>): grpc.ClientUnaryCall;
  SubmitTask(argument: _baton_v1_SubmitTaskRequest, callback: grpc.requestCallback<_baton_v1_SubmitTaskResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Stores and queues a task. Returns OK only once the task is durable. With an
   * idempotency key, repeated calls return the first task and queue nothing new.
   * Errors: INVALID_ARGUMENT (the message names the field), RESOURCE_EXHAUSTED (input
   * larger than the transport allows), UNAVAILABLE (NATS unreachable; safe to retry with
   * an idempotency key).
   */
  submitTask(argument: _baton_v1_SubmitTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_SubmitTaskResponse__Output>): grpc.ClientUnaryCall;
  submitTask(argument: _baton_v1_SubmitTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_SubmitTaskResponse__Output>): grpc.ClientUnaryCall;
  submitTask(argument: _baton_v1_SubmitTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_SubmitTaskResponse__Output>): grpc.ClientUnaryCall;
  submitTask(argument: _baton_v1_SubmitTaskRequest, callback: grpc.requestCallback<_baton_v1_SubmitTaskResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Submits many tasks in one call. Every request is validated first: if one is invalid
   * the call fails with INVALID_ARGUMENT naming "requests[i].field" and nothing is stored.
   */
  SubmitTasks(argument: _baton_v1_SubmitTasksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_SubmitTasksResponse__Output>): grpc.ClientUnaryCall;
  SubmitTasks(argument: _baton_v1_SubmitTasksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_SubmitTasksResponse__Output>): grpc.ClientUnaryCall;
  SubmitTasks(argument: _baton_v1_SubmitTasksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_SubmitTasksResponse__Output>): grpc.ClientUnaryCall;
  SubmitTasks(argument: _baton_v1_SubmitTasksRequest, callback: grpc.requestCallback<_baton_v1_SubmitTasksResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Submits many tasks in one call. Every request is validated first: if one is invalid
   * the call fails with INVALID_ARGUMENT naming "requests[i].field" and nothing is stored.
   */
  submitTasks(argument: _baton_v1_SubmitTasksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_SubmitTasksResponse__Output>): grpc.ClientUnaryCall;
  submitTasks(argument: _baton_v1_SubmitTasksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_SubmitTasksResponse__Output>): grpc.ClientUnaryCall;
  submitTasks(argument: _baton_v1_SubmitTasksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_SubmitTasksResponse__Output>): grpc.ClientUnaryCall;
  submitTasks(argument: _baton_v1_SubmitTasksRequest, callback: grpc.requestCallback<_baton_v1_SubmitTasksResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Returns the task once it has finished (a terminal state), or as it is when `timeout` has
   * passed: call again while its state is not terminal. A long poll: the gateway listens for
   * the task's end instead of making a stream per caller. NOT_FOUND when no task has this id.
   */
  WaitTask(argument: _baton_v1_WaitTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  WaitTask(argument: _baton_v1_WaitTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  WaitTask(argument: _baton_v1_WaitTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  WaitTask(argument: _baton_v1_WaitTaskRequest, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  /**
   * Returns the task once it has finished (a terminal state), or as it is when `timeout` has
   * passed: call again while its state is not terminal. A long poll: the gateway listens for
   * the task's end instead of making a stream per caller. NOT_FOUND when no task has this id.
   */
  waitTask(argument: _baton_v1_WaitTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  waitTask(argument: _baton_v1_WaitTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  waitTask(argument: _baton_v1_WaitTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  waitTask(argument: _baton_v1_WaitTaskRequest, callback: grpc.requestCallback<_baton_v1_Task__Output>): grpc.ClientUnaryCall;
  
  /**
   * Streams the task's events from the start (or from_sequence), then live; the stream
   * ends after the terminal state event. NOT_FOUND when no task has this id.
   */
  WatchTask(argument: _baton_v1_WatchTaskRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_baton_v1_TaskEvent__Output>;
  WatchTask(argument: _baton_v1_WatchTaskRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_baton_v1_TaskEvent__Output>;
  /**
   * Streams the task's events from the start (or from_sequence), then live; the stream
   * ends after the terminal state event. NOT_FOUND when no task has this id.
   */
  watchTask(argument: _baton_v1_WatchTaskRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_baton_v1_TaskEvent__Output>;
  watchTask(argument: _baton_v1_WatchTaskRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_baton_v1_TaskEvent__Output>;
  
}

/**
 * Submit, observe, cancel and recover tasks.
 */
export interface TaskServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Cancels a pending or running task; a running handler sees its abort signal.
   * FAILED_PRECONDITION when the task already finished, NOT_FOUND when unknown.
   */
  CancelTask: grpc.handleUnaryCall<_baton_v1_CancelTaskRequest__Output, _baton_v1_Task>;
  
  /**
   * Reads a task. NOT_FOUND when no task has this id.
   */
  GetTask: grpc.handleUnaryCall<_baton_v1_GetTaskRequest__Output, _baton_v1_Task>;
  
  /**
   * Lists dead letters, oldest first.
   */
  ListDeadLetters: grpc.handleUnaryCall<_baton_v1_ListDeadLettersRequest__Output, _baton_v1_ListDeadLettersResponse>;
  
  /**
   * Lists tasks newest first, filtered by state and capability, in pages.
   */
  ListTasks: grpc.handleUnaryCall<_baton_v1_ListTasksRequest__Output, _baton_v1_ListTasksResponse>;
  
  /**
   * Moves a DEAD task back to PENDING with a fresh retry budget.
   * FAILED_PRECONDITION when the task is not DEAD, NOT_FOUND when unknown.
   */
  ReplayDeadLetter: grpc.handleUnaryCall<_baton_v1_ReplayDeadLetterRequest__Output, _baton_v1_Task>;
  
  /**
   * Stores and queues a task. Returns OK only once the task is durable. With an
   * idempotency key, repeated calls return the first task and queue nothing new.
   * Errors: INVALID_ARGUMENT (the message names the field), RESOURCE_EXHAUSTED (input
   * larger than the transport allows), UNAVAILABLE (NATS unreachable; safe to retry with
   * an idempotency key).
   */
  SubmitTask: grpc.handleUnaryCall<_baton_v1_SubmitTaskRequest__Output, _baton_v1_SubmitTaskResponse>;
  
  /**
   * Submits many tasks in one call. Every request is validated first: if one is invalid
   * the call fails with INVALID_ARGUMENT naming "requests[i].field" and nothing is stored.
   */
  SubmitTasks: grpc.handleUnaryCall<_baton_v1_SubmitTasksRequest__Output, _baton_v1_SubmitTasksResponse>;
  
  /**
   * Returns the task once it has finished (a terminal state), or as it is when `timeout` has
   * passed: call again while its state is not terminal. A long poll: the gateway listens for
   * the task's end instead of making a stream per caller. NOT_FOUND when no task has this id.
   */
  WaitTask: grpc.handleUnaryCall<_baton_v1_WaitTaskRequest__Output, _baton_v1_Task>;
  
  /**
   * Streams the task's events from the start (or from_sequence), then live; the stream
   * ends after the terminal state event. NOT_FOUND when no task has this id.
   */
  WatchTask: grpc.handleServerStreamingCall<_baton_v1_WatchTaskRequest__Output, _baton_v1_TaskEvent>;
  
}

export interface TaskServiceDefinition extends grpc.ServiceDefinition {
  CancelTask: MethodDefinition<_baton_v1_CancelTaskRequest, _baton_v1_Task, _baton_v1_CancelTaskRequest__Output, _baton_v1_Task__Output>
  GetTask: MethodDefinition<_baton_v1_GetTaskRequest, _baton_v1_Task, _baton_v1_GetTaskRequest__Output, _baton_v1_Task__Output>
  ListDeadLetters: MethodDefinition<_baton_v1_ListDeadLettersRequest, _baton_v1_ListDeadLettersResponse, _baton_v1_ListDeadLettersRequest__Output, _baton_v1_ListDeadLettersResponse__Output>
  ListTasks: MethodDefinition<_baton_v1_ListTasksRequest, _baton_v1_ListTasksResponse, _baton_v1_ListTasksRequest__Output, _baton_v1_ListTasksResponse__Output>
  ReplayDeadLetter: MethodDefinition<_baton_v1_ReplayDeadLetterRequest, _baton_v1_Task, _baton_v1_ReplayDeadLetterRequest__Output, _baton_v1_Task__Output>
  SubmitTask: MethodDefinition<_baton_v1_SubmitTaskRequest, _baton_v1_SubmitTaskResponse, _baton_v1_SubmitTaskRequest__Output, _baton_v1_SubmitTaskResponse__Output>
  SubmitTasks: MethodDefinition<_baton_v1_SubmitTasksRequest, _baton_v1_SubmitTasksResponse, _baton_v1_SubmitTasksRequest__Output, _baton_v1_SubmitTasksResponse__Output>
  WaitTask: MethodDefinition<_baton_v1_WaitTaskRequest, _baton_v1_Task, _baton_v1_WaitTaskRequest__Output, _baton_v1_Task__Output>
  WatchTask: MethodDefinition<_baton_v1_WatchTaskRequest, _baton_v1_TaskEvent, _baton_v1_WatchTaskRequest__Output, _baton_v1_TaskEvent__Output>
}
