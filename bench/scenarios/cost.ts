import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { Redis } from "ioredis";
import { BareSystem } from "../systems/bare-js.js";
import { BatonSystem } from "../systems/baton.js";
import { BullSystem, countRedisCommands, redisCommands } from "../systems/bullmq.js";
import {
  apiTotal,
  sequenceDelta,
  streamSequences,
  TrafficCounter,
  type Counts,
} from "../lib/nats-counters.js";
import { progressDone, type ScenarioResult } from "../lib/runner.js";
import { closedLoop, fmt, withTimeout } from "../lib/stats.js";
import { check, type Scenario } from "./common.js";

interface CostRow {
  system: string;
  tasks: number;
  counts: Record<string, number>;
}

/** Scenario 7: per-task broker traffic, counted. */
export const cost: Scenario = {
  name: "cost",
  summary: "7. per-task broker messages, round trips and writes",
  async run(ctx) {
    const n = ctx.costTasks;
    const { producers: p, workers: w } = ctx;
    const admin = await connect({ servers: ctx.natsUrl, name: "bench-admin" });
    const jsm = await jetstreamManager(admin);
    const rows: CostRow[] = [];
    try {
      // Baton
      const baton = await BatonSystem.start({
        natsUrl: ctx.natsUrl,
        prefix: `B7${ctx.stamp}`,
        workerConcurrency: w,
      });
      try {
        const prefix = `B7${ctx.stamp}`;
        const counter = new TrafficCounter(new RegExp(`^${prefix}\\.`));
        counter.add(baton.client.connection.nc);
        counter.add(baton.worker.connection.nc);
        await baton.runSingle(200, p, closedLoop); // warm-up
        rows.push(
          await countNats("baton", n, jsm, counter, () => baton.runSingle(n, p, closedLoop)),
        );
        check(baton, "baton");
      } finally {
        await baton.stop();
      }
      // Bare JetStream
      const bare = await BareSystem.start({
        natsUrl: ctx.natsUrl,
        name: `BARE7${ctx.stamp}`,
        workerConcurrency: w,
      });
      try {
        const counter = new TrafficCounter(/^bare7[^.]*\.work$/);
        counter.add(bare.producerNc);
        counter.add(bare.workerNc);
        await bare.runSingle(200, p, closedLoop);
        rows.push(
          await countNats("bare jetstream", n, jsm, counter, () =>
            bare.runSingle(n, p, closedLoop),
          ),
        );
      } finally {
        await bare.stop();
      }
    } finally {
      await admin.drain();
    }
    // BullMQ
    const bull = await BullSystem.start({
      redisUrl: ctx.redisUrl,
      queue: `bench7-${ctx.stamp}`,
      workerConcurrency: w,
    });
    const probe = new Redis(ctx.redisUrl);
    try {
      await bull.runSingle(200, p, closedLoop);
      const before = parseCommandStats(await probe.info("commandstats"));
      countRedisCommands(true);
      await withTimeout(bull.runSingle(n, p, closedLoop), ctx.settings.timeoutMs, "bullmq cost");
      countRedisCommands(false);
      const after = parseCommandStats(await probe.info("commandstats"));
      check(bull, "bullmq");
      const client: Record<string, number> = {};
      for (const [k, v] of redisCommands) client[k] = v;
      const server: Record<string, number> = {};
      for (const [k, v] of after) {
        const d = v - (before.get(k) ?? 0);
        if (d > 0) server[k] = d;
      }
      // The two INFO calls of the probe itself.
      server.info = Math.max(0, (server.info ?? 0) - 1);
      rows.push({
        system: "bullmq",
        tasks: n,
        counts: { ...prefixed("client", client), ...prefixed("server", server) },
      });
    } finally {
      probe.disconnect();
      await bull.stop();
    }
    return costTable(rows, { tasks: n, producerConcurrency: p, workerConcurrency: w });
  },
};

function prefixed(prefix: string, o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [`${prefix}:${k}`, v]));
}

async function countNats(
  system: string,
  n: number,
  jsm: Awaited<ReturnType<typeof jetstreamManager>>,
  counter: TrafficCounter,
  run: () => Promise<void>,
): Promise<CostRow> {
  const seqBefore = await streamSequences(jsm);
  const apiBefore = await apiTotal(jsm);
  counter.reset();
  await run();
  const c: Counts = counter.snapshot();
  const apiAfter = await apiTotal(jsm);
  const seqAfter = await streamSequences(jsm);
  const writes = sequenceDelta(seqBefore, seqAfter);
  const counts: Record<string, number> = {
    "client:out msgs": c.outMsgs,
    "client:in msgs": c.inMsgs,
    "client:requests (reply expected)": c.withReply,
    ...prefixed("client", c.byKind),
    // The admin connection's own account-info and stream-list calls are in the API total;
    // one stream-list page and one account-info call: subtract them.
    "server:js api requests": Math.max(0, apiAfter - apiBefore - 2),
    "server:jetstream writes": Object.values(writes).reduce((a, b) => a + b, 0),
    ...prefixed("server:writes", writes),
  };
  progressDone(`[cost] ${system}: counted ${n} tasks`);
  return { system, tasks: n, counts };
}

function parseCommandStats(info: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of info.split(/\r?\n/)) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (m?.[1] && m[2]) out.set(m[1], Number(m[2]));
  }
  return out;
}

function costTable(rows: CostRow[], params: Record<string, unknown>): ScenarioResult {
  const tableRows: string[][] = [];
  for (const r of rows) {
    const entries = Object.entries(r.counts).filter(([, v]) => v > 0);
    for (const [k, v] of entries) {
      tableRows.push([r.system, k, fmt(v), fmt(v / r.tasks, 2)]);
    }
  }
  return {
    kind: "table",
    name: "cost",
    title: "7. Per-task cost: broker messages, round trips and durable writes per task",
    params,
    header: ["system", "counter", "total", "per task"],
    rows: tableRows,
    data: rows,
    notes: [
      "NATS client counters wrap nc.publish on the system's connections (client and worker; for bare jetstream producer and worker): every outgoing message by kind; 'requests' are messages with a reply subject, i.e. round trips the sender waits on or gets an answer to (JetStream publishes, KV writes, API calls, pulls, acks with ack-ack). 'in/out msgs' are nc.stats() deltas, including heartbeats and registry reports of the Worker.",
      "server:jetstream writes = growth of every stream's last sequence (KV buckets are streams), i.e. messages persisted; server:js api requests = the account's JetStream API counter.",
      "BullMQ client counters = commands sent by every ioredis client in the process (Queue, Worker and its blocking connection, QueueEvents), by name; an evalsha is one round trip running a Lua script. server counters = Redis INFO commandstats deltas, which also count the commands run inside those scripts.",
    ],
  };
}
