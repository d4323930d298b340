import { validateCapability } from "../../nats/subjects.js";
import type { DeadLetter } from "../../types.js";
import { takePositionals } from "../args.js";
import { booleanFlag, stringFlag, type Command } from "../command.js";
import { formatAge, json, renderTable, truncate } from "../format.js";
import { SERVER_OPTIONS, withTaskApi } from "../backend.js";
import { parsePositiveInt } from "../submit-flags.js";

function row(d: DeadLetter, now: number): string[] {
  return [
    d.taskId,
    d.capability,
    String(d.attempts.length),
    formatAge(now - d.deadAt),
    truncate(d.error?.message ?? "", 60),
  ];
}

export const dlqCommand: Command = {
  name: "dlq",
  summary: "List dead letters, or replay one",
  usage: [
    "dlq [--capability c] [--limit n] [--json] [options]",
    "dlq --replay <task-id> [options]",
  ],
  description:
    "A task is dead-lettered when its attempts run out. --replay moves it back to PENDING with " +
    "a fresh attempt budget and queues it again.",
  options: {
    capability: { type: "string", value: "name", description: "Only this capability" },
    limit: { type: "string", value: "n", description: "At most this many (default 1000)" },
    json: { type: "boolean", description: "Print the dead letters as JSON" },
    replay: { type: "string", value: "task-id", description: "Replay this dead task" },
    ...SERVER_OPTIONS,
  },
  async run({ values, positionals, config, env, stdout, stderr }) {
    takePositionals(this, positionals, []);
    const replay = stringFlag(values, "replay");
    if (replay !== undefined) {
      const record = await withTaskApi({ values, config, env }, (client) => client.replay(replay));
      stdout.write(`${record.id} ${record.state} (replayed)\n`);
      return 0;
    }
    const capability = stringFlag(values, "capability");
    if (capability !== undefined) validateCapability(capability, "--capability");
    const limit = stringFlag(values, "limit");
    const letters = await withTaskApi({ values, config, env }, (client) =>
      client.deadLetters({
        ...(capability !== undefined ? { capability } : {}),
        ...(limit !== undefined ? { limit: parsePositiveInt(limit, "--limit") } : {}),
      }),
    );
    if (booleanFlag(values, "json")) {
      stdout.write(`${json(letters)}\n`);
      return 0;
    }
    if (letters.length === 0) {
      stderr.write("no dead letters\n");
      return 0;
    }
    const now = Date.now();
    const header = ["TASK", "CAPABILITY", "ATTEMPTS", "DEAD", "ERROR"];
    stdout.write(
      `${renderTable(
        header,
        letters.map((d) => row(d, now)),
      )}\n`,
    );
    return 0;
  },
};
