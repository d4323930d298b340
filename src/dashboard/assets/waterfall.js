// The trace viewer: a trace's spans as bars on one time axis, nested by parent, colored by the
// process (service, agent, pid) that recorded them. Clicking a span shows its details.
import { seg } from "./api.js";
import { h, replace } from "./dom.js";
import { duration } from "./format.js";

/** Distinct process colors in the stylesheet (.proc-0 ... .proc-7). */
const COLORS = 8;

/**
 * The server's TraceView (src/dashboard/trace-view.ts).
 * @typedef {{ key: string, service: string, hostName: string, pid: number, agentId?: string,
 *   spans: number }} ProcessView
 * @typedef {{ name: string, time: number, attributes: Record<string, unknown> }} SpanEvent
 * @typedef {{ spanId: string, parentSpanId?: string, name: string, kind: string, start: number,
 *   end: number, status: "ok" | "error" | "unset", statusMessage?: string,
 *   attributes: Record<string, unknown>, events: SpanEvent[],
 *   links: { traceId: string, spanId: string }[], process: string, taskId?: string }} SpanView
 * @typedef {{ traceId: string, start: number, end: number, processes: ProcessView[],
 *   spans: SpanView[] }} TraceView
 */

/**
 * Spans in tree order (parents before children, siblings by start), with their depth. A span
 * whose parent is not in the trace (not stored, or from another trace) starts a new root.
 * @param {SpanView[]} spans
 * @returns {{ span: SpanView, depth: number }[]}
 */
export function treeOrder(spans) {
  const ids = new Set(spans.map((s) => s.spanId));
  /** @type {Map<string, SpanView[]>} */
  const children = new Map();
  /** @type {SpanView[]} */
  const roots = [];
  for (const s of spans) {
    if (s.parentSpanId && ids.has(s.parentSpanId) && s.parentSpanId !== s.spanId) {
      const list = children.get(s.parentSpanId) ?? [];
      list.push(s);
      children.set(s.parentSpanId, list);
    } else {
      roots.push(s);
    }
  }
  /** @type {{ span: SpanView, depth: number }[]} */
  const out = [];
  /** @type {Set<string>} */
  const seen = new Set();
  /**
   * @param {SpanView} span
   * @param {number} depth
   */
  const visit = (span, depth) => {
    if (seen.has(span.spanId)) return;
    seen.add(span.spanId);
    out.push({ span, depth });
    const kids = (children.get(span.spanId) ?? []).sort((a, b) => a.start - b.start);
    for (const kid of kids) visit(kid, depth + 1);
  };
  for (const r of roots.sort((a, b) => a.start - b.start)) visit(r, 0);
  return out;
}

/**
 * A round tick step (1, 2 or 5 times a power of ten) giving about five ticks.
 * @param {number} total
 */
function tickStep(total) {
  const raw = Math.max(total, 1) / 5;
  const base = 10 ** Math.floor(Math.log10(raw));
  const mult = [1, 2, 5, 10].find((m) => base * m >= raw) ?? 10;
  return base * mult;
}

/**
 * Where a bar's duration label fits: after the bar, before it, or inside when it spans nearly all.
 * @param {SpanView} span
 * @param {number} start
 * @param {number} total
 */
function durationSide(span, start, total) {
  if ((span.end - start) / total < 0.85) return "after";
  return (span.start - start) / total > 0.15 ? "before" : "inside";
}

/**
 * @param {ProcessView} p
 */
function processName(p) {
  return [p.service, p.agentId, `${p.hostName} pid ${p.pid}`].filter(Boolean).join(" · ");
}

/**
 * @param {unknown} v
 */
function valueText(v) {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * @param {Record<string, unknown>} attrs
 */
function attributeTable(attrs) {
  const entries = Object.entries(attrs).sort(([a], [b]) => (a < b ? -1 : 1));
  if (entries.length === 0) return h("p", { class: "muted" }, "No attributes.");
  return h(
    "table",
    { class: "attrs" },
    h(
      "tbody",
      {},
      entries.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, valueText(v)))),
    ),
  );
}

/**
 * @param {SpanView} span
 * @param {TraceView} trace
 * @param {Map<string, ProcessView>} processes
 */
function detail(span, trace, processes) {
  const proc = processes.get(span.process);
  return [
    h("h3", {}, span.name, " ", h("span", { class: `badge status-${span.status}` }, span.status)),
    span.statusMessage ? h("p", { class: "error-text" }, span.statusMessage) : null,
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Process"),
      h("dd", {}, proc ? processName(proc) : span.process),
      span.taskId ? h("dt", {}, "Task") : null,
      span.taskId
        ? h("dd", {}, h("a", { href: `#/task/${seg(span.taskId)}`, class: "mono" }, span.taskId))
        : null,
      h("dt", {}, "Kind"),
      h("dd", {}, span.kind),
      h("dt", {}, "Starts at"),
      h("dd", {}, `+${duration(span.start - trace.start)}`),
      h("dt", {}, "Duration"),
      h("dd", {}, duration(span.end - span.start)),
      h("dt", {}, "Span id"),
      h("dd", { class: "mono" }, span.spanId),
      h("dt", {}, "Parent"),
      h("dd", { class: "mono" }, span.parentSpanId ?? "–"),
    ),
    h("h4", {}, "Attributes"),
    attributeTable(span.attributes),
    span.events.length > 0 ? h("h4", {}, "Events") : null,
    span.events.length > 0
      ? h(
          "ol",
          { class: "span-events" },
          span.events.map((e) =>
            h(
              "li",
              {},
              h("strong", {}, e.name),
              ` at +${duration(e.time - trace.start)} `,
              Object.keys(e.attributes).length > 0 ? attributeTable(e.attributes) : null,
            ),
          ),
        )
      : null,
    span.links.length > 0 ? h("h4", {}, "Links") : null,
    ...span.links.map((l) =>
      h(
        "p",
        { class: "mono" },
        `${l.traceId === trace.traceId ? "" : `${l.traceId} / `}${l.spanId}`,
      ),
    ),
  ];
}

/**
 * The waterfall of one trace; the spans of task `taskId` are marked.
 * @param {TraceView} trace
 * @param {string} taskId
 */
export function waterfall(trace, taskId) {
  if (trace.spans.length === 0) {
    return h("p", { class: "notice" }, `No spans stored for trace ${trace.traceId} yet.`);
  }
  const total = Math.max(trace.end - trace.start, 1);
  const pct = (/** @type {number} */ t) => `${((t - trace.start) / total) * 100}%`;
  /** @type {Map<string, ProcessView>} */
  const processes = new Map(trace.processes.map((p) => [p.key, p]));
  /** @type {Map<string, number>} */
  const color = new Map(trace.processes.map((p, i) => [p.key, i % COLORS]));

  const legend = h(
    "ul",
    { class: "legend", id: "trace-processes" },
    trace.processes.map((p) =>
      h(
        "li",
        { "data-process": p.key, "data-agent": p.agentId },
        h("span", { class: `swatch proc-${color.get(p.key) ?? 0}` }),
        `${processName(p)} (${p.spans})`,
      ),
    ),
  );

  const step = tickStep(total);
  const ticks = [];
  for (let t = 0; t <= total; t += step) {
    const tick = h("span", { class: "tick" }, duration(t));
    tick.style.left = `${(t / total) * 100}%`;
    ticks.push(tick);
  }
  const axis = h(
    "div",
    { class: "wf-row wf-axis" },
    h("div", { class: "wf-label" }, "Span"),
    h("div", { class: "wf-track" }, ticks),
  );

  const panel = h(
    "aside",
    { class: "span-detail", id: "span-detail" },
    h("p", { class: "muted" }, "Click a span for its details."),
  );
  /** @type {HTMLElement | undefined} */
  let selected;

  const rows = treeOrder(trace.spans).map(({ span, depth }) => {
    const mine = span.taskId === taskId;
    const label = h(
      "div",
      { class: "wf-label", title: span.name },
      span.status === "error"
        ? h("span", { class: "error-mark", title: span.statusMessage ?? "error" }, "!")
        : null,
      h("span", { class: "wf-name" }, span.name),
      span.kind !== "internal" ? h("span", { class: "kind" }, span.kind) : null,
    );
    label.style.paddingLeft = `${0.4 + depth * 0.9}rem`;
    const bar = h(
      "div",
      {
        class: `wf-bar proc-${color.get(span.process) ?? 0}${span.status === "error" ? " error" : ""}`,
        title: `${span.name}: ${duration(span.end - span.start)}`,
      },
      h(
        "span",
        { class: `wf-dur ${durationSide(span, trace.start, total)}` },
        duration(span.end - span.start),
      ),
    );
    bar.style.left = pct(span.start);
    bar.style.width = `${((span.end - span.start) / total) * 100}%`;
    const marks = span.events.map((e) => {
      const mark = h("span", {
        class: "wf-event",
        title: `${e.name} at +${duration(e.time - trace.start)}`,
      });
      mark.style.left = pct(e.time);
      return mark;
    });
    const row = h(
      "div",
      {
        class: `wf-row${mine ? " mine" : ""}`,
        tabindex: 0,
        role: "button",
        "data-span-id": span.spanId,
        "data-process": span.process,
        "data-status": span.status,
      },
      label,
      h("div", { class: "wf-track" }, bar, marks),
    );
    const select = () => {
      selected?.classList.remove("selected");
      selected = row;
      row.classList.add("selected");
      replace(panel, detail(span, trace, processes));
    };
    row.addEventListener("click", select);
    row.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        select();
      }
    });
    return row;
  });

  const agents = new Set(trace.processes.filter((p) => p.agentId).map((p) => p.key)).size;
  return h(
    "div",
    { class: "waterfall" },
    h(
      "p",
      { class: "trace-head" },
      "Trace ",
      h("span", { class: "mono" }, trace.traceId),
      ` · ${trace.spans.length} spans · ${duration(total)} · ${trace.processes.length} processes, ${agents} of them agents`,
    ),
    legend,
    h(
      "div",
      { class: "wf-layout" },
      h("div", { class: "wf-grid", id: "waterfall" }, axis, rows),
      panel,
    ),
  );
}
