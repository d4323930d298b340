// Dead letters: tasks that exhausted their attempts, each with a Replay button.
import { getJson, postJson, seg } from "../api.js";
import { h, notice, replace } from "../dom.js";
import { clock } from "../format.js";
import { poll, reportError } from "../live.js";

/**
 * @typedef {{ seq: number, taskId: string, capability: string, input: unknown,
 *   attempts: { attempt: number, agentId: string, error?: { message: string } }[],
 *   error?: { message: string, code?: string }, deadAt: number }} DeadLetter
 */

/**
 * @param {DeadLetter} d
 * @param {() => void} refresh
 */
function row(d, refresh) {
  const button = h("button", { type: "button", class: "replay", "data-task": d.taskId }, "Replay");
  button.addEventListener("click", () => {
    button.disabled = true;
    postJson(`api/dlq/${seg(d.taskId)}/replay`).then(refresh, (err) => {
      reportError(err);
      button.disabled = false;
    });
  });
  return h(
    "tr",
    { "data-task": d.taskId },
    h("td", {}, h("a", { href: `#/task/${seg(d.taskId)}`, class: "mono" }, d.taskId)),
    h("td", {}, d.capability),
    h("td", {}, clock(d.deadAt)),
    h("td", { class: "num" }, d.attempts.length),
    h("td", { class: "error-text" }, d.error?.message ?? ""),
    h("td", {}, button),
  );
}

/** @type {import("../app.js").Page["mount"]} */
export function mount(root) {
  const body = h("tbody");
  const empty = h("div");
  replace(
    root,
    h("h1", {}, "Dead letters"),
    empty,
    h(
      "table",
      { class: "list", id: "dlq" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Task", "Capability", "Dead since", "Attempts", "Last error", ""].map((c) =>
            h("th", {}, c),
          ),
        ),
      ),
      body,
    ),
  );
  /** @type {() => void} */
  let refresh = () => undefined;
  const load = async () => {
    const { deadLetters } = /** @type {{ deadLetters: DeadLetter[] }} */ (await getJson("api/dlq"));
    replace(
      body,
      deadLetters.map((d) => row(d, refresh)),
    );
    replace(empty, deadLetters.length === 0 ? notice("No dead letters.") : null);
  };
  refresh = () => void load().catch(reportError);
  return poll(load, 5000);
}
