// Task: its record, sub-task tree, live progress and output, cancel, and its trace (tab).
import { ApiError, getJson, postJson, seg } from "../api.js";
import { h, jsonBlock, notice, replace, stateBadge } from "../dom.js";
import { clock, compact, duration, runTime } from "../format.js";
import { poll, reportError } from "../live.js";
import { waterfall } from "../waterfall.js";
import { labelChips } from "./tasks.js";

const TERMINAL = new Set(["SUCCEEDED", "FAILED", "CANCELLED", "DEAD"]);

/**
 * @typedef {import("./tasks.js").TaskSummary & { subtasks: TaskNode[] }} TaskNode
 * @typedef {{ attempt: number, agentId: string, startedAt: number, endedAt?: number,
 *   outcome?: string, error?: { message: string } }} Attempt
 * @typedef {{ agentId: string, fit: number, load: number, warm: boolean, cost: number,
 *   score: number, freeSlots: number }} Bid
 * @typedef {{ time: number, negotiator: string, bids: Bid[], winner?: string, reason?: string }}
 *   Placement
 * @typedef {import("./tasks.js").TaskSummary & { input: unknown, result?: unknown,
 *   error?: { message: string, name?: string, code?: string, stack?: string },
 *   attempts: Attempt[], placements?: Placement[], owner?: { agentId: string },
 *   rootId: string, children?: string[] }} TaskRecord
 */

/**
 * @param {TaskNode} node
 * @param {string} current
 * @returns {HTMLLIElement}
 */
function treeItem(node, current) {
  const label = h(
    "span",
    { class: node.id === current ? "tree-node current" : "tree-node" },
    h("a", { href: `#/task/${seg(node.id)}`, class: "mono" }, node.id),
    " ",
    node.capability,
    " ",
    stateBadge(node.state),
    node.progress !== undefined && !TERMINAL.has(node.state)
      ? h("span", { class: "muted" }, ` ${compact(node.progress, 40)}`)
      : null,
  );
  return h(
    "li",
    { "data-task": node.id },
    label,
    node.subtasks.length > 0
      ? h(
          "ul",
          {},
          node.subtasks.map((n) => treeItem(n, current)),
        )
      : null,
  );
}

/**
 * @param {Array<[string, import("../dom.js").Child | import("../dom.js").Child[]]>} rows
 */
function facts(rows) {
  return h(
    "dl",
    { class: "facts" },
    rows
      .filter(([, v]) => v !== undefined && v !== null && v !== "")
      .flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
  );
}

/**
 * @param {Attempt[]} attempts
 */
function attemptsTable(attempts) {
  if (attempts.length === 0) return notice("Not claimed yet.");
  return h(
    "table",
    { class: "list" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["#", "Agent", "Started", "Ran", "Outcome", "Error"].map((c) => h("th", {}, c)),
      ),
    ),
    h(
      "tbody",
      {},
      attempts.map((a) =>
        h(
          "tr",
          {},
          h("td", { class: "num" }, a.attempt),
          h("td", { class: "mono" }, a.agentId),
          h("td", {}, clock(a.startedAt)),
          h("td", { class: "num" }, duration((a.endedAt ?? Date.now()) - a.startedAt)),
          h("td", {}, a.outcome ?? "running"),
          h("td", { class: "error-text" }, a.error?.message ?? ""),
        ),
      ),
    ),
  );
}

/**
 * @param {Placement[] | undefined} placements
 */
function placementsList(placements) {
  if (!placements || placements.length === 0) return null;
  return h(
    "section",
    {},
    h("h2", {}, "Negotiations"),
    placements.map((p) =>
      h(
        "div",
        { class: "placement" },
        h(
          "p",
          {},
          `${clock(p.time)}: ${p.negotiator} called for bids; `,
          p.winner ? h("strong", {}, `awarded to ${p.winner}`) : `no award (${p.reason ?? "?"})`,
        ),
        p.bids.length === 0
          ? notice("No bids.")
          : h(
              "table",
              { class: "list compact" },
              h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  ["Agent", "Score", "Fit", "Load", "Warm", "Free", "Cost"].map((c) =>
                    h("th", {}, c),
                  ),
                ),
              ),
              h(
                "tbody",
                {},
                p.bids.map((b) =>
                  h(
                    "tr",
                    { class: b.agentId === p.winner ? "winner" : "" },
                    h("td", { class: "mono" }, b.agentId),
                    h("td", { class: "num" }, b.score.toFixed(3)),
                    h("td", { class: "num" }, b.fit.toFixed(2)),
                    h("td", { class: "num" }, b.load.toFixed(2)),
                    h("td", {}, b.warm ? "yes" : ""),
                    h("td", { class: "num" }, b.freeSlots),
                    h("td", { class: "num" }, b.cost),
                  ),
                ),
              ),
            ),
      ),
    ),
  );
}

/**
 * The record's facts and error, above the live view.
 * @param {TaskRecord} task
 */
function summary(task) {
  return [
    facts([
      ["Capability", task.capability],
      ["Priority", task.priority],
      ["Attempt", String(task.attempt)],
      ["Labels", labelChips(task.labels).length ? h("span", {}, labelChips(task.labels)) : ""],
      ["Created", clock(task.createdAt)],
      ["Started", task.startedAt ? clock(task.startedAt) : ""],
      ["Finished", task.finishedAt ? clock(task.finishedAt) : ""],
      ["Ran", runTime(task) !== undefined ? duration(runTime(task)) : ""],
      ["Owner", task.owner?.agentId],
      ["Waiting", task.waiting?.reason],
      [
        "Parent",
        task.parentId ? h("a", { href: `#/task/${seg(task.parentId)}` }, task.parentId) : "",
      ],
      [
        "Root",
        task.rootId !== task.id ? h("a", { href: `#/task/${seg(task.rootId)}` }, task.rootId) : "",
      ],
    ]),
    task.error
      ? h(
          "section",
          { class: "error-box" },
          h("h2", {}, "Error"),
          h(
            "p",
            {},
            `${task.error.name ?? "Error"}${task.error.code ? ` (${task.error.code})` : ""}: `,
            task.error.message,
          ),
        )
      : null,
  ];
}

/**
 * Sub-tasks, attempts, negotiations, input and result, below the live view.
 * @param {TaskRecord} task
 * @param {TaskNode} tree
 */
function history(task, tree) {
  return [
    h(
      "section",
      {},
      h("h2", {}, "Sub-tasks"),
      tree.subtasks.length === 0
        ? notice("No sub-tasks.")
        : h("ul", { class: "tree", id: "subtasks" }, treeItem(tree, task.id)),
    ),
    h("section", {}, h("h2", {}, "Attempts"), attemptsTable(task.attempts)),
    placementsList(task.placements),
    h(
      "div",
      { class: "columns" },
      h("section", {}, h("h2", {}, "Input"), jsonBlock(task.input)),
      task.result !== undefined
        ? h("section", {}, h("h2", {}, "Result"), jsonBlock(task.result))
        : null,
    ),
  ];
}

/**
 * Progress and streamed output of the task, live over Server-Sent Events.
 * @param {string} id
 * @param {() => void} onState
 * @returns {{ el: HTMLElement, close: () => void }}
 */
function liveView(id, onState) {
  const progress = h("pre", { class: "json", id: "progress" }, "–");
  const output = h("pre", { class: "output", id: "output" });
  const log = h("ol", { class: "event-log", id: "event-log" });
  const state = h("span", { class: "muted" }, "connecting…");
  const el = h(
    "section",
    { class: "live" },
    h("h2", {}, "Live ", state),
    h(
      "div",
      { class: "columns" },
      h("div", {}, h("h3", {}, "Progress"), progress),
      h("div", {}, h("h3", {}, "Output"), output),
    ),
    h("h3", {}, "Events"),
    log,
  );
  const source = new EventSource(`api/tasks/${seg(id)}/events`);
  /**
   * @param {string} type
   * @param {(data: any) => void} fn
   */
  const on = (type, fn) =>
    source.addEventListener(type, (e) => fn(JSON.parse(/** @type {MessageEvent} */ (e).data)));
  on("state", (ev) => {
    log.append(
      h(
        "li",
        {},
        `${new Date(ev.time).toLocaleTimeString()} `,
        stateBadge(ev.state),
        ` attempt ${ev.attempt}`,
        ev.error ? h("span", { class: "error-text" }, ` ${ev.error.message}`) : null,
      ),
    );
    onState();
  });
  on("progress", (ev) => (progress.textContent = JSON.stringify(ev.progress, null, 2)));
  on("output", (ev) => {
    output.append(typeof ev.chunk === "string" ? ev.chunk : `${JSON.stringify(ev.chunk)}\n`);
    output.scrollTop = output.scrollHeight;
  });
  on("end", () => {
    state.textContent = "finished";
    source.close();
  });
  on("failure", (ev) => {
    state.textContent = `watch failed: ${ev.message}`;
    source.close();
  });
  source.addEventListener("open", () => (state.textContent = "watching"));
  source.addEventListener("error", () => {
    if (source.readyState !== EventSource.CLOSED) state.textContent = "reconnecting…";
  });
  return { el, close: () => source.close() };
}

/**
 * @param {string} id
 * @param {HTMLButtonElement} button
 */
async function cancel(id, button) {
  if (!confirm(`Cancel task ${id}? Its running sub-tasks are cancelled too.`)) return;
  button.disabled = true;
  try {
    await postJson(`api/tasks/${seg(id)}/cancel`, { reason: "cancelled from the dashboard" });
  } catch (err) {
    reportError(err);
    button.disabled = false;
  }
}

/**
 * @param {HTMLElement} root
 * @param {string} id
 */
function traceTab(root, id) {
  const body = h("div", { id: "trace" }, notice("Loading the trace…"));
  const load = async () => {
    try {
      const trace = /** @type {import("../waterfall.js").TraceView} */ (
        await getJson(`api/tasks/${seg(id)}/trace`)
      );
      replace(body, waterfall(trace, id));
    } catch (err) {
      const text = err instanceof ApiError ? err.message : String(err);
      replace(body, notice(text, err instanceof ApiError && err.status === 501 ? "info" : "error"));
    }
  };
  replace(
    root,
    h(
      "p",
      {},
      h("button", { type: "button", class: "secondary", onclick: () => void load() }, "Refresh"),
    ),
    body,
  );
  void load();
}

/** @type {import("../app.js").Page["mount"]} */
export function mount(root, { id = "", tab }) {
  const title = h("h1", {}, "Task ", h("span", { class: "mono" }, id), " ");
  const badge = h("span");
  const cancelButton = h(
    "button",
    { type: "button", class: "danger", id: "cancel", disabled: true },
    "Cancel",
  );
  cancelButton.addEventListener("click", () => void cancel(id, cancelButton));
  const tabs = h(
    "nav",
    { class: "tabs" },
    h("a", { href: `#/task/${seg(id)}`, class: tab ? "" : "active" }, "Overview"),
    h(
      "a",
      { href: `#/task/${seg(id)}/trace`, class: tab === "trace" ? "active" : "", id: "trace-tab" },
      "Trace",
    ),
  );
  const content = h("div");
  replace(root, h("div", { class: "task-head" }, title, badge, cancelButton), tabs, content);

  /** @param {TaskRecord} task */
  const head = (task) => {
    replace(badge, stateBadge(task.state));
    cancelButton.disabled = TERMINAL.has(task.state);
  };

  if (tab === "trace") {
    getJson(`api/tasks/${seg(id)}`).then(
      (r) => head(/** @type {{ task: TaskRecord }} */ (r).task),
      reportError,
    );
    traceTab(content, id);
    return () => undefined;
  }

  const details = h("div");
  /** @type {() => void} */
  let refresh = () => undefined;
  const live = liveView(id, () => refresh());
  const below = h("div");
  replace(content, details, live.el, below);
  let pending = false;
  const load = async () => {
    try {
      const { task, tree } = /** @type {{ task: TaskRecord, tree: TaskNode }} */ (
        await getJson(`api/tasks/${seg(id)}`)
      );
      head(task);
      replace(details, summary(task));
      replace(below, history(task, tree));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404)
        replace(details, notice(err.message, "error"));
      throw err;
    }
  };
  refresh = () => {
    if (pending) return;
    pending = true;
    setTimeout(() => {
      pending = false;
      load().catch(reportError);
    }, 200);
  };
  const stop = poll(load, 3000);
  return () => {
    stop();
    live.close();
  };
}
