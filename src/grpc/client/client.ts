import {
  Metadata,
  status as Status,
  type CallOptions,
  type ChannelOptions,
  type ClientUnaryCall,
  type ServiceError,
} from "@grpc/grpc-js";
import type { SubmitItem, SubmitResult } from "../../client/client.js";
import { BatonError, ErrorCode, ValidationError } from "../../errors.js";
import { newTaskId, taskIdKey } from "../../ids.js";
import type { ClusterServiceClient } from "../../generated/baton/v1/ClusterService.js";
import type { TaskServiceClient } from "../../generated/baton/v1/TaskService.js";
import type { GetDemandResponse__Output } from "../../generated/baton/v1/GetDemandResponse.js";
import type { GetQueueStatsResponse__Output } from "../../generated/baton/v1/GetQueueStatsResponse.js";
import type { ListAgentsResponse__Output } from "../../generated/baton/v1/ListAgentsResponse.js";
import type { ListDeadLettersResponse__Output } from "../../generated/baton/v1/ListDeadLettersResponse.js";
import type { ListTasksResponse__Output } from "../../generated/baton/v1/ListTasksResponse.js";
import type { SubmitTaskResponse__Output } from "../../generated/baton/v1/SubmitTaskResponse.js";
import type { SubmitTasksResponse__Output } from "../../generated/baton/v1/SubmitTasksResponse.js";
import type { Task__Output } from "../../generated/baton/v1/Task.js";
import type { AgentInfo } from "../../registry/agents.js";
import type { Demand } from "../../registry/demand.js";
import type { QueueStats } from "../../registry/queue-stats.js";
import type {
  DeadLetter,
  ListOptions,
  SubmitOptions,
  TaskEvent,
  TaskPage,
  TaskRecord,
} from "../../types.js";
import { msToDuration, stateToProto } from "../convert.js";
import { loadBatonProto } from "../proto.js";
import {
  channelCredentials,
  channelOptions,
  type GrpcRetryOptions,
  type GrpcTlsOptions,
} from "./channel.js";
import {
  agentFromProto,
  deadLetterFromProto,
  demandFromProto,
  queueStatsFromProto,
  submitRequest,
  taskFromProto,
} from "./codec.js";
import { clientTracingInterceptor } from "../../telemetry/grpc-tracing.js";
import { GrpcCallError, toGrpcCallError } from "./errors.js";
import { WAIT_DEADLINE_MARGIN_MS, WAIT_WINDOW_MS, waitOverGrpc } from "./wait.js";
import { watchOverGrpc, type GrpcWatchOptions } from "./watch.js";

export interface GrpcClientOptions {
  /** Gateway address, `host:port` (e.g. `127.0.0.1:50051`). */
  address: string;
  /** Bearer token sent as `authorization: Bearer <token>` on every call. */
  token?: string;
  /** TLS (`true` for system roots), or its files; plaintext when absent. */
  tls?: boolean | GrpcTlsOptions;
  /** Deadline of each unary call in ms (default 30 000); per call with `{ deadlineMs }`. */
  deadlineMs?: number;
  /** Retry of UNAVAILABLE through the gRPC service config (defaults: 5 attempts, 200 ms..2 s). */
  retry?: GrpcRetryOptions;
  /**
   * Give every submit without an idempotency key a random one (default true), so a retried
   * submit cannot create a second task. Turn off only if the caller never retries.
   */
  autoIdempotencyKey?: boolean;
  /**
   * Wait for the gateway to be reachable instead of failing fast with UNAVAILABLE (until the
   * call's deadline). Default false; per call too.
   */
  waitForReady?: boolean;
  /** Extra grpc-js channel options (they win over Baton's). */
  channelOptions?: ChannelOptions;
}

/** Per-call settings. */
export interface GrpcCallOptions {
  /** This call's deadline in ms, instead of the client's `deadlineMs`. */
  deadlineMs?: number;
  /** Cancels the call (it then fails with CANCELLED). */
  signal?: AbortSignal;
  waitForReady?: boolean;
}

export const DEFAULT_GRPC_DEADLINE_MS = 30_000;
/** The library's default page of dead letters. */
const DEFAULT_DEAD_LETTER_LIMIT = 1000;
const MAX_PAGE = 1000;

type Callback<T> = (err: ServiceError | null, value?: T) => void;
type Invoke<Res> = (
  metadata: Metadata,
  options: CallOptions,
  callback: Callback<Res>,
) => ClientUnaryCall;

/**
 * A typed client of a Baton gateway with the same methods and result types as BatonClient
 * (TaskRecord, TaskEvent, ...), so code and the CLI work the same over NATS or gRPC. Failed calls
 * reject with GrpcCallError (`.code` is the gRPC status). The generated stubs are on `.task` and
 * `.cluster` for anything not wrapped here.
 */
export class GrpcClient implements AsyncDisposable {
  readonly address: string;
  /** The generated TaskService stub (types in src/generated). */
  readonly task: TaskServiceClient;
  /** The generated ClusterService stub; shares the channel with `task`. */
  readonly cluster: ClusterServiceClient;
  private readonly metadata: Metadata;
  private readonly deadlineMs: number;
  private readonly autoKey: boolean;
  private readonly waitForReady: boolean;
  private closed = false;

  constructor(options: GrpcClientOptions) {
    if (typeof options?.address !== "string" || options.address.trim() === "") {
      throw new ValidationError("address", "must be host:port of a Baton gateway");
    }
    const deadlineMs = options.deadlineMs ?? DEFAULT_GRPC_DEADLINE_MS;
    if (!Number.isFinite(deadlineMs) || deadlineMs <= 0) {
      throw new ValidationError("deadlineMs", "must be a positive number of milliseconds");
    }
    this.address = options.address.trim();
    this.deadlineMs = deadlineMs;
    this.autoKey = options.autoIdempotencyKey ?? true;
    this.waitForReady = options.waitForReady ?? false;
    this.metadata = new Metadata();
    if (options.token !== undefined && options.token !== "") {
      this.metadata.set("authorization", `Bearer ${options.token}`);
    }
    const tls = options.tls === true ? {} : options.tls === false ? undefined : options.tls;
    const creds = channelCredentials(options.tls);
    const opts = channelOptions(options.retry, tls, options.channelOptions);
    const proto = loadBatonProto();
    const interceptors = [clientTracingInterceptor(this.address)];
    this.task = new proto.TaskService(this.address, creds, {
      ...opts,
      interceptors,
    }) as unknown as TaskServiceClient;
    this.cluster = new proto.ClusterService(this.address, creds, {
      ...opts,
      interceptors,
      channelOverride: this.task.getChannel(),
    }) as unknown as ClusterServiceClient;
  }

  /** A fresh copy for each call (grpc-js may add to the metadata it is given). */
  callMetadata(call?: { waitForReady?: boolean }): Metadata {
    const md = this.metadata.clone();
    if (call?.waitForReady ?? this.waitForReady) md.setOptions({ waitForReady: true });
    return md;
  }

  private unary<Res>(name: string, invoke: Invoke<Res>, call?: GrpcCallOptions): Promise<Res> {
    if (this.closed) {
      return Promise.reject(new GrpcCallError(name, Status.CANCELLED, "the client is closed"));
    }
    return new Promise<Res>((resolve, reject) => {
      const signal = call?.signal;
      if (signal?.aborted) {
        reject(toGrpcCallError(name, signal.reason, this.address));
        return;
      }
      const onAbort = (): void => handle.cancel();
      const deadline = Date.now() + (call?.deadlineMs ?? this.deadlineMs);
      const handle = invoke(this.callMetadata(call), { deadline }, (err, value) => {
        signal?.removeEventListener("abort", onAbort);
        if (err) reject(toGrpcCallError(name, err, this.address));
        else resolve(value as Res);
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * A key naming a fresh task id (`task:<id>`): a retried submit finds the same task, and the
   * gateway stores no separate key for it.
   */
  private newKey(): string | undefined {
    return this.autoKey ? taskIdKey(newTaskId()) : undefined;
  }

  /**
   * Stores and queues a task; resolves once the gateway says it is durable. Without an
   * idempotency key the client makes one up (see `autoIdempotencyKey`), so the transparent
   * UNAVAILABLE retry never submits twice.
   */
  async submit(
    capability: string,
    input: unknown,
    options?: SubmitOptions,
    call?: GrpcCallOptions,
  ): Promise<TaskRecord> {
    return (await this.submitDetailed(capability, input, options, call)).task;
  }

  /** Like submit, and says whether the idempotency key matched an earlier task. */
  async submitDetailed(
    capability: string,
    input: unknown,
    options?: SubmitOptions,
    call?: GrpcCallOptions,
  ): Promise<SubmitResult> {
    const req = submitRequest(capability, input, options, this.newKey());
    const res = await this.unary<SubmitTaskResponse__Output>(
      "SubmitTask",
      (md, opts, cb) => this.task.submitTask(req, md, opts, cb),
      call,
    );
    return submitResult(res);
  }

  /**
   * Submits up to 1000 tasks in one call (all validated first: one invalid request fails the
   * call and nothing is stored). Results are in request order.
   */
  async submitMany(items: readonly SubmitItem[], call?: GrpcCallOptions): Promise<SubmitResult[]> {
    const requests = items.map((item, i) => {
      try {
        return submitRequest(item.capability, item.input, item.options, this.newKey());
      } catch (err) {
        if (err instanceof ValidationError) {
          throw new ValidationError(
            `requests[${i}].${err.field}`,
            err.message.slice(err.field.length + 2),
            err.code,
          );
        }
        throw err;
      }
    });
    const res = await this.unary<SubmitTasksResponse__Output>(
      "SubmitTasks",
      (md, opts, cb) => this.task.submitTasks({ requests }, md, opts, cb),
      call,
    );
    return res.responses.map(submitResult);
  }

  async get(id: string, call?: GrpcCallOptions): Promise<TaskRecord> {
    const t = await this.unary<Task__Output>(
      "GetTask",
      (md, opts, cb) => this.task.getTask({ id }, md, opts, cb),
      call,
    );
    return taskFromProto(t);
  }

  /**
   * The task's events from the start (or `fromSeq`), then live, ending with its terminal state.
   * When the stream breaks (UNAVAILABLE, or the gateway going away) the watch reconnects with
   * `from_sequence` = last sequence + 1: no event is lost or repeated.
   */
  watch(id: string, options: GrpcWatchOptions = {}): AsyncIterable<TaskEvent> {
    return watchOverGrpc(this, id, options);
  }

  /**
   * Resolves with the record once the task is terminal: WaitTask long polls (a watch on a gateway
   * without WaitTask). Rejects with a Timeout BatonError after `timeoutMs`, and with the signal's
   * reason once it aborts; the task goes on either way.
   */
  async wait(
    id: string,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<TaskRecord> {
    const ac = new AbortController();
    const outer = options.signal;
    const onOuter = (): void => ac.abort(outer?.reason);
    outer?.addEventListener("abort", onOuter, { once: true });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(
            () =>
              ac.abort(
                new BatonError(
                  ErrorCode.Timeout,
                  `task ${id} not finished after ${options.timeoutMs} ms`,
                ),
              ),
            options.timeoutMs,
          );
    try {
      const request = { id, timeout: msToDuration(WAIT_WINDOW_MS) };
      const poll = (signal: AbortSignal): Promise<TaskRecord> =>
        this.unary<Task__Output>(
          "WaitTask",
          (md, opts, cb) => this.task.waitTask(request, md, opts, cb),
          { signal, deadlineMs: WAIT_WINDOW_MS + WAIT_DEADLINE_MARGIN_MS },
        ).then(taskFromProto);
      return await waitOverGrpc(this, id, ac.signal, poll);
    } catch (err) {
      if (ac.signal.aborted && ac.signal.reason instanceof Error) throw ac.signal.reason;
      throw err;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onOuter);
    }
  }

  /** Cancels a pending or running task; FAILED_PRECONDITION when it already finished. */
  async cancel(id: string, reason?: string, call?: GrpcCallOptions): Promise<TaskRecord> {
    const req = { id, ...(reason !== undefined ? { reason } : {}) };
    const t = await this.unary<Task__Output>(
      "CancelTask",
      (md, opts, cb) => this.task.cancelTask(req, md, opts, cb),
      call,
    );
    return taskFromProto(t);
  }

  /** Tasks newest first, in pages of `limit` (at most 1000 over gRPC), with `nextCursor`. */
  async list(options: ListOptions = {}, call?: GrpcCallOptions): Promise<TaskPage> {
    const states = options.state === undefined ? [] : [options.state].flat().map(stateToProto);
    const req = {
      states,
      capability: options.capability ?? "",
      pageSize: options.limit ?? 0,
      pageToken: options.cursor ?? "",
      labels: options.labels ?? {},
    };
    const res = await this.unary<ListTasksResponse__Output>(
      "ListTasks",
      (md, opts, cb) => this.task.listTasks(req, md, opts, cb),
      call,
    );
    const tasks = res.tasks.map(taskFromProto);
    return res.nextPageToken ? { tasks, nextCursor: res.nextPageToken } : { tasks };
  }

  /**
   * Dead letters oldest first, up to `limit` (default 1000, fetched in pages); pass the last
   * seen `seq + 1` as `fromSeq` to continue.
   */
  async deadLetters(
    options: { capability?: string; limit?: number; fromSeq?: number } = {},
    call?: GrpcCallOptions,
  ): Promise<DeadLetter[]> {
    const limit = options.limit ?? DEFAULT_DEAD_LETTER_LIMIT;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new ValidationError("limit", "must be a positive integer");
    }
    const out: DeadLetter[] = [];
    let pageToken = options.fromSeq ? String(options.fromSeq) : "";
    for (;;) {
      const req = {
        capability: options.capability ?? "",
        pageSize: Math.min(MAX_PAGE, limit - out.length),
        pageToken,
      };
      const res = await this.unary<ListDeadLettersResponse__Output>(
        "ListDeadLetters",
        (md, opts, cb) => this.task.listDeadLetters(req, md, opts, cb),
        call,
      );
      out.push(...res.deadLetters.map(deadLetterFromProto));
      if (!res.nextPageToken || out.length >= limit || res.deadLetters.length === 0) return out;
      pageToken = res.nextPageToken;
    }
  }

  /** Moves a DEAD task back to PENDING; FAILED_PRECONDITION when it is not DEAD. */
  async replay(id: string, call?: GrpcCallOptions): Promise<TaskRecord> {
    const t = await this.unary<Task__Output>(
      "ReplayDeadLetter",
      (md, opts, cb) => this.task.replayDeadLetter({ taskId: id }, md, opts, cb),
      call,
    );
    return taskFromProto(t);
  }

  /** Live agents, optionally only those serving a capability. */
  async listAgents(
    options: { capability?: string } = {},
    call?: GrpcCallOptions,
  ): Promise<AgentInfo[]> {
    const req = { capability: options.capability ?? "" };
    const res = await this.unary<ListAgentsResponse__Output>(
      "ListAgents",
      (md, opts, cb) => this.cluster.listAgents(req, md, opts, cb),
      call,
    );
    return res.agents.map(agentFromProto);
  }

  /** Backlog, in-flight, oldest age and dead letters per capability. */
  async queueStats(
    options: { capability?: string } = {},
    call?: GrpcCallOptions,
  ): Promise<QueueStats[]> {
    const req = { capability: options.capability ?? "" };
    const res = await this.unary<GetQueueStatsResponse__Output>(
      "GetQueueStats",
      (md, opts, cb) => this.cluster.getQueueStats(req, md, opts, cb),
      call,
    );
    return res.queues.map(queueStatsFromProto);
  }

  /** Waiting tasks per capability and resource class, as BatonClient.demand returns them. */
  async demand(options: { capability?: string } = {}, call?: GrpcCallOptions): Promise<Demand[]> {
    const req = { capability: options.capability ?? "" };
    const res = await this.unary<GetDemandResponse__Output>(
      "GetDemand",
      (md, opts, cb) => this.cluster.getDemand(req, md, opts, cb),
      call,
    );
    return res.demand.map(demandFromProto);
  }

  /** Closes the channel; calls in flight fail with CANCELLED. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.cluster.close();
      this.task.close();
    }
    return Promise.resolve();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function submitResult(res: SubmitTaskResponse__Output): SubmitResult {
  if (!res.task) throw new GrpcCallError("SubmitTask", Status.INTERNAL, "gateway returned no task");
  return { task: taskFromProto(res.task), deduplicated: res.deduplicated };
}

/** Opens a client to a Baton gateway (connection happens lazily on the first call). */
export function createGrpcClient(options: GrpcClientOptions): GrpcClient {
  return new GrpcClient(options);
}
