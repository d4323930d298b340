/**
 * Entry point of an agent child process for the fault tests (not the `baton agent` CLI).
 *
 *   node --import tsx test/helpers/agent-main.ts [agent-module...]
 *
 * Configuration comes from the environment (BATON_*). Runs agents/sleep plus every agent
 * definition exported by the modules named on the command line (set BATON_TEST_NO_SLEEP=1 to
 * leave the sleep agent out), prints "READY <agentId,...>" on stdout once the worker is pulling
 * (after "LOADED <ms>" and "CONNECTED <ms>", the time since the process started),
 * and on SIGTERM/SIGINT stops the worker gracefully and exits 0.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import sleepAgent from "../../agents/sleep/index.js";
import { compileConfig } from "../../src/config/index.js";
import { Worker } from "../../src/dispatch/worker.js";
import { connectBaton } from "../../src/nats/connection.js";
import { isAgentDefinition } from "../../src/sdk/define-agent.js";
import type { AgentDefinition } from "../../src/sdk/types.js";

type AnyAgent = AgentDefinition<never, unknown>;

async function loadAgents(paths: string[]): Promise<AnyAgent[]> {
  const agents: AnyAgent[] = [];
  if (process.env.BATON_TEST_NO_SLEEP !== "1") agents.push(sleepAgent);
  for (const path of paths) {
    const mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
    const found = Object.values(mod).filter(isAgentDefinition);
    if (found.length === 0) throw new Error(`${path} exports no agent definition`);
    for (const agent of found) if (!agents.includes(agent)) agents.push(agent);
  }
  return agents;
}

async function main(): Promise<void> {
  // Validate first so a bad setting fails here with a message naming it.
  const config = compileConfig();
  const agents = await loadAgents(process.argv.slice(2));
  // Start-up stages on stdout, so a start that is not READY in time says where it stopped.
  stage("LOADED");
  const connection = await connectBaton(config, { name: "baton-agent" });
  stage("CONNECTED");
  const worker = await Worker.start(agents, { connection });

  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    worker
      .stop()
      .then(() => connection.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`agent-main: stop failed: ${String(err)}\n`);
          process.exit(1);
        },
      );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);

  // Die with the test runner: a parent killed without cleanup must not leave agents pulling.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, "SIGKILL");
  }, 500).unref();

  process.stdout.write(`READY ${worker.agentIds.join(",")}\n`);
}

function stage(name: string): void {
  process.stdout.write(`${name} ${Math.round(performance.now())}ms\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `agent-main: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
