/**
 * The shared runner: a scenario hands it variants (Baton first, then its baselines); each round
 * runs every variant once, in an order rotated round by round so position and drift (JIT, a
 * growing store) fall on all alike. Reported per variant: median, min and max over rounds; per
 * baseline: Baton / baseline as the median of the per-round ratios.
 */
import { fmtMs, max, median, min, withTimeout } from "./stats.js";

export interface Variant {
  name: string;
  /** Tasks one run completes (the rate is tasks / wall time of the run). */
  tasks: number;
  /** Runs `tasks` tasks (fewer for a warm-up). */
  run: (tasks: number) => Promise<void>;
  /** Completions seen so far in the current run, for the progress line. */
  seen: () => number;
}

export interface VariantResult {
  name: string;
  samples: number[];
  median: number;
  min: number;
  max: number;
}

/** How a measured value is held against its goal: at least, at most, or within a band of 1. */
export type GoalOp = ">=" | "<=" | "within";

export interface Ratio {
  baseline: string;
  /** Median of the per-round ratios Baton / baseline. */
  median: number;
  perRound: number[];
  goal?: number;
  /** How `median` is held against `goal`; default ">=" (higher is better). */
  goalOp?: GoalOp;
  /** What the ratio is, when not "<first variant> / <baseline>" (e.g. "baton / bullmq p99"). */
  label?: string;
}

/** An absolute goal (a latency, a memory bound, a share of a core). */
export interface Goal {
  what: string;
  value: number;
  unit: string;
  op: GoalOp;
  /** For "within": the allowed relative distance from 1 (0.2 = 0.8 to 1.2). */
  target: number;
  met: boolean;
  perRound?: number[];
}

/** One bar of a chart group: a value, optionally a whisker from `lo` to `hi`. */
export interface ChartBar {
  name: string;
  value: number;
  lo?: number;
  hi?: number;
  /** Text after the bar; default the value with the group's unit. */
  text?: string;
}

/** A latency bar: p50 as the bar, a line on to p99. */
export function latencyBar(name: string, p50: number, p99: number): ChartBar {
  return { name, value: p50, lo: p50, hi: p99, text: `p50 ${fmtMs(p50)} / p99 ${fmtMs(p99)} ms` };
}

export interface ChartGroup {
  title: string;
  unit: string;
  bars: ChartBar[];
  /** What the bar and whisker mean, printed under the group. */
  caption?: string;
  /** One color for all bars (a series, e.g. slices of one run), instead of one per bar. */
  singleColor?: boolean;
}

export interface ThroughputResult {
  kind: "throughput";
  name: string;
  title: string;
  unit: string;
  params: Record<string, unknown>;
  variants: VariantResult[];
  ratios: Ratio[];
  notes: string[];
}

export interface TableResult {
  kind: "table";
  name: string;
  title: string;
  params: Record<string, unknown>;
  header: string[];
  rows: string[][];
  data: unknown;
  notes: string[];
  /** Further tables after the main one (e.g. a second part of the scenario). */
  more?: { caption: string; header: string[]; rows: string[][] }[];
  ratios?: Ratio[];
  goals?: Goal[];
  /** Bars for the SVG chart; table scenarios without one are left out of the chart. */
  chart?: ChartGroup[];
}

export type ScenarioResult = ThroughputResult | TableResult;

export interface RunSettings {
  rounds: number;
  timeoutMs: number;
}

export function progress(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}`);
  else process.stderr.write(`${line}\n`);
}

export function progressDone(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}\n`);
  else process.stderr.write(`${line}\n`);
}

/** Whether `value` meets `target` under `op`. */
export function meets(value: number, op: GoalOp, target: number): boolean {
  if (!Number.isFinite(value)) return false;
  if (op === ">=") return value >= target;
  if (op === "<=") return value <= target;
  return Math.abs(value - 1) <= target;
}

export function goal(
  what: string,
  value: number,
  unit: string,
  op: GoalOp,
  target: number,
  perRound?: number[],
): Goal {
  return {
    what,
    value,
    unit,
    op,
    target,
    met: meets(value, op, target),
    ...(perRound ? { perRound } : {}),
  };
}

/** The per-round ratios a[i] / b[i] and their median. */
export function ratioOf(
  a: readonly number[],
  b: readonly number[],
): { median: number; perRound: number[] } {
  const perRound = a.map((x, i) => x / (b[i] ?? Number.NaN));
  return { median: median(perRound), perRound };
}

/** Runs `work`, printing `status()` as a progress line every second until it settles. */
export async function withProgress<T>(
  label: string,
  status: () => string,
  work: Promise<T>,
  timeoutMs: number,
): Promise<T> {
  const ticker = setInterval(() => progress(`${label}: ${status()}`), 1000);
  try {
    return await withTimeout(work, timeoutMs, `${label} (${status()})`);
  } finally {
    clearInterval(ticker);
  }
}

/** One contender of `alternateRounds`: a warm-up and a measured run, each returning a sample. */
export interface RoundVariant<T> {
  name: string;
  /** Runs once before the rounds; none = no warm-up of its own (e.g. shares another's). */
  warmup: ((label: string) => Promise<unknown>) | undefined;
  run: (label: string) => Promise<T>;
}

/**
 * Like compareRounds for scenarios whose sample is more than a rate (latency percentiles, CPU):
 * every variant warms up once, then each round runs every variant once in rotated order.
 * Returns each variant's samples in round order; `describe` prints a finished run's sample.
 */
export async function alternateRounds<T>(
  scenario: string,
  variants: readonly RoundVariant<T>[],
  rounds: number,
  describe: (sample: T) => string,
): Promise<Map<string, T[]>> {
  for (const v of variants) {
    if (!v.warmup) continue;
    const label = `[${scenario}] warm-up ${v.name}`;
    await v.warmup(label);
    progressDone(`${label}: done`);
  }
  const samples = new Map<string, T[]>(variants.map((v) => [v.name, []]));
  for (let r = 0; r < rounds; r++) {
    const order = variants.map((_, i) => variants[(i + r) % variants.length] as RoundVariant<T>);
    for (const v of order) {
      const label = `[${scenario}] round ${r + 1}/${rounds} ${v.name}`;
      const s = await v.run(label);
      samples.get(v.name)?.push(s);
      progressDone(`${label}: ${describe(s)}`);
    }
  }
  return samples;
}

/** Times one run of a variant, printing progress every second; returns tasks per second. */
async function timed(label: string, v: Variant, timeoutMs: number): Promise<number> {
  const started = performance.now();
  const ticker = setInterval(() => {
    const s = (performance.now() - started) / 1000;
    progress(`${label}: ${v.seen()}/${v.tasks} done, ${s.toFixed(1)} s`);
  }, 1000);
  try {
    await withTimeout(v.run(v.tasks), timeoutMs, `${label} (${v.seen()}/${v.tasks} done)`);
  } finally {
    clearInterval(ticker);
  }
  return v.tasks / ((performance.now() - started) / 1000);
}

export async function compareRounds(
  scenario: string,
  variants: Variant[],
  settings: RunSettings,
  warmupTasks: (v: Variant) => Variant,
): Promise<{ variants: VariantResult[]; ratios: Ratio[] }> {
  for (const v of variants) {
    const w = warmupTasks(v);
    const rate = await timed(`[${scenario}] warm-up ${v.name}`, w, settings.timeoutMs);
    progressDone(`[${scenario}] warm-up ${v.name}: ${rate.toFixed(0)} tasks/s`);
  }
  const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let r = 0; r < settings.rounds; r++) {
    const order = variants.map((_, i) => variants[(i + r) % variants.length] as Variant);
    for (const v of order) {
      const label = `[${scenario}] round ${r + 1}/${settings.rounds} ${v.name}`;
      const rate = await timed(label, v, settings.timeoutMs);
      samples.get(v.name)?.push(rate);
      progressDone(`${label}: ${rate.toFixed(0)} tasks/s`);
    }
  }
  const results = variants.map((v) => {
    const s = samples.get(v.name) ?? [];
    return { name: v.name, samples: s, median: median(s), min: min(s), max: max(s) };
  });
  const [baton, ...baselines] = results;
  const ratios: Ratio[] = baton
    ? baselines.map((b) => {
        const perRound = baton.samples.map((x, i) => x / (b.samples[i] ?? Number.NaN));
        return { baseline: b.name, median: median(perRound), perRound };
      })
    : [];
  return { variants: results, ratios };
}
