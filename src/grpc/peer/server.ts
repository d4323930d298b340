/**
 * The agent process's side of baton.v1.AgentPeerService: a peer hands a stored task to one of
 * this process's agents (a PeerHost) and follows the attempt over the stream. The stream is only
 * a view: the task is claimed and settled in the store, so a caller that goes away changes
 * nothing about the run.
 */
import { hostname } from "node:os";
import {
  Metadata,
  Server,
  ServerCredentials,
  status,
  type ServerWritableStream,
  type ServiceError,
} from "@grpc/grpc-js";
import type { DirectRun, PeerHost } from "../../dispatch/peer-host.js";
import type { AgentPeerServiceHandlers } from "../../generated/baton/v1/AgentPeerService.js";
import type { RunTaskEvent } from "../../generated/baton/v1/RunTaskEvent.js";
import type { RunTaskFinished } from "../../generated/baton/v1/RunTaskFinished.js";
import type { RunTaskRequest__Output } from "../../generated/baton/v1/RunTaskRequest.js";
import type { Logger } from "../../telemetry/logger.js";
import type { PlacementRecord, TaskEventBody, TaskRecord } from "../../types.js";
import { errorToProto, jsonToBytes, stateToProto } from "../convert.js";
import { SlotTable } from "../../slot-table.js";
import { serverTracingInterceptor } from "../../telemetry/grpc-tracing.js";
import { serviceError, statusFromError } from "../status.js";
import { PEER_REJECTED, peerServiceConstructor } from "./proto.js";

export interface PeerServerOptions {
  /** The agents of this process; RunTask picks one by agent_id. */
  hosts: readonly PeerHost[];
  /** Bind address, e.g. "127.0.0.1", "0.0.0.0", "::". */
  host: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
}

export interface PeerServer {
  /** Where it listens, with the bound port: `127.0.0.1:41234`, `[::]:41234`. */
  readonly address: string;
  /** The bound port. */
  readonly port: number;
  /**
   * Ends open RunTask streams with UNAVAILABLE (callers fall back to the store; the runs go on),
   * then stops the server. Idempotent.
   */
  close(): Promise<void>;
}

type RunTaskCall = ServerWritableStream<RunTaskRequest__Output, RunTaskEvent>;

const CLOSE_TIMEOUT_MS = 2_000;
/** How long a run goes on before RunTask's `accepted` is sent without an event to precede. */
const ACCEPTED_DELAY_MS = 50;

/** `host:port`, bracketing an IPv6 host. */
export function joinHostPort(host: string, port: number): string {
  return `${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`;
}

const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", "[::]", ""]);

/**
 * The address other agents dial: `advertise` when set, else the bound host and port, with this
 * machine's host name in place of a wildcard bind (which no peer can dial).
 */
export function advertisedPeerAddress(
  host: string,
  port: number,
  advertise: string | undefined,
): string {
  if (advertise !== undefined) return advertise;
  return joinHostPort(WILDCARD_HOSTS.has(host) ? hostname() : host, port);
}

function statusError(code: status, details: string, errorCode?: string): Partial<ServiceError> {
  const metadata = new Metadata();
  if (errorCode) metadata.set("baton-error-code", errorCode);
  return { code, details, metadata };
}

function invalid(field: string, message: string): Partial<ServiceError> {
  const metadata = new Metadata();
  metadata.set("baton-error-code", "INVALID_ARGUMENT");
  metadata.set("baton-field", field);
  return { code: status.INVALID_ARGUMENT, details: `${field}: ${message}`, metadata };
}

function finishedOf(record: TaskRecord, attempt: number): RunTaskFinished {
  // A retry leaves the reason on the attempt; report it so the caller knows why.
  const error = record.error ?? record.attempts.find((a) => a.attempt === attempt)?.error;
  return {
    state: stateToProto(record.state),
    attempt: record.attempt,
    result: jsonToBytes(record.result),
    error: errorToProto(error),
  };
}

/** Starts the peer service and resolves once it listens. */
export async function startPeerServer(opts: PeerServerOptions): Promise<PeerServer> {
  const logger = opts.logger.child({ component: "peer-server" });
  const hosts = new Map<string, PeerHost>(opts.hosts.map((h) => [h.agentId, h]));
  /** Open streams, each with a function that ends it for shutdown. */
  const open = new SlotTable<() => void>("c");

  const runTask = (call: RunTaskCall): void => {
    const agentId = call.request.agentId ?? "";
    const taskId = call.request.taskId ?? "";
    if (agentId === "") {
      call.emit("error", invalid("agent_id", "is required"));
      return;
    }
    if (taskId === "") {
      call.emit("error", invalid("task_id", "is required"));
      return;
    }
    const host = hosts.get(agentId);
    if (!host) {
      call.emit("error", statusError(status.NOT_FOUND, `no agent ${agentId} in this process`));
      return;
    }

    // Once false, nothing more is written: the caller left, or the stream was ended here.
    let writable = true;
    // What `accepted` says, once the claim is made.
    let claim: { agentId: string; attempt: number } | undefined;
    let acceptedSent = false;
    let acceptTimer: NodeJS.Timeout | undefined;
    // Events that arrive before the claim is known wait here, to keep the stream's order.
    const early: RunTaskEvent[] = [];
    // Before the run's first event, or once it has run ACCEPTED_DELAY_MS; a run that ends sooner
    // sends `finished` alone (one message fewer for a short child).
    const sendAccepted = (): void => {
      clearTimeout(acceptTimer);
      if (!claim || acceptedSent) return;
      acceptedSent = true;
      write({ accepted: claim });
    };
    const write = (message: RunTaskEvent): void => {
      if (writable && !call.cancelled) call.write(message);
    };
    const fail = (err: Partial<ServiceError>): void => {
      if (!writable) return;
      writable = false;
      if (!call.cancelled) call.emit("error", err);
    };
    const openToken = open.add(() =>
      fail(statusError(status.UNAVAILABLE, "peer server shutting down; follow the task instead")),
    );
    call.once("cancelled", () => {
      // The run goes on and settles durably; only the view is gone.
      writable = false;
      logger.debug({ task_id: taskId, agent_id: agentId }, "RunTask caller left");
    });

    const onEvent = (event: TaskEventBody): void => {
      let message: RunTaskEvent;
      if (event.type === "progress") {
        message = { progress: { attempt: event.attempt, value: jsonToBytes(event.progress) } };
      } else if (event.type === "output") {
        message = { output: { attempt: event.attempt, chunk: jsonToBytes(event.chunk) } };
      } else {
        return; // The final state comes from the settled record.
      }
      if (!claim) {
        early.push(message);
        return;
      }
      sendAccepted();
      write(message);
    };

    const run = async (): Promise<void> => {
      let direct: DirectRun;
      try {
        direct = await host.runDirect(taskId, onEvent, placementOf(call.request.placement));
      } catch (err) {
        const info = statusFromError(err);
        if (info.internal) logger.error({ err, task_id: taskId }, "runDirect failed");
        fail(serviceError(info));
        return;
      }
      if (!direct.accepted) {
        fail(statusError(status.RESOURCE_EXHAUSTED, direct.reason, PEER_REJECTED));
        return;
      }
      claim = { agentId, attempt: direct.attempt };
      if (early.length > 0) {
        sendAccepted();
        for (const message of early.splice(0)) write(message);
      } else {
        acceptTimer = setTimeout(sendAccepted, ACCEPTED_DELAY_MS);
      }
      let record: TaskRecord;
      try {
        record = await direct.done;
      } catch (err) {
        sendAccepted();
        const info = statusFromError(err);
        if (info.internal) logger.error({ err, task_id: taskId }, "direct run failed");
        fail(serviceError(info));
        return;
      }
      clearTimeout(acceptTimer); // `finished` says it was accepted
      write({ finished: finishedOf(record, direct.attempt) });
      if (writable && !call.cancelled) {
        writable = false;
        call.end();
      }
    };
    void run().finally(() => open.take(openToken));
  };

  const handlers: AgentPeerServiceHandlers = { RunTask: runTask };
  const server = new Server({
    "grpc.keepalive_time_ms": 30_000,
    "grpc.keepalive_timeout_ms": 10_000,
    interceptors: [serverTracingInterceptor()],
  });
  server.addService(peerServiceConstructor().service, handlers);

  const bindAddress = joinHostPort(opts.host, opts.port);
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(bindAddress, ServerCredentials.createInsecure(), (err, bound) =>
        err ? reject(err) : resolve(bound),
      );
    });
  } catch (err) {
    server.forceShutdown();
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`peer server cannot listen on ${bindAddress}: ${reason}`, { cause: err });
  }
  const address = joinHostPort(opts.host, port);
  logger.debug({ address, agents: [...hosts.keys()] }, "peer server listening");

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const [, end] of open.entries()) end();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, CLOSE_TIMEOUT_MS);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      logger.debug({ address }, "peer server stopped");
    })();
    return closing;
  };

  return { address, port, close };
}

/** The caller's negotiation, when it sent one that parses; it only annotates the history. */
function placementOf(bytes: Buffer | undefined): PlacementRecord | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  try {
    const p = JSON.parse(bytes.toString("utf8")) as PlacementRecord;
    return typeof p.negotiator === "string" && Array.isArray(p.bids) ? p : undefined;
  } catch {
    return undefined;
  }
}
