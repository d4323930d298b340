import { takePositionals } from "../args.js";
import type { Command } from "../command.js";
import { json } from "../format.js";
import { SERVER_OPTIONS, withTaskApi } from "../backend.js";

export const getCommand: Command = {
  name: "get",
  summary: "Print a task's record as JSON",
  usage: ["get <task-id> [options]"],
  options: { ...SERVER_OPTIONS },
  async run({ values, positionals, config, env, stdout }) {
    const [id = ""] = takePositionals(this, positionals, ["<task-id>"]);
    const record = await withTaskApi({ values, config, env }, (client) => client.get(id));
    stdout.write(`${json(record)}\n`);
    return 0;
  },
};
