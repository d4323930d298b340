// Tasks: a live list with filters by state, capability and label; a row opens its task.
import { getJson, seg } from "../api.js";
import { h, notice, replace, stateBadge } from "../dom.js";
import { ago, compact, duration, runTime } from "../format.js";
import { poll } from "../live.js";

const STATES = ["PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED", "DEAD"];

/**
 * @typedef {{ id: string, capability: string, state: string, priority: string,
 *   labels?: Record<string, string>, attempt: number, createdAt: number, startedAt?: number,
 *   finishedAt?: number, parentId?: string, children: number, moreChildren?: true,
 *   progress?: unknown,
 *   error?: { message: string }, waiting?: { reason: string } }} TaskSummary
 */

/**
 * @param {Record<string, string> | undefined} labels
 */
export function labelChips(labels) {
  return Object.entries(labels ?? {}).map(([k, v]) => h("span", { class: "chip" }, `${k}=${v}`));
}

/**
 * @param {URLSearchParams} query
 */
function filterForm(query) {
  const state = h(
    "select",
    { name: "state", "aria-label": "State" },
    h("option", { value: "" }, "any state"),
    STATES.map((s) => h("option", { value: s, selected: query.get("state") === s }, s)),
  );
  const capability = h("input", {
    name: "capability",
    placeholder: "capability",
    list: "capabilities",
    value: query.get("capability") ?? "",
    "aria-label": "Capability",
  });
  const label = h("input", {
    name: "label",
    placeholder: "label key=value",
    value: query.getAll("label").join(" "),
    "aria-label": "Label",
  });
  const capabilities = h("datalist", { id: "capabilities" });
  getJson("api/queues").then(
    (body) => {
      const { queues } = /** @type {{ queues: { capability: string }[] }} */ (body);
      const names = queues.map((q) => q.capability);
      replace(
        capabilities,
        names.map((c) => h("option", { value: c })),
      );
    },
    () => undefined,
  );
  /** @param {Event} event */
  const submit = (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (state.value) next.set("state", state.value);
    if (capability.value.trim()) next.set("capability", capability.value.trim());
    for (const l of label.value.split(/[\s,]+/).filter(Boolean)) next.append("label", l);
    location.hash = `#/tasks?${next}`;
  };
  return h(
    "form",
    { class: "filters", onsubmit: submit },
    state,
    capability,
    capabilities,
    label,
    h("button", { type: "submit" }, "Filter"),
    h("a", { href: "#/tasks", class: "button secondary" }, "Clear"),
  );
}

/**
 * @param {TaskSummary} t
 */
function row(t) {
  const open = () => (location.hash = `#/task/${seg(t.id)}`);
  return h(
    "tr",
    { class: "clickable", "data-task": t.id, onclick: open },
    h("td", {}, h("a", { href: `#/task/${seg(t.id)}`, class: "mono" }, t.id)),
    h("td", {}, t.capability),
    h("td", {}, stateBadge(t.state)),
    h("td", {}, labelChips(t.labels)),
    h("td", { class: "num" }, t.attempt),
    h("td", {}, ago(t.createdAt)),
    h("td", { class: "num" }, duration(runTime(t))),
    h("td", { class: "muted" }, t.error?.message ?? t.waiting?.reason ?? compact(t.progress, 60)),
    h(
      "td",
      {},
      t.children
        ? `${t.children}${t.moreChildren ? "+" : ""} sub-task${t.children > 1 ? "s" : ""}`
        : "",
    ),
  );
}

/** @type {import("../app.js").Page["mount"]} */
export function mount(root, { query }) {
  const body = h("tbody");
  const more = h("p", { class: "pager" });
  const table = h(
    "table",
    { class: "list", id: "tasks" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["Task", "Capability", "State", "Labels", "Attempt", "Created", "Ran", "Note", ""].map(
          (c) => h("th", {}, c),
        ),
      ),
    ),
    body,
  );
  const empty = h("div");
  replace(root, h("h1", {}, "Tasks"), filterForm(query), empty, table, more);

  const api = new URLSearchParams(query);
  return poll(async () => {
    const page = /** @type {{ tasks: TaskSummary[], nextCursor?: string }} */ (
      await getJson(`api/tasks?${api}`)
    );
    replace(body, page.tasks.map(row));
    replace(empty, page.tasks.length === 0 ? notice("No tasks match.") : null);
    const first = new URLSearchParams(query);
    first.delete("cursor");
    const next = new URLSearchParams(first);
    if (page.nextCursor) next.set("cursor", page.nextCursor);
    replace(
      more,
      query.get("cursor")
        ? h("a", { href: `#/tasks?${first}`, class: "button secondary" }, "Newest")
        : null,
      page.nextCursor ? h("a", { href: `#/tasks?${next}`, class: "button" }, "Older →") : null,
    );
  }, 2000);
}
