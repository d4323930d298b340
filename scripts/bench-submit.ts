/**
 * Submit throughput through the gRPC gateway versus the direct library path, in one run against
 * one harness-started nats-server (no agents: tasks just queue).
 *
 *   npm run bench:submit
 *   npm run bench:submit -- --tasks 5000 --runs 3 --concurrency 64 --batch 100 --in-process
 *
 * Variants, interleaved round by round so a growing store affects them alike:
 *   direct          BatonClient.submit, `concurrency` callers (the baseline)
 *   direct batch    BatonClient.submitMany, `batch` per call, `batchCallers` callers
 *   gateway single  GrpcClient.submit (SubmitTask), `concurrency` callers, auto idempotency keys
 *                   (the client's default, which makes the UNAVAILABLE retry safe)
 *   gateway single, no key   the same without idempotency keys
 *   gateway batch   GrpcClient.submitMany (SubmitTasks), `batch` per call, `batchCallers` callers
 *
 * The gateway runs as its own process (`baton gateway`), as it would be deployed, unless
 * --in-process is given. Rates are the median of `runs` runs; ratios are to `direct`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpus } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createClient, type BatonClient, type SubmitItem } from "../src/client/client.js";
import { createGrpcClient, type GrpcClient } from "../src/grpc/client/client.js";
import { startGateway, type Gateway } from "../src/grpc/server/gateway.js";
import { NatsServerProcess } from "../src/nats/server-process.js";
import { REPO_ROOT } from "./gen-proto-types.js";
import { median } from "../bench/lib/stats.js";
import { markdownTable } from "../bench/lib/table.js";

const { values: args } = parseArgs({
  options: {
    tasks: { type: "string", default: "3000" },
    runs: { type: "string", default: "3" },
    concurrency: { type: "string", default: "64" },
    batch: { type: "string", default: "100" },
    "batch-callers": { type: "string", default: "4" },
    "in-process": { type: "boolean", default: false },
  },
});
const TASKS = Number(args.tasks);
const RUNS = Number(args.runs);
const CONCURRENCY = Number(args.concurrency);
const BATCH = Number(args.batch);
const BATCH_CALLERS = Number(args["batch-callers"]);
const CAPABILITY = "bench";
const PREFIX = `BENCH${Date.now().toString(36).toUpperCase()}`;

interface Sample {
  rate: number;
  latencies: number[];
}

/** Runs `total` operations with `callers` concurrent loops; returns tasks/s and call latencies. */
async function drive(
  total: number,
  perCall: number,
  callers: number,
  call: (i: number) => Promise<unknown>,
): Promise<Sample> {
  const calls = Math.ceil(total / perCall);
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(callers, calls) }, async () => {
      for (let i = next++; i < calls; i = next++) {
        const t0 = performance.now();
        await call(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { rate: (calls * perCall) / seconds, latencies };
}

function items(n: number, tag: string): SubmitItem[] {
  return Array.from({ length: n }, (_, i) => ({ capability: CAPABILITY, input: { tag, i } }));
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

async function spawnGateway(natsUrl: string): Promise<{ address: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, "bin", "baton.mjs"), "gateway", "--address", "127.0.0.1:0"],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        BATON_NATS_URL: natsUrl,
        BATON_PREFIX: PREFIX,
        BATON_LOG_LEVEL: "warn",
        BATON_ALLOW_UNDECLARED_CAPABILITIES: "true",
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const address = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const m = /gateway listening on (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`gateway exited with ${code}: ${out}`)));
  });
  return { address, child };
}

interface Variant {
  name: string;
  perCall: number;
  callers: number;
  call: (i: number, tag: string) => Promise<unknown>;
}

async function main(): Promise<void> {
  const nats = await NatsServerProcess.start();
  const options = {
    natsUrl: nats.url,
    prefix: PREFIX,
    logLevel: "silent" as const,
    allowUndeclaredCapabilities: true,
  };
  let direct: BatonClient | undefined;
  let gateway: Gateway | undefined;
  let child: ChildProcess | undefined;
  const grpcClients: GrpcClient[] = [];
  try {
    direct = await createClient(options);
    let address: string;
    if (args["in-process"]) {
      gateway = await startGateway({ config: options, address: "127.0.0.1:0", env: {} });
      address = gateway.address;
    } else {
      ({ address, child } = await spawnGateway(nats.url));
    }
    const grpc = createGrpcClient({ address });
    const grpcNoKey = createGrpcClient({ address, autoIdempotencyKey: false });
    grpcClients.push(grpc, grpcNoKey);
    const d = direct;

    const variants: Variant[] = [
      {
        name: "direct submit",
        perCall: 1,
        callers: CONCURRENCY,
        call: (i, tag) => d.submit(CAPABILITY, { tag, i }),
      },
      {
        name: "direct submitMany",
        perCall: BATCH,
        callers: BATCH_CALLERS,
        call: (i, tag) => d.submitMany(items(BATCH, `${tag}-${i}`)),
      },
      {
        name: "gateway SubmitTask",
        perCall: 1,
        callers: CONCURRENCY,
        call: (i, tag) => grpc.submit(CAPABILITY, { tag, i }),
      },
      {
        name: "gateway SubmitTask, no key",
        perCall: 1,
        callers: CONCURRENCY,
        call: (i, tag) => grpcNoKey.submit(CAPABILITY, { tag, i }),
      },
      {
        name: "gateway SubmitTasks",
        perCall: BATCH,
        callers: BATCH_CALLERS,
        call: (i, tag) => grpc.submitMany(items(BATCH, `${tag}-${i}`)),
      },
    ];

    // Warm-up: connections, JIT, streams and consumers.
    for (const v of variants) {
      await drive(Math.min(TASKS, 2 * v.perCall * v.callers), v.perCall, v.callers, (i) =>
        v.call(i, `warm-${v.name}`),
      );
    }

    const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]));
    for (let run = 1; run <= RUNS; run++) {
      for (const v of variants) {
        const s = await drive(TASKS, v.perCall, v.callers, (i) => v.call(i, `r${run}`));
        samples.get(v.name)?.push(s);
        console.error(`run ${run} ${v.name}: ${s.rate.toFixed(0)} tasks/s`);
      }
    }

    const baseline = median(samples.get("direct submit")?.map((s) => s.rate) ?? []);
    const rows = variants.map((v) => {
      const ss = samples.get(v.name) ?? [];
      const rate = median(ss.map((s) => s.rate));
      const lat = ss.flatMap((s) => s.latencies);
      return [
        v.name,
        v.perCall === 1 ? `${v.callers} callers` : `${v.callers} x ${v.perCall}/call`,
        ss.map((s) => s.rate.toFixed(0)).join(" / "),
        rate.toFixed(0),
        (rate / baseline).toFixed(2),
        `${percentile(lat, 50).toFixed(1)} / ${percentile(lat, 99).toFixed(1)}`,
      ];
    });
    const header = [
      "variant",
      "concurrency",
      "runs (tasks/s)",
      "median tasks/s",
      "x direct",
      "call ms p50 / p99",
    ];
    console.log(
      `\nsubmit throughput: ${TASKS} tasks per run, median of ${RUNS} runs, ` +
        `gateway ${args["in-process"] ? "in-process" : "in its own process"}, ` +
        `nats-server ${nats.url}, ${cpus().length} CPUs, node ${process.version}\n`,
    );
    console.log(markdownTable(header, rows));
  } finally {
    for (const c of grpcClients) await c.close();
    await gateway?.stop();
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => child?.once("exit", r));
    }
    await direct?.close();
    await nats[Symbol.asyncDispose]();
  }
}

await main();
