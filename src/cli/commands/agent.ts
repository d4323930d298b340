import { formatDuration } from "../../config/index.js";
import { Worker } from "../../dispatch/worker.js";
import { UsageError } from "../errors.js";
import type { Command } from "../command.js";
import { loadAgents } from "../load-agents.js";
import { connectServing, describeOrigin } from "../server.js";
import { watchShutdown } from "../shutdown.js";

export const agentCommand: Command = {
  name: "agent",
  summary: "Run agents from modules until SIGTERM or Ctrl-C",
  usage: ["agent <module...> [options]"],
  description:
    "Each module is a file path (relative to the current directory; TypeScript works) or a " +
    "package name. Its default export and named exports made with defineAgent() are run. " +
    "SIGTERM or Ctrl-C stops pulling work, lets running tasks finish within --shutdown-grace, " +
    "gives the rest back to the queue, and exits 0.",
  options: {},
  defaultLogLevel: "info",
  async run({ positionals, config, stdout, stderr, cwd }) {
    if (positionals.length === 0) {
      throw new UsageError("missing <module> (see baton agent --help)");
    }
    const agents = await loadAgents(positionals, cwd);
    const shutdown = watchShutdown(stderr);
    try {
      const { conn, origin } = await connectServing(config, "baton-agent");
      let worker: Worker;
      try {
        worker = await Worker.start(agents, { connection: conn });
      } catch (err) {
        await conn.close();
        throw err;
      }
      stdout.write(`connected to ${describeOrigin(origin, conn.url, config)}\n`);
      worker.agentIds.forEach((id, i) => {
        const agent = agents[i];
        if (!agent) return;
        stdout.write(
          `agent ${id} started: capabilities ${agent.capabilities.join(", ")}; ` +
            `concurrency ${agent.concurrency}\n`,
        );
      });
      if (worker.metricsAddress !== undefined) {
        stdout.write(`metrics on http://${worker.metricsAddress}/metrics\n`);
      }
      const signal = await shutdown.requested;
      stderr.write(
        `${signal}: stopping; running tasks get up to ${formatDuration(config.shutdownGraceMs)} ` +
          `to finish\n`,
      );
      await worker.stop();
      await conn.close();
      stderr.write("stopped\n");
      return 0;
    } finally {
      shutdown.dispose();
    }
  },
};
