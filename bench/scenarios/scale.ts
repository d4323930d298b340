/**
 * Scenario 6: scale, with the gateway and the agents as child processes (the CLI's `baton
 * gateway` and `baton agent`) so their memory and CPU can be read from /proc.
 *
 * Queued: --scale-tasks tasks submitted through the gateway with no agent running, then one agent
 * started to drain them; submit and drain rates per 10% slice, RSS of both processes.
 * Held: --long-tasks tasks held at once by one agent whose handlers sleep; the agent's CPU over a
 * window of heartbeats, against the same with heartbeats pushed beyond the window.
 */
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createClient, type BatonClient, type SubmitItem } from "../../src/client/client.js";
import { compileConfig, formatDuration } from "../../src/config/index.js";
import { createGrpcClient, type GrpcClient } from "../../src/grpc/client/client.js";
import { BATON_BIN, Child, cpuMs, mb, memory } from "../lib/children.js";
import {
  goal,
  progress,
  progressDone,
  type ChartBar,
  type ChartGroup,
  type Goal,
  type TableResult,
} from "../lib/runner.js";
import { closedLoop, fmt, median, payload, sleep } from "../lib/stats.js";
import type { Context, Scenario } from "./common.js";

const SLICES = 10;
/** Untimed submits before the timed ones (the other scenarios warm up too), then purged. */
const SUBMIT_WARMUP = 5000;
const WARMUP_CAPABILITY = "bench-scale-warmup";
const GOAL_FLAT = 0.2;
const GOAL_AGENT_RSS_MB = 300;
const GOAL_HEARTBEAT_CORE_PCT = 20;
/** The "heartbeats off" lease: its heartbeat (lease / 3 = 20 min) never falls in the window. */
const OFF_LEASE = "1h";
const READY_MS = 60_000;
const NOOP_AGENT = "bench/children/agents/noop.ts";
const SLEEP_AGENT = "bench/children/agents/sleep.ts";

interface Slice {
  /** Tasks/s over this 10% of the run. */
  rate: number;
  /** ms since the phase started, at the slice's end. */
  at: number;
  /** RSS (MB) of the processes at the slice's end. */
  rss: Record<string, number>;
  /** CPU time per task (us) of each process (and nats-server) over this slice. */
  cpuUs: Record<string, number>;
}

/** A process whose CPU time a slice records: a child or the harness's nats-server. */
interface CpuSource {
  name: string;
  pid: number | undefined;
}

/** Records the time of each 10% of `n` and the RSS of `procs` then. */
class Slices {
  readonly slices: Slice[] = [];
  private readonly t0 = performance.now();
  private last = this.t0;
  private lastCount = 0;
  private lastCpu: Record<string, number>;

  constructor(
    private readonly n: number,
    private readonly procs: Child[],
    private readonly cpuOf: CpuSource[] = procs,
  ) {
    this.lastCpu = this.cpuNow();
  }

  private cpuNow(): Record<string, number> {
    return Object.fromEntries(this.cpuOf.map((p) => [p.name, cpuOrNaN(p.pid)]));
  }

  update(count: number): void {
    while (this.slices.length < SLICES) {
      const boundary = Math.round(((this.slices.length + 1) * this.n) / SLICES);
      if (count < boundary) return;
      const now = performance.now();
      const cpu = this.cpuNow();
      const tasks = boundary - this.lastCount;
      this.slices.push({
        rate: tasks / ((now - this.last) / 1000),
        at: now - this.t0,
        rss: Object.fromEntries(this.procs.map((p) => [p.name, rssMb(p)])),
        cpuUs: Object.fromEntries(
          Object.entries(cpu).map(([name, ms]) => [
            name,
            ((ms - (this.lastCpu[name] ?? Number.NaN)) * 1000) / tasks,
          ]),
        ),
      });
      this.last = now;
      this.lastCount = boundary;
      this.lastCpu = cpu;
    }
  }

  get rates(): number[] {
    return this.slices.map((s) => s.rate);
  }

  /** Last slice's rate / first slice's. */
  get flatness(): number {
    const r = this.rates;
    return (r[r.length - 1] ?? Number.NaN) / (r[0] ?? Number.NaN);
  }
}

/** A process's CPU time in ms now; NaN when it is unknown or gone. */
function cpuOrNaN(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    return cpuMs(pid);
  } catch {
    return Number.NaN;
  }
}

/** A child's RSS in MB now; NaN once it is gone (progress lines must not throw). */
function rssMb(child: Child): number {
  try {
    return mb(memory(child.pid).rss);
  } catch {
    return Number.NaN;
  }
}

/**
 * Waits for `work`, printing `status()` every second; fails when `count()` has not moved for
 * `stallMs` (the runs are long, so a stall, not a total, is the timeout) or when one of
 * `children` exits.
 */
async function untilDone<T>(
  label: string,
  work: Promise<T>,
  count: () => number,
  status: () => string,
  stallMs: number,
  children: Child[],
): Promise<T> {
  let seen = count();
  let movedAt = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      const c = count();
      if (c !== seen) {
        seen = c;
        movedAt = performance.now();
      } else if (performance.now() - movedAt > stallMs) {
        reject(new Error(`${label}: no progress for ${stallMs} ms (${status()})`));
      }
      progress(`${label}: ${status()}`);
    }, 1000);
  });
  const died = children.map((c) =>
    c.exited.then((e) => {
      throw new Error(`${label}: ${c.name} exited (${e.code ?? e.signal})\n${c.stderr}`);
    }),
  );
  try {
    return await Promise.race([work, stalled, ...died]);
  } finally {
    clearInterval(timer);
  }
}

/** Counts a prefix's state events (one core subscription): RUNNING, SUCCEEDED, failed. */
class EventCounter {
  running = 0;
  succeeded = 0;
  failed = 0;
  /** Called after every counted event. */
  onEvent: (() => void) | undefined;
  private readonly waiters = new Set<{
    done: () => boolean;
    resolve: () => void;
    reject: (err: Error) => void;
  }>();

  private constructor(readonly nc: NatsConnection) {}

  static async start(natsUrl: string, prefix: string): Promise<EventCounter> {
    const nc = await connect({ servers: natsUrl, name: "bench-scale-events" });
    const counter = new EventCounter(nc);
    nc.subscribe(`${prefix}.events.>`, {
      callback: (_err, msg) => {
        // A substring test, not JSON.parse: the harness must not be the bottleneck at 1M events.
        const text = msg.string();
        if (!text.includes('"type":"state"')) return;
        if (text.includes('"state":"SUCCEEDED"')) counter.succeeded++;
        else if (text.includes('"state":"RUNNING"')) counter.running++;
        else if (/"state":"(FAILED|DEAD|CANCELLED)"/.test(text)) counter.failed++;
        else return;
        counter.onEvent?.();
        counter.settle();
      },
    });
    await nc.flush();
    return counter;
  }

  /** Resolves once `done()` holds after an event; rejects as soon as a task fails. */
  until(done: () => boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiters.add({ done, resolve, reject });
      this.settle();
    });
  }

  private settle(): void {
    for (const w of this.waiters) {
      if (this.failed > 0) w.reject(new Error(`${this.failed} tasks failed`));
      else if (w.done()) w.resolve();
      else continue;
      this.waiters.delete(w);
    }
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}

const childEnv = (ctx: Context, prefix: string, extra: Record<string, string> = {}) => ({
  BATON_NATS_URL: ctx.natsUrl,
  BATON_PREFIX: prefix,
  BATON_LOG_LEVEL: "warn",
  BATON_ALLOW_UNDECLARED_CAPABILITIES: "true",
  ...extra,
});

const agentReady = /^agent \S+ started/;

interface QueuedResult {
  tasks: number;
  queuedInStream: number;
  submit: Slice[];
  drain: Slice[];
  submitSeconds: number;
  drainSeconds: number;
  gateway: { peakMb: number; finalMb: number };
  agent: { peakMb: number; finalMb: number };
  submitFlatness: number;
  drainFlatness: number;
}

async function queuedPart(ctx: Context, jsm: JetStreamManager): Promise<QueuedResult> {
  const n = ctx.scaleTasks;
  const prefix = `B6Q${ctx.stamp}`;
  const stall = ctx.settings.timeoutMs;
  const gateway = Child.start(
    "gateway",
    [BATON_BIN, "gateway", "--address", "127.0.0.1:0", "--http", "off"],
    childEnv(ctx, prefix),
  );
  let agent: Child | undefined;
  let grpc: GrpcClient | undefined;
  let events: EventCounter | undefined;
  try {
    const address = (await gateway.waitForLine(/^gateway listening on (\S+)/, READY_MS))[1] ?? "";
    const client = createGrpcClient({ address });
    grpc = client;

    const items = (capability: string, from: number, size: number): SubmitItem[] =>
      Array.from({ length: size }, (_, k) => ({ capability, input: payload(from + k) }));

    // 0. Warm the gateway up (JIT, connections, heap) with untimed submits of a capability no
    // agent serves, then purge their queue messages so only the timed tasks are queued.
    const warmup = Math.min(SUBMIT_WARMUP, Math.ceil(n / SLICES));
    await closedLoop(Math.ceil(warmup / ctx.batch), ctx.batchCallers, async (c) => {
      const size = Math.min(ctx.batch, warmup - c * ctx.batch);
      await client.submitMany(items(WARMUP_CAPABILITY, c * ctx.batch, size));
    });
    await jsm.streams.purge(`${prefix}_TASKS`, {
      filter: `${prefix}.tasks.${WARMUP_CAPABILITY}.>`,
    });

    // 1. Submit everything through the gateway; no agent yet, so all of it stays queued.
    let submitted = 0;
    const nats: CpuSource = { name: "nats-server", pid: ctx.natsPid };
    const submit = new Slices(n, [gateway], [gateway, nats]);
    const calls = Math.ceil(n / ctx.batch);
    const t0 = performance.now();
    const rate = (count: number, since: number): string =>
      `${fmt(count / ((performance.now() - since) / 1000))}/s`;
    await untilDone(
      "[scale] submit via gateway",
      closedLoop(calls, ctx.batchCallers, async (c) => {
        const size = Math.min(ctx.batch, n - c * ctx.batch);
        await client.submitMany(items("bench-scale", c * ctx.batch, size));
        submitted += size;
        submit.update(submitted);
      }),
      () => submitted,
      () =>
        `${submitted}/${n} queued (${rate(submitted, t0)}), gateway RSS ${fmt(rssMb(gateway))} MB`,
      stall,
      [gateway],
    );
    const submitSeconds = (performance.now() - t0) / 1000;
    const queuedInStream = (await jsm.streams.info(`${prefix}_TASKS`)).state.messages;
    progressDone(
      `[scale] submitted ${n} tasks via the gateway in ${fmt(submitSeconds, 1)} s (${fmt(n / submitSeconds)}/s); ${queuedInStream} messages queued`,
    );

    // 2. Start one agent and drain.
    const counted = await EventCounter.start(ctx.natsUrl, prefix);
    events = counted;
    const started = Child.start(
      "agent",
      [BATON_BIN, "agent", NOOP_AGENT],
      childEnv(ctx, prefix, { BENCH_AGENT_CONCURRENCY: String(ctx.workers) }),
    );
    agent = started;
    await started.waitForLine(agentReady, READY_MS);
    const drain = new Slices(n, [started, gateway], [started, nats]);
    const t1 = performance.now();
    counted.onEvent = () => drain.update(counted.succeeded);
    drain.update(counted.succeeded);
    await untilDone(
      "[scale] drain",
      counted.until(() => counted.succeeded >= n),
      () => counted.succeeded,
      () =>
        `${counted.succeeded}/${n} done (${rate(counted.succeeded, t1)}), agent RSS ` +
        `${fmt(rssMb(started))} MB, gateway RSS ${fmt(rssMb(gateway))} MB`,
      stall,
      [started, gateway],
    );
    const drainSeconds = (performance.now() - t1) / 1000;
    const am = memory(started.pid);
    const gm = memory(gateway.pid);
    progressDone(
      `[scale] drained ${n} tasks in ${fmt(drainSeconds, 1)} s (${fmt(n / drainSeconds)}/s); ` +
        `agent RSS peak ${fmt(mb(am.peak))} MB, gateway RSS peak ${fmt(mb(gm.peak))} MB`,
    );
    return {
      tasks: n,
      queuedInStream,
      submit: submit.slices,
      drain: drain.slices,
      submitSeconds,
      drainSeconds,
      gateway: { peakMb: mb(gm.peak), finalMb: mb(gm.rss) },
      agent: { peakMb: mb(am.peak), finalMb: mb(am.rss) },
      submitFlatness: submit.flatness,
      drainFlatness: drain.flatness,
    };
  } finally {
    await events?.close();
    await grpc?.close();
    await agent?.stop();
    await gateway.stop();
  }
}

interface HeldResult {
  mode: "on" | "off";
  tasks: number;
  lease: string;
  heartbeatMs: number;
  windowMs: number;
  /** Agent CPU over the window, % of one core. */
  corePct: number;
  /** Median of the per-second CPU samples in the window, % of one core. */
  medianSecondPct: number;
  /** Per-second CPU % of one core over the window. */
  series: number[];
  /** Writes to the tasks bucket in the window: lease renewals (and nothing else while held). */
  renewals: number;
  /** nats-server CPU over the window, % of one core (NaN when its pid is unknown). */
  serverPct: number;
  rssPeakMb: number;
  rssFinalMb: number;
}

async function heldPart(
  ctx: Context,
  jsm: JetStreamManager,
  mode: "on" | "off",
  windowMs: number,
): Promise<HeldResult> {
  const n = ctx.longTasks;
  const lease = mode === "on" ? ctx.longLease : OFF_LEASE;
  const prefix = `B6H${mode.toUpperCase()}${ctx.stamp}`;
  const env = childEnv(ctx, prefix, {
    BATON_LEASE: lease,
    BENCH_AGENT_CONCURRENCY: String(n),
  });
  const { heartbeatMs } = compileConfig({}, { env: { ...process.env, ...env } });
  const label = `[scale] held, heartbeats ${mode}`;
  const agent = Child.start(`agent (heartbeats ${mode})`, [BATON_BIN, "agent", SLEEP_AGENT], env);
  let client: BatonClient | undefined;
  let events: EventCounter | undefined;
  try {
    await agent.waitForLine(agentReady, READY_MS);
    const counted = await EventCounter.start(ctx.natsUrl, prefix);
    events = counted;
    // Submitted with the library (BatonClient.submitMany) from this process.
    const baton = await createClient({ natsUrl: ctx.natsUrl, prefix, logLevel: "silent" });
    client = baton;
    const calls = Math.ceil(n / ctx.batch);
    await untilDone(
      `${label}: submit and start`,
      (async () => {
        await closedLoop(calls, ctx.batchCallers, (c) => {
          const size = Math.min(ctx.batch, n - c * ctx.batch);
          return baton.submitMany(
            Array.from({ length: size }, (_, k) => ({
              capability: "bench-sleep",
              input: payload(c * ctx.batch + k),
            })),
          );
        });
        await counted.until(() => counted.running >= n);
      })(),
      () => counted.running,
      () => `${counted.running}/${n} running, agent RSS ${fmt(rssMb(agent))} MB`,
      ctx.settings.timeoutMs,
      [agent],
    );
    progressDone(`${label}: ${n} tasks running in one agent (lease ${lease})`);

    // The window: CPU of the agent process holding every task, sampled each second.
    const kv = `KV_${prefix}_tasks`;
    const seqBefore = (await jsm.streams.info(kv)).state.last_seq;
    const t0 = performance.now();
    const cpu0 = cpuMs(agent.pid);
    const server0 = cpuOrNaN(ctx.natsPid);
    const series: number[] = [];
    let last = { t: t0, cpu: cpu0 };
    while (performance.now() - t0 < windowMs) {
      await sleep(Math.min(1000, windowMs - (performance.now() - t0)));
      const now = { t: performance.now(), cpu: cpuMs(agent.pid) };
      series.push(((now.cpu - last.cpu) / (now.t - last.t)) * 100);
      last = now;
      progress(
        `${label}: window ${fmt((now.t - t0) / 1000, 0)}/${fmt(windowMs / 1000, 0)} s, agent ` +
          `${fmt(((now.cpu - cpu0) / (now.t - t0)) * 100, 1)}% of a core`,
      );
    }
    const elapsed = last.t - t0;
    const used = last.cpu - cpu0;
    const serverUsed = cpuOrNaN(ctx.natsPid) - server0;
    const seqAfter = (await jsm.streams.info(kv)).state.last_seq;
    if (counted.running !== n || counted.failed > 0 || counted.succeeded > 0) {
      throw new Error(
        `${label}: tasks left RUNNING during the window (events: ${counted.running} running, ` +
          `${counted.succeeded} succeeded, ${counted.failed} failed)`,
      );
    }
    const m = memory(agent.pid);
    const result: HeldResult = {
      mode,
      tasks: n,
      lease,
      heartbeatMs,
      windowMs: elapsed,
      corePct: (used / elapsed) * 100,
      medianSecondPct: median(series),
      series,
      renewals: seqAfter - seqBefore,
      serverPct: (serverUsed / elapsed) * 100,
      rssPeakMb: mb(m.peak),
      rssFinalMb: mb(m.rss),
    };
    progressDone(
      `${label}: agent ${fmt(result.corePct, 1)}% of a core over ${fmt(elapsed / 1000, 1)} s, ` +
        `${result.renewals} lease renewals, nats-server ${fmt(result.serverPct, 1)}%, RSS ` +
        `${fmt(result.rssFinalMb)} MB`,
    );
    return result;
  } finally {
    await events?.close();
    await client?.close();
    // The held tasks are of no further use: no graceful release of thousands of leases.
    await agent.stop("SIGKILL");
  }
}

export const scale: Scenario = {
  name: "scale",
  summary: "6. queued tasks submitted, then drained (rates, RSS); long tasks held (heartbeat CPU)",
  async run(ctx) {
    if (ctx.scaleTasks < SLICES) throw new Error(`--scale-tasks: at least ${SLICES}`);
    const admin = await connect({ servers: ctx.natsUrl, name: "bench-scale-admin" });
    try {
      const jsm = await jetstreamManager(admin);
      const queued = await queuedPart(ctx, jsm);
      const onHeartbeatMs = compileConfig(
        {},
        { env: { ...process.env, BATON_LEASE: ctx.longLease } },
      ).heartbeatMs;
      const windowMs = ctx.longWindow * onHeartbeatMs;
      const held: HeldResult[] = [];
      for (const mode of ["on", "off"] as const)
        held.push(await heldPart(ctx, jsm, mode, windowMs));
      return report(ctx, queued, held, windowMs);
    } finally {
      await admin.close();
    }
  },
};

const rssBar = (name: string, finalMb: number, peakMb: number): ChartBar => ({
  name,
  value: finalMb,
  lo: finalMb,
  hi: peakMb,
  text: `final ${fmt(finalMb)} / peak ${fmt(peakMb)} MB`,
});

const cpuBar = (name: string, pct: number): ChartBar => ({
  name,
  value: pct,
  text: `${fmt(pct, 1)}% of a core`,
});

function report(ctx: Context, q: QueuedResult, held: HeldResult[], windowMs: number): TableResult {
  const on = held.find((h) => h.mode === "on");
  const off = held.find((h) => h.mode === "off");
  const heartbeatPct = (on?.corePct ?? Number.NaN) - (off?.corePct ?? Number.NaN);
  // Per-second samples separate heartbeat seconds from quiet ones only if ticks are sparse.
  const altPct = on && on.heartbeatMs >= 3000 ? on.corePct - on.medianSecondPct : Number.NaN;
  const rows = q.submit.map((s, i) => {
    const d = q.drain[i];
    return [
      `${(i + 1) * 10}%`,
      fmt(s.rate),
      fmt(s.cpuUs.gateway ?? Number.NaN),
      fmt(s.cpuUs["nats-server"] ?? Number.NaN),
      fmt(s.rss.gateway ?? Number.NaN),
      fmt(d?.rate ?? Number.NaN),
      fmt(d?.cpuUs.agent ?? Number.NaN),
      fmt(d?.cpuUs["nats-server"] ?? Number.NaN),
      fmt(d?.rss.agent ?? Number.NaN),
      fmt(d?.rss.gateway ?? Number.NaN),
    ];
  });
  const heldRows = held.map((h) => [
    h.mode,
    h.lease,
    formatDuration(h.heartbeatMs),
    fmt(h.windowMs / 1000, 1),
    fmt(h.tasks),
    fmt(h.renewals),
    fmt(h.corePct, 1),
    fmt(h.medianSecondPct, 1),
    fmt(h.serverPct, 1),
    `${fmt(h.rssPeakMb)} / ${fmt(h.rssFinalMb)}`,
  ]);
  const goals: Goal[] = [
    goal("submit rate, last 10% / first 10%", q.submitFlatness, "x", "within", GOAL_FLAT),
    goal("drain rate, last 10% / first 10%", q.drainFlatness, "x", "within", GOAL_FLAT),
    goal("agent peak RSS while draining", q.agent.peakMb, "MB", "<=", GOAL_AGENT_RSS_MB),
    goal(
      `CPU on heartbeats, ${fmt(ctx.longTasks)} held tasks (on - off)`,
      heartbeatPct,
      "% of a core",
      "<=",
      GOAL_HEARTBEAT_CORE_PCT,
    ),
  ];
  const sliceBars = (slices: Slice[]) =>
    slices.map((s, i) => ({ name: `${(i + 1) * 10}%`, value: s.rate }));
  const chart: ChartGroup[] = [
    {
      title: `6. Scale: submit rate per 10% of ${fmt(q.tasks)} tasks (gateway SubmitTasks, no agent)`,
      unit: "tasks/s",
      singleColor: true,
      bars: sliceBars(q.submit),
    },
    {
      title: `6. Scale: drain rate per 10% of ${fmt(q.tasks)} queued tasks (one agent)`,
      unit: "tasks/s",
      singleColor: true,
      bars: sliceBars(q.drain),
    },
    {
      title: "6. Scale: RSS of the child processes",
      unit: "MB",
      caption: "bar = final RSS, line to the peak (VmHWM)",
      bars: [
        rssBar("gateway", q.gateway.finalMb, q.gateway.peakMb),
        rssBar("agent (drain)", q.agent.finalMb, q.agent.peakMb),
        ...held.map((h) =>
          rssBar(`agent (${fmt(h.tasks)} held, hb ${h.mode})`, h.rssFinalMb, h.rssPeakMb),
        ),
      ],
    },
    {
      title: `6. Scale: agent CPU holding ${fmt(ctx.longTasks)} sleeping tasks`,
      unit: "% of a core",
      bars: [
        ...held.map((h) => cpuBar(`heartbeats ${h.mode} (lease ${h.lease})`, h.corePct)),
        cpuBar("heartbeats (on - off)", heartbeatPct),
      ],
    },
  ];
  return {
    kind: "table",
    name: "scale",
    title: `6. Scale: ${fmt(q.tasks)} queued tasks (submit, then drain) and ${fmt(ctx.longTasks)} long-running tasks held by one agent`,
    params: {
      scaleTasks: q.tasks,
      submitBatch: ctx.batch,
      submitCallers: ctx.batchCallers,
      drainAgentConcurrency: ctx.workers,
      longTasks: ctx.longTasks,
      lease: ctx.longLease,
      heartbeatMs: on?.heartbeatMs,
      windowMs,
    },
    header: [
      "slice",
      "submit tasks/s",
      "gateway CPU us/task",
      "nats-server CPU us/task",
      "gateway RSS MB",
      "drain tasks/s",
      "agent CPU us/task",
      "nats-server CPU us/task (drain)",
      "agent RSS MB",
      "gateway RSS MB (drain)",
    ],
    rows,
    more: [
      {
        caption: `Submit: ${fmt(q.tasks)} tasks in ${fmt(q.submitSeconds, 1)} s (${fmt(q.tasks / q.submitSeconds)}/s), ${fmt(q.queuedInStream)} messages queued; drain: ${fmt(q.drainSeconds, 1)} s (${fmt(q.tasks / q.drainSeconds)}/s). RSS peak / final: gateway ${fmt(q.gateway.peakMb)} / ${fmt(q.gateway.finalMb)} MB, agent ${fmt(q.agent.peakMb)} / ${fmt(q.agent.finalMb)} MB.`,
        header: [],
        rows: [],
      },
      {
        caption: `Held tasks: agent CPU over a window of ${fmt(windowMs / 1000, 1)} s once all ${fmt(ctx.longTasks)} run. Heartbeat CPU = on - off = ${fmt(heartbeatPct, 1)}% of a core; cross-check from the heartbeats-on run alone (mean - median of its per-second CPU samples, i.e. CPU above the quiet seconds between ticks; needs a heartbeat of 3 s or more) = ${fmt(altPct, 1)}%.`,
        header: [
          "heartbeats",
          "lease",
          "heartbeat",
          "window s",
          "tasks held",
          "lease renewals",
          "agent CPU % of a core",
          "median per-second %",
          "nats-server CPU %",
          "RSS peak / final MB",
        ],
        rows: heldRows,
      },
    ],
    data: { queued: q, held },
    goals,
    chart,
    notes: [
      `Queued part: a gateway (\`baton gateway\`) and later one agent (\`baton agent ${NOOP_AGENT}\`, a no-op handler, concurrency --workers) run as child processes of the harness against its nats-server; after ${SUBMIT_WARMUP} untimed warm-up submits of another capability (their queue messages purged), tasks are submitted through the gateway (GrpcClient.submitMany, --batch per call, --batch-callers concurrent calls) from the harness while no agent runs, so all of them are queued (checked: messages in the tasks stream). Then the agent starts and drains them; completions are counted from the events subject (SUCCEEDED state events). A slice's rate is 10% of the tasks over the time that slice took; the drain clock starts when the agent prints that it started.`,
      "RSS: VmRSS of /proc/<pid>/status at each slice's end and at the end (final); peak = VmHWM (the kernel's high-water mark of the resident set, not a sample). CPU us/task: a process's utime + stime over the slice (/proc/<pid>/stat) divided by the slice's tasks, so a rate that falls while these stay flat is waiting, not work. Goals: flat rates (last slice within 20% of the first, either way) and agent RSS under 300 MB.",
      `Held part: one agent (\`baton agent ${SLEEP_AGENT}\`, concurrency --long-tasks) whose handler sleeps until aborted; --long-tasks tasks submitted with the library (BatonClient.submitMany) from the harness; the window starts once every task's RUNNING event is seen. Agent CPU = utime + stime from /proc/<pid>/stat over the window (and per second). The same is run twice, each on a fresh prefix and agent: heartbeats on with lease ${ctx.longLease} (heartbeat = lease / 3, the default ratio; Baton's default lease is 30s), and heartbeats off in effect with lease ${OFF_LEASE} (heartbeat 20 min, outside the window). Heartbeat CPU = on - off; lease renewals = writes to the tasks bucket in the window (one per held task per heartbeat when heartbeats keep up); nats-server CPU is over the same window. The agent registry report runs every 5 s in both. The window opens as soon as the last RUNNING event is seen, so whatever the agent still does after its claims falls into both runs alike. Afterwards the agent is killed (SIGKILL); its tasks stay in that prefix's streams.`,
      "The scenario runs once (--rounds does not apply). The children are the CLI as users run it (bin/baton.mjs, which registers tsx), with BATON_LOG_LEVEL=warn and tracing at its default; their RSS includes that.",
    ],
  };
}
