/**
 * Baton's side of scenario 4 alone: parent agents delegating to a no-op child agent (two Workers in
 * this process), either one child at a time per parent or `delegateAll` fan-out, with the CPU per
 * child of this process and of nats-server, the process's socket writes per child and the tasks
 * bucket's writes per parent. Quick to run, so two commits can be compared alternately.
 *
 *   npm run bench:delegate -- --children 1600 --parents 16 [--fanout 8] [--runs 3] [--tracing off]
 *
 * Without --fanout each of the parents delegates its share of the children one after another; with
 * it, each parent delegates --fanout children at once, and --children / --fanout parents run,
 * --parents at a time.
 */
import { createClient } from "../src/client/client.js";
import { Worker } from "../src/dispatch/worker.js";
import { NatsServerProcess } from "../src/nats/server-process.js";
import { defineAgent } from "../src/sdk/define-agent.js";
import type { JsonValue } from "../src/types.js";
import { cpuMs } from "./lib/children.js";
import { oneOf, parseFlags, positive, runMain } from "./lib/flags.js";
import { collectGarbage } from "./lib/gc-stats.js";
import { countSocketWrites, socketWrites } from "./lib/socket-writes.js";
import { median, payload } from "./lib/stats.js";

const USAGE = `npm run bench:delegate -- [flags]

  --children N     children delegated per run (default 1600)
  --parents N      parents running at once (default 16)
  --fanout N       children each parent delegates at once with delegateAll (default: one at a time)
  --runs N         runs (default 3)
  --tracing on|off (default on)
`;
const args = parseFlags(
  {
    children: { type: "string", default: "1600" },
    parents: { type: "string", default: "16" },
    fanout: { type: "string" },
    runs: { type: "string", default: "3" },
    tracing: { type: "string", default: "on" },
  },
  USAGE,
);

interface Sample {
  rate: number;
  nodeUs: number;
  natsUs: number;
  writesPerParent: number;
  socketWritesPerChild: number;
}

async function main(): Promise<void> {
  const children = positive(args.children, "--children");
  const concurrency = positive(args.parents, "--parents");
  const fanout = args.fanout === undefined ? undefined : positive(args.fanout, "--fanout");
  const runs = positive(args.runs, "--runs");
  if (oneOf(args.tracing, "--tracing", ["on", "off"]) === "off") process.env.BATON_TRACING = "off";
  countSocketWrites();
  const nats = await NatsServerProcess.start({});
  const natsPid = nats.pid;
  if (natsPid === undefined) throw new Error("nats-server did not start");
  const config = {
    natsUrl: nats.url,
    prefix: "DPROBE",
    logLevel: "silent" as const,
    allowUndeclaredCapabilities: true,
  };
  const child = defineAgent<JsonValue>({
    name: "probe-child",
    capabilities: ["probe-child"],
    concurrency: Math.max(concurrency * (fanout ?? 1), 1),
    handler: (ctx) => ctx.input,
  });
  const parent = defineAgent<{ count: number; from: number }>({
    name: "probe-parent",
    capabilities: ["probe-parent"],
    concurrency,
    handler: async (ctx) => {
      const { count, from } = ctx.input;
      if (fanout !== undefined) {
        const calls = Array.from({ length: count }, (_, i) => ({
          capability: "probe-child",
          input: payload(from + i),
        }));
        return (await ctx.delegateAll(calls, { concurrency: count })).length;
      }
      for (let i = 0; i < count; i++) await ctx.delegate("probe-child", payload(from + i));
      return count;
    },
  });
  const workers = [await Worker.start([child], config), await Worker.start([parent], config)];
  // Claims are deferred only for tasks created a second after a worker began listening.
  const vouches = Math.max(...workers.map((w) => w.cancels.vouchesFrom() ?? Date.now()));
  await new Promise((r) => setTimeout(r, Math.max(0, vouches - Date.now())));
  const client = await createClient(config);
  const { jsm, names } = client.connection;
  const lastSeq = async (): Promise<number> =>
    (await jsm.streams.info(`KV_${names.tasksBucket}`)).state.last_seq;

  const run = async (total: number): Promise<Sample> => {
    const parents = fanout !== undefined ? Math.ceil(total / fanout) : concurrency;
    const inputs = Array.from({ length: parents }, (_, k) => {
      const per = fanout ?? Math.floor(total / parents) + (k < total % parents ? 1 : 0);
      return { count: per, from: k * (fanout ?? Math.ceil(total / parents)) };
    });
    const writesBefore = await lastSeq();
    const sockets0 = socketWrites();
    const cpu0 = cpuMs(process.pid);
    const nats0 = cpuMs(natsPid);
    const t0 = performance.now();
    const tasks = await client.submitMany(
      inputs.map((input) => ({ capability: "probe-parent", input })),
    );
    const done = await Promise.all(tasks.map((t) => client.wait(t.task.id)));
    const failed = done.find((r) => r.state !== "SUCCEEDED");
    if (failed) throw new Error(`parent ${failed.id} ended ${failed.state}`);
    const seconds = (performance.now() - t0) / 1000;
    const n = inputs.reduce((sum, i) => sum + i.count, 0);
    return {
      rate: n / seconds,
      nodeUs: ((cpuMs(process.pid) - cpu0) * 1000) / n,
      natsUs: ((cpuMs(natsPid) - nats0) * 1000) / n,
      writesPerParent: ((await lastSeq()) - writesBefore) / parents,
      socketWritesPerChild: (socketWrites() - sockets0) / n,
    };
  };

  try {
    await run(Math.min(children, 320)); // warm-up
    await collectGarbage();
    // The heap regrows from the collection's shrink on this warm-up, not in the timed runs.
    await run(Math.min(children, 320));
    const samples: Sample[] = [];
    for (let i = 1; i <= runs; i++) {
      const s = await run(children);
      samples.push(s);
      process.stdout.write(`run ${i}: ${s.rate.toFixed(0)} children/s\n`);
    }
    const med = (k: keyof Sample): number => median(samples.map((s) => s[k]));
    const mode = fanout !== undefined ? `fan-out ${fanout}` : "one at a time";
    console.log(
      `${mode}: median ${med("rate").toFixed(0)} children/s over ${samples.length} runs of ${children}`,
    );
    console.log(
      `CPU per child: this process ${med("nodeUs").toFixed(0)} us, nats-server ${med("natsUs").toFixed(0)} us; ` +
        `socket writes per child ${med("socketWritesPerChild").toFixed(1)}; ` +
        `tasks bucket writes per parent ${med("writesPerParent").toFixed(1)}`,
    );
  } finally {
    await client.close();
    for (const w of workers.reverse()) await w.stop();
    await nats.stop();
  }
}

runMain(main, USAGE);
