/**
 * The shared runner: a scenario hands it variants (Baton first, then its baselines); each round
 * runs every variant once, in an order rotated round by round so position and drift (JIT, a
 * growing store) fall on all alike. Reported per variant: median, min and max over rounds; per
 * baseline: Baton / baseline as the median of the per-round ratios.
 */
import { max, median, min, withTimeout } from "./stats.js";

export interface Variant {
  name: string;
  /** Tasks one run completes (the rate is tasks / wall time of the run). */
  tasks: number;
  run: () => Promise<void>;
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

export interface Ratio {
  baseline: string;
  /** Median of the per-round ratios Baton / baseline. */
  median: number;
  perRound: number[];
  goal?: number;
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

/** Times one run of a variant, printing progress every second; returns tasks per second. */
async function timed(label: string, v: Variant, timeoutMs: number): Promise<number> {
  const started = performance.now();
  const ticker = setInterval(() => {
    const s = (performance.now() - started) / 1000;
    progress(`${label}: ${v.seen()}/${v.tasks} done, ${s.toFixed(1)} s`);
  }, 1000);
  try {
    await withTimeout(v.run(), timeoutMs, `${label} (${v.seen()}/${v.tasks} done)`);
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
