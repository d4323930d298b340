/**
 * GrpcClient.wait: WaitTask long polls until the task is terminal. Each call holds one request
 * open on the gateway, which listens for the task's end (no stream or JetStream consumer per
 * caller, as a watch makes). A gateway without WaitTask (older than this client) is waited on
 * through a watch instead.
 */
import { status as Status } from "@grpc/grpc-js";
import { isTerminal } from "../../store/states.js";
import type { TaskRecord } from "../../types.js";
import type { GrpcClient } from "./client.js";
import { GrpcCallError, toGrpcCallError } from "./errors.js";
import { FIRST_BACKOFF_MS, MAX_BACKOFF_MS, resumable, sleep, watchOverGrpc } from "./watch.js";

/** How long one WaitTask call waits (the gateway's default window). */
export const WAIT_WINDOW_MS = 30_000;
/** How long past its window a call's answer may take before the call is given up. */
export const WAIT_DEADLINE_MARGIN_MS = 10_000;
/** How long to keep calling while the gateway is unreachable (as a watch resumes). */
const RESUME_TIMEOUT_MS = 60_000;

/** Waiting on a gateway without WaitTask: the watch's terminal event, then the record. */
async function waitByWatch(client: GrpcClient, id: string, signal: AbortSignal) {
  for await (const _event of watchOverGrpc(client, id, { signal })) {
    // drain until the terminal event
  }
  return client.get(id, { signal });
}

/**
 * Resolves with the task's record once it is terminal. A call that ends with the task still
 * running is made again at once; one that breaks (UNAVAILABLE, the gateway going away, a lost
 * answer) is made again with backoff, for up to a minute of failures in a row. Rejects with the
 * signal's reason once it aborts.
 */
export async function waitOverGrpc(
  client: GrpcClient,
  id: string,
  signal: AbortSignal,
  /** One WaitTask call: the task once terminal, or as it is when its window has passed. */
  poll: (signal: AbortSignal) => Promise<TaskRecord>,
): Promise<TaskRecord> {
  let failingSince: number | undefined;
  let backoff = FIRST_BACKOFF_MS;
  for (;;) {
    signal.throwIfAborted();
    let failure: GrpcCallError;
    try {
      const task = await poll(signal);
      if (isTerminal(task.state)) return task;
      failingSince = undefined;
      backoff = FIRST_BACKOFF_MS;
      continue;
    } catch (err) {
      signal.throwIfAborted();
      failure =
        err instanceof GrpcCallError ? err : toGrpcCallError("WaitTask", err, client.address);
      if (failure.code === Status.UNIMPLEMENTED) return waitByWatch(client, id, signal);
      if (!resumable(failure, signal) && failure.code !== Status.DEADLINE_EXCEEDED) throw failure;
    }
    failingSince ??= Date.now();
    if (Date.now() - failingSince > RESUME_TIMEOUT_MS) throw failure;
    await sleep(backoff, signal);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}
