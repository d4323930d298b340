/**
 * The calling side of baton.v1.AgentPeerService: hand a stored task to a peer agent and follow
 * the attempt. Anything short of a clean `finished` (transport failure, deadline, a stream that
 * ends early) throws a PeerRunError, and the caller falls back to the durable queue.
 */
import {
  credentials,
  Metadata,
  status,
  type ClientReadableStream,
  type ServiceError,
} from "@grpc/grpc-js";
import type { AgentPeerServiceClient } from "../../generated/baton/v1/AgentPeerService.js";
import type { RunTaskEvent__Output } from "../../generated/baton/v1/RunTaskEvent.js";
import type { RunTaskFinished__Output } from "../../generated/baton/v1/RunTaskFinished.js";
import type { Logger } from "../../telemetry/logger.js";
import type {
  JsonValue,
  OutputEvent,
  PlacementRecord,
  ProgressEvent,
  TaskError,
  TaskState,
} from "../../types.js";
import { clientTracingInterceptor } from "../../telemetry/grpc-tracing.js";
import { errorFromProto } from "../client/codec.js";
import { statusName } from "../client/errors.js";
import { bytesToJson, stateFromProto } from "../convert.js";
import { PEER_REJECTED, peerServiceConstructor } from "./proto.js";

export type PeerOutcome =
  | { kind: "rejected"; reason: string }
  | {
      kind: "finished";
      /** The record's state after the attempt: terminal, PENDING for a retry, or taken over. */
      state: TaskState;
      /** The record's latest claim number. */
      attempt: number;
      result?: JsonValue;
      error?: TaskError;
    };

/** Progress and output of the peer's attempt, as the store's events carry them (no sequence). */
export type PeerTaskEvent = Omit<ProgressEvent, "seq"> | Omit<OutputEvent, "seq">;

export interface RunOnPeerOptions {
  /** The peer's advertised address, `host:port`. */
  address: string;
  agentId: string;
  taskId: string;
  /** Deadline of the whole call; past it the call throws (the peer's run goes on). */
  deadlineMs: number;
  /** Stops following the run (it goes on at the peer); the call throws the signal's reason. */
  signal?: AbortSignal;
  onEvent?: (event: PeerTaskEvent) => void;
  /** The caller's negotiation, recorded in the task's history by the peer's claim. */
  placement?: PlacementRecord;
}

/** RunTask did not end in `finished` or a rejection. */
export class PeerRunError extends Error {
  /** gRPC status, when the call ended with one. */
  readonly code: status | undefined;
  readonly address: string;
  /** True when the peer had claimed the task: it runs there; follow it in the store. */
  readonly accepted: boolean;

  constructor(
    address: string,
    message: string,
    options: { code?: status; accepted: boolean; cause?: unknown },
  ) {
    super(
      `peer ${address}: ${message}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "PeerRunError";
    this.code = options.code;
    this.address = address;
    this.accepted = options.accepted;
  }
}

interface PoolEntry {
  client: AgentPeerServiceClient;
  active: number;
  lastUsed: number;
}

const MAX_IDLE_CLIENTS = 64;

/** One gRPC client per peer address, reused across calls. */
export class PeerClients {
  private readonly clients = new Map<string, PoolEntry>();
  private closed = false;

  constructor(readonly logger: Logger) {}

  /** A client for `address`; call `release` when the call ends. */
  acquire(address: string): { client: AgentPeerServiceClient; release: () => void } {
    if (this.closed) throw new Error("peer clients are closed");
    let entry = this.clients.get(address);
    if (!entry) {
      const Ctor = peerServiceConstructor();
      const client = new Ctor(address, credentials.createInsecure(), {
        // A failed hand-off falls back to the queue at once; retrying here only delays that.
        "grpc.enable_retries": 0,
        "grpc.initial_reconnect_backoff_ms": 100,
        "grpc.max_reconnect_backoff_ms": 1000,
        "grpc.keepalive_time_ms": 30_000,
        "grpc.keepalive_timeout_ms": 10_000,
        interceptors: [clientTracingInterceptor(address)],
      }) as unknown as AgentPeerServiceClient;
      entry = { client, active: 0, lastUsed: Date.now() };
      this.clients.set(address, entry);
      this.evictIdle();
    }
    const e = entry;
    e.active++;
    e.lastUsed = Date.now();
    let released = false;
    return {
      client: e.client,
      release: () => {
        if (released) return;
        released = true;
        e.active--;
        e.lastUsed = Date.now();
      },
    };
  }

  /** Peers come and go (new ports on restart): drop the least recently used idle clients. */
  private evictIdle(): void {
    if (this.clients.size <= MAX_IDLE_CLIENTS) return;
    const idle = [...this.clients.entries()]
      .filter(([, e]) => e.active === 0)
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [address, e] of idle.slice(0, this.clients.size - MAX_IDLE_CLIENTS)) {
      e.client.close();
      this.clients.delete(address);
    }
  }

  /** Closes every client; calls in flight fail. */
  close(): void {
    this.closed = true;
    for (const e of this.clients.values()) e.client.close();
    this.clients.clear();
  }
}

function isServiceError(err: unknown): err is ServiceError {
  return (
    err instanceof Error && "code" in err && typeof (err as { code: unknown }).code === "number"
  );
}

function finishedOutcome(f: RunTaskFinished__Output): PeerOutcome {
  const error = errorFromProto(f.error);
  return {
    kind: "finished",
    state: stateFromProto(f.state, "finished.state"),
    attempt: f.attempt,
    ...(f.result && f.result.length > 0
      ? { result: bytesToJson(f.result, "finished.result") }
      : {}),
    ...(error ? { error } : {}),
  };
}

/**
 * Asks the agent `agentId` at `address` to run `taskId` now and follows the attempt. Resolves
 * with the peer's rejection or the settled record's outcome; throws on anything else.
 */
export async function runOnPeer(pool: PeerClients, opts: RunOnPeerOptions): Promise<PeerOutcome> {
  const { address, agentId, taskId, deadlineMs, signal, onEvent } = opts;
  signal?.throwIfAborted();
  const { client, release } = pool.acquire(address);
  const call: ClientReadableStream<RunTaskEvent__Output> = client.runTask(
    {
      agentId,
      taskId,
      ...(opts.placement ? { placement: Buffer.from(JSON.stringify(opts.placement)) } : {}),
    },
    new Metadata(),
    { deadline: Date.now() + deadlineMs },
  );
  const onAbort = (): void => call.cancel();
  signal?.addEventListener("abort", onAbort, { once: true });
  let accepted = false;
  let outcome: PeerOutcome | undefined;
  const deliver = (event: PeerTaskEvent): void => {
    try {
      onEvent?.(event);
    } catch (err) {
      pool.logger.warn({ err, task_id: taskId }, "peer event handler threw");
    }
  };
  try {
    for await (const message of call as AsyncIterable<RunTaskEvent__Output>) {
      if (message.accepted) {
        accepted = true;
      } else if (message.progress) {
        const { attempt, value } = message.progress;
        const progress = bytesToJson(value, "progress.value");
        deliver({ type: "progress", taskId, time: Date.now(), attempt, progress });
      } else if (message.output) {
        const { attempt, chunk } = message.output;
        const json = bytesToJson(chunk, "output.chunk");
        deliver({ type: "output", taskId, time: Date.now(), attempt, chunk: json });
      } else if (message.finished) {
        outcome = finishedOutcome(message.finished);
      }
    }
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    if (!isServiceError(err)) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new PeerRunError(address, `RunTask failed: ${reason}`, { accepted, cause: err });
    }
    const errorCode = err.metadata?.get("baton-error-code")[0];
    if (err.code === status.RESOURCE_EXHAUSTED && errorCode === PEER_REJECTED && !accepted) {
      return { kind: "rejected", reason: err.details };
    }
    throw new PeerRunError(
      address,
      `RunTask ${statusName(err.code)}: ${err.details || statusName(err.code)}`,
      { code: err.code, accepted, cause: err },
    );
  } finally {
    signal?.removeEventListener("abort", onAbort);
    call.cancel();
    release();
  }
  if (!outcome) {
    throw new PeerRunError(address, "RunTask stream ended without finished", { accepted });
  }
  return outcome;
}
