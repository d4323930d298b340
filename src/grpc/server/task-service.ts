/** baton.v1.TaskService over a BatonClient. */
import {
  status,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import type { SubmitItem } from "../../client/client.js";
import type { WatchOptions } from "../../client/watch.js";
import { BatonError, ErrorCode, TaskNotFoundError, ValidationError } from "../../errors.js";
import { isTaskId } from "../../ids.js";
import type { TaskEvent, TaskRecord } from "../../types.js";
import {
  deadLetterToProto,
  durationToMs,
  eventToProto,
  protoFieldName,
  stateFromProto,
  submitFromProto,
  taskToProto,
  type CoreSubmit,
  type PbDeadLetter,
  type PbDuration,
  type PbSubmitTaskRequest,
  type PbTask,
  type PbTaskEvent,
} from "../convert.js";
import { GrpcStatusError } from "../status.js";
import { requireNats, toServiceError, unary, type ServiceContext } from "./calls.js";

/** Page sizes of ListTasks and ListDeadLetters: 0 means this, at most MAX_PAGE_SIZE. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
export const MAX_BATCH = 1000;
/** WaitTask's window when the request names none, and the longest it may name. */
export const DEFAULT_WAIT_MS = 30_000;
export const MAX_WAIT_MS = 60_000;
/**
 * A list page stops growing at about this many bytes (inputs and results are the bulk), so it
 * stays under gRPC's default 4 MiB client receive limit; next_page_token continues it.
 */
export const PAGE_BYTE_BUDGET = 3 * 1024 * 1024;

interface IdRequest {
  id: string;
}
interface WatchRequest {
  id: string;
  fromSequence: number;
}
interface WaitRequest {
  id: string;
  timeout: PbDuration | null;
}
interface CancelRequest {
  id: string;
  reason: string;
}
interface ListTasksRequest {
  states: (string | number)[];
  capability: string;
  pageSize: number;
  pageToken: string;
  labels?: Record<string, string>;
}
interface ListDeadLettersRequest {
  capability: string;
  pageSize: number;
  pageToken: string;
}
interface SubmitTaskResponse {
  task: PbTask;
  deduplicated: boolean;
}

/** A task id field, or INVALID_ARGUMENT naming it. */
export function taskIdField(value: string | undefined, field: string): string {
  if (!value) throw new ValidationError(field, "is required");
  if (!isTaskId(value)) throw new ValidationError(field, `not a task id: ${JSON.stringify(value)}`);
  return value;
}

function pageSizeField(value: number | undefined, field = "page_size"): number {
  const size = value ?? 0;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new ValidationError(
      field,
      `must be from 1 to ${MAX_PAGE_SIZE} (0 means ${DEFAULT_PAGE_SIZE})`,
    );
  }
  return size === 0 ? DEFAULT_PAGE_SIZE : size;
}

/** Approximate encoded size of a converted message: its byte fields plus a fixed allowance. */
function approxSize(m: { input: Buffer; result?: Buffer; progress?: Buffer }): number {
  return 1024 + m.input.length + (m.result?.length ?? 0) + (m.progress?.length ?? 0);
}

/** The longest prefix of `items` within PAGE_BYTE_BUDGET (at least one item). */
function withinBudget<T extends { input: Buffer; result?: Buffer; progress?: Buffer }>(
  items: T[],
): T[] {
  let total = 0;
  for (const [i, item] of items.entries()) {
    total += approxSize(item);
    if (total > PAGE_BYTE_BUDGET && i > 0) return items.slice(0, i);
  }
  return items;
}

/** The implementation of baton.v1.TaskService. */
export class TaskServiceImpl {
  private readonly watches = new Set<(reason: "shutdown") => void>();
  /** Open WaitTask calls, each stopped by aborting its controller. */
  private readonly waits = new Set<AbortController>();

  constructor(private readonly ctx: ServiceContext) {}

  /** Number of WatchTask streams open now. */
  get activeWatches(): number {
    return this.watches.size;
  }

  /** Number of WaitTask calls waiting now. */
  get activeWaits(): number {
    return this.waits.size;
  }

  /**
   * Ends every open WatchTask stream with UNAVAILABLE and answers every WaitTask with the task
   * as it is (the client resumes or polls again elsewhere), so a shutdown waits for neither.
   */
  stopWatches(): void {
    for (const stop of [...this.watches]) stop("shutdown");
    for (const stop of [...this.waits]) stop.abort();
  }

  /** WaitTask: the task once terminal, or as it is after the call's window (a long poll). */
  private async waitTask(req: WaitRequest, call: ServerUnaryCall<WaitRequest, PbTask>) {
    const id = taskIdField(req.id, "id");
    const asked = req.timeout ? durationToMs(req.timeout, "timeout") : 0;
    const windowMs = asked === 0 ? DEFAULT_WAIT_MS : Math.min(asked, MAX_WAIT_MS);
    const stop = new AbortController();
    let cancelled = false;
    const onCancel = (): void => {
      cancelled = true;
      stop.abort();
    };
    call.once("cancelled", onCancel);
    this.waits.add(stop);
    try {
      return taskToProto(
        await this.ctx.client.wait(id, { timeoutMs: windowMs, signal: stop.signal }),
      );
    } catch (err) {
      // The window passed or the gateway is stopping: the task as it is. Nobody hears the
      // answer to a call its client cancelled.
      const windowOver = err instanceof BatonError && err.code === ErrorCode.Timeout;
      if (cancelled || (!windowOver && !stop.signal.aborted)) throw err;
      return taskToProto(await this.ctx.client.get(id));
    } finally {
      this.waits.delete(stop);
      call.off("cancelled", onCancel);
    }
  }

  /** Fills in root_id from the parent, so a sub-task joins its parent's program. */
  private async withRoot(items: CoreSubmit[], prefixes: string[]): Promise<void> {
    const parents = new Map<string, Promise<TaskRecord>>();
    await Promise.all(
      items.map(async (item, i) => {
        const parentId = item.options.parentId;
        if (parentId === undefined) return;
        const field = `${prefixes[i] ?? ""}parent_id`;
        taskIdField(parentId, field);
        let lookup = parents.get(parentId);
        if (!lookup) parents.set(parentId, (lookup = this.ctx.client.get(parentId)));
        try {
          item.options.rootId = (await lookup).rootId;
        } catch (err) {
          if (err instanceof TaskNotFoundError) {
            throw new ValidationError(field, `no task ${parentId}`);
          }
          throw err;
        }
      }),
    );
  }

  private async submitTask(req: PbSubmitTaskRequest): Promise<SubmitTaskResponse> {
    const item = submitFromProto(req);
    await this.withRoot([item], [""]);
    const { task, deduplicated } = await this.ctx.client.submitDetailed(
      item.capability,
      item.input,
      item.options,
    );
    return { task: taskToProto(task), deduplicated };
  }

  private async submitTasks(req: {
    requests: PbSubmitTaskRequest[];
  }): Promise<{ responses: SubmitTaskResponse[] }> {
    const requests = req.requests;
    if (requests.length > MAX_BATCH) {
      throw new ValidationError(
        "requests",
        `at most ${MAX_BATCH} per call, got ${requests.length}`,
      );
    }
    const prefixes = requests.map((_, i) => `requests[${i}].`);
    const items = requests.map((r, i) => submitFromProto(r, prefixes[i] ?? ""));
    await this.withRoot(items, prefixes);
    const submitItems: SubmitItem[] = items.map((item) => ({
      capability: item.capability,
      input: item.input,
      options: item.options,
    }));
    const results = await this.ctx.client.submitMany(submitItems);
    return {
      responses: results.map((r) => ({ task: taskToProto(r.task), deduplicated: r.deduplicated })),
    };
  }

  private async listTasks(
    req: ListTasksRequest,
  ): Promise<{ tasks: PbTask[]; nextPageToken: string }> {
    const limit = pageSizeField(req.pageSize);
    const states = (req.states ?? []).map((s, i) => stateFromProto(s, `states[${i}]`));
    const cursor = req.pageToken ? taskIdField(req.pageToken, "page_token") : undefined;
    const page = await this.ctx.client.list({
      limit,
      ...(states.length > 0 ? { state: states } : {}),
      ...(req.capability ? { capability: req.capability } : {}),
      ...(req.labels && Object.keys(req.labels).length > 0 ? { labels: req.labels } : {}),
      ...(cursor ? { cursor } : {}),
    });
    const all = page.tasks.map(taskToProto);
    const tasks = withinBudget(all);
    const last = tasks[tasks.length - 1];
    const nextPageToken = tasks.length < all.length && last ? last.id : (page.nextCursor ?? "");
    return { tasks, nextPageToken };
  }

  private async listDeadLetters(
    req: ListDeadLettersRequest,
  ): Promise<{ deadLetters: PbDeadLetter[]; nextPageToken: string }> {
    const limit = pageSizeField(req.pageSize);
    let fromSeq: number | undefined;
    if (req.pageToken) {
      fromSeq = Number(req.pageToken);
      if (!/^\d+$/.test(req.pageToken) || !Number.isSafeInteger(fromSeq) || fromSeq < 1) {
        throw new ValidationError("page_token", "not a token from next_page_token");
      }
    }
    const letters = await this.ctx.client.deadLetters({
      limit: limit + 1,
      ...(req.capability ? { capability: req.capability } : {}),
      ...(fromSeq !== undefined ? { fromSeq } : {}),
    });
    const all = letters.slice(0, limit).map(deadLetterToProto);
    const deadLetters = withinBudget(all);
    const last = deadLetters[deadLetters.length - 1];
    const more = letters.length > limit || deadLetters.length < all.length;
    return { deadLetters, nextPageToken: more && last ? String(last.sequence + 1) : "" };
  }

  /** Streams events until the terminal one, the client cancelling, or the gateway stopping. */
  private watchTask(call: ServerWritableStream<WatchRequest, PbTaskEvent>): void {
    const method = "WatchTask";
    let stopReason: "cancelled" | "shutdown" | undefined;
    let wake: (() => void) | undefined;
    const stopped = new Promise<"stopped">((resolve) => {
      wake = () => resolve("stopped");
    });
    const abort = new AbortController();
    const stop = (reason: "cancelled" | "shutdown"): void => {
      stopReason ??= reason;
      abort.abort();
      wake?.();
    };
    this.watches.add(stop);
    call.once("cancelled", () => stop("cancelled"));

    const run = async (): Promise<void> => {
      requireNats(this.ctx);
      const id = taskIdField(call.request.id, "id");
      const fromSequence = call.request.fromSequence ?? 0;
      if (!Number.isSafeInteger(fromSequence) || fromSequence < 0) {
        throw new ValidationError("from_sequence", "must be a non-negative integer");
      }
      // `signal` lets a watch stop while it waits for the next event; a client without it
      // stops at its next event.
      const options = {
        ...(fromSequence > 0 ? { fromSeq: fromSequence } : {}),
        signal: abort.signal,
      } as WatchOptions;
      const events = this.ctx.client.watch(id, options)[Symbol.asyncIterator]();
      try {
        for (;;) {
          const next = await Promise.race([events.next(), stopped]);
          if (next === "stopped" || next.done) break;
          const event: TaskEvent = next.value;
          if (!call.write(eventToProto(event))) {
            await Promise.race([
              new Promise<void>((resolve) => call.once("drain", () => resolve())),
              stopped,
            ]);
          }
          if (stopReason) break;
        }
      } finally {
        // Ends the watch's subscription (at once, or at its next event if it is mid-wait).
        void events.return?.(undefined)?.catch(() => undefined);
      }
      if (stopReason === "shutdown") {
        throw new GrpcStatusError(
          status.UNAVAILABLE,
          "the gateway is shutting down; watch again from the last sequence + 1",
        );
      }
    };
    run()
      .then(
        () => {
          if (!stopReason) call.end();
        },
        (err: unknown) => {
          if (stopReason === "cancelled") return;
          call.emit("error", toServiceError(this.ctx, method, err));
        },
      )
      .finally(() => this.watches.delete(stop));
  }

  handlers(): UntypedServiceImplementation {
    const ctx = this.ctx;
    const listRename = (f: string): string =>
      f === "limit"
        ? "page_size"
        : f === "cursor"
          ? "page_token"
          : f === "state"
            ? "states"
            : protoFieldName(f);
    return {
      SubmitTask: unary(ctx, "SubmitTask", (req: PbSubmitTaskRequest) => this.submitTask(req)),
      SubmitTasks: unary(ctx, "SubmitTasks", (req: { requests: PbSubmitTaskRequest[] }) =>
        this.submitTasks(req),
      ),
      GetTask: unary(ctx, "GetTask", async (req: IdRequest) =>
        taskToProto(await ctx.client.get(taskIdField(req.id, "id"))),
      ),
      WatchTask: (call: ServerWritableStream<WatchRequest, PbTaskEvent>) => this.watchTask(call),
      WaitTask: unary(ctx, "WaitTask", (req: WaitRequest, call) => this.waitTask(req, call)),
      CancelTask: unary(ctx, "CancelTask", async (req: CancelRequest) =>
        taskToProto(
          await ctx.client.cancel(taskIdField(req.id, "id"), req.reason ? req.reason : undefined),
        ),
      ),
      ListTasks: unary(ctx, "ListTasks", (req: ListTasksRequest) => this.listTasks(req), {
        rename: listRename,
      }),
      ListDeadLetters: unary(
        ctx,
        "ListDeadLetters",
        (req: ListDeadLettersRequest) => this.listDeadLetters(req),
        { rename: listRename },
      ),
      ReplayDeadLetter: unary(ctx, "ReplayDeadLetter", async (req: { taskId: string }) =>
        taskToProto(await ctx.client.replay(taskIdField(req.taskId, "task_id"))),
      ),
    };
  }
}
