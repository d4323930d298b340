/**
 * Scenario 5: the throughput cost of tracing. Each sample is a fresh child process (tracing and
 * the OpenTelemetry SDK are process-global) running scenario 1's Baton setup with
 * BATON_TRACING=on or off; on and off alternate, the first of each round swapping.
 */
import { join } from "node:path";
import { Child, cpuMs, ROOT } from "../lib/children.js";
import { progress, progressDone, ratioOf, type ChartGroup, type Ratio } from "../lib/runner.js";
import { fmt, max, median, min, withTimeout } from "../lib/stats.js";
import type { Context, Scenario } from "./common.js";

type Mode = "on" | "off";
const GOAL = 0.9;
const SCRIPT = join(ROOT, "bench", "children", "tracing-sample.ts");

interface Sample {
  rate: number;
  /** CPU ms per task of the sample's process (submit, dispatch, spans), timed run only. */
  nodeCpu: number;
  /** CPU ms per task of the nats-server over the sample's whole life (warm-up included). */
  serverCpu: number;
}

async function sample(ctx: Context, mode: Mode, label: string, warmup: number): Promise<Sample> {
  const prefix = `B5${mode.toUpperCase()}${Date.now().toString(36).toUpperCase()}`;
  const n = ctx.tasks;
  const pid = ctx.natsPid;
  const serverBefore = pid === undefined ? Number.NaN : cpuMs(pid);
  const child = Child.start(
    `tracing ${mode}`,
    [
      "--import",
      "tsx",
      SCRIPT,
      "--nats",
      ctx.natsUrl,
      "--prefix",
      prefix,
      "--tasks",
      String(n),
      "--warmup",
      String(warmup),
      "--producers",
      String(ctx.producers),
      "--workers",
      String(ctx.workers),
    ],
    // No OTLP exporter: this measures Baton's own span work (span store included).
    { BATON_TRACING: mode, OTEL_TRACES_EXPORTER: "none" },
  );
  let result: { rate: number; cpuMs: number } | undefined;
  child.onLine((line) => {
    if (!line.startsWith("{")) return;
    const msg = JSON.parse(line) as { done?: number; rate?: number; cpuMs?: number };
    if (msg.done !== undefined) progress(`${label}: ${msg.done}/${n} done`);
    if (msg.rate !== undefined && msg.cpuMs !== undefined) {
      result = { rate: msg.rate, cpuMs: msg.cpuMs };
    }
  });
  try {
    const exit = await withTimeout(child.exited, ctx.settings.timeoutMs, label);
    if (exit.code !== 0 || !result) {
      throw new Error(`${label}: child exited ${exit.code ?? exit.signal}\n${child.stderr}`);
    }
  } finally {
    await child.stop("SIGKILL", 5_000);
  }
  return {
    rate: result.rate,
    nodeCpu: result.cpuMs / n,
    serverCpu: pid === undefined ? Number.NaN : (cpuMs(pid) - serverBefore) / (n + warmup),
  };
}

const describe = (s: Sample): string =>
  `${fmt(s.rate)} tasks/s, cpu/task ${fmt(s.nodeCpu, 3)} ms node + ${fmt(s.serverCpu, 3)} ms nats-server`;

export const tracing: Scenario = {
  name: "tracing",
  summary: "5. tasks/s with tracing on vs off, a fresh child process per sample",
  async run(ctx) {
    const warmup = Math.min(500, ctx.tasks);
    const samples: Record<Mode, Sample[]> = { on: [], off: [] };
    for (const mode of ["on", "off"] as const) {
      const label = `[tracing] warm-up ${mode}`;
      progressDone(`${label}: ${describe(await sample(ctx, mode, label, warmup))}`);
    }
    for (let r = 0; r < ctx.settings.rounds; r++) {
      const order: Mode[] = r % 2 ? ["off", "on"] : ["on", "off"];
      for (const mode of order) {
        const label = `[tracing] round ${r + 1}/${ctx.settings.rounds} tracing ${mode}`;
        const s = await sample(ctx, mode, label, warmup);
        samples[mode].push(s);
        progressDone(`${label}: ${describe(s)}`);
      }
    }
    const col = (mode: Mode, k: keyof Sample): number[] => samples[mode].map((s) => s[k]);
    const rows = (["off", "on"] as const).map((mode) => {
      const rates = col(mode, "rate");
      return [
        mode,
        fmt(median(rates)),
        `${fmt(min(rates))} - ${fmt(max(rates))}`,
        rates.map((x) => fmt(x)).join(", "),
        fmt(median(col(mode, "nodeCpu")), 3),
        fmt(median(col(mode, "serverCpu")), 3),
      ];
    });
    const rate = ratioOf(col("on", "rate"), col("off", "rate"));
    const ratios: Ratio[] = [
      { baseline: "tracing off", label: "tracing on / off tasks/s", ...rate, goal: GOAL },
      {
        baseline: "tracing off",
        label: "tracing on / off node cpu per task (lower is better)",
        ...ratioOf(col("on", "nodeCpu"), col("off", "nodeCpu")),
      },
      {
        baseline: "tracing off",
        label: "tracing on / off nats-server cpu per task (lower is better)",
        ...ratioOf(col("on", "serverCpu"), col("off", "serverCpu")),
      },
    ];
    const chart: ChartGroup[] = [
      {
        title: "5. Tracing on vs off: end-to-end no-op tasks/s (fresh process per sample)",
        unit: "tasks/s",
        caption: "bar = median over rounds, whiskers = min-max",
        bars: (["off", "on"] as const).map((mode) => {
          const rates = col(mode, "rate");
          return { name: `tracing ${mode}`, value: median(rates), lo: min(rates), hi: max(rates) };
        }),
      },
    ];
    return {
      kind: "table",
      name: "tracing",
      title: "5. Tracing on vs off at equal offered load: end-to-end no-op tasks/s",
      params: {
        tasksPerSample: ctx.tasks,
        warmupPerSample: warmup,
        producerConcurrency: ctx.producers,
        workerConcurrency: ctx.workers,
      },
      header: [
        "tracing",
        "median tasks/s",
        "min - max",
        "rounds",
        "node cpu ms/task",
        "nats cpu ms/task",
      ],
      rows,
      data: samples,
      ratios,
      chart,
      notes: [
        "Each sample is a fresh child process (bench/children/tracing-sample.ts) with BATON_TRACING=on or off and OTEL_TRACES_EXPORTER=none (spans go to the built-in span store only): scenario 1's setup (client.submit from P callers, a Worker with a no-op agent of concurrency W, completion = terminal events) against the harness's nats-server, a warm-up, then the timed run. Equal offered load: both modes run the same tasks with the same P and W (closed loop).",
        "On and off alternate, the first of each round swapping, so a warming machine affects both alike. Rate = tasks / (first submit to last terminal event). CPU per task: the child's own CPU over the timed run, and the nats-server's (/proc/<pid>/stat) over the child's whole life divided by its tasks (warm-up included); on a shared machine CPU varies less than rates.",
      ],
    };
  },
};
