/**
 * The built-in span store: every finished span also goes, in batches, to the bounded JetStream
 * stream `${prefix}_SPANS` on subject `${prefix}.spans.<first hex digit of the trace id>`, so the trace viewer can show
 * any recent task's trace with no collector. readTrace reads one trace back.
 */
import { hostname } from "node:os";
import { promisify } from "node:util";
import { gunzip as gunzipCallback, gzip } from "node:zlib";
import { diag, type Attributes } from "@opentelemetry/api";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { ValidationError } from "../errors.js";
import type { BatonConnection } from "../nats/connection.js";
import { readSnapshot } from "../nats/snapshot.js";
import { spanShard } from "../nats/subjects.js";
import type { TaskRecord } from "../types.js";
import { ATTR } from "./attributes.js";
import { SpanBatches, type SpanMessage } from "./span-batches.js";
import { decodeStoredSpan, encodeSpanRow, resourceRow, type SpanRecord } from "./span-rows.js";
import type { SpanEncoder } from "./store-tracer.js";
import { traceIdOf } from "./propagation.js";

export type { SpanRecord } from "./span-rows.js";

const TRACE_ID_RE = /^[0-9a-f]{32}$/;
/**
 * Defaults of SpanStoreOptions. A 64 KiB message (about 100 no-op task spans) packs about as
 * well as a bigger one, since gzip looks back 32 KiB, and is far under the NATS max payload.
 */
export const DEFAULT_DELAY_MS = 500;
export const DEFAULT_MAX_PENDING = 8192;
const DEFAULT_BATCH_BYTES = 64 * 1024;
/** Spans encoded per event-loop turn in an export (about a millisecond's work). */
const EXPORT_SLICE = 128;
/**
 * Batches of spans repeat their ids and names so much that the fastest gzip level packs them
 * several times over (SpanRecord objects packed 10x, 1,736 -> 178 bytes per no-op task; rows
 * store about 150): the stream's byte bound holds that many more traces, and the socket and the
 * server's store carry that much less. The gzip magic number tells a packed message from plain
 * JSON.
 */
const GZIP_OPTIONS = { level: 1 };
const gunzip = promisify(gunzipCallback);

const isGzip = (data: Uint8Array): boolean => data[0] === 0x1f && data[1] === 0x8b;

const hrToMs = (t: readonly [number, number]): number => t[0] * 1000 + t[1] / 1e6;

const stringValue = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The resource part of a span's row, the same for every span of a process and agent. */
const resourceCache = new WeakMap<object, Map<string | undefined, string>>();

function resourceRowOf(resource: Attributes, agentId: string | undefined): string {
  let byAgent = resourceCache.get(resource);
  if (!byAgent) {
    byAgent = new Map();
    resourceCache.set(resource, byAgent);
  }
  let json = byAgent.get(agentId);
  if (json === undefined) {
    const pid = resource["process.pid"];
    json = resourceRow({
      serviceName: stringValue(resource["service.name"]) ?? "unknown_service",
      pid: typeof pid === "number" ? pid : process.pid,
      hostName: stringValue(resource["host.name"]) ?? hostname(),
      ...(agentId !== undefined ? { agentId } : {}),
    });
    byAgent.set(agentId, json);
  }
  return json;
}

/** An SDK span's stored row; `processAgent` names the agent when the span does not. */
export function spanJson(span: ReadableSpan, processAgent?: string): string {
  const sc = span.spanContext();
  const agentId = stringValue(span.attributes[ATTR.AGENT_ID]) ?? processAgent;
  return encodeSpanRow(
    {
      traceId: sc.traceId,
      spanId: sc.spanId,
      parentSpanId: span.parentSpanContext?.spanId,
      name: span.name,
      kind: span.kind,
      startMs: hrToMs(span.startTime),
      endMs: hrToMs(span.endTime),
      status: span.status,
      attributes: span.attributes,
      events: span.events.map((e) => ({
        name: e.name,
        timeMs: hrToMs(e.time),
        ...(e.attributes ? { attributes: e.attributes } : {}),
      })),
      links: span.links,
    },
    resourceRowOf(span.resource.attributes, agentId),
  );
}

/** How a StoreTracer's spans are written: with the process's resource and their agent. */
export function storeSpanEncoder(store: SpanStoreExporter, resource: Attributes): SpanEncoder {
  return (span) =>
    encodeSpanRow(
      span,
      resourceRowOf(resource, stringValue(span.attribute(ATTR.AGENT_ID)) ?? store.processAgent()),
    );
}

export interface SpanStoreOptions {
  /** Longest a finished span waits in this process before it is written (ms). */
  delayMs?: number;
  /** Spans held at most; more are dropped (and counted) until a write catches up. */
  maxPending?: number;
  /** A shard's spans are written as soon as their JSON reaches this many bytes. */
  batchBytes?: number;
}

/**
 * The span store's writer. Finished spans come in two ways: Baton's own spans as rows through
 * record() (see StoreTracer), and any other span through export(), run by a BatchSpanProcessor.
 * Both wait here by shard and go out as gzipped batches to every attached connection with a
 * distinct server and prefix, usually exactly one per process; with none attached they are
 * dropped. A shard is written once its batch is big enough to pack well, the rest every delayMs,
 * so the work is spread over time rather than all due at once.
 */
export class SpanStoreExporter implements SpanExporter {
  private readonly sinks = new Map<BatonConnection, string>();
  private readonly agents = new Set<string>();
  private readonly batches: SpanBatches;
  private timer: NodeJS.Timeout | undefined;
  /** Batches being compressed, resolved once published. */
  private readonly writing = new Set<Promise<void>>();
  private stopped = false;
  /** Spans dropped because maxPending were waiting (told through OpenTelemetry's diag log). */
  dropped = 0;
  private droppedReported = 0;
  private readonly delayMs: number;
  private readonly maxPending: number;

  constructor(options: SpanStoreOptions = {}) {
    this.delayMs = options.delayMs ?? DEFAULT_DELAY_MS;
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    this.batches = new SpanBatches(options.batchBytes ?? DEFAULT_BATCH_BYTES);
  }

  attach(conn: BatonConnection): void {
    this.sinks.set(conn, `${conn.url}|${conn.names.prefix}`);
  }

  detach(conn: BatonConnection): void {
    this.sinks.delete(conn);
  }

  has(conn: BatonConnection): boolean {
    return this.sinks.has(conn);
  }

  /** An agent of this process; with exactly one, spans without baton.agent.id are its. */
  noteAgent(agentId: string): void {
    this.agents.add(agentId);
  }

  /** The agent spans without baton.agent.id belong to: this process's only one, if one. */
  processAgent(): string | undefined {
    if (this.agents.size !== 1) return undefined;
    for (const agent of this.agents) return agent;
    return undefined;
  }

  private targets(): BatonConnection[] {
    const seen = new Set<string>();
    const out: BatonConnection[] = [];
    for (const [conn, key] of this.sinks) {
      if (conn.nc.isClosed()) {
        // Closed without close() (tests cut connections): forget it.
        this.sinks.delete(conn);
        continue;
      }
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(conn);
    }
    return out;
  }

  /** Queues one finished span's stored JSON (a row, see span-rows.ts) of trace `traceId`. */
  record(traceId: string, json: string): void {
    if (this.stopped || this.sinks.size === 0) return;
    if (this.batches.spans >= this.maxPending) {
      this.dropped++;
      return;
    }
    const full = this.batches.add(traceId, json);
    for (const message of full) this.write(message);
    if (this.batches.spans > 0) {
      this.timer ??= setTimeout(() => void this.flush(), this.delayMs).unref();
    }
  }

  /** Writes every waiting span; resolves once they and earlier batches are published. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dropped > this.droppedReported) {
      diag.warn(
        `span store: ${this.dropped - this.droppedReported} spans dropped, over ${this.maxPending} waited`,
      );
      this.droppedReported = this.dropped;
    }
    for (const message of this.batches.drain()) this.write(message);
    return Promise.all(this.writing).then(() => undefined);
  }

  private write({ shard, body }: SpanMessage): void {
    // Compressed on libuv's thread pool, off the event loop the tasks run on.
    const written = new Promise<void>((resolve) => {
      gzip(body, GZIP_OPTIONS, (err, packed) => {
        this.publish(shard, err ? body : packed);
        resolve();
      });
    });
    this.writing.add(written);
    void written.then(() => this.writing.delete(written));
  }

  private publish(shard: string, data: Uint8Array): void {
    for (const conn of this.targets()) {
      try {
        // Core publish: the stream stores it without an ack round trip per batch.
        conn.nc.publish(conn.names.spansSubject(shard), data);
      } catch {
        // Closing or draining: spans are best effort.
      }
    }
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const agent = this.processAgent();
    let next = 0;
    // A batch of a thousand spans takes milliseconds to encode: a slice per event-loop turn, so
    // the tasks running beside it are not held up for all of it.
    const encodeSlice = (): void => {
      const end = Math.min(next + EXPORT_SLICE, spans.length);
      for (; next < end; next++) {
        const span = spans[next] as ReadableSpan;
        this.record(span.spanContext().traceId, spanJson(span, agent));
      }
      if (next < spans.length) {
        setImmediate(encodeSlice);
        return;
      }
      void this.flush().then(() => resultCallback({ code: ExportResultCode.SUCCESS }));
    };
    encodeSlice();
  }

  async shutdown(): Promise<void> {
    await this.flush();
    this.stopped = true;
  }

  forceFlush(): Promise<void> {
    return this.flush();
  }
}

/** The trace id of a task's trace (from its record), if it was traced. */
export function taskTraceId(record: Pick<TaskRecord, "trace">): string | undefined {
  return traceIdOf(record.trace);
}

/**
 * Every stored span of one trace, oldest start first. Spans still buffered in a process (up to
 * about a second) or older than the stream's retention are not there.
 */
export async function readTrace(conn: BatonConnection, traceId: string): Promise<SpanRecord[]> {
  if (!TRACE_ID_RE.test(traceId)) {
    throw new ValidationError("traceId", "must be 32 lowercase hex digits");
  }
  let messages;
  try {
    messages = await readSnapshot(conn.js, conn.names.spansStream, {
      filter: conn.names.spansSubject(spanShard(traceId)),
    });
  } catch (err) {
    // No span store on this server (it could not be created): no spans, not a failure.
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) {
      return [];
    }
    throw err;
  }
  const decoder = new TextDecoder();
  const bySpan = new Map<string, SpanRecord>();
  // Messages written before the store packed its batches are plain JSON.
  const bodies = await Promise.all(
    messages.map((m) =>
      isGzip(m.data) ? gunzip(m.data).catch(() => undefined) : Promise.resolve(m.data),
    ),
  );
  for (const data of bodies) {
    if (!data) continue;
    // A shard holds many traces: parse only the messages that mention this one.
    const text = decoder.decode(data);
    if (!text.includes(traceId)) continue;
    let records: unknown;
    try {
      records = JSON.parse(text);
    } catch {
      continue;
    }
    if (!Array.isArray(records)) continue;
    for (const item of records as unknown[]) {
      const r = decodeStoredSpan(item);
      if (r && r.traceId === traceId) bySpan.set(r.spanId, r);
    }
  }
  return [...bySpan.values()].sort((a, b) => a.startTime - b.startTime);
}
