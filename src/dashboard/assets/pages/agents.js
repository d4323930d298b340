// Agents: capabilities, resources, load and warm keys of every live agent.
import { getJson } from "../api.js";
import { h, notice, replace } from "../dom.js";
import { ago } from "../format.js";
import { poll } from "../live.js";

/**
 * @typedef {{ type: string, count: number, memoryMib: number }} GpuGroup
 * @typedef {{ cpuSlots?: number, gpus?: GpuGroup[], models?: string[],
 *   labels?: Record<string, string> }} Resources
 * @typedef {{ id: string, name: string, capabilities: string[], concurrency: number,
 *   inFlight: number, freeSlots: number, hostname: string, pid: number, startedAt: number,
 *   lastHeartbeat: number, resources?: Resources, peerAddress?: string, warmKeys?: string[] }}
 *   AgentInfo
 */

/**
 * @param {Resources | undefined} r
 */
function resources(r) {
  if (!r) return h("span", { class: "muted" }, "–");
  return h(
    "span",
    {},
    r.cpuSlots !== undefined ? h("span", { class: "chip" }, `cpu ${r.cpuSlots}`) : null,
    (r.gpus ?? []).map((g) =>
      h("span", { class: "chip" }, `${g.count}× ${g.type} ${Math.round(g.memoryMib / 1024)} GiB`),
    ),
    (r.models ?? []).map((m) => h("span", { class: "chip model" }, m)),
    Object.entries(r.labels ?? {}).map(([k, v]) => h("span", { class: "chip" }, `${k}=${v}`)),
  );
}

/**
 * @param {number} inFlight
 * @param {number} concurrency
 */
function load(inFlight, concurrency) {
  const meter = h("meter", { min: 0, max: concurrency, value: inFlight, high: concurrency * 0.8 });
  return h("span", { class: "load" }, meter, ` ${inFlight}/${concurrency}`);
}

/**
 * @param {AgentInfo} a
 * @param {number} now
 */
function row(a, now) {
  const warm = a.warmKeys ?? [];
  return h(
    "tr",
    { "data-agent": a.id },
    h("td", {}, h("div", { class: "mono" }, a.id), h("div", { class: "muted" }, a.name)),
    h(
      "td",
      {},
      a.capabilities.map((c) => h("span", { class: "chip" }, c)),
    ),
    h(
      "td",
      {},
      `${a.hostname} pid ${a.pid}`,
      a.peerAddress ? h("div", { class: "muted" }, `peer ${a.peerAddress}`) : null,
    ),
    h("td", {}, load(a.inFlight, a.concurrency)),
    h("td", {}, resources(a.resources)),
    h(
      "td",
      { title: warm.join("\n") },
      warm.slice(0, 3).map((k) => h("span", { class: "chip mono" }, k)),
      warm.length > 3 ? h("span", { class: "muted" }, ` +${warm.length - 3}`) : null,
    ),
    h("td", {}, ago(a.lastHeartbeat, now)),
    h("td", {}, ago(a.startedAt, now)),
  );
}

/** @type {import("../app.js").Page["mount"]} */
export function mount(root) {
  const body = h("tbody");
  const empty = h("div");
  replace(
    root,
    h("h1", {}, "Agents"),
    empty,
    h(
      "table",
      { class: "list", id: "agents" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          [
            "Agent",
            "Capabilities",
            "Process",
            "Load",
            "Resources",
            "Warm keys",
            "Heartbeat",
            "Up",
          ].map((c) => h("th", {}, c)),
        ),
      ),
      body,
    ),
  );
  return poll(async () => {
    const { now, agents } = /** @type {{ now: number, agents: AgentInfo[] }} */ (
      await getJson("api/agents")
    );
    replace(
      body,
      agents.map((a) => row(a, now)),
    );
    replace(empty, agents.length === 0 ? notice("No live agents.") : null);
  }, 3000);
}
