/**
 * How a span is stored in the span store: a row, a JSON array of its parts by position, with
 * every attribute name Baton or OpenTelemetry's conventions use as a number into STORED_KEYS.
 * A no-op task's two spans are about half the bytes they were as SpanRecord objects, and writing
 * a row skips JSON.stringify of each attribute object: rows took 13-17 us off a no-op task's
 * CPU, about a quarter of what tracing cost it (docs/benchmarks.md). readTrace turns rows back into SpanRecords, and
 * still reads batches written as SpanRecord objects.
 *
 *   [1, traceId, spanId, parentSpanId or "", name, kind, startMs, endMs, status code,
 *    status message or null, attributes, events, links, resource]
 *
 * attributes: [key, value, key, value, ...], a key a STORED_KEYS index or the name itself;
 * events: [[name, timeMs, attributes?], ...]; links: [[traceId, spanId, attributes?], ...];
 * resource: [serviceName, pid, hostName, agentId?]; kind and status code as OpenTelemetry numbers
 * them.
 */
import {
  SpanKind,
  SpanStatusCode,
  type Attributes,
  type Link,
  type SpanStatus,
} from "@opentelemetry/api";
import {
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
} from "@opentelemetry/semantic-conventions";

/** A span attribute value as JSON keeps it. */
export type SpanAttributeValue =
  string | number | boolean | (string | number | boolean | null | undefined)[];

export type SpanKindName = "internal" | "server" | "client" | "producer" | "consumer";

/** One finished span as readTrace returns it. Times are epoch ms (fractional). */
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

/** A finished span's parts, as the store writes them. Times are epoch ms (fractional). */
export interface SpanParts {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: SpanKind;
  startMs: number;
  endMs: number;
  status: SpanStatus;
  attributes: Attributes;
  events: readonly { name: string; timeMs: number; attributes?: Attributes }[];
  links: readonly Link[];
  /**
   * Attributes already encoded by attributePairs, set before `attributes` (one of those with
   * the same name replaces its value, as it does when read back).
   */
  sharedPairs?: string;
}

/** The first element of a row: its format. */
const ROW_V1 = 1;

/**
 * Attribute names stored as their index. Stored rows refer to these positions: add names only at
 * the end, and never remove or reorder one.
 */
export const STORED_KEYS: readonly string[] = [
  "messaging.system.name",
  "messaging.operation.type",
  "messaging.operation.name",
  "messaging.destination.name",
  "messaging.consumer.group.name",
  "messaging.message.id",
  "messaging.message.body.size",
  "rpc.system.name",
  "rpc.method",
  "rpc.status_code",
  "server.address",
  "server.port",
  "error.type",
  "baton.task.id",
  "baton.task.capability",
  "baton.task.attempt",
  "baton.task.state",
  "baton.task.priority",
  "baton.task.parent_id",
  "baton.task.deduplicated",
  "baton.root.id",
  "baton.agent.id",
  "baton.claim.via",
  "baton.attempt.outcome",
  "baton.retry",
  "baton.step.name",
  "baton.step.cached",
  "baton.negotiation.negotiator",
  "baton.negotiation.waiting",
  "baton.bid.count",
  "baton.bid.winner",
  "baton.bid.agent_id",
  "baton.bid.score",
  "baton.bid.fit",
  "baton.bid.load",
  "baton.bid.free_slots",
  "baton.bid.warm",
  "baton.bid.cost",
  "baton.error.message",
  "baton.error.code",
  ATTR_EXCEPTION_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
];

/** `<index>,` for each stored key: what a row holds in front of that attribute's value. */
const KEY_PREFIX = new Map(STORED_KEYS.map((key, i) => [key, `${i},`]));

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

/** A finite number as JSON (JSON has no NaN or Infinity). */
const num = (n: number): string => (Number.isFinite(n) ? String(n) : "null");

/**
 * Attributes as the inside of a row's flat key-value list (no brackets); undefined values are
 * left out, as JSON does.
 */
export function attributePairs(attrs: Attributes): string {
  let out = "";
  for (const key in attrs) {
    const value = attrs[key];
    if (value === undefined) continue;
    if (out !== "") out += ",";
    out += KEY_PREFIX.get(key) ?? `${JSON.stringify(key)},`;
    out +=
      typeof value === "string"
        ? JSON.stringify(value)
        : typeof value === "number"
          ? num(value)
          : typeof value === "boolean"
            ? String(value)
            : JSON.stringify(value);
  }
  return out;
}

const attributesRow = (attrs: Attributes | undefined): string =>
  attrs ? `[${attributePairs(attrs)}]` : "[]";

/** The resource part of a row: the same for every span of a process and agent. */
export function resourceRow(resource: SpanRecord["resource"]): string {
  const { serviceName, pid, hostName, agentId } = resource;
  return JSON.stringify(
    agentId !== undefined ? [serviceName, pid, hostName, agentId] : [serviceName, pid, hostName],
  );
}

function spanAttributesRow(span: SpanParts): string {
  if (!span.sharedPairs) return attributesRow(span.attributes);
  const own = attributePairs(span.attributes);
  return own === "" ? `[${span.sharedPairs}]` : `[${span.sharedPairs},${own}]`;
}

/** A finished span as a stored row; `resource` is its resourceRow. */
export function encodeSpanRow(span: SpanParts, resource: string): string {
  const message = span.status.message ? JSON.stringify(span.status.message) : "null";
  let out =
    `[${ROW_V1},"${span.traceId}","${span.spanId}","${span.parentSpanId ?? ""}",` +
    `${JSON.stringify(span.name)},${span.kind},${num(span.startMs)},${num(span.endMs)},` +
    `${span.status.code},${message},${spanAttributesRow(span)},[`;
  span.events.forEach((e, i) => {
    out += `${i > 0 ? "," : ""}[${JSON.stringify(e.name)},${num(e.timeMs)}`;
    out += e.attributes ? `,${attributesRow(e.attributes)}]` : "]";
  });
  out += "],[";
  span.links.forEach((l, i) => {
    out += `${i > 0 ? "," : ""}["${l.context.traceId}","${l.context.spanId}"`;
    out += l.attributes ? `,${attributesRow(l.attributes)}]` : "]";
  });
  return `${out}],${resource}]`;
}

const isValue = (v: unknown): v is SpanAttributeValue =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean" || Array.isArray(v);

function decodeAttributes(row: unknown): Record<string, SpanAttributeValue> | undefined {
  if (!Array.isArray(row)) return undefined;
  const out: Record<string, SpanAttributeValue> = {};
  for (let i = 0; i + 1 < row.length; i += 2) {
    const k: unknown = row[i];
    const v: unknown = row[i + 1];
    // An index past this table was written by a newer version: kept under its number.
    const key = typeof k === "number" ? (STORED_KEYS[k] ?? `#${k}`) : k;
    if (typeof key !== "string" || !isValue(v)) continue;
    // A plain assignment to "__proto__" would set the prototype instead.
    if (key === "__proto__") Object.defineProperty(out, key, { value: v, enumerable: true });
    else out[key] = v;
  }
  return out;
}

/** Attributes, or none when a row left them out or they are empty (as SpanRecords had them). */
function optionalAttributes(
  row: unknown,
): { attributes: Record<string, SpanAttributeValue> } | object {
  const attributes = decodeAttributes(row);
  return attributes && Object.keys(attributes).length > 0 ? { attributes } : {};
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const time = (v: unknown): number => (typeof v === "number" ? v : 0);

/** A stored row as a SpanRecord; undefined when `row` is not one this version reads. */
export function decodeSpanRow(row: unknown): SpanRecord | undefined {
  if (!Array.isArray(row) || row[0] !== ROW_V1 || row.length < 14) return undefined;
  const [, traceId, spanId, parent, name, kind, start, end, code, message] = row as unknown[];
  if (typeof traceId !== "string" || typeof spanId !== "string") return undefined;
  const [attributes, events, links, resource] = row.slice(10, 14) as unknown[];
  const status: SpanRecord["status"] = {
    code: STATUS_NAMES[code as SpanStatusCode] ?? "unset",
  };
  if (typeof message === "string" && message !== "") status.message = message;
  const res = Array.isArray(resource) ? (resource as unknown[]) : [];
  const record: SpanRecord = {
    traceId,
    spanId,
    ...(typeof parent === "string" && parent !== "" ? { parentSpanId: parent } : {}),
    name: str(name),
    kind: KIND_NAMES[kind as SpanKind] ?? "internal",
    startTime: time(start),
    endTime: time(end),
    status,
    attributes: decodeAttributes(attributes) ?? {},
    events: (Array.isArray(events) ? (events as unknown[]) : []).map((e) => {
      const [eName, eTime, eAttrs] = Array.isArray(e) ? (e as unknown[]) : [];
      return { name: str(eName), time: time(eTime), ...optionalAttributes(eAttrs) };
    }),
    links: (Array.isArray(links) ? (links as unknown[]) : []).map((l) => {
      const [lTrace, lSpan, lAttrs] = Array.isArray(l) ? (l as unknown[]) : [];
      return { traceId: str(lTrace), spanId: str(lSpan), ...optionalAttributes(lAttrs) };
    }),
    resource: {
      serviceName: str(res[0]),
      pid: time(res[1]),
      hostName: str(res[2]),
      ...(typeof res[3] === "string" ? { agentId: res[3] } : {}),
    },
  };
  return record;
}

/** One item of a stored batch as a SpanRecord: a row, or a SpanRecord as stored before rows. */
export function decodeStoredSpan(item: unknown): SpanRecord | undefined {
  if (Array.isArray(item)) return decodeSpanRow(item);
  if (item && typeof item === "object" && typeof (item as SpanRecord).spanId === "string") {
    return item as SpanRecord;
  }
  return undefined;
}
