/**
 * One sample of the tracing scenario, in a fresh process (tracing and the OTel SDK are per
 * process): scenario 1's Baton setup (a client and a Worker with one no-op agent), a warm-up,
 * then `--tasks` tasks from `--producers` concurrent callers. Tracing as BATON_TRACING says.
 * Prints `{"done":n}` lines while it runs and one `{"rate":..,"cpuMs":..}` line at the end.
 */
import { parseArgs } from "node:util";
import { closedLoop } from "../lib/stats.js";
import { BatonSystem } from "../systems/baton.js";

const { values: args } = parseArgs({
  options: {
    nats: { type: "string" },
    prefix: { type: "string" },
    tasks: { type: "string", default: "2000" },
    warmup: { type: "string", default: "500" },
    producers: { type: "string", default: "64" },
    workers: { type: "string", default: "64" },
  },
});
if (!args.nats || !args.prefix) throw new Error("--nats and --prefix are required");
const tasks = Number(args.tasks);
const producers = Number(args.producers);

const baton = await BatonSystem.start({
  natsUrl: args.nats,
  prefix: args.prefix,
  workerConcurrency: Number(args.workers),
});
await baton.runSingle(Number(args.warmup), producers, closedLoop);
const ticker = setInterval(
  () => process.stdout.write(`${JSON.stringify({ done: baton.seen })}\n`),
  1000,
);
const cpu = process.cpuUsage();
const started = performance.now();
await baton.runSingle(tasks, producers, closedLoop);
const rate = tasks / ((performance.now() - started) / 1000);
const used = process.cpuUsage(cpu);
clearInterval(ticker);
const failures = baton.failures;
await baton.stop();
if (failures) {
  process.stderr.write(`${failures} tasks failed\n`);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify({ rate, cpuMs: (used.user + used.system) / 1000 })}\n`);
process.exit(0);
