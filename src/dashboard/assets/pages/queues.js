// Queues: backlog, in-flight and throughput per capability over time, and waiting demand.
import { getJson } from "../api.js";
import { h, notice, replace } from "../dom.js";
import { ago, duration, rate } from "../format.js";
import { lineChart } from "../chart.js";
import { poll } from "../live.js";

/**
 * @typedef {{ capability: string, backlog: number, inFlight: number, oldestAgeMs?: number,
 *   deadLetters: number, backlogByPriority: Record<string, number> }} QueueStats
 * @typedef {{ time: number, backlog: number, inFlight: number, throughput: number }} Sample
 * @typedef {{ capability: string, resourceClass: string, waiting: number, oldestSince: number,
 *   reason: string }} Demand
 */

/**
 * @param {string} label
 * @param {string | number} value
 */
function stat(label, value) {
  return h("div", { class: "stat" }, h("span", { class: "value" }, value), h("span", {}, label));
}

/**
 * @param {QueueStats} q
 * @param {Sample[]} samples
 */
function card(q, samples) {
  const last = samples[samples.length - 1];
  const points = (/** @type {(s: Sample) => number} */ f) =>
    samples.map((s) => ({ time: s.time, value: f(s) }));
  return h(
    "section",
    { class: "card", "data-capability": q.capability },
    h("h2", {}, q.capability),
    h(
      "div",
      { class: "stats" },
      stat("backlog", q.backlog),
      stat("in flight", q.inFlight),
      stat("oldest", q.oldestAgeMs !== undefined ? duration(q.oldestAgeMs) : "–"),
      stat("throughput", last ? rate(last.throughput) : "–"),
      stat("dead letters", q.deadLetters),
    ),
    h(
      "div",
      { class: "charts" },
      lineChart("Backlog and in flight", [
        { label: "backlog", className: "s-backlog", points: points((s) => s.backlog) },
        { label: "in flight", className: "s-inflight", points: points((s) => s.inFlight) },
      ]),
      lineChart(
        "Throughput (finished per second)",
        [{ label: "finished/s", className: "s-throughput", points: points((s) => s.throughput) }],
        (v) => v.toFixed(2),
      ),
    ),
  );
}

/**
 * @param {Demand[]} demand
 * @param {number} now
 */
function demandTable(demand, now) {
  if (demand.length === 0) return notice("No task is waiting for an agent.");
  return h(
    "table",
    { class: "list" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["Capability", "Resource class", "Waiting", "Longest", "Why"].map((c) => h("th", {}, c)),
      ),
    ),
    h(
      "tbody",
      {},
      demand.map((d) =>
        h(
          "tr",
          {},
          h("td", {}, d.capability),
          h("td", { class: "mono" }, d.resourceClass),
          h("td", { class: "num" }, d.waiting),
          h("td", {}, ago(d.oldestSince, now)),
          h("td", {}, d.reason),
        ),
      ),
    ),
  );
}

/** @type {import("../app.js").Page["mount"]} */
export function mount(root) {
  const cards = h("div", { class: "cards", id: "queues" });
  const waiting = h("div", { id: "demand" });
  const note = h("p", { class: "muted" });
  replace(root, h("h1", {}, "Queues"), note, cards, h("h2", {}, "Waiting demand"), waiting);
  return poll(async () => {
    const [queues, waitingNow] = await Promise.all([getJson("api/queues"), getJson("api/demand")]);
    const {
      intervalMs,
      history,
      queues: stats,
    } = /** @type {{ intervalMs: number, history: Record<string, Sample[]>, queues: QueueStats[] }} */ (
      queues
    );
    const demand = /** @type {{ now: number, demand: Demand[] }} */ (waitingNow);
    replace(note, `Sampled every ${duration(intervalMs)} by this server since it started.`);
    replace(
      cards,
      stats.length === 0
        ? notice("No capability declared yet.")
        : stats.map((q) => card(q, history[q.capability] ?? [])),
    );
    replace(waiting, demandTable(demand.demand, demand.now));
  }, 5000);
}
