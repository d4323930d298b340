/**
 * Scenario 3: latency under an open loop. Tasks are sent on a fixed schedule (offered load in
 * percent of one peak rate, the same for every system) and timed from their scheduled send.
 */
import { LatencyRun, openLoop, type LatencySample } from "../lib/latency.js";
import {
  alternateRounds,
  goal,
  latencyBar,
  progressDone,
  ratioOf,
  withProgress,
  type ChartGroup,
  type Goal,
  type Ratio,
  type RoundVariant,
  type TableResult,
} from "../lib/runner.js";
import { closedLoop, fmt, fmtMs, median, payload } from "../lib/stats.js";
import { BareSystem } from "../systems/bare-js.js";
import { BatonSystem, CAPABILITY } from "../systems/baton.js";
import { BullSystem } from "../systems/bullmq.js";
import { NatsRequestReply } from "../systems/nats-reqreply.js";
import { check, type Scenario } from "./common.js";

/** How one system is driven: hooks that fill a LatencyRun, and one send. */
export interface Driver {
  name: string;
  attach: (run: LatencyRun) => void;
  send: (seq: number) => Promise<unknown>;
  detach: () => void;
  failures: () => number;
}

interface LoadSample extends LatencySample {
  load: number;
}

const seqOf = (input: unknown): number => {
  const seq = (input as { seq?: unknown } | null)?.seq;
  return typeof seq === "number" ? seq : -1;
};

const GOAL_P50_MS = 1.5;
const GOAL_P99_MS = 10;
const GOAL_LOAD = 50;
const WARMUP_TASKS = 500;

export function batonDriver(baton: BatonSystem): Driver {
  return {
    name: "baton",
    attach(run) {
      const ids = new Map<string, number>();
      baton.onStart = (taskId, input) => {
        const seq = seqOf(input);
        ids.set(taskId, seq);
        run.markStart(seq);
      };
      baton.onDone = (taskId) => {
        const seq = ids.get(taskId);
        if (seq !== undefined) run.markDone(seq);
      };
    },
    send: (seq) => baton.client.submit(CAPABILITY, payload(seq)),
    detach() {
      baton.onStart = undefined;
      baton.onDone = undefined;
    },
    failures: () => baton.failures,
  };
}

function bullDriver(bull: BullSystem): Driver {
  return {
    name: "bullmq",
    attach(run) {
      const ids = new Map<string, number>();
      bull.onStart = (jobId, data) => {
        const seq = seqOf(data);
        ids.set(jobId, seq);
        run.markStart(seq);
      };
      bull.onDone = (jobId) => {
        const seq = ids.get(jobId);
        if (seq !== undefined) run.markDone(seq);
      };
    },
    send: (seq) => bull.queue.add("noop", payload(seq)),
    detach() {
      bull.onStart = undefined;
      bull.onDone = undefined;
    },
    failures: () => bull.failures,
  };
}

function bareDriver(bare: BareSystem): Driver {
  let tag = "";
  let runs = 0;
  // Ids are "<tag>-<seq>"; results of another run (another tag) are ignored.
  const seqIn = (id: string): number =>
    id.startsWith(`${tag}-`) ? Number(id.slice(tag.length + 1)) : -1;
  return {
    name: "bare jetstream",
    attach(run) {
      tag = `lat${++runs}x${Date.now().toString(36)}`;
      bare.onStart = (id) => run.markStart(seqIn(id));
      bare.onDone = (id) => run.markDone(seqIn(id));
    },
    send: (seq) => bare.publish(`${tag}-${seq}`, seq),
    detach() {
      bare.onStart = undefined;
      bare.onDone = undefined;
    },
    failures: () => 0,
  };
}

function requestReplyDriver(rr: NatsRequestReply): Driver {
  let current: LatencyRun | undefined;
  return {
    name: "nats request-reply",
    attach(run) {
      current = run;
      rr.onStart = (seq) => run.markStart(seq);
    },
    send: async (seq) => {
      const run = current;
      await rr.request(seq);
      run?.markDone(seq);
    },
    detach() {
      rr.onStart = undefined;
      current = undefined;
    },
    failures: () => 0,
  };
}

async function measure(
  label: string,
  d: Driver,
  n: number,
  rate: number,
  timeoutMs: number,
): Promise<LatencySample> {
  const run = new LatencyRun(n);
  const failedBefore = d.failures();
  d.attach(run);
  try {
    await withProgress(
      label,
      () => `${run.sent}/${n} sent, ${run.seen} done`,
      openLoop(run, rate, d.send).then(() => run.finished),
      timeoutMs + (n / rate) * 1000,
    );
  } finally {
    d.detach();
  }
  if (d.failures() > failedBefore) {
    throw new Error(`${label}: ${d.failures() - failedBefore} tasks failed`);
  }
  return run.summary();
}

export const latency: Scenario = {
  name: "latency",
  summary: "3. open-loop latency (submit -> start, -> completion) at --loads % of peak",
  async run(ctx) {
    const { tasks: n, producers: p, workers: w, loads } = ctx;
    const baton = await BatonSystem.start({
      natsUrl: ctx.natsUrl,
      prefix: `B3${ctx.stamp}`,
      workerConcurrency: w,
    });
    const bull = await BullSystem.start({
      redisUrl: ctx.redisUrl,
      queue: `bench3-${ctx.stamp}`,
      workerConcurrency: w,
    });
    const bare = await BareSystem.start({
      natsUrl: ctx.natsUrl,
      name: `BARE3${ctx.stamp}`,
      workerConcurrency: w,
    });
    const rr = await NatsRequestReply.start({
      natsUrl: ctx.natsUrl,
      subject: `bench3.${ctx.stamp.toLowerCase()}.rr`,
    });
    try {
      // The peak: Baton's closed-loop rate (scenario 1's setup), used for every system.
      let peak = ctx.peak;
      let peakSource = "--peak";
      if (peak === undefined) {
        await baton.runSingle(Math.min(1000, n), p, closedLoop);
        const t0 = performance.now();
        await withProgress(
          "[latency] Baton closed-loop peak",
          () => `${baton.seen}/${n} done`,
          baton.runSingle(n, p, closedLoop),
          ctx.settings.timeoutMs,
        );
        check(baton, "baton");
        peak = n / ((performance.now() - t0) / 1000);
        peakSource = `Baton closed loop, ${n} tasks, ${p} producers, concurrency ${w}`;
      }
      const peakRate = peak;
      progressDone(`[latency] peak ${fmt(peakRate)} tasks/s (${peakSource})`);

      const drivers = [batonDriver(baton), bullDriver(bull), bareDriver(bare)];
      drivers.push(requestReplyDriver(rr));
      const variants: RoundVariant<LoadSample>[] = [];
      for (const load of loads) {
        const rate = (peakRate * load) / 100;
        for (const d of drivers) {
          variants.push({
            name: `${d.name} @${load}%`,
            warmup:
              load === loads[0]
                ? (label) =>
                    measure(
                      label,
                      d,
                      Math.min(WARMUP_TASKS, n),
                      peakRate / 2,
                      ctx.settings.timeoutMs,
                    )
                : undefined,
            run: async (label) => ({
              load,
              ...(await measure(label, d, n, rate, ctx.settings.timeoutMs)),
            }),
          });
        }
      }
      const samples = await alternateRounds(
        "latency",
        variants,
        ctx.settings.rounds,
        (s) =>
          `offered ${fmt(s.offered)}/s, start p50 ${fmtMs(s.startP50)} p99 ${fmtMs(s.startP99)} ms, ` +
          `done p50 ${fmtMs(s.doneP50)} p99 ${fmtMs(s.doneP99)} ms`,
      );
      return report(ctx, n, w, peakRate, peakSource, loads, drivers, samples);
    } finally {
      await rr.stop();
      await baton.stop();
      await bull.stop();
      await bare.stop();
    }
  },
};

type Metric = "startP50" | "startP99" | "doneP50" | "doneP99";
const METRICS: { key: Metric; label: string }[] = [
  { key: "startP50", label: "submit -> start p50" },
  { key: "startP99", label: "submit -> start p99" },
  { key: "doneP50", label: "submit -> completion p50" },
  { key: "doneP99", label: "submit -> completion p99" },
];

function report(
  ctx: { settings: { rounds: number } },
  n: number,
  w: number,
  peak: number,
  peakSource: string,
  loads: number[],
  drivers: Driver[],
  samples: Map<string, LoadSample[]>,
): TableResult {
  const of = (system: string, load: number): LoadSample[] =>
    samples.get(`${system} @${load}%`) ?? [];
  const med = (ss: LoadSample[], k: keyof LatencySample): number => median(ss.map((s) => s[k]));
  const rows: string[][] = [];
  const chart: ChartGroup[] = [];
  const ratios: Ratio[] = [];
  const goals: Goal[] = [];
  for (const load of loads) {
    const group: ChartGroup = {
      title: `3. Latency at ${load}% of peak (${fmt((peak * load) / 100)} tasks/s): submit -> completion`,
      unit: "ms",
      bars: [],
      caption: "bar = p50, line from p50 to p99 (medians over rounds)",
    };
    for (const d of drivers) {
      const ss = of(d.name, load);
      rows.push([
        d.name,
        `${load}%`,
        fmt(med(ss, "offered")),
        fmt(med(ss, "achieved")),
        fmtMs(med(ss, "startP50")),
        fmtMs(med(ss, "startP99")),
        fmtMs(med(ss, "doneP50")),
        fmtMs(med(ss, "doneP99")),
      ]);
      group.bars.push(latencyBar(d.name, med(ss, "doneP50"), med(ss, "doneP99")));
    }
    chart.push(group);
    const baton = of("baton", load);
    const bull = of("bullmq", load);
    for (const m of METRICS) {
      const r = ratioOf(
        baton.map((s) => s[m.key]),
        bull.map((s) => s[m.key]),
      );
      ratios.push({
        baseline: "bullmq",
        label: `baton / bullmq ${m.label} @${load}%`,
        ...r,
        goal: 1,
        goalOp: "<=",
      });
    }
    if (load === GOAL_LOAD) {
      for (const m of METRICS) {
        const perRound = baton.map((s) => s[m.key]);
        goals.push(
          goal(
            `baton ${m.label} @${load}%`,
            median(perRound),
            "ms",
            "<=",
            m.key.endsWith("P50") ? GOAL_P50_MS : GOAL_P99_MS,
            perRound,
          ),
        );
      }
    }
  }
  return {
    kind: "table",
    name: "latency",
    title: `3. Latency, open loop at ${loads.join("/")}% of peak: submit -> handler start and submit -> completion seen (ms)`,
    params: {
      tasksPerRun: n,
      workerConcurrency: w,
      peakTasksPerSecond: Math.round(peak),
      peakSource,
      loadsPercent: loads,
      rounds: ctx.settings.rounds,
    },
    header: [
      "system",
      "load",
      "offered/s",
      "achieved/s",
      "start p50 ms",
      "start p99 ms",
      "done p50 ms",
      "done p99 ms",
    ],
    rows,
    data: Object.fromEntries(samples),
    ratios,
    goals,
    chart,
    notes: [
      `Offered load: one peak for every system, Baton's: ${peakSource === "--peak" ? "given with --peak" : `measured first in this run (${peakSource})`}; each level is that percentage of it, so every system gets the same schedule.`,
      "Open loop: a 1 ms timer sends every task whose scheduled time (t0 + i / rate) has passed, without waiting for earlier sends or completions. Latency is measured from the scheduled time, so a late timer or a blocked event loop counts (no coordinated omission). The run ends when every task has completed.",
      "baton: client.submit; start = the no-op handler runs (Worker in this process, concurrency W); completion = the terminal state event on the events wildcard subscription, as in scenario 1.",
      "bullmq: Queue.add; start = the processor runs; completion = QueueEvents 'completed'.",
      "bare jetstream (reference): js.publish with msgID; start = the pull consumer's handler; completion = the KV watch sees the result.",
      "nats request-reply (reference): nc.request to a responder on another connection; start = the responder's callback; completion = the reply arrives. Nothing is persisted.",
      "Everything (senders, workers, timers) shares this process's event loop; both brokers are separate processes on the same cores. Percentiles are nearest-rank over one run; the table shows medians over rounds, the ratios medians of per-round ratios (lower is better, goal <= 1: not worse than BullMQ).",
    ],
  };
}
