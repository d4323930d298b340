import { takePositionals } from "../args.js";
import type { Command } from "../command.js";
import { json } from "../format.js";
import { withClient } from "../server.js";

export const getCommand: Command = {
  name: "get",
  summary: "Print a task's record as JSON",
  usage: ["get <task-id> [options]"],
  options: {},
  async run({ positionals, config, stdout }) {
    const [id = ""] = takePositionals(this, positionals, ["<task-id>"]);
    const record = await withClient(config, (client) => client.get(id));
    stdout.write(`${json(record)}\n`);
    return 0;
  },
};
