import { createClient } from "../../client/client.js";
import { formatDuration } from "../../config/index.js";
import { Worker } from "../../dispatch/worker.js";
import { TaskState } from "../../types.js";
import { takePositionals } from "../args.js";
import { booleanFlag, type Command, type Output } from "../command.js";
import { BATON_BIN, EXAMPLE_AGENTS, PEER_AGENTS } from "../examples.js";
import { printActivity } from "../quickstart/activity.js";
import { runDemo, summary } from "../quickstart/demo.js";
import { instructions } from "../quickstart/instructions.js";
import { Interrupted, Interruptible } from "../quickstart/interruptible.js";
import { peerEnv } from "../quickstart/peer-env.js";
import { PeerGroup } from "../quickstart/peers.js";
import { runResearch } from "../quickstart/research-demo.js";
import { researchReport } from "../quickstart/research-report.js";
import { connectServing, describeOrigin } from "../server.js";
import { watchShutdown } from "../shutdown.js";

function writer(out: Output): (line: string) => void {
  return (line) => out.write(`${line}\n`);
}

export const quickstartCommand: Command = {
  name: "quickstart",
  summary: "Run Baton with the example agents and two demo tasks (what `npm start` runs)",
  usage: ["quickstart [--exit] [options]"],
  description:
    "Without BATON_NATS_URL, starts an embedded nats-server with JetStream under --data-dir. " +
    "Runs the sleep and research agents in this process, submits a sleep demo task and narrates " +
    "it, starts summarize and embed agents in processes of their own, and narrates a research " +
    "task that hands its sub-tasks to them. Then keeps serving until Ctrl-C.",
  options: {
    exit: { type: "boolean", description: "Stop after the demo tasks (exit 1 if one failed)" },
  },
  async run({ values, positionals, config, stdout, stderr, cwd, env }) {
    takePositionals(this, positionals, []);
    const write = writer(stdout);
    const shutdown = watchShutdown(stderr);
    try {
      write("Baton quickstart");
      write("");
      const { conn, origin } = await connectServing(config, "baton-quickstart");
      const stages = new Interruptible(shutdown.requested, write);
      let worker: Worker | undefined;
      let peers: PeerGroup | undefined;
      let stopActivity: (() => void) | undefined;
      try {
        write(`Connected to the ${describeOrigin(origin, conn.url, config)}.`);
        worker = await Worker.start(EXAMPLE_AGENTS, { connection: conn });
        worker.agentIds.forEach((id, i) => {
          const caps = EXAMPLE_AGENTS[i]?.capabilities.join(", ") ?? "?";
          write(`Started agent ${id} (capability: ${caps}) in this process (pid ${process.pid}).`);
        });
        write("");
        const client = await createClient({ connection: conn });
        let code = 0;
        try {
          const sleep = await stages.run(runDemo(client, stages.write));
          write("");
          for (const line of summary(sleep)) write(line);
          write(`    full record: npx baton get ${sleep.id}`);
          write("");

          const natsUrl = config.natsUrl ?? conn.url;
          peers = new PeerGroup(PEER_AGENTS, {
            bin: BATON_BIN,
            cwd,
            env: peerEnv(env, values, config, natsUrl),
          });
          for (const p of await stages.run(peers.ready(stdout, stages.signal))) {
            write(`Started agent ${p.agentId} (capability: ${p.capability}) in process ${p.pid}.`);
          }
          write("");
          peers.onCrash((message) => stderr.write(`baton: quickstart: ${message}\n`));

          const research = await stages.run(runResearch(client, stages.write));
          const children = await Promise.all((research.children ?? []).map((c) => client.get(c)));
          write("");
          for (const line of researchReport(research, children, await client.listAgents())) {
            write(line);
          }
          write("");

          const ok = sleep.state === TaskState.Succeeded && research.state === TaskState.Succeeded;
          if (booleanFlag(values, "exit")) {
            code = ok ? 0 : 1;
          } else {
            for (const line of instructions(config, origin, conn.url)) write(line);
            stopActivity = printActivity(conn, write);
            await shutdown.requested;
            write("");
          }
        } catch (err) {
          // Ctrl-C during a demo: its task is durable and finishes on the next run.
          if (!(err instanceof Interrupted)) throw err;
        }
        write(
          `Stopping: running tasks get up to ${formatDuration(config.shutdownGraceMs)} to ` +
            "finish, then go back to the queue...",
        );
        return code;
      } finally {
        stopActivity?.();
        // The peers need the server for a graceful stop: both go before the connection.
        const killAfter = config.shutdownGraceMs + 5000;
        await Promise.all([peers?.stop(killAfter), worker?.stop()]);
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
