import { TaskState } from "../../types.js";
import { takePositionals } from "../args.js";
import type { Command } from "../command.js";
import { SERVER_OPTIONS, withTaskApi } from "../backend.js";

export const watchCommand: Command = {
  name: "watch",
  summary: "Print a task's events as JSON lines until it finishes",
  usage: ["watch <task-id> [options]"],
  description:
    "Events from the start, then live; ends at the terminal state. Exits 1 unless the task " +
    "SUCCEEDED.",
  options: { ...SERVER_OPTIONS },
  async run({ values, positionals, config, env, stdout }) {
    const [id = ""] = takePositionals(this, positionals, ["<task-id>"]);
    const final = await withTaskApi({ values, config, env }, async (client) => {
      for await (const event of client.watch(id)) stdout.write(`${JSON.stringify(event)}\n`);
      return client.get(id);
    });
    return final.state === TaskState.Succeeded ? 0 : 1;
  },
};
