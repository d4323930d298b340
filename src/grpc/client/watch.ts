import { status as Status, type ClientReadableStream } from "@grpc/grpc-js";
import type { TaskEvent__Output } from "../../generated/baton/v1/TaskEvent.js";
import { isTerminal } from "../../store/states.js";
import type { StateEvent, TaskEvent } from "../../types.js";
import { eventFromProto } from "./codec.js";
import { GrpcCallError, toGrpcCallError } from "./errors.js";
import type { GrpcClient } from "./client.js";

export interface GrpcWatchOptions {
  /** Deliver events with sequence >= this (resume after an event: its `seq + 1`). */
  fromSeq?: number;
  /** Stops the watch; the iterator then throws the signal's reason. */
  signal?: AbortSignal;
  /**
   * How long to keep reconnecting while the gateway is unreachable before giving up with the
   * last error (default 60 000 ms). The clock restarts whenever a stream delivers an event.
   */
  resumeTimeoutMs?: number;
}

export const FIRST_BACKOFF_MS = 100;
export const MAX_BACKOFF_MS = 2000;

/**
 * A break the watch recovers from by reconnecting: UNAVAILABLE (gateway down, connection lost)
 * and CANCELLED that this side did not ask for (grpc-js reports a gateway that shuts down or
 * cuts its streams off that way).
 */
export function resumable(err: GrpcCallError, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted) return false;
  return err.code === Status.UNAVAILABLE || err.code === Status.CANCELLED;
}

/**
 * After a break that followed a terminal event: is it the task's final state? (A replayed task
 * has an earlier DEAD in its history.) If the gateway cannot say, resuming decides.
 */
async function isCurrent(client: GrpcClient, event: StateEvent): Promise<boolean> {
  try {
    const record = await client.get(event.taskId);
    return record.state === event.state && record.attempt === event.attempt;
  } catch {
    return false;
  }
}

export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * WatchTask with automatic resume. Every event's sequence is remembered; after a break the next
 * stream starts at the last sequence + 1, and anything at or below a sequence already delivered is
 * dropped, so the caller sees each event once and in order. Ends after the stream that carried the
 * terminal state ends; a stream that ends cleanly without one (a gateway stopping gracefully) is
 * resumed as well.
 */
export async function* watchOverGrpc(
  client: GrpcClient,
  id: string,
  options: GrpcWatchOptions = {},
): AsyncGenerator<TaskEvent> {
  const { signal } = options;
  const resumeTimeoutMs = options.resumeTimeoutMs ?? 60_000;
  let next = options.fromSeq ?? 0;
  let failingSince: number | undefined;
  let backoff = FIRST_BACKOFF_MS;
  for (;;) {
    if (signal?.aborted) throw signal.reason;
    const call: ClientReadableStream<TaskEvent__Output> = client.task.watchTask(
      { id, fromSequence: next },
      client.callMetadata(),
      {},
    );
    const onAbort = (): void => call.cancel();
    signal?.addEventListener("abort", onAbort, { once: true });
    let terminal: StateEvent | undefined;
    let failure: GrpcCallError | undefined;
    try {
      for await (const message of call as AsyncIterable<TaskEvent__Output>) {
        const event = eventFromProto(message);
        failingSince = undefined;
        backoff = FIRST_BACKOFF_MS;
        if (event === undefined) continue;
        // seq 0 marks an event made from the record (no stream position): the first PENDING,
        // or a terminal state rebuilt. Resuming from 1 skips the first without losing any other.
        if (event.seq > 0) {
          if (event.seq < next) continue;
          next = event.seq + 1;
        } else if (next === 0) {
          next = 1;
        }
        terminal = event.type === "state" && isTerminal(event.state) ? event : undefined;
        yield event;
      }
    } catch (err) {
      failure = toGrpcCallError("WatchTask", err, client.address);
      if (!resumable(failure, signal)) {
        if (signal?.aborted) throw signal.reason;
        throw failure;
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      call.cancel();
    }
    if (terminal && (!failure || (await isCurrent(client, terminal)))) return;
    if (signal?.aborted) throw signal.reason;
    failingSince ??= Date.now();
    if (Date.now() - failingSince > resumeTimeoutMs) {
      throw (
        failure ??
        new GrpcCallError(
          "WatchTask",
          Status.UNAVAILABLE,
          `stream kept ending without a terminal event for ${resumeTimeoutMs} ms`,
          { address: client.address },
        )
      );
    }
    await sleep(backoff, signal);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}
