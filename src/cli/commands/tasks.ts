import { ValidationError } from "../../errors.js";
import { TaskState, type ListOptions, type TaskRecord } from "../../types.js";
import { takePositionals } from "../args.js";
import { booleanFlag, stringFlag, stringsFlag, type Command } from "../command.js";
import { formatAge, json, renderTable, truncate } from "../format.js";
import { SERVER_OPTIONS, withTaskApi } from "../backend.js";
import { parseLabels, parsePositiveInt } from "../submit-flags.js";

const STATES: readonly string[] = Object.values(TaskState);

function parseStates(text: string): TaskState[] {
  return text.split(",").map((s) => {
    const state = STATES.find((known) => known === s.trim().toUpperCase());
    if (!state) throw new ValidationError("--state", `must be one of ${STATES.join(", ")}`);
    return state as TaskState;
  });
}

/** Why a pending task is not running, if it says. */
function waitingReason(r: TaskRecord): string {
  return r.state === TaskState.Pending && r.waiting ? r.waiting.reason : "";
}

function row(r: TaskRecord, now: number, waiting: boolean): string[] {
  const cells = [r.id, r.capability, r.state, String(r.attempt), formatAge(now - r.createdAt)];
  return waiting ? [...cells, truncate(waitingReason(r), 80)] : cells;
}

export const tasksCommand: Command = {
  name: "tasks",
  summary: "List tasks, newest first",
  usage: [
    "tasks [--state S[,S]] [--capability c] [--label k=v]... [--limit n] [--cursor c] [--json] [options]",
  ],
  options: {
    state: { type: "string", value: "states", description: "Only these states (comma-separated)" },
    capability: { type: "string", value: "name", description: "Only this capability" },
    label: {
      type: "string",
      multiple: true,
      value: "k=v",
      description: "Only tasks with this label (repeatable: all of them)",
    },
    limit: { type: "string", value: "n", description: "Page size (default 100)" },
    cursor: { type: "string", value: "cursor", description: "Continue after a previous page" },
    json: { type: "boolean", description: "Print the page as JSON" },
    ...SERVER_OPTIONS,
  },
  async run({ values, positionals, config, env, stdout, stderr }) {
    takePositionals(this, positionals, []);
    const options: ListOptions = {};
    const state = stringFlag(values, "state");
    if (state !== undefined) options.state = parseStates(state);
    const capability = stringFlag(values, "capability");
    if (capability !== undefined) options.capability = capability;
    const labels = parseLabels(stringsFlag(values, "label"));
    if (labels) options.labels = labels;
    const limit = stringFlag(values, "limit");
    if (limit !== undefined) options.limit = parsePositiveInt(limit, "--limit");
    const cursor = stringFlag(values, "cursor");
    if (cursor !== undefined) options.cursor = cursor;

    const page = await withTaskApi({ values, config, env }, (client) => client.list(options));
    if (booleanFlag(values, "json")) {
      stdout.write(`${json(page)}\n`);
      return 0;
    }
    if (page.tasks.length === 0) {
      stderr.write("no tasks\n");
      return 0;
    }
    const now = Date.now();
    // The WAITING column only when some task on the page waits with a reason.
    const waiting = page.tasks.some((r) => waitingReason(r) !== "");
    const header = ["ID", "CAPABILITY", "STATE", "ATTEMPT", "AGE", ...(waiting ? ["WAITING"] : [])];
    stdout.write(
      `${renderTable(
        header,
        page.tasks.map((r) => row(r, now, waiting)),
      )}\n`,
    );
    if (page.nextCursor) stderr.write(`more: baton tasks --cursor ${page.nextCursor}\n`);
    return 0;
  },
};
