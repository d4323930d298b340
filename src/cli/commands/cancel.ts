import { takePositionals } from "../args.js";
import { stringFlag, type Command } from "../command.js";
import { SERVER_OPTIONS, withTaskApi } from "../backend.js";

export const cancelCommand: Command = {
  name: "cancel",
  summary: "Cancel a pending or running task",
  usage: ["cancel <task-id> [--reason <text>] [options]"],
  description: "Fails (exit 1) when the task has already finished.",
  options: {
    reason: { type: "string", value: "text", description: "Recorded as the task's error" },
    ...SERVER_OPTIONS,
  },
  async run({ values, positionals, config, env, stdout }) {
    const [id = ""] = takePositionals(this, positionals, ["<task-id>"]);
    const reason = stringFlag(values, "reason");
    const record = await withTaskApi({ values, config, env }, (client) =>
      client.cancel(id, reason),
    );
    stdout.write(`${record.id} ${record.state}\n`);
    return 0;
  },
};
