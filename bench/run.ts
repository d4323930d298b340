/**
 * Baton's benchmark harness: Baton side by side with BullMQ (local Redis), bare JetStream, NATS
 * request-reply and a bare grpc-js unary call.
 *
 *   npm run bench
 *   npm run bench -- --rounds 5 --scenario throughput --tasks 5000 --producers 64 --workers 64
 *   npm run bench -- --scenario latency --rounds 1 --tasks 500
 *   npm run bench -- --help
 *
 * Scenarios: throughput (1), gateway (2), latency (3), handoff (4), tracing (5), scale (6),
 * cost (7). Starts its own nats-server; uses the Redis at --redis (default
 * redis://127.0.0.1:6379). Writes bench/results/<timestamp>.json, bench/results/latest.md and
 * bench/results/latest.svg.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, release, totalmem, type } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { compileConfig } from "../src/config/index.js";
import { NatsServerProcess } from "../src/nats/server-process.js";
import { FlagError, parseFlags, positive, runMain } from "./lib/flags.js";
import { summaryLines, writeReport, type Machine, type RunReport } from "./lib/report.js";
import type { ScenarioResult } from "./lib/runner.js";
import { SCENARIOS, type Context } from "./scenarios/index.js";

const HERE = dirname(fileURLToPath(import.meta.url));

const HELP = `npm run bench -- [flags]

  --scenario NAME      run only NAME (repeatable); default: all, in this order:
${SCENARIOS.map((s) => `                         ${s.name.padEnd(11)} ${s.summary}`).join("\n")}
  --rounds N           alternating rounds per scenario (default 5)
  --tasks N            tasks per run: throughput, gateway, latency, tracing (default 5000)
  --producers N        concurrent submitters (default 64)
  --workers N          agent concurrency (default 64; also the scale drain agent)
  --batch N            tasks per batch submit: gateway, scale (default 100)
  --batch-callers N    concurrent batch submits (default 4)
  --cost-tasks N       tasks counted by cost (default 2000)
  --loads A,B,C        latency: offered load in % of the peak (default 25,50,80)
  --peak N             latency: peak tasks/s (default: measure Baton's closed-loop peak first)
  --handoff-calls N    handoff: calls per round of the grpc and NATS baselines (default 5000)
  --delegates N        handoff: ctx.delegate calls per round (default 1000)
  --handoff-concurrency N  handoff: callers / parent tasks (default 16)
  --scale-tasks N      scale: tasks queued, then drained (default 1000000)
  --long-tasks N       scale: long-running tasks held by one agent (default 10000)
  --long-lease D       scale: lease of the held tasks, heartbeat = lease / 3 (default 30s)
  --long-window N      scale: CPU window in heartbeat intervals (default 3)
  --timeout-ms N       per-run timeout; for scale, the longest stall (default 180000)
  --redis URL          BullMQ's Redis (default redis://127.0.0.1:6379)
  --out DIR            results directory (default bench/results)
`;

const args = parseFlags(
  {
    rounds: { type: "string", default: "5" },
    scenario: { type: "string", multiple: true },
    tasks: { type: "string", default: "5000" },
    producers: { type: "string", default: "64" },
    workers: { type: "string", default: "64" },
    batch: { type: "string", default: "100" },
    "batch-callers": { type: "string", default: "4" },
    "cost-tasks": { type: "string", default: "2000" },
    loads: { type: "string", default: "25,50,80" },
    peak: { type: "string" },
    "handoff-calls": { type: "string", default: "5000" },
    delegates: { type: "string", default: "1000" },
    "handoff-concurrency": { type: "string", default: "16" },
    "scale-tasks": { type: "string", default: "1000000" },
    "long-tasks": { type: "string", default: "10000" },
    "long-lease": { type: "string", default: "30s" },
    "long-window": { type: "string", default: "3" },
    "timeout-ms": { type: "string", default: "180000" },
    redis: { type: "string", default: "redis://127.0.0.1:6379" },
    out: { type: "string", default: join(HERE, "results") },
  },
  HELP,
);

async function machine(nats: NatsServerProcess, redisUrl: string): Promise<Machine> {
  const v = spawnSync(nats.binary, ["--version"], { encoding: "utf8" });
  const redis = new Redis(redisUrl, { lazyConnect: true });
  let redisVersion: string;
  try {
    await redis.connect();
    redisVersion = /redis_version:(\S+)/.exec(await redis.info("server"))?.[1] ?? "unknown";
  } finally {
    redis.disconnect();
  }
  const bullPkg = JSON.parse(
    readFileSync(join(HERE, "..", "node_modules", "bullmq", "package.json"), "utf8"),
  ) as { version: string };
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    natsServer: /v?\d+\.\d+\.\d+\S*/.exec(`${v.stdout}`)?.[0] ?? "unknown",
    redis: redisVersion,
    bullmq: bullPkg.version,
  };
}

/** The lease as given, once Baton's config accepts it (so a typo fails before any scenario). */
function leaseText(text: string): string {
  try {
    compileConfig({ lease: text });
  } catch (err) {
    throw new FlagError(`--long-lease: ${err instanceof Error ? err.message : String(err)}`);
  }
  return text;
}

function loadList(text: string): number[] {
  const loads = text.split(",").map((t) => Number(t.trim()));
  if (loads.length === 0 || loads.some((l) => !Number.isFinite(l) || l <= 0 || l > 200)) {
    throw new FlagError("--loads: expected percentages like 25,50,80");
  }
  return loads;
}

/** Every flag checked, before any server starts. */
function flagsOf(): Omit<Context, "natsUrl" | "natsPid"> & { wanted: string[] } {
  const wanted = args.scenario ?? SCENARIOS.map((s) => s.name);
  const unknown = wanted.filter((w) => !SCENARIOS.some((s) => s.name === w));
  if (unknown.length) {
    throw new FlagError(
      `--scenario: unknown ${unknown.join(", ")}; known: ${SCENARIOS.map((s) => s.name).join(", ")}`,
    );
  }
  return {
    wanted,
    redisUrl: args.redis,
    settings: {
      rounds: positive(args.rounds, "--rounds"),
      timeoutMs: positive(args["timeout-ms"], "--timeout-ms"),
    },
    tasks: positive(args.tasks, "--tasks"),
    producers: positive(args.producers, "--producers"),
    workers: positive(args.workers, "--workers"),
    batch: positive(args.batch, "--batch"),
    batchCallers: positive(args["batch-callers"], "--batch-callers"),
    costTasks: positive(args["cost-tasks"], "--cost-tasks"),
    loads: loadList(args.loads),
    peak: args.peak === undefined ? undefined : positive(args.peak, "--peak"),
    handoffCalls: positive(args["handoff-calls"], "--handoff-calls"),
    delegates: positive(args.delegates, "--delegates"),
    handoffConcurrency: positive(args["handoff-concurrency"], "--handoff-concurrency"),
    scaleTasks: positive(args["scale-tasks"], "--scale-tasks"),
    longTasks: positive(args["long-tasks"], "--long-tasks"),
    longLease: leaseText(args["long-lease"]),
    longWindow: positive(args["long-window"], "--long-window"),
    stamp: Date.now().toString(36).toUpperCase(),
  };
}

async function main(): Promise<void> {
  const { wanted, ...rest } = flagsOf();
  const startedAt = new Date().toISOString();
  const nats = await NatsServerProcess.start();
  try {
    const ctx: Context = { natsUrl: nats.url, natsPid: nats.pid, ...rest };
    const m = await machine(nats, ctx.redisUrl);
    process.stderr.write(
      `bench: ${m.cpus} x ${m.cpuModel}, node ${m.node}, nats-server ${m.natsServer}, ` +
        `redis ${m.redis}, bullmq ${m.bullmq}; scenarios ${wanted.join(", ")}, ${ctx.settings.rounds} rounds\n`,
    );
    const results: ScenarioResult[] = [];
    for (const s of SCENARIOS) {
      if (wanted.includes(s.name)) results.push(await s.run(ctx));
    }
    const report: RunReport = {
      startedAt,
      finishedAt: new Date().toISOString(),
      rounds: ctx.settings.rounds,
      machine: m,
      scenarios: results,
    };
    const files = await writeReport(args.out, report);
    for (const line of summaryLines(results)) console.log(line);
    console.log(`wrote ${files.join(", ")}`);
  } finally {
    await nats[Symbol.asyncDispose]();
  }
}

runMain(main, HELP);
