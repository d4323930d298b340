import { createClient } from "../../client/client.js";
import { formatDuration } from "../../config/index.js";
import { Worker } from "../../dispatch/worker.js";
import { TaskState } from "../../types.js";
import { takePositionals } from "../args.js";
import { booleanFlag, type Command, type Output } from "../command.js";
import { EXAMPLE_AGENTS } from "../examples.js";
import { printActivity } from "../quickstart/activity.js";
import { runDemo, summary } from "../quickstart/demo.js";
import { instructions } from "../quickstart/instructions.js";
import { connectServing, describeOrigin } from "../server.js";
import { watchShutdown } from "../shutdown.js";

function writer(out: Output): (line: string) => void {
  return (line) => out.write(`${line}\n`);
}

export const quickstartCommand: Command = {
  name: "quickstart",
  summary: "Run Baton with the example agents and a demo task (what `npm start` runs)",
  usage: ["quickstart [--exit] [options]"],
  description:
    "Without BATON_NATS_URL, starts an embedded nats-server with JetStream under --data-dir. " +
    "Runs the example agents in this process, submits a demo task and narrates it, then keeps " +
    "serving until Ctrl-C.",
  options: {
    exit: { type: "boolean", description: "Stop after the demo task (exit 1 if it failed)" },
  },
  async run({ values, positionals, config, stdout, stderr }) {
    takePositionals(this, positionals, []);
    const write = writer(stdout);
    const shutdown = watchShutdown(stderr);
    try {
      write("Baton quickstart");
      write("");
      const { conn, origin } = await connectServing(config, "baton-quickstart");
      let worker: Worker | undefined;
      let stopActivity: (() => void) | undefined;
      try {
        write(`Connected to the ${describeOrigin(origin, conn.url, config)}.`);
        worker = await Worker.start(EXAMPLE_AGENTS, { connection: conn });
        worker.agentIds.forEach((id, i) => {
          const caps = EXAMPLE_AGENTS[i]?.capabilities.join(", ") ?? "?";
          write(`Started agent ${id} (capability: ${caps}).`);
        });
        write("");

        const client = await createClient({ connection: conn });
        let narrating = true;
        const demo = runDemo(client, (line) => narrating && write(line));
        const outcome = await Promise.race([demo, shutdown.requested]);
        let code = 0;
        if (typeof outcome === "string") {
          // Ctrl-C during the demo: the task is durable and finishes on the next run.
          narrating = false;
          demo.catch(() => undefined);
        } else {
          write("");
          for (const line of summary(outcome)) write(line);
          write(`    full record: npx baton get ${outcome.id}`);
          write("");
          if (booleanFlag(values, "exit")) {
            code = outcome.state === TaskState.Succeeded ? 0 : 1;
          } else {
            for (const line of instructions(config, origin, conn.url)) write(line);
            stopActivity = printActivity(conn, write);
            await shutdown.requested;
            write("");
          }
        }
        write(
          `Stopping: running tasks get up to ${formatDuration(config.shutdownGraceMs)} to ` +
            "finish, then go back to the queue...",
        );
        return code;
      } finally {
        stopActivity?.();
        await worker?.stop();
        await conn.close();
        if (origin === "embedded-started")
          write("Stopped the agents and the embedded nats-server.");
        else write("Stopped the agents.");
      }
    } finally {
      shutdown.dispose();
    }
  },
};
