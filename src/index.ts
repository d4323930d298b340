export {
  createClient,
  BatonClient,
  type ClientOptions,
  type SubmitItem,
  type SubmitResult,
} from "./client/client.js";
export type { AgentInfo } from "./registry/agents.js";
export type { QueueStats } from "./registry/queue-stats.js";
export type { Demand } from "./registry/demand.js";
export type { Bid, GpuGroup, Requirements, Resources } from "./placement/types.js";
export type { ConcurrencyLimit } from "./placement/concurrency-limit.js";
export type { WatchOptions } from "./client/watch.js";
export { Worker, type WorkerOptions } from "./dispatch/worker.js";
export { defineAgent, isAgentDefinition } from "./sdk/define-agent.js";
export type {
  AgentDefinition,
  AgentOptions,
  DelegateCall,
  DelegateOptions,
  Handler,
  TaskContext,
} from "./sdk/types.js";
export { connectBaton, type BatonConnection, type ConnectOptions } from "./nats/connection.js";
export { compileConfig, type BatonConfig, type BatonOptions } from "./config/index.js";
export {
  DEFAULT_RETRY_POLICY,
  retryDelayMs,
  type RetryOptions,
  type RetryPolicy,
} from "./retry.js";
export {
  AttemptTimeoutError,
  BatonError,
  CancelledError,
  ChildTaskFailedError,
  ConfigError,
  ConflictError,
  DeadlineExceededError,
  ErrorCode,
  FailedPreconditionError,
  FencedError,
  IllegalTransitionError,
  NatsServerMissingError,
  PayloadTooLargeError,
  RetryableError,
  TaskNotFoundError,
  TerminalError,
  UnknownCapabilityError,
  ValidationError,
} from "./errors.js";
export {
  PRIORITIES,
  TaskState,
  type AttemptRecord,
  type DeadLetter,
  type JsonValue,
  type ListOptions,
  type Priority,
  type SubmitOptions,
  type TaskError,
  type TaskEvent,
  type TaskPage,
  type TaskRecord,
  type PlacementRecord,
  type WaitingInfo,
} from "./types.js";
export {
  createGrpcClient,
  DEFAULT_GRPC_DEADLINE_MS,
  GrpcClient,
  type GrpcCallOptions,
  type GrpcClientOptions,
} from "./grpc/client/client.js";
export type { GrpcRetryOptions, GrpcTlsOptions } from "./grpc/client/channel.js";
export { GrpcCallError } from "./grpc/client/errors.js";
export type { GrpcWatchOptions } from "./grpc/client/watch.js";
export { startGateway, type Gateway, type StartGatewayOptions } from "./grpc/server/gateway.js";
export { dashboardRoutes, type DashboardOptions } from "./dashboard/routes.js";
export { createMockContext, type MockTaskContext } from "./sdk/testing.js";
export { readTrace, taskTraceId, type SpanRecord } from "./telemetry/span-store.js";
export { flushTracing, shutdownTracing, startTracing } from "./telemetry/tracing.js";
export { ATTR as SPAN_ATTRIBUTES } from "./telemetry/attributes.js";
export { s, type Infer } from "./sdk/schema.js";
export { sleep } from "./sdk/sleep.js";
export { newTaskId, taskIdKey } from "./ids.js";
