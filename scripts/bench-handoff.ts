/**
 * What a sub-task hand-off costs next to a bare gRPC round trip, in one run against one
 * harness-started nats-server.
 *
 *   npm run bench:handoff
 *   npm run bench:handoff -- --rounds 5 --calls 5000 --delegates 1000 --concurrency 16
 *
 * Variants, alternated round by round so drift (JIT, a growing store) affects both alike:
 *   bare grpc     a grpc-js unary echo on 127.0.0.1 (raw bytes, no proto), `concurrency` callers
 *                 in a closed loop, `calls` calls per round
 *   delegate      `ctx.delegate` from a parent agent to a no-op child capability served by a second
 *                 agent (another Worker, its own connection): `concurrency` parent tasks each run
 *                 their share of `delegates` calls one after another (a closed loop as well)
 *
 * Latency is per call (per ctx.delegate, measured inside the parent handler). Reported: each
 * variant's rate and p50/p99 as the median over rounds, and delegate/bare ratios of p50, p99 and
 * rate, each the median of the per-round ratios. The delegate numbers measure whatever path
 * ctx.delegate takes (direct peer hand-off or the durable queue).
 */
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import {
  Client,
  credentials,
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerUnaryCall,
} from "@grpc/grpc-js";
import { createClient, type BatonClient } from "../src/client/client.js";
import { Worker } from "../src/dispatch/worker.js";
import { NatsServerProcess } from "../src/nats/server-process.js";
import { defineAgent } from "../src/sdk/define-agent.js";
import { median } from "../bench/lib/stats.js";
import { markdownTable } from "../bench/lib/table.js";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    calls: { type: "string", default: "5000" },
    delegates: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "16" },
  },
});
const ROUNDS = positive(args.rounds, "--rounds");
const CALLS = positive(args.calls, "--calls");
const DELEGATES = positive(args.delegates, "--delegates");
const CONCURRENCY = positive(args.concurrency, "--concurrency");
const PARENT = "bench-parent";
const CHILD = "bench-noop";
const PREFIX = `BENCH${Date.now().toString(36).toUpperCase()}`;
const PHASE_TIMEOUT_MS = 300_000;

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${flag}: expected an integer >= 1`);
  return n;
}

interface Sample {
  rate: number;
  p50: number;
  p99: number;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Latencies and the span of one measured phase; the parent handlers report into it. */
class Phase {
  readonly latencies: number[] = [];
  private first = Infinity;
  private last = -Infinity;
  private lastPrint = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {}

  record(startedAt: number, endedAt: number): void {
    this.first = Math.min(this.first, startedAt);
    this.last = Math.max(this.last, endedAt);
    this.latencies.push(endedAt - startedAt);
    if (endedAt - this.lastPrint > 250 || this.latencies.length === this.total) {
      this.lastPrint = endedAt;
      progress(`${this.label}: ${this.latencies.length}/${this.total}`);
    }
  }

  sample(): Sample {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const seconds = (this.last - this.first) / 1000;
    return {
      rate: seconds > 0 ? this.latencies.length / seconds : 0,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
    };
  }
}

const tty = process.stderr.isTTY;
function progress(text: string): void {
  if (tty) process.stderr.write(`\r\x1b[2K${text}`);
}
function progressDone(text: string): void {
  process.stderr.write(tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
}

// ---- bare grpc-js echo -------------------------------------------------------------------------

const ECHO_PATH = "/bench.Echo/Echo";
const raw = (b: Buffer): Buffer => b;

async function startEcho(): Promise<{ address: string; server: Server }> {
  const server = new Server();
  server.addService(
    {
      Echo: {
        path: ECHO_PATH,
        requestStream: false,
        responseStream: false,
        requestSerialize: raw,
        requestDeserialize: raw,
        responseSerialize: raw,
        responseDeserialize: raw,
      },
    },
    {
      Echo: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) =>
        callback(null, call.request),
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { address: `127.0.0.1:${port}`, server };
}

function echo(client: Client, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(ECHO_PATH, raw, raw, payload, (err, res) =>
      err || !res ? reject(err ?? new Error("empty echo")) : resolve(res),
    );
  });
}

async function runBare(client: Client, label: string, total: number): Promise<Sample> {
  const phase = new Phase(label, total);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, total) }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t0 = performance.now();
        await echo(client, Buffer.from(JSON.stringify({ i })));
        phase.record(t0, performance.now());
      }
    }),
  );
  return phase.sample();
}

// ---- ctx.delegate ------------------------------------------------------------------------------

let current: Phase | undefined;

const child = defineAgent<number>({
  name: "bench-child",
  capabilities: [CHILD],
  concurrency: CONCURRENCY,
  handler: (ctx) => ctx.input,
});

const parent = defineAgent<{ count: number }>({
  name: "bench-parent",
  capabilities: [PARENT],
  concurrency: CONCURRENCY,
  handler: async (ctx) => {
    for (let i = 0; i < ctx.input.count; i++) {
      const t0 = performance.now();
      await ctx.delegate(CHILD, i);
      current?.record(t0, performance.now());
    }
    return null;
  },
});

async function runDelegate(client: BatonClient, label: string, total: number): Promise<Sample> {
  const phase = new Phase(label, total);
  current = phase;
  try {
    const tasks = await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, total) }, (_, p) => {
        const count = Math.floor(total / CONCURRENCY) + (p < total % CONCURRENCY ? 1 : 0);
        return client.submit(PARENT, { count });
      }),
    );
    const done = await Promise.all(
      tasks.map((t) => client.wait(t.id, { timeoutMs: PHASE_TIMEOUT_MS })),
    );
    const failed = done.find((r) => r.state !== "SUCCEEDED");
    if (failed) {
      throw new Error(`parent ${failed.id} ended ${failed.state}: ${failed.error?.message ?? ""}`);
    }
  } finally {
    current = undefined;
  }
  return phase.sample();
}

// ---- report ------------------------------------------------------------------------------------

const ms = (x: number): string => x.toFixed(2);
const ratio = (x: number): string => `${x.toFixed(2)}x`;

async function main(): Promise<void> {
  const nats = await NatsServerProcess.start();
  const options = {
    natsUrl: nats.url,
    prefix: PREFIX,
    logLevel: "silent" as const,
    allowUndeclaredCapabilities: true,
  };
  const echoServer = await startEcho();
  const echoClient = new Client(echoServer.address, credentials.createInsecure());
  const workers: Worker[] = [];
  let client: BatonClient | undefined;
  try {
    // Parent and child in separate Workers (own connections and peer servers), as two agents.
    workers.push(await Worker.start([child], options));
    workers.push(await Worker.start([parent], options));
    client = await createClient(options);
    const c = client;

    // Warm-up: connections, JIT, consumers, and the peer channel.
    await runBare(echoClient, "warm-up bare grpc", Math.min(CALLS, 1000));
    progressDone("warm-up bare grpc done");
    await runDelegate(c, "warm-up delegate", Math.min(DELEGATES, 4 * CONCURRENCY));
    progressDone("warm-up delegate done");

    const bare: Sample[] = [];
    const delegate: Sample[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const b = await runBare(echoClient, `round ${round}/${ROUNDS} bare grpc`, CALLS);
      bare.push(b);
      progressDone(
        `round ${round}/${ROUNDS} bare grpc: ${b.rate.toFixed(0)} calls/s, ` +
          `p50 ${ms(b.p50)} ms, p99 ${ms(b.p99)} ms`,
      );
      const d = await runDelegate(c, `round ${round}/${ROUNDS} delegate`, DELEGATES);
      delegate.push(d);
      progressDone(
        `round ${round}/${ROUNDS} delegate: ${d.rate.toFixed(0)} calls/s, ` +
          `p50 ${ms(d.p50)} ms, p99 ${ms(d.p99)} ms (${ratio(d.p50 / b.p50)} bare p50)`,
      );
    }

    const med = (ss: Sample[], k: keyof Sample): number => median(ss.map((s) => s[k]));
    const ratioOf = (k: keyof Sample): number =>
      median(delegate.map((d, i) => d[k] / (bare[i]?.[k] ?? NaN)));
    const rows = [
      [
        "bare grpc unary echo",
        String(CALLS),
        med(bare, "rate").toFixed(0),
        ms(med(bare, "p50")),
        ms(med(bare, "p99")),
      ],
      [
        "ctx.delegate (no-op child)",
        String(DELEGATES),
        med(delegate, "rate").toFixed(0),
        ms(med(delegate, "p50")),
        ms(med(delegate, "p99")),
      ],
      ["delegate / bare", "", ratio(ratioOf("rate")), ratio(ratioOf("p50")), ratio(ratioOf("p99"))],
    ];
    console.log(
      `\nhand-off cost: median of ${ROUNDS} alternating rounds, closed loop with ` +
        `${CONCURRENCY} callers, nats-server ${nats.url}, ${cpus().length} CPUs, ` +
        `node ${process.version}\n`,
    );
    console.log(markdownTable(["variant", "calls/round", "calls/s", "p50 ms", "p99 ms"], rows));
  } finally {
    current = undefined;
    await client?.close();
    for (const w of workers.reverse()) await w.stop(1_000);
    echoClient.close();
    echoServer.server.forceShutdown();
    await nats[Symbol.asyncDispose]();
  }
}

await main();
