/**
 * The throughput cost of tracing: tasks submitted, run and settled end to end with tracing on
 * (spans to the built-in span store, no OTLP exporter) versus BATON_TRACING=off, in one run
 * against one harness-started nats-server.
 *
 *   npm run bench:tracing
 *   npm run bench:tracing -- --tasks 3000 --runs 5 --concurrency 64 --steps 1
 *
 * Tracing is set per process, so each sample is a fresh child process (this script with
 * --child) running a worker and a client; on and off alternate run by run so a warming machine
 * affects both alike. The rate is tasks/s from the first submit to the last SUCCEEDED event;
 * the result is the median of `runs` per mode and the ratio on / off. CPU per task (the sample's
 * process and the nats-server) is reported too: on a shared machine it varies less than rates.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { createClient } from "../src/client/client.js";
import { Worker } from "../src/dispatch/worker.js";
import { NatsServerProcess } from "../src/nats/server-process.js";
import { defineAgent } from "../src/sdk/define-agent.js";
import { median } from "../bench/lib/stats.js";

const { values: args } = parseArgs({
  options: {
    tasks: { type: "string", default: "2000" },
    runs: { type: "string", default: "3" },
    concurrency: { type: "string", default: "64" },
    steps: { type: "string", default: "1" },
    warmup: { type: "string", default: "300" },
    child: { type: "string" },
    nats: { type: "string" },
    prefix: { type: "string" },
  },
});
const TASKS = Number(args.tasks);
const RUNS = Number(args.runs);
const CONCURRENCY = Number(args.concurrency);
const STEPS = Number(args.steps);
const WARMUP = Number(args.warmup);
const CAPABILITY = "bench-trace";

/** One sample: a worker and a client in this process, tracing as the environment says. */
async function child(natsUrl: string, prefix: string): Promise<void> {
  const options = { natsUrl, prefix, logLevel: "silent" as const };
  const agent = defineAgent<{ i: number }>({
    name: "bench-trace",
    capabilities: [CAPABILITY],
    concurrency: CONCURRENCY,
    handler: async (ctx) => {
      for (let s = 0; s < STEPS; s++) await ctx.step(`s${s}`, () => s);
      return ctx.input.i;
    },
  });
  const worker = await Worker.start([agent], options);
  const client = await createClient(options);
  const conn = client.connection;
  let done = 0;
  let onDone: (() => void) | undefined;
  let target = 0;
  // Terminal events arrive on the events stream's subjects; a core subscription sees them.
  const sub = conn.nc.subscribe(`${conn.names.prefix}.events.>`, {
    callback: (_err, msg) => {
      if (!msg.string().includes('"state":"SUCCEEDED"')) return;
      if (++done >= target) onDone?.();
    },
  });
  const batch = async (n: number, tag: string): Promise<{ rate: number; cpuMs: number }> => {
    done = 0;
    target = n;
    const finished = new Promise<void>((resolve) => (onDone = resolve));
    const cpu = process.cpuUsage();
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < n; i = next++) await client.submit(CAPABILITY, { i, tag });
      }),
    );
    await finished;
    const rate = n / ((performance.now() - started) / 1000);
    const used = process.cpuUsage(cpu);
    return { rate, cpuMs: (used.user + used.system) / 1000 };
  };
  await batch(WARMUP, "warm");
  const { rate, cpuMs } = await batch(TASKS, "timed");
  sub.unsubscribe();
  await worker.stop(1000);
  await client.close();
  process.stdout.write(`${JSON.stringify({ rate, cpuMs })}\n`);
}

/** CPU time (user + system, ms) a process has used, from /proc; 0 where that is unavailable. */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

interface Sample {
  rate: number;
  /** CPU ms per task of the sample's process (submit, dispatch, spans). */
  nodeCpu: number;
  /** CPU ms per task of the nats-server over the whole sample (warm-up included). */
  serverCpu: number;
}

function sample(
  natsUrl: string,
  serverPid: number | undefined,
  mode: "on" | "off",
  run: number,
): Promise<Sample> {
  const script = fileURLToPath(import.meta.url);
  const prefix = `BT${mode.toUpperCase()}${run}${Date.now().toString(36).toUpperCase()}`;
  const proc = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      script,
      "--child",
      mode,
      "--nats",
      natsUrl,
      "--prefix",
      prefix,
      "--tasks",
      String(TASKS),
      "--concurrency",
      String(CONCURRENCY),
      "--steps",
      String(STEPS),
      "--warmup",
      String(WARMUP),
    ],
    {
      // No OTLP exporter: this measures Baton's own span work (span store included).
      env: { ...process.env, BATON_TRACING: mode, OTEL_TRACES_EXPORTER: "none" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const serverBefore = processCpuMs(serverPid);
  return new Promise<Sample>((resolve, reject) => {
    let out = "";
    proc.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
    proc.once("exit", (code) => {
      const m = /\{"rate":([0-9.]+),"cpuMs":([0-9.]+)\}/.exec(out);
      if (code !== 0 || !m?.[1] || !m[2]) {
        reject(new Error(`tracing=${mode} sample exited with ${code}: ${out}`));
        return;
      }
      resolve({
        rate: Number(m[1]),
        nodeCpu: Number(m[2]) / TASKS,
        serverCpu: (processCpuMs(serverPid) - serverBefore) / (TASKS + WARMUP),
      });
    });
  });
}

async function main(): Promise<void> {
  const nats = await NatsServerProcess.start();
  const samples: Record<"on" | "off", Sample[]> = { on: [], off: [] };
  try {
    for (let run = 1; run <= RUNS; run++) {
      // Alternate which mode goes first, so neither always runs on a fresher server.
      const order: ("on" | "off")[] = run % 2 ? ["on", "off"] : ["off", "on"];
      for (const mode of order) {
        const s = await sample(nats.url, nats.pid, mode, run);
        samples[mode].push(s);
        console.error(
          `run ${run} tracing ${mode}: ${s.rate.toFixed(0)} tasks/s, ` +
            `cpu/task ${s.nodeCpu.toFixed(3)} ms node + ${s.serverCpu.toFixed(3)} ms nats-server`,
        );
      }
    }
  } finally {
    await nats[Symbol.asyncDispose]();
  }
  const med = (mode: "on" | "off", f: (s: Sample) => number): number =>
    median(samples[mode].map(f));
  console.log(
    `\ntracing cost: ${TASKS} tasks per run (${STEPS} step${STEPS === 1 ? "" : "s"} each), ` +
      `${CONCURRENCY} submitters and slots, median of ${RUNS} runs, ${cpus().length} CPUs, ` +
      `node ${process.version}\n`,
  );
  console.log(
    "| tracing | runs (tasks/s) | median tasks/s | node cpu ms/task | nats cpu ms/task |",
  );
  console.log(
    "| ------- | -------------- | -------------- | ---------------- | ---------------- |",
  );
  for (const mode of ["off", "on"] as const) {
    const runs = samples[mode].map((s) => s.rate.toFixed(0)).join(" / ");
    console.log(
      `| ${mode} | ${runs} | ${med(mode, (s) => s.rate).toFixed(0)} | ` +
        `${med(mode, (s) => s.nodeCpu).toFixed(3)} | ${med(mode, (s) => s.serverCpu).toFixed(3)} |`,
    );
  }
  const ratio = (f: (s: Sample) => number): string => (med("on", f) / med("off", f)).toFixed(3);
  console.log(`\nthroughput with tracing on / off: ${ratio((s) => s.rate)}`);
  console.log(
    `cpu per task on / off: node ${ratio((s) => s.nodeCpu)}, ` +
      `nats-server ${ratio((s) => s.serverCpu)}`,
  );
}

if (args.child !== undefined) {
  if (!args.nats || !args.prefix) throw new Error("--child needs --nats and --prefix");
  await child(args.nats, args.prefix);
  process.exit(0);
} else {
  await main();
}
