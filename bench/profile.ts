/**
 * Profiles Baton's library path (scenario 1 without the baselines), or with --path gateway its
 * gateway batch submit (scenario 2's Baton side, the gateway in this process): a CPU profile of
 * this process while it runs, written as a .cpuprofile (open it in Chrome DevTools' Performance
 * panel or https://www.speedscope.app for a flame graph), plus the top functions and the CPU the
 * process and nats-server used.
 *
 *   npm run bench:profile -- --tasks 5000 --rounds 3 [--tracing off] [--profile off|heap|promoted]
 *     [--path gateway [--batch 100] [--batch-callers 4]]
 *
 * With --profile off it only measures (the profiler itself costs a few percent), e.g. to compare
 * two commits; the bytes promoted to the old generation per task are counted, so they compare
 * better than CPU time on a machine whose speed swings. With --profile heap it samples
 * allocations instead (collected objects included, so it shows what feeds the garbage collector)
 * and writes a .heapprofile. With --profile promoted it leaves out what a young-generation
 * collection freed: what remains outlived one, is what makes scavenges slow and fills the old
 * generation (plus young objects a full collection freed). The timed rounds start after a warm-up
 * and a full collection, so they measure a process in the state it keeps once it has run a while.
 */
import { writeFileSync, mkdirSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { GCProfiler } from "node:v8";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { NatsServerProcess } from "../src/nats/server-process.js";
import { cpuMs } from "./lib/children.js";
import { hotspots, type CpuProfile } from "./lib/cpu-profile.js";
import { oneOf, parseFlags, positive, runMain } from "./lib/flags.js";
import { collectGarbage, summarizeGc } from "./lib/gc-stats.js";
import { allocators, type HeapProfile } from "./lib/heap-profile.js";
import { countSocketWrites, socketBytes, socketWrites } from "./lib/socket-writes.js";
import { closedLoop, median } from "./lib/stats.js";
import { BatonSystem } from "./systems/baton.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const USAGE = `npm run bench:profile -- [flags]

  --tasks N        tasks per round (default 5000)
  --rounds N       timed rounds, after a warm-up (default 3)
  --path library|gateway  client.submit (scenario 1) or the gateway's SubmitTasks in batches
                   (scenario 2) (default library)
  --producers N    concurrent submitters, library path (default 64)
  --batch N        tasks per SubmitTasks call, gateway path (default 100)
  --batch-callers N  concurrent SubmitTasks calls, gateway path (default 4)
  --workers N      agent concurrency (default 64)
  --tracing on|off (default on)
  --profile on|off|heap|promoted  CPU profile, none (only measure), sampled allocations, or
                   only the sampled allocations no young-generation collection freed (default on)
  --top N          functions listed (default 25)
  --out DIR        where the profile is written (default bench/results)
`;
const args = parseFlags(
  {
    tasks: { type: "string", default: "5000" },
    rounds: { type: "string", default: "3" },
    path: { type: "string", default: "library" },
    producers: { type: "string", default: "64" },
    batch: { type: "string", default: "100" },
    "batch-callers": { type: "string", default: "4" },
    workers: { type: "string", default: "64" },
    tracing: { type: "string", default: "on" },
    profile: { type: "string", default: "on" },
    top: { type: "string", default: "25" },
    out: { type: "string", default: join(HERE, "results") },
  },
  USAGE,
);

async function main(): Promise<void> {
  const n = positive(args.tasks, "--tasks");
  const rounds = positive(args.rounds, "--rounds");
  const path = oneOf(args.path, "--path", ["library", "gateway"]);
  const producers = positive(args.producers, "--producers");
  const batch = positive(args.batch, "--batch");
  const callers = positive(args["batch-callers"], "--batch-callers");
  const workers = positive(args.workers, "--workers");
  const top = positive(args.top, "--top");
  const mode = oneOf(args.profile, "--profile", ["on", "off", "heap", "promoted"]);
  if (oneOf(args.tracing, "--tracing", ["on", "off"]) === "off") process.env.BATON_TRACING = "off";
  const nats = await NatsServerProcess.start({});
  const system = await BatonSystem.start({
    natsUrl: nats.url,
    prefix: "PROF",
    workerConcurrency: workers,
    gateway: path === "gateway",
  });
  const run = (count: number): Promise<void> =>
    path === "gateway"
      ? system.runGatewayBatch(count, batch, callers, closedLoop)
      : system.runSingle(count, producers, closedLoop);
  const session = new Session();
  session.connect();
  const rates: number[] = [];
  try {
    await run(Math.min(n, 1000)); // warm-up
    await collectGarbage();
    // The heap regrows from the collection's shrink on this warm-up, not in the timed runs.
    await run(Math.min(n, 1000));
    if (mode === "on") {
      await session.post("Profiler.enable");
      await session.post("Profiler.start");
    } else if (mode === "heap" || mode === "promoted") {
      await session.post("HeapProfiler.enable");
      await session.post("HeapProfiler.startSampling", {
        samplingInterval: 16384,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: mode === "heap",
      });
    }
    const pid = nats.pid;
    const natsBefore = pid ? cpuMs(pid) / 1000 : 0;
    countSocketWrites();
    const writesBefore = socketWrites();
    const bytesBefore = socketBytes();
    const gcProfiler = new GCProfiler();
    gcProfiler.start();
    const selfBefore = process.cpuUsage();
    const started = performance.now();
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      await run(n);
      rates.push(n / ((performance.now() - t0) / 1000));
      process.stdout.write(
        `\rround ${r + 1}/${args.rounds}: ${Math.round(rates.at(-1) ?? 0)} tasks/s`,
      );
    }
    const wall = (performance.now() - started) / 1000;
    const self = process.cpuUsage(selfBefore);
    const gc = summarizeGc(gcProfiler.stop().statistics);
    const natsCpu = pid ? cpuMs(pid) / 1000 - natsBefore : Number.NaN;
    process.stdout.write("\n");
    console.log(`median ${Math.round(median(rates))} tasks/s over ${args.rounds} rounds of ${n}`);
    const tasks = n * rounds;
    console.log(
      `CPU per task: this process ${Math.round((self.user + self.system) / tasks)} us, nats-server ${Math.round((natsCpu * 1e6) / tasks)} us; socket writes ${((socketWrites() - writesBefore) / tasks).toFixed(1)} of ${Math.round((socketBytes() - bytesBefore) / (socketWrites() - writesBefore || 1))} bytes`,
    );
    console.log(
      `GC: ${gc.scavenges} scavenges (${Math.round((gc.scavengeMs * 1000) / tasks)} us a task), promoted ${Math.round(gc.promotedBytes / tasks)} B a task; ${gc.fullGcs} full (${Math.round(gc.fullGcMs)} ms)`,
    );
    console.log(
      `CPU per wall second: this process ${(((self.user + self.system) / 1e6 / wall) * 100).toFixed(0)}%, nats-server ${((natsCpu / wall) * 100).toFixed(0)}%`,
    );
    if (mode === "off") return;
    mkdirSync(args.out, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    if (mode === "heap" || mode === "promoted") {
      const { profile } = (await session.post("HeapProfiler.stopSampling")) as {
        profile: HeapProfile;
      };
      const file = join(args.out, `profile-${stamp}.heapprofile`);
      writeFileSync(file, JSON.stringify(profile));
      console.log(`profile: ${file}`);
      const { self: selfRows, inclusive, total } = allocators(profile, top);
      const perTask = (bytes: number): string =>
        `${String(Math.round(bytes / tasks)).padStart(6)} B/task`;
      const what = mode === "heap" ? "allocated" : "outlived a young-generation collection";
      console.log(`\n${what} (sampled): ${perTask(total)}`);
      console.log(`\nself allocation (top ${top})`);
      for (const r of selfRows)
        console.log(`${r.percent.toFixed(1).padStart(5)}% ${perTask(r.bytes)}  ${r.name}`);
      console.log(
        `\ninclusive allocation, Baton, NATS client and OpenTelemetry frames (top ${top})`,
      );
      for (const r of inclusive)
        console.log(`${r.percent.toFixed(1).padStart(5)}% ${perTask(r.bytes)}  ${r.name}`);
      return;
    }
    const { profile } = (await session.post("Profiler.stop")) as { profile: CpuProfile };
    const file = join(args.out, `profile-${stamp}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    console.log(`profile: ${file}`);
    const { self: selfRows, inclusive } = hotspots(profile, top);
    console.log(`\nself time (top ${top})`);
    for (const r of selfRows) console.log(`${r.percent.toFixed(1).padStart(5)}%  ${r.name}`);
    console.log(`\ninclusive time, Baton and NATS client frames (top ${top})`);
    for (const r of inclusive) console.log(`${r.percent.toFixed(1).padStart(5)}%  ${r.name}`);
  } finally {
    session.disconnect();
    await system.stop();
    await nats.stop();
  }
}

runMain(main, USAGE);
