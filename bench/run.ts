/**
 * Baton's benchmark harness: Baton side by side with BullMQ (local Redis) and bare JetStream.
 *
 *   npm run bench
 *   npm run bench -- --rounds 5 --scenario throughput --tasks 5000 --producers 64 --workers 64
 *
 * Scenarios: throughput (1), gateway (2), cost (7). Starts its own nats-server; uses the Redis
 * at --redis (default redis://127.0.0.1:6379). Writes bench/results/<timestamp>.json,
 * bench/results/latest.md and bench/results/latest.svg.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, release, totalmem, type } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { NatsServerProcess } from "../src/nats/server-process.js";
import { writeReport, type Machine, type RunReport } from "./lib/report.js";
import type { ScenarioResult } from "./lib/runner.js";
import { SCENARIOS, type Context } from "./scenarios.js";

const HERE = dirname(fileURLToPath(import.meta.url));

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    scenario: { type: "string", multiple: true },
    tasks: { type: "string", default: "5000" },
    producers: { type: "string", default: "64" },
    workers: { type: "string", default: "64" },
    batch: { type: "string", default: "100" },
    "batch-callers": { type: "string", default: "4" },
    "cost-tasks": { type: "string", default: "2000" },
    "timeout-ms": { type: "string", default: "180000" },
    redis: { type: "string", default: "redis://127.0.0.1:6379" },
    out: { type: "string", default: join(HERE, "results") },
  },
});

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${flag}: expected an integer >= 1`);
  return n;
}

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

async function main(): Promise<void> {
  const wanted = args.scenario ?? SCENARIOS.map((s) => s.name);
  const unknown = wanted.filter((w) => !SCENARIOS.some((s) => s.name === w));
  if (unknown.length) {
    throw new Error(
      `unknown scenario ${unknown.join(", ")}; known: ${SCENARIOS.map((s) => s.name).join(", ")}`,
    );
  }
  const startedAt = new Date().toISOString();
  const nats = await NatsServerProcess.start();
  try {
    const ctx: Context = {
      natsUrl: nats.url,
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
      stamp: Date.now().toString(36).toUpperCase(),
    };
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
    for (const s of results) {
      if (s.kind !== "throughput") continue;
      for (const q of s.ratios) {
        console.log(
          `${s.name}: ${s.variants[0]?.name} / ${q.baseline} = ${q.median.toFixed(2)}x` +
            (q.goal === undefined ? "" : ` (goal ${q.goal}x)`),
        );
      }
    }
    console.log(`wrote ${files.join(", ")}`);
  } finally {
    await nats[Symbol.asyncDispose]();
  }
}

await main();
