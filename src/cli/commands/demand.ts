import { validateCapability } from "../../nats/subjects.js";
import type { Demand } from "../../registry/demand.js";
import { takePositionals } from "../args.js";
import { booleanFlag, stringFlag, type Command } from "../command.js";
import { formatAge, json, renderTable } from "../format.js";
import { SERVER_OPTIONS, withTaskApi } from "../backend.js";

function row(d: Demand, now: number): string[] {
  return [
    d.capability,
    d.resourceClass,
    String(d.waiting),
    formatAge(now - d.oldestSince),
    d.reason,
  ];
}

export const demandCommand: Command = {
  name: "demand",
  summary: "Show waiting tasks per capability and resource class",
  usage: ["demand [--capability c] [--json] [options]"],
  description:
    "Pending tasks that wait for a kind of agent (none offers what they require, every eligible " +
    "one is busy, or a concurrency limit), grouped by capability and resource class, largest " +
    "group first: what to add capacity for. OLDEST is how long the longest-waiting one has waited.",
  options: {
    capability: { type: "string", value: "name", description: "Only this capability" },
    json: { type: "boolean", description: "Print the demand as JSON" },
    ...SERVER_OPTIONS,
  },
  async run({ values, positionals, config, env, stdout, stderr }) {
    takePositionals(this, positionals, []);
    const capability = stringFlag(values, "capability");
    if (capability !== undefined) validateCapability(capability, "--capability");
    const demand = await withTaskApi({ values, config, env }, (client) =>
      client.demand(capability !== undefined ? { capability } : {}),
    );
    if (booleanFlag(values, "json")) {
      stdout.write(`${json(demand)}\n`);
      return 0;
    }
    if (demand.length === 0) {
      stderr.write("no waiting tasks\n");
      return 0;
    }
    const now = Date.now();
    const header = ["CAPABILITY", "RESOURCE CLASS", "WAITING", "OLDEST", "REASON"];
    stdout.write(
      `${renderTable(
        header,
        demand.map((d) => row(d, now)),
      )}\n`,
    );
    return 0;
  },
};
