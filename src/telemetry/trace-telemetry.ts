/**
 * The tracing side of AgentTelemetry. Per claim: one consumer span "<capability> process" for
 * the attempt, which continues the task's trace (the producer span stored in the record, or the
 * peer server's span for a direct hand-off), links the producer and is the handler's active
 * context; a span per ctx.step; a span per negotiation. A claim is exactly one attempt, so one
 * span carries both the messaging and the attempt attributes; a separate attempt span started
 * and ended with it, told nothing more, and was a third of a no-op task's spans.
 */
import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Link,
  type Span,
  type Tracer,
} from "@opentelemetry/api";
import type { BatonConnection } from "../nats/connection.js";
import { TaskState, type TaskError, type TaskRecord } from "../types.js";
import {
  ATTR,
  bidAttributes,
  MESSAGING_SYSTEM_NATS,
  placementAttributes,
  SPAN_EVENT,
  taskAttributes,
} from "./attributes.js";
import type { AgentTelemetry, AttemptEnd, AttemptTelemetry, ClaimVia } from "./hooks.js";
import { contextOf, spanContextOf } from "./propagation.js";
import { AGENT_CONTEXT_KEY } from "./agent-context.js";
import { LINKED_ROOT } from "./linked-context.js";
import { SharedAttributes, setSharedAttributes } from "./store-tracer.js";
import { batonTracer, noteTracedAgent } from "./tracing.js";

/** Marks `span` failed with the task error's message and kind. */
export function recordTaskError(span: Span, error: TaskError): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  span.setAttributes({
    [ATTR.ERROR_TYPE]: error.code ?? error.name ?? "Error",
    [ATTR.ERROR_MESSAGE]: error.message,
    ...(error.code !== undefined ? { [ATTR.ERROR_CODE]: error.code } : {}),
  });
}

/** What the attempt's end says: its outcome name, and whether it is an error. */
export function attemptOutcome(end: AttemptEnd): { outcome: string; failed: boolean } {
  // A fenced attempt lost its lease: its work was thrown away. A released one was handed back.
  if (end.discarded) return { outcome: end.discarded, failed: end.discarded === "fenced" };
  switch (end.state) {
    case TaskState.Succeeded:
      return { outcome: "succeeded", failed: false };
    case TaskState.Pending:
      return { outcome: "retry", failed: true };
    case TaskState.Cancelled:
      return { outcome: "cancelled", failed: false };
    case TaskState.Running:
      return { outcome: "lost", failed: true };
    default:
      return { outcome: end.state.toLowerCase(), failed: true };
  }
}

function errorOf(err: unknown): TaskError {
  return err instanceof Error ? { message: err.message, name: err.name } : { message: String(err) };
}

class TracedAttempt implements AttemptTelemetry {
  private ended = false;

  constructor(
    private readonly tracer: Tracer,
    readonly attempt: Span,
    private readonly ctx: Context,
  ) {}

  run<T>(fn: () => T): T {
    return context.with(this.ctx, fn);
  }

  step<T>(name: string, cached: boolean, fn: () => Promise<T>): Promise<T> {
    // Inside run() the active context is the attempt or a span the handler made under it.
    const active = context.active();
    const parent = trace.getSpan(active) ? active : this.ctx;
    const span = this.tracer.startSpan(
      `step ${name}`,
      { attributes: { [ATTR.STEP_NAME]: name, [ATTR.STEP_CACHED]: cached } },
      parent,
    );
    return context.with(trace.setSpan(parent, span), fn).then(
      (value) => {
        span.end();
        return value;
      },
      (err: unknown) => {
        recordTaskError(span, errorOf(err));
        span.end();
        throw err;
      },
    );
  }

  end(end: AttemptEnd): void {
    if (this.ended) return;
    this.ended = true;
    const { outcome, failed } = attemptOutcome(end);
    const { attempt } = this;
    if (attempt.isRecording()) {
      attempt.setAttribute(ATTR.TASK_STATE, end.state);
      attempt.setAttribute(ATTR.ATTEMPT_OUTCOME, outcome);
      if (end.state === TaskState.Pending && !end.discarded) attempt.addEvent(SPAN_EVENT.RETRY);
      if (end.discarded)
        attempt.addEvent(SPAN_EVENT.DISCARDED, { [ATTR.ATTEMPT_OUTCOME]: outcome });
    }
    if (failed) {
      const error = end.error ?? { message: `attempt ${outcome}` };
      recordTaskError(attempt, error);
    } else if (outcome === "succeeded") {
      attempt.setStatus({ code: SpanStatusCode.OK });
    }
    attempt.end();
  }

  deadLettered(): void {
    if (!this.ended) this.attempt.addEvent(SPAN_EVENT.DEAD_LETTER);
  }
}

/**
 * Tracing hooks for one agent, or undefined when tracing is off (then the runner gets nothing
 * from here, not even no-op spans).
 */
export function tracingTelemetry(
  conn: BatonConnection,
  agentId: string,
): AgentTelemetry | undefined {
  const tracer = batonTracer();
  if (!tracer) return undefined;
  noteTracedAgent(agentId);
  /**
   * The attributes every attempt span of a queue and claim route has alike: the queue's
   * messaging attributes, its capability and priority, this agent and the route.
   */
  const shared = new Map<string, SharedAttributes>();
  const sharedOf = (record: TaskRecord, via: ClaimVia): SharedAttributes => {
    const key = `${record.capability}\u0000${record.priority}\u0000${via}`;
    let attrs = shared.get(key);
    if (!attrs) {
      attrs = new SharedAttributes({
        [ATTR.TASK_CAPABILITY]: record.capability,
        [ATTR.TASK_PRIORITY]: record.priority,
        [ATTR.AGENT_ID]: agentId,
        [ATTR.CLAIM_VIA]: via,
        [ATTR.MESSAGING_SYSTEM_NAME]: MESSAGING_SYSTEM_NATS,
        [ATTR.MESSAGING_OPERATION_TYPE]: "process",
        [ATTR.MESSAGING_OPERATION_NAME]: "process",
        [ATTR.MESSAGING_DESTINATION_NAME]: conn.names.tasksSubject(
          record.capability,
          record.priority,
        ),
        [ATTR.MESSAGING_CONSUMER_GROUP_NAME]: conn.names.consumerName(
          record.capability,
          record.priority,
        ),
      });
      shared.set(key, attrs);
    }
    return attrs;
  };

  return {
    negotiated(record, { placement, waiting, startedAt }) {
      const span = tracer.startSpan(
        `${record.capability} negotiate`,
        {
          startTime: startedAt,
          attributes: Object.assign(
            taskAttributes(record),
            { [ATTR.AGENT_ID]: agentId },
            placementAttributes(placement, waiting),
          ),
        },
        contextOf(record.trace),
      );
      if (span.isRecording() && placement) {
        for (const bid of placement.bids) span.addEvent(SPAN_EVENT.BID, bidAttributes(bid));
      }
      span.end();
    },

    claimed(record: TaskRecord, via: ClaimVia): AttemptTelemetry {
      const producer = spanContextOf(record.trace);
      // A hand-off runs inside the peer server's span; a queue delivery's context is whatever
      // the connection's callbacks carry, so it continues from the record instead.
      const active = context.active();
      const parent =
        via === "handoff" && trace.getSpan(active)
          ? active
          : producer
            ? trace.setSpanContext(LINKED_ROOT, producer)
            : LINKED_ROOT;
      const links: Link[] = producer ? [{ context: producer }] : [];
      const span = tracer.startSpan(
        `${record.capability} process`,
        { kind: SpanKind.CONSUMER, links },
        parent,
      );
      // Only a recorded span needs them (a sampled-out task's span is just its context).
      if (span.isRecording()) {
        setSharedAttributes(span, sharedOf(record, via));
        span.setAttribute(ATTR.TASK_ID, record.id);
        span.setAttribute(ATTR.ROOT_ID, record.rootId);
        if (record.parentId !== undefined) span.setAttribute(ATTR.TASK_PARENT_ID, record.parentId);
        span.setAttribute(ATTR.TASK_ATTEMPT, record.attempt);
        span.setAttribute(ATTR.MESSAGING_MESSAGE_ID, record.id);
      }
      return new TracedAttempt(
        tracer,
        span,
        trace.setSpan(parent, span).setValue(AGENT_CONTEXT_KEY, agentId),
      );
    },

    deadLettered(record) {
      // Dead-lettered on delivery (too many deliveries), with no attempt running here.
      const span = tracer.startSpan(
        `${record.capability} dead-letter`,
        { attributes: Object.assign(taskAttributes(record), { [ATTR.AGENT_ID]: agentId }) },
        contextOf(record.trace),
      );
      span.addEvent(SPAN_EVENT.DEAD_LETTER);
      if (record.error) recordTaskError(span, record.error);
      span.end();
    },

    heartbeat: () => undefined,
  };
}
