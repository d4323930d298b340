import { TaskState } from "../../types.js";
import { takePositionals } from "../args.js";
import { booleanFlag, stringFlag, type Command } from "../command.js";
import { followTask } from "../follow.js";
import { json } from "../format.js";
import { SERVER_OPTIONS, withTaskApi } from "../backend.js";
import { parseInput, PRIORITY_CHOICES, submitOptionsFrom } from "../submit-flags.js";

export const submitCommand: Command = {
  name: "submit",
  summary: "Submit a task and print its id (or wait for its result)",
  usage: ["submit <capability> --input <json> [options]"],
  description:
    "Prints the new task's id. With --wait, shows a live status line on stderr, prints the " +
    "final record as JSON on stdout, and exits 1 unless the task SUCCEEDED. With --require the " +
    "task waits until an agent that offers it is free (see baton get, baton demand).",
  options: {
    input: { type: "string", value: "json", description: "Task input as JSON (default: null)" },
    wait: { type: "boolean", short: "w", description: "Wait for the task to finish" },
    "idempotency-key": {
      type: "string",
      value: "key",
      description: "Submitting the same key again returns the same task",
    },
    priority: { type: "string", value: PRIORITY_CHOICES, description: "Priority band" },
    delay: { type: "string", value: "duration", description: 'Start no sooner than this ("5s")' },
    "run-at": { type: "string", value: "time", description: "Start no sooner than this ISO time" },
    timeout: { type: "string", value: "duration", description: "Time limit per attempt" },
    deadline: {
      type: "string",
      value: "time",
      description: "ISO time by which the task must finish; not retried after it",
    },
    "max-attempts": {
      type: "string",
      value: "n",
      description: "Attempts including the first (default from --retry-max-attempts)",
    },
    label: { type: "string", multiple: true, value: "k=v", description: "A label (repeatable)" },
    require: {
      type: "string",
      multiple: true,
      value: "key=value",
      description:
        "Agent must offer (repeatable): cpu=2 gpu=a100 gpus=2 gpu-mem=40GiB|40960 model=x label.zone=a",
    },
    affinity: {
      type: "string",
      value: "key",
      description: "Prefer the agent that holds warm state for this key",
    },
    ...SERVER_OPTIONS,
  },
  async run({ values, positionals, config, env, stdout, stderr }) {
    const [capability = ""] = takePositionals(this, positionals, ["<capability>"]);
    const input = parseInput(stringFlag(values, "input"));
    const options = submitOptionsFrom(values);
    return withTaskApi({ values, config, env }, async (client) => {
      const record = await client.submit(capability, input, options);
      if (!booleanFlag(values, "wait")) {
        stdout.write(`${record.id}\n`);
        return 0;
      }
      const final = await followTask(client, record.id, stderr);
      stdout.write(`${json(final)}\n`);
      return final.state === TaskState.Succeeded ? 0 : 1;
    });
  },
};
