import { takePositionals } from "../args.js";
import type { Command } from "../command.js";
import { json } from "../format.js";
import { SERVER_OPTIONS, withTaskApi } from "../backend.js";
import { placementLines } from "../placement-text.js";

export const getCommand: Command = {
  name: "get",
  summary: "Print a task's record as JSON",
  usage: ["get <task-id> [options]"],
  description:
    "The record goes to stdout. When the task waits (no eligible agent, all busy, a limit) or " +
    "was placed by negotiation, the reason and the latest placement's bids go to stderr.",
  options: { ...SERVER_OPTIONS },
  async run({ values, positionals, config, env, stdout, stderr }) {
    const [id = ""] = takePositionals(this, positionals, ["<task-id>"]);
    const record = await withTaskApi({ values, config, env }, (client) => client.get(id));
    stdout.write(`${json(record)}\n`);
    for (const line of placementLines(record)) stderr.write(`${line}\n`);
    return 0;
  },
};
