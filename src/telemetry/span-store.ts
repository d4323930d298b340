/**
 * The built-in span store: every finished span also goes, in batches, to the bounded JetStream
 * stream `${prefix}_SPANS` on subject `${prefix}.spans.<first hex digit of the trace id>`, so the trace viewer can show
 * any recent task's trace with no collector. readTrace reads one trace back.
 */
import { hostname } from "node:os";
import { promisify } from "node:util";
import { gunzip as gunzipCallback, gzip } from "node:zlib";
import { SpanKind, SpanStatusCode, type Attributes } from "@opentelemetry/api";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { ValidationError } from "../errors.js";
import type { BatonConnection } from "../nats/connection.js";
import { readSnapshot } from "../nats/snapshot.js";
import { spanShard } from "../nats/subjects.js";
import { utf8 } from "../nats/utf8.js";
import type { TaskRecord } from "../types.js";
import { ATTR } from "./attributes.js";
import { traceIdOf } from "./propagation.js";

/** A span attribute value as JSON keeps it. */
export type SpanAttributeValue =
  string | number | boolean | (string | number | boolean | null | undefined)[];

export type SpanKindName = "internal" | "server" | "client" | "producer" | "consumer";

/** One finished span as stored and as readTrace returns it. Times are epoch ms (fractional). */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  /** Absent for a trace's root span. */
  parentSpanId?: string;
  name: string;
  kind: SpanKindName;
  startTime: number;
  endTime: number;
  status: { code: "unset" | "ok" | "error"; message?: string };
  attributes: Record<string, SpanAttributeValue>;
  events: { name: string; time: number; attributes?: Record<string, SpanAttributeValue> }[];
  /** Spans this one follows from (a consumer span links the producer span). */
  links: { traceId: string; spanId: string; attributes?: Record<string, SpanAttributeValue> }[];
  /** Which process made the span. */
  resource: { serviceName: string; pid: number; hostName: string; agentId?: string };
}

const KIND_NAMES: Record<SpanKind, SpanKindName> = {
  [SpanKind.INTERNAL]: "internal",
  [SpanKind.SERVER]: "server",
  [SpanKind.CLIENT]: "client",
  [SpanKind.PRODUCER]: "producer",
  [SpanKind.CONSUMER]: "consumer",
};

const STATUS_NAMES: Record<SpanStatusCode, SpanRecord["status"]["code"]> = {
  [SpanStatusCode.UNSET]: "unset",
  [SpanStatusCode.OK]: "ok",
  [SpanStatusCode.ERROR]: "error",
};

const TRACE_ID_RE = /^[0-9a-f]{32}$/;
/** Spans of one trace per message, kept well under the NATS max payload (1 MiB by default). */
const MAX_MESSAGE_BYTES = 256 * 1024;
/** Spans encoded per event-loop turn in an export (about a millisecond's work). */
const EXPORT_SLICE = 128;
/**
 * Batches of span JSON repeat their keys and values so much that the fastest gzip level packs
 * them about 10x (1,736 -> 178 bytes per no-op task): the stream's byte bound holds 10x the
 * traces, and the socket and the server's store carry that much less. The gzip magic number tells a packed message from plain JSON.
 */
const GZIP_OPTIONS = { level: 1 };
const gunzip = promisify(gunzipCallback);

const isGzip = (data: Uint8Array): boolean => data[0] === 0x1f && data[1] === 0x8b;

const hrToMs = (t: readonly [number, number]): number => t[0] * 1000 + t[1] / 1e6;

function stringAttr(attrs: Attributes, key: string): string | undefined {
  const v = attrs[key];
  return typeof v === "string" ? v : undefined;
}

/** A finite number as JSON (JSON has no NaN or Infinity). */
const num = (n: number): string => (Number.isFinite(n) ? String(n) : "null");

/** `attrs` as a JSON object, or undefined when empty (JSON.stringify drops undefined values). */
function attributesJson(attrs: Attributes | undefined): string | undefined {
  if (!attrs) return undefined;
  for (const key in attrs) if (attrs[key] !== undefined) return JSON.stringify(attrs);
  return undefined;
}

/** The resource part of a span's JSON, the same for every span of a process and agent. */
const resourceCache = new WeakMap<object, Map<string | undefined, string>>();

function resourceJson(resource: Attributes, agentId: string | undefined): string {
  let byAgent = resourceCache.get(resource);
  if (!byAgent) {
    byAgent = new Map();
    resourceCache.set(resource, byAgent);
  }
  let json = byAgent.get(agentId);
  if (json === undefined) {
    const pid = resource["process.pid"];
    json = JSON.stringify({
      serviceName: stringAttr(resource, "service.name") ?? "unknown_service",
      pid: typeof pid === "number" ? pid : process.pid,
      hostName: stringAttr(resource, "host.name") ?? hostname(),
      ...(agentId !== undefined ? { agentId } : {}),
    } satisfies SpanRecord["resource"]);
    byAgent.set(agentId, json);
  }
  return json;
}

/**
 * A finished span as its stored JSON (a SpanRecord), written out directly: building the record
 * and then stringifying it was most of the span store's cost per task. `processAgent` names the
 * agent when the span does not.
 */
export function spanJson(span: ReadableSpan, processAgent?: string): string {
  const sc = span.spanContext();
  const agentId = stringAttr(span.attributes, ATTR.AGENT_ID) ?? processAgent;
  const status = span.status.message
    ? JSON.stringify({ code: STATUS_NAMES[span.status.code], message: span.status.message })
    : `{"code":"${STATUS_NAMES[span.status.code]}"}`;
  let out = `{"traceId":"${sc.traceId}","spanId":"${sc.spanId}"`;
  if (span.parentSpanContext) out += `,"parentSpanId":"${span.parentSpanContext.spanId}"`;
  out +=
    `,"name":${JSON.stringify(span.name)},"kind":"${KIND_NAMES[span.kind]}"` +
    `,"startTime":${num(hrToMs(span.startTime))},"endTime":${num(hrToMs(span.endTime))}` +
    `,"status":${status},"attributes":${attributesJson(span.attributes) ?? "{}"}`;
  out += `,"events":[`;
  span.events.forEach((e, i) => {
    const attrs = attributesJson(e.attributes);
    out += `${i > 0 ? "," : ""}{"name":${JSON.stringify(e.name)},"time":${num(hrToMs(e.time))}`;
    out += attrs ? `,"attributes":${attrs}}` : "}";
  });
  out += `],"links":[`;
  span.links.forEach((l, i) => {
    const attrs = attributesJson(l.attributes);
    out += `${i > 0 ? "," : ""}{"traceId":"${l.context.traceId}","spanId":"${l.context.spanId}"`;
    out += attrs ? `,"attributes":${attrs}}` : "}";
  });
  return `${out}],"resource":${resourceJson(span.resource.attributes, agentId)}}`;
}

/** Spans' JSON (see spanJson) joined into JSON arrays of at most about MAX_MESSAGE_BYTES each. */
export function chunkSpans(spans: readonly string[]): string[] {
  const out: string[] = [];
  let parts: string[] = [];
  let size = 2;
  for (const json of spans) {
    if (parts.length > 0 && size + json.length + 1 > MAX_MESSAGE_BYTES) {
      out.push(`[${parts.join(",")}]`);
      parts = [];
      size = 2;
    }
    parts.push(json);
    size += json.length + 1;
  }
  if (parts.length > 0) out.push(`[${parts.join(",")}]`);
  return out;
}

/**
 * The exporter behind the span store (run by a BatchSpanProcessor). Spans are published to every
 * attached connection with a distinct server and prefix, usually exactly one per process; with
 * none attached they are dropped.
 */
export class SpanStoreExporter implements SpanExporter {
  private readonly sinks = new Map<BatonConnection, string>();
  private readonly agents = new Set<string>();
  private stopped = false;

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

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const targets = this.stopped ? [] : this.targets();
    if (targets.length === 0) {
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    const agent = this.agents.size === 1 ? [...this.agents][0] : undefined;
    // Grouped by shard (see Names.spansSubject): a few messages per batch.
    const byShard = new Map<string, string[]>();
    let next = 0;
    // A batch of a thousand spans takes milliseconds to encode: a slice per event-loop turn, so
    // the tasks running beside it are not held up for all of it.
    const encodeSlice = (): void => {
      const end = Math.min(next + EXPORT_SLICE, spans.length);
      for (; next < end; next++) {
        const span = spans[next] as ReadableSpan;
        const json = spanJson(span, agent);
        const shard = spanShard(span.spanContext().traceId);
        const list = byShard.get(shard);
        if (list) list.push(json);
        else byShard.set(shard, [json]);
      }
      if (next < spans.length) {
        setImmediate(encodeSlice);
        return;
      }
      const messages: { shard: string; body: string }[] = [];
      for (const [shard, jsons] of byShard) {
        for (const body of chunkSpans(jsons)) messages.push({ shard, body });
      }
      let left = messages.length;
      if (left === 0) resultCallback({ code: ExportResultCode.SUCCESS });
      const publish = (shard: string, data: Uint8Array): void => {
        for (const conn of targets) {
          try {
            // Core publish: the stream stores it without an ack round trip per batch.
            conn.nc.publish(conn.names.spansSubject(shard), data);
          } catch {
            // Closing or draining: spans are best effort.
          }
        }
        if (--left === 0) resultCallback({ code: ExportResultCode.SUCCESS });
      };
      // Compressed on libuv's thread pool, off the event loop the tasks run on.
      for (const { shard, body } of messages) {
        const raw = utf8(body);
        gzip(raw, GZIP_OPTIONS, (err, packed) => publish(shard, err ? raw : packed));
      }
    };
    encodeSlice();
  }

  shutdown(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
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
    for (const r of records as SpanRecord[]) {
      if (r && typeof r.spanId === "string" && r.traceId === traceId) bySpan.set(r.spanId, r);
    }
  }
  return [...bySpan.values()].sort((a, b) => a.startTime - b.startTime);
}
