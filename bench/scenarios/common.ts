/**
 * What every scenario gets: the harness's brokers, the run settings and the size flags. Each
 * scenario starts its systems, runs them through the shared runner (or counts) and stops them.
 * Systems run in the harness process unless a scenario says otherwise (tracing and scale start
 * child processes); each broker (nats-server, Redis) is its own process.
 */
import type { RunSettings, ScenarioResult, Variant } from "../lib/runner.js";

export interface Context {
  natsUrl: string;
  /** pid of the harness's nats-server, for its CPU time (undefined when it is not running). */
  natsPid: number | undefined;
  redisUrl: string;
  settings: RunSettings;
  tasks: number;
  producers: number;
  workers: number;
  batch: number;
  batchCallers: number;
  costTasks: number;
  /** Latency: offered load levels in percent of the peak. */
  loads: number[];
  /** Latency: the peak in tasks/s; undefined = measure Baton's closed-loop peak first. */
  peak: number | undefined;
  /** Hand-off: calls per round of the bare baselines, ctx.delegate calls per round, callers. */
  handoffCalls: number;
  delegates: number;
  handoffConcurrency: number;
  /** Scale: queued tasks; long-running tasks held by one agent, its lease and window. */
  scaleTasks: number;
  longTasks: number;
  longLease: string;
  longWindow: number;
  stamp: string;
}

export interface Scenario {
  name: string;
  /** One line for --help. */
  summary: string;
  run: (ctx: Context) => Promise<ScenarioResult>;
}

export const warm =
  (n: number) =>
  (v: Variant): Variant => ({ ...v, tasks: Math.min(n, v.tasks) });

export function check(system: { failures?: number }, name: string): void {
  if (system.failures) throw new Error(`${name}: ${system.failures} tasks failed`);
}
