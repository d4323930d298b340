import { ATTR } from "../telemetry/attributes.js";
import type { SpanRecord } from "../telemetry/span-store.js";

/**
 * The trace viewer's shape of a trace: spans in start order, each naming the process (service,
 * agent, pid) that recorded it and the task it is about, so the browser only draws.
 */
export interface SpanView {
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: SpanRecord["kind"];
  start: number;
  end: number;
  status: SpanRecord["status"]["code"];
  statusMessage?: string;
  attributes: SpanRecord["attributes"];
  events: { name: string; time: number; attributes: SpanRecord["attributes"] }[];
  links: { traceId: string; spanId: string }[];
  /** Key into TraceView.processes. */
  process: string;
  /** `baton.task.id`, when the span is about one task. */
  taskId?: string;
}

export interface ProcessView {
  key: string;
  service: string;
  hostName: string;
  pid: number;
  /** The agent that recorded spans there, when one did. */
  agentId?: string;
  spans: number;
}

export interface TraceView {
  traceId: string;
  start: number;
  end: number;
  processes: ProcessView[];
  spans: SpanView[];
}

function firstStart(spans: readonly SpanView[], process: string): number {
  return spans.find((s) => s.process === process)?.start ?? Infinity;
}

export function traceView(traceId: string, spans: readonly SpanRecord[]): TraceView {
  const processes = new Map<string, ProcessView>();
  const out: SpanView[] = [];
  for (const s of spans) {
    const { serviceName, hostName, pid, agentId } = s.resource;
    // Spans group by process: one process may run several agents, and a gateway none.
    const key = `${serviceName}|${hostName}|${pid}`;
    const proc = processes.get(key) ?? { key, service: serviceName, hostName, pid, spans: 0 };
    proc.spans++;
    if (proc.agentId === undefined && agentId !== undefined) proc.agentId = agentId;
    processes.set(key, proc);
    const taskId = s.attributes[ATTR.TASK_ID];
    out.push({
      spanId: s.spanId,
      ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
      name: s.name,
      kind: s.kind,
      start: s.startTime,
      end: Math.max(s.startTime, s.endTime),
      status: s.status.code,
      ...(s.status.message ? { statusMessage: s.status.message } : {}),
      attributes: s.attributes,
      events: s.events.map((e) => ({ name: e.name, time: e.time, attributes: e.attributes ?? {} })),
      links: s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
      process: key,
      ...(typeof taskId === "string" ? { taskId } : {}),
    });
  }
  out.sort((a, b) => a.start - b.start || a.end - b.end);
  return {
    traceId,
    start: out.reduce((m, s) => Math.min(m, s.start), out[0]?.start ?? 0),
    end: out.reduce((m, s) => Math.max(m, s.end), out[0]?.end ?? 0),
    // In order of first appearance, so the legend (and colors) follow the request's path.
    processes: [...processes.values()].sort(
      (a, b) => firstStart(out, a.key) - firstStart(out, b.key),
    ),
    spans: out,
  };
}
