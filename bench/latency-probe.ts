/**
 * Baton's side of scenario 3 alone, with what explains its latency: an open loop at fixed rates
 * (library submit, a no-op agent in this process), and for each rate the latency percentiles, this
 * process's CPU per task, socket writes per task (every write is a syscall that nothing batched),
 * event-loop delay and GC pauses. Quick to run, so two commits can be compared alternately.
 *
 *   npm run bench:latency -- --rates 450,900 --tasks 5000 [--tracing off]
 */
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { NatsServerProcess } from "../src/nats/server-process.js";
import { cpuMs } from "./lib/children.js";
import { FlagError, oneOf, parseFlags, positive, runMain } from "./lib/flags.js";
import { collectGarbage } from "./lib/gc-stats.js";
import { LatencyRun, openLoop } from "./lib/latency.js";
import { countSocketWrites, socketWrites } from "./lib/socket-writes.js";
import { closedLoop } from "./lib/stats.js";
import { batonDriver } from "./scenarios/latency.js";
import { BatonSystem } from "./systems/baton.js";

const USAGE = `npm run bench:latency -- [flags]

  --rates A,B      offered loads in tasks/s, one run each (default 450,900)
  --tasks N        tasks per run (default 5000)
  --workers N      agent concurrency (default 64)
  --tracing on|off (default on)
`;
const args = parseFlags(
  {
    rates: { type: "string", default: "450,900" },
    tasks: { type: "string", default: "5000" },
    workers: { type: "string", default: "64" },
    tracing: { type: "string", default: "on" },
  },
  USAGE,
);

countSocketWrites();

let gcMax = 0;
let gcTotal = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMax = Math.max(gcMax, e.duration);
    gcTotal += e.duration;
  }
}).observe({ entryTypes: ["gc"] });

const ms = (ns: number): string => (ns / 1e6).toFixed(1);

async function main(): Promise<void> {
  const n = positive(args.tasks, "--tasks");
  const workers = positive(args.workers, "--workers");
  const rates = args.rates.split(",").map(Number);
  if (rates.some((r) => !(r > 0) || !Number.isFinite(r))) {
    throw new FlagError(
      `--rates: expected tasks/s like 450,900, got ${JSON.stringify(args.rates)}`,
    );
  }
  if (oneOf(args.tracing, "--tracing", ["on", "off"]) === "off") process.env.BATON_TRACING = "off";
  const nats = await NatsServerProcess.start({});
  const natsPid = nats.pid;
  if (natsPid === undefined) throw new Error("nats-server did not start");
  const baton = await BatonSystem.start({
    natsUrl: nats.url,
    prefix: "LATPROBE",
    workerConcurrency: workers,
  });
  // The same hooks and submit as scenario 3's Baton side.
  const driver = batonDriver(baton);
  try {
    await baton.runSingle(Math.min(n, 1000), 64, closedLoop); // warm-up
    await collectGarbage();
    // The heap regrows from the collection's shrink on this warm-up, not in the timed runs.
    await baton.runSingle(Math.min(n, 1000), 64, closedLoop);
    for (const rate of rates) {
      const run = new LatencyRun(n);
      const failedBefore = driver.failures();
      driver.attach(run);
      const writes0 = socketWrites();
      gcMax = gcTotal = 0;
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      const cpu0 = process.cpuUsage();
      const server0 = cpuMs(natsPid);
      const t0 = performance.now();
      await openLoop(run, rate, driver.send);
      await run.finished;
      driver.detach();
      if (driver.failures() > failedBefore) {
        throw new Error(`${rate}/s: ${driver.failures() - failedBefore} tasks failed`);
      }
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const serverUs = (cpuMs(natsPid) - server0) * 1000;
      delay.disable();
      const s = run.summary();
      const cpuUs = cpu.user + cpu.system;
      console.log(
        `${rate}/s: start p50 ${s.startP50.toFixed(2)} p99 ${s.startP99.toFixed(2)} ms, ` +
          `done p50 ${s.doneP50.toFixed(2)} p99 ${s.doneP99.toFixed(2)} ms | ` +
          `cpu ${((cpuUs / 1000 / wall) * 100).toFixed(0)}% of a core, ${(cpuUs / n).toFixed(0)} us/task, ` +
          `nats-server ${(serverUs / n).toFixed(0)} us/task | ` +
          `socket writes/task ${((socketWrites() - writes0) / n).toFixed(1)} | ` +
          `loop delay p99 ${ms(delay.percentile(99))} max ${ms(delay.max)} ms | ` +
          `gc max ${gcMax.toFixed(1)} total ${gcTotal.toFixed(0)} ms`,
      );
    }
  } finally {
    driver.detach();
    await baton.stop();
    await nats.stop();
  }
}

runMain(main, USAGE);
