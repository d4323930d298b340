// Hash router: each page mounts into <main> and returns a function that stops its live updates.
import { replace } from "./dom.js";
import * as agents from "./pages/agents.js";
import * as dlq from "./pages/dlq.js";
import * as queues from "./pages/queues.js";
import * as task from "./pages/task.js";
import * as tasks from "./pages/tasks.js";

/**
 * @typedef {{ id?: string, tab?: string, query: URLSearchParams }} RouteParams
 * @typedef {{ mount: (root: HTMLElement, params: RouteParams) => () => void }} Page
 */

/** @type {Record<string, Page>} */
const PAGES = { tasks, task, agents, queues, dlq };

/** @type {(() => void) | undefined} */
let unmount;

function show() {
  const root = document.getElementById("main");
  if (!root) return;
  const hash = location.hash.replace(/^#\/?/, "");
  const [path = "", search = ""] = hash.split("?", 2);
  const [name = "tasks", id, tab] = path.split("/").map(decodeURIComponent);
  const page = PAGES[name] ?? tasks;
  unmount?.();
  replace(root);
  for (const link of document.querySelectorAll("[data-nav]")) {
    const nav = link.getAttribute("data-nav");
    link.classList.toggle("active", nav === name || (name === "task" && nav === "tasks"));
  }
  /** @type {RouteParams} */
  const params = { query: new URLSearchParams(search) };
  if (id) params.id = id;
  if (tab) params.tab = tab;
  unmount = page.mount(root, params);
  window.scrollTo(0, 0);
}

window.addEventListener("hashchange", show);
show();
