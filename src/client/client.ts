import { compileConfig, type BatonOptions } from "../config/index.js";
import {
  BatonError,
  ErrorCode,
  FailedPreconditionError,
  TaskNotFoundError,
  UnknownCapabilityError,
  ValidationError,
} from "../errors.js";
import { newTaskId, taskIdOfKey } from "../ids.js";
import { connectBaton, type BatonConnection } from "../nats/connection.js";
import { jsPublish, kvCreate } from "../nats/js-fast.js";
import { hashKey, validateCapability } from "../nats/subjects.js";
import { listDeadLetters, removeDeadLetter } from "../store/dead-letters.js";
import { mapLimit } from "../sdk/concurrency.js";
import { childIds } from "../store/children.js";
import { publishEvent } from "../store/events.js";
import { isTerminal } from "../store/states.js";
import { waitingRecords } from "../store/waiting.js";
import type { Versioned } from "../store/task-store.js";
import {
  TaskState,
  type DeadLetter,
  type JsonValue,
  type ListOptions,
  type Priority,
  type SubmitOptions,
  type TaskEvent,
  type TaskPage,
  type TaskRecord,
} from "../types.js";
import {
  checkInput,
  compileSubmitOptions,
  labelsField,
  type CompiledSubmit,
} from "./submit-options.js";
import type { Requirements } from "../placement/types.js";
import { listAgents, type AgentInfo } from "../registry/agents.js";
import { CapabilityCache, declareCapability, validateInput } from "../registry/capabilities.js";
import { queueStats, type QueueStats } from "../registry/queue-stats.js";
import { demandOf, type Demand } from "../registry/demand.js";
import { waitForEnd } from "./wait.js";
import { watchTask, type WatchOptions } from "./watch.js";
import { HeaderBlock } from "../nats/header-block.js";
import { isSpanContextValid, SpanKind, SpanStatusCode, type Span } from "@opentelemetry/api";
import { ATTR, MESSAGING_SYSTEM_NATS } from "../telemetry/attributes.js";
import { TRACEPARENT, TRACESTATE, traceOfSpanContext } from "../telemetry/propagation.js";
import { SharedAttributes, setSharedAttributes } from "../telemetry/store-tracer.js";
import { batonTracer } from "../telemetry/tracing.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface SubmitItem {
  capability: string;
  input: unknown;
  options?: SubmitOptions;
}

export interface SubmitResult {
  task: TaskRecord;
  /** True when the idempotency key matched an earlier submit. */
  deduplicated: boolean;
}

interface Prepared {
  capability: string;
  compiled: CompiledSubmit;
  input: JsonValue;
  /** The id to store the task under, chosen by the caller (a sub-task's). */
  id?: string;
}

/** A checked sub-task, not stored yet (see prepareChild). */
export interface PreparedChild {
  requirements?: Requirements;
  affinityKey?: string;
  store(): Promise<TaskRecord>;
}

const MAX_BATCH = 1000;
const SUBMIT_WINDOW = 256;

function prefixField(err: ValidationError, prefix: string): ValidationError {
  const out = new ValidationError(
    `${prefix}${err.field}`,
    err.message.slice(err.field.length + 2),
    err.code,
  );
  return out;
}

export interface ClientOptions extends BatonOptions {
  /** Share an open connection (it is not closed by the client). */
  connection?: BatonConnection;
}

/** The record as just stored, which a fresh queue message may carry (see TaskMessage). */
export interface StoredCopy {
  json: string;
  revision: number;
}

/** Records larger than this are not copied into the queue message; the agent reads them. */
const INLINE_RECORD_BYTES = 8 * 1024;

/**
 * Publishes the queue message that wakes an agent; deduplicated by task id and replay. It
 * carries the task's trace context as W3C `traceparent` headers, and a small record as stored
 * at `stored.revision`, so the first claim needs no read (its CAS fails if the record moved on).
 */
export async function enqueue(
  conn: BatonConnection,
  record: TaskRecord,
  stored?: StoredCopy,
): Promise<void> {
  let traceHeaders;
  if (record.trace) {
    traceHeaders = new HeaderBlock();
    traceHeaders.add(TRACEPARENT, record.trace.traceparent);
    if (record.trace.tracestate) traceHeaders.add(TRACESTATE, record.trace.tracestate);
  }
  await jsPublish(
    conn.mux,
    conn.names.tasksSubject(record.capability, record.priority),
    stored && stored.json.length <= INLINE_RECORD_BYTES
      ? `{"id":${JSON.stringify(record.id)},"rev":${stored.revision},"record":${stored.json}}`
      : JSON.stringify({ id: record.id }),
    {
      msgID: record.replays ? `${record.id}:r${record.replays}` : record.id,
      ...(traceHeaders ? { headers: traceHeaders } : {}),
    },
  );
}

function unavailable(err: unknown): never {
  if (err instanceof BatonError) throw err;
  throw new BatonError(ErrorCode.Unavailable, `NATS unavailable: ${String(err)}`, { cause: err });
}

export class BatonClient implements AsyncDisposable {
  private readonly capabilities: CapabilityCache;
  /** The publish span's shared attributes by queue (see publishAttributes). */
  private readonly publishShared = new Map<string, SharedAttributes>();

  constructor(
    readonly connection: BatonConnection,
    private readonly ownsConnection: boolean,
  ) {
    this.capabilities = new CapabilityCache(connection.capabilities, {
      cacheUndeclared: connection.config.allowUndeclaredCapabilities,
    });
  }

  /**
   * Stores a task and queues it. Resolves once both are durable. With an idempotency key,
   * every later submit with that key returns the first task and queues nothing new.
   */
  submit(capability: string, input: unknown, options?: SubmitOptions): Promise<TaskRecord> {
    return this.submitDetailed(capability, input, options).then((r) => r.task);
  }

  /** Like submit, and says whether the idempotency key matched an earlier task. */
  submitDetailed(
    capability: string,
    input: unknown,
    options?: SubmitOptions,
  ): Promise<SubmitResult> {
    return this.prepare(capability, input, options).then((p) => this.store(p));
  }

  /**
   * A sub-task under the id its parent chose (see derivedTaskId), checked as submit checks it and
   * stored by `store()`: creating the record is the duplicate check, so its idempotency key is only
   * recorded, not stored as a key of its own. With `handoffMs`, the parent's agent hands it to a
   * peer directly and the queue leaves it alone for that long (then takes over if nobody claimed
   * it); the parent can call for bids between the check and the store.
   */
  async prepareChild(
    capability: string,
    input: unknown,
    options: SubmitOptions,
    child: { id: string; handoffMs?: number },
  ): Promise<PreparedChild> {
    const prepared = await this.prepare(capability, input, options);
    prepared.id = child.id;
    const { requirements, affinityKey } = prepared.compiled;
    return {
      ...(requirements ? { requirements } : {}),
      ...(affinityKey !== undefined ? { affinityKey } : {}),
      store: async () => {
        if (child.handoffMs !== undefined)
          prepared.compiled.handoffUntil = Date.now() + child.handoffMs;
        return (await this.store(prepared)).task;
      },
    };
  }

  /**
   * Submits many tasks. All are validated before any is stored: an invalid one fails the call
   * with a ValidationError whose field starts with `requests[i].`, and nothing is stored.
   */
  async submitMany(items: readonly SubmitItem[]): Promise<SubmitResult[]> {
    const given: unknown = items;
    if (!Array.isArray(given)) throw new ValidationError("requests", "must be an array");
    if (items.length > MAX_BATCH)
      throw new ValidationError("requests", `at most ${MAX_BATCH} per call`);
    const prepared: Prepared[] = [];
    for (const [i, item] of items.entries()) {
      try {
        prepared.push(await this.prepare(item.capability, item.input, item.options));
      } catch (err) {
        if (err instanceof ValidationError) throw prefixField(err, `requests[${i}].`);
        throw err;
      }
    }
    const out: SubmitResult[] = new Array<SubmitResult>(prepared.length);
    // Pipelined in windows: many requests in flight on one connection, bounded memory.
    for (let i = 0; i < prepared.length; i += SUBMIT_WINDOW) {
      const window = prepared.slice(i, i + SUBMIT_WINDOW);
      const results = await Promise.all(window.map((p) => this.store(p)));
      results.forEach((r, j) => (out[i + j] = r));
    }
    return out;
  }

  private async prepare(
    capability: string,
    input: unknown,
    options?: SubmitOptions,
  ): Promise<Prepared> {
    const conn = this.connection;
    validateCapability(capability);
    const compiled = compileSubmitOptions(options, conn.config.retry);
    const cleanInput = checkInput(input, conn.config.maxInputBytes);
    let known;
    try {
      const found = this.capabilities.lookup(capability);
      known = found instanceof Promise ? await found : found;
    } catch (err) {
      unavailable(err);
    }
    if (!known && !conn.config.allowUndeclaredCapabilities)
      throw new UnknownCapabilityError(capability);
    if (known?.validate) validateInput(known.validate, cleanInput);
    return { capability, compiled, input: cleanInput };
  }

  /**
   * storeRecord inside a producer span "<capability> publish" (a child of the caller's active
   * span, e.g. a gateway call or a parent's attempt); the record keeps its context so every
   * attempt of the task continues the trace.
   */
  private store(prepared: Prepared): Promise<SubmitResult> {
    const tracer = batonTracer();
    if (!tracer) return this.storeRecord(prepared, undefined);
    const { capability, compiled } = prepared;
    const span = tracer.startSpan(`${capability} publish`, { kind: SpanKind.PRODUCER });
    // Only a recorded span needs them (a sampled-out task's span is just its context).
    if (span.isRecording()) {
      setSharedAttributes(span, this.publishAttributes(capability, compiled.priority));
      if (compiled.parentId) span.setAttribute(ATTR.TASK_PARENT_ID, compiled.parentId);
    }
    // Callbacks rather than an async function: one promise and its hooks fewer per task.
    return this.storeRecord(prepared, span).then(
      (result) => {
        if (span.isRecording()) {
          span.setAttribute(ATTR.TASK_ID, result.task.id);
          span.setAttribute(ATTR.MESSAGING_MESSAGE_ID, result.task.id);
          span.setAttribute(ATTR.ROOT_ID, result.task.rootId);
          span.setAttribute(ATTR.TASK_DEDUPLICATED, result.deduplicated);
        }
        span.end();
        return result;
      },
      (err: unknown) => {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
        span.setAttribute(ATTR.ERROR_TYPE, err instanceof Error ? err.name : "Error");
        span.end();
        throw err;
      },
    );
  }

  /** The publish span's attributes every task of one queue has alike. */
  private publishAttributes(capability: string, priority: Priority): SharedAttributes {
    const key = `${capability}\u0000${priority}`;
    let attrs = this.publishShared.get(key);
    if (!attrs) {
      attrs = new SharedAttributes({
        [ATTR.MESSAGING_SYSTEM_NAME]: MESSAGING_SYSTEM_NATS,
        [ATTR.MESSAGING_OPERATION_TYPE]: "send",
        [ATTR.MESSAGING_OPERATION_NAME]: "publish",
        [ATTR.MESSAGING_DESTINATION_NAME]: this.connection.names.tasksSubject(capability, priority),
        [ATTR.TASK_CAPABILITY]: capability,
        [ATTR.TASK_PRIORITY]: priority,
      });
      this.publishShared.set(key, attrs);
    }
    return attrs;
  }

  private async storeRecord(
    { capability, compiled, input, id: chosen }: Prepared,
    span: Span | undefined,
  ): Promise<SubmitResult> {
    const conn = this.connection;
    // A `task:<id>` key, or an id the caller chose, names the task: creating the record is the
    // duplicate check.
    const named =
      chosen ??
      (compiled.idempotencyKey !== undefined ? taskIdOfKey(compiled.idempotencyKey) : undefined);
    // One clock reading for the id and createdAt, so ids sort as the records were created.
    const now = Date.now();
    let id = named ?? newTaskId(now);
    if (compiled.idempotencyKey !== undefined && named === undefined) {
      const key = hashKey(compiled.idempotencyKey);
      let claimed: number | undefined;
      try {
        claimed = await kvCreate(
          conn.mux,
          conn.idempotency,
          conn.names.idempotencyBucket,
          key,
          encoder.encode(id),
        );
      } catch (err) {
        unavailable(err);
      }
      if (claimed === undefined) {
        const entry = await conn.idempotency.get(key).catch(unavailable);
        if (!entry) unavailable(new Error(`idempotency key ${key} vanished`));
        id = decoder.decode(entry.value);
        const existing = await conn.tasks.get(id);
        if (existing) return this.existing(existing.record);
      }
    }

    // Invalid (no SDK, say) stores nothing; a sampled-out span still passes its decision on.
    const spanContext = span?.spanContext();
    const trace =
      spanContext && isSpanContextValid(spanContext) ? traceOfSpanContext(spanContext) : undefined;
    // Optional fields assigned one by one: a spread of `cond ? {...} : {}` per field made and
    // copied a dozen small objects on every submit.
    const record: TaskRecord = {
      id,
      capability,
      state: TaskState.Pending,
      input,
      priority: compiled.priority,
      createdAt: now,
      updatedAt: now,
      attempt: 0,
      attempts: [],
      rootId: compiled.rootId ?? id,
    };
    if (compiled.idempotencyKey !== undefined) record.idempotencyKey = compiled.idempotencyKey;
    if (compiled.retry) record.retry = compiled.retry;
    if (compiled.labels) record.labels = compiled.labels;
    if (compiled.timeoutMs !== undefined) record.timeoutMs = compiled.timeoutMs;
    if (compiled.deadline !== undefined) record.deadline = compiled.deadline;
    if (compiled.runAt !== undefined) {
      record.runAt = compiled.runAt;
      record.submitRunAt = compiled.runAt;
    }
    if (compiled.parentId) record.parentId = compiled.parentId;
    if (compiled.requirements) record.requirements = compiled.requirements;
    if (compiled.affinityKey !== undefined) record.affinityKey = compiled.affinityKey;
    if (compiled.handoffUntil !== undefined) record.handoffUntil = compiled.handoffUntil;
    if (trace) record.trace = trace;
    const json = JSON.stringify(record);
    let created: number | undefined;
    try {
      created = await conn.tasks.create(record, json);
    } catch (err) {
      unavailable(err);
    }
    if (created === undefined) {
      // Same idempotency key raced us, or an earlier try of ours stored it.
      return this.existing((await conn.tasks.require(id)).record);
    }
    try {
      // No PENDING event: a watch makes the first one from the record (one write per task
      // fewer; see watchTask).
      await enqueue(conn, record, { json, revision: created });
    } catch (err) {
      // Without an idempotency key nobody can finish this submit; remove the orphan.
      if (compiled.idempotencyKey === undefined) {
        await conn.tasks.remove(id).catch(() => undefined);
      }
      unavailable(err);
    }
    return { task: record, deduplicated: false };
  }

  /**
   * The task an earlier submit with the same key stored. That submitter may have died before
   * queuing it, so a task that never ran is queued again (deduplicated by id, and the claim CAS
   * makes a second copy harmless).
   */
  private async existing(task: TaskRecord): Promise<SubmitResult> {
    if (task.state === TaskState.Pending && task.attempt === 0)
      await enqueue(this.connection, task);
    return { task, deduplicated: true };
  }

  async get(id: string): Promise<TaskRecord> {
    return (await this.connection.tasks.require(id)).record;
  }

  /** State, progress and output events from the start (or `fromSeq`), ending at a terminal state. */
  watch(id: string, options: WatchOptions = {}): AsyncIterable<TaskEvent> {
    return watchTask(this.connection, id, options);
  }

  /**
   * Resolves with the record once the task reaches a terminal state; after `timeoutMs` it
   * throws a Timeout BatonError instead, and once `signal` aborts its reason (the task goes on).
   */
  wait(
    id: string,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<TaskRecord> {
    return waitForEnd(this.connection, id, () => this.get(id), options);
  }

  /** Cancels a pending or running task; a finished one is a FailedPreconditionError. */
  async cancel(id: string, reason = "cancelled by request"): Promise<TaskRecord> {
    const conn = this.connection;
    const now = Date.now();
    const done = await conn.tasks.mutate(id, (r) => {
      if (isTerminal(r.state)) {
        throw new FailedPreconditionError(`task ${id} is already ${r.state}`);
      }
      const current = r.attempts.find((a) => a.attempt === r.attempt);
      if (r.state === TaskState.Running && current && !current.outcome) {
        current.outcome = "cancelled";
        current.endedAt = now;
      }
      r.state = TaskState.Cancelled;
      r.error = {
        message: reason,
        name: "CancelledError",
        code: ErrorCode.Cancelled,
        nonRetryable: true,
      };
      r.finishedAt = now;
      delete r.owner;
      return r;
    });
    if (!done) throw new TaskNotFoundError(id);
    conn.nc.publish(conn.names.cancelSubject, id);
    // A parent may have thousands of children: a bounded number of cancels in flight.
    await mapLimit(await childIds(conn, done.record), SUBMIT_WINDOW, (child) =>
      // Children that already finished answer FailedPrecondition; that is fine.
      this.cancel(child, `parent ${id} cancelled`).catch((err: unknown) => {
        if (!(err instanceof FailedPreconditionError) && !(err instanceof TaskNotFoundError))
          throw err;
      }),
    );
    await publishEvent(
      conn,
      {
        type: "state",
        taskId: id,
        time: now,
        state: TaskState.Cancelled,
        attempt: done.record.attempt,
        error: done.record.error!,
      },
      `${id}:CANCELLED:${done.record.attempt}`,
    );
    return done.record;
  }

  /** Tasks newest first, filtered by state and capability, in pages. */
  async list(options: ListOptions = {}): Promise<TaskPage> {
    const limit = options.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new ValidationError("limit", "must be an integer from 1 to 10000");
    }
    const states = options.state === undefined ? undefined : new Set([options.state].flat());
    const { capability } = options;
    if (capability !== undefined) validateCapability(capability);
    const labels =
      options.labels === undefined ? [] : Object.entries(labelsField(options.labels, "labels"));
    // Newest first, stopping one match past the page (which says there is a next one).
    const tasks: TaskRecord[] = [];
    let more = false;
    for (const r of await this.connection.tasks.newest(options.cursor)) {
      if (states && !states.has(r.state)) continue;
      if (capability && r.capability !== capability) continue;
      if (labels.some(([k, v]) => r.labels?.[k] !== v)) continue;
      if (tasks.length === limit) {
        more = true;
        break;
      }
      tasks.push(r);
    }
    const last = tasks[tasks.length - 1];
    return more && last ? { tasks, nextCursor: last.id } : { tasks };
  }

  /** Dead letters oldest first; pass the last seen `seq + 1` as `fromSeq` for the next page. */
  async deadLetters(
    options: { capability?: string; limit?: number; fromSeq?: number } = {},
  ): Promise<DeadLetter[]> {
    if (options.capability !== undefined) validateCapability(options.capability);
    if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1)) {
      throw new ValidationError("limit", "must be a positive integer");
    }
    return listDeadLetters(this.connection, options);
  }

  /** Live agents (recent heartbeat), optionally only those serving a capability. */
  async listAgents(options: { capability?: string } = {}): Promise<AgentInfo[]> {
    if (options.capability !== undefined) validateCapability(options.capability);
    return listAgents(this.connection.js, this.connection.names.agentsBucket, options.capability);
  }

  /** Backlog, in-flight, oldest age and dead letters per capability (all declared ones by default). */
  async queueStats(options: { capability?: string } = {}): Promise<QueueStats[]> {
    const names =
      options.capability !== undefined
        ? [validateCapability(options.capability)]
        : await this.capabilities.names(
            this.connection.js,
            this.connection.names.capabilitiesBucket,
          );
    return Promise.all(names.map((c) => queueStats(this.connection, c)));
  }

  /**
   * Waiting tasks per capability and resource class (no eligible agent, all eligible agents
   * busy, a concurrency limit): the demand an operator or autoscaler acts on.
   */
  async demand(options: { capability?: string } = {}): Promise<Demand[]> {
    if (options.capability !== undefined) validateCapability(options.capability);
    const all = demandOf(await waitingRecords(this.connection));
    return options.capability === undefined
      ? all
      : all.filter((d) => d.capability === options.capability);
  }

  /** Moves a DEAD task back to PENDING with a fresh retry budget and queues it again. */
  async replay(id: string): Promise<TaskRecord> {
    const conn = this.connection;
    const current: Versioned = await conn.tasks.require(id);
    if (current.record.state !== TaskState.Dead) {
      throw new FailedPreconditionError(`task ${id} is ${current.record.state}, not DEAD`);
    }
    const now = Date.now();
    const replayed = await conn.tasks.mutate(
      id,
      (r) => {
        if (r.state !== TaskState.Dead) {
          throw new FailedPreconditionError(`task ${id} is ${r.state}, not DEAD`);
        }
        r.state = TaskState.Pending;
        r.budgetFrom = r.attempt;
        r.replays = (r.replays ?? 0) + 1;
        delete r.error;
        delete r.finishedAt;
        delete r.runAt;
        return r;
      },
      current,
    );
    if (!replayed) throw new TaskNotFoundError(id);
    await enqueue(conn, replayed.record);
    await publishEvent(conn, {
      type: "state",
      taskId: id,
      time: now,
      state: TaskState.Pending,
      attempt: replayed.record.attempt,
    });
    for (const letter of await listDeadLetters(conn, { capability: replayed.record.capability })) {
      if (letter.taskId === id) await removeDeadLetter(conn, letter.seq);
    }
    return replayed.record;
  }

  /** Records that a capability exists, so submits to it are accepted before an agent runs. */
  async declareCapability(capability: string): Promise<void> {
    validateCapability(capability);
    await declareCapability(this.connection.capabilities, capability, { declaredAt: Date.now() });
    this.capabilities.forget(capability);
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export async function createClient(options: ClientOptions = {}): Promise<BatonClient> {
  const { connection, ...rest } = options;
  if (connection) return new BatonClient(connection, false);
  const config = compileConfig(rest);
  return new BatonClient(await connectBaton(config, { name: "baton-client" }), true);
}
