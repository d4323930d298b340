/**
 * Latency measurement: an open-loop driver (sends on a fixed schedule, independent of
 * completions) and per-task timestamps. Latency is taken from each task's *scheduled* send time,
 * so a stalled sender or event loop shows up as latency instead of silently sending less
 * (no coordinated omission).
 */
import { percentile } from "./stats.js";

export interface LatencySample {
  /** Offered rate (tasks/s) and the rate completions kept up with (n / first send to last done). */
  offered: number;
  achieved: number;
  /** Scheduled send -> handler start, ms. */
  startP50: number;
  startP99: number;
  /** Scheduled send -> completion seen by the sender, ms. */
  doneP50: number;
  doneP99: number;
}

/** Timestamps of one run of `n` tasks, indexed by the task's sequence number. */
export class LatencyRun {
  readonly scheduled: Float64Array;
  readonly started: Float64Array;
  readonly done: Float64Array;
  readonly finished: Promise<void>;
  sent = 0;
  /** Set by openLoop. */
  offeredRate = Number.NaN;
  private completed = 0;
  private resolve!: () => void;
  private reject!: (err: Error) => void;

  constructor(readonly n: number) {
    this.scheduled = new Float64Array(n).fill(Number.NaN);
    this.started = new Float64Array(n).fill(Number.NaN);
    this.done = new Float64Array(n).fill(Number.NaN);
    this.finished = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A failure before anyone awaits must not be an unhandled rejection.
    this.finished.catch(() => undefined);
  }

  get seen(): number {
    return this.completed;
  }

  markStart(seq: number): void {
    if (seq >= 0 && seq < this.n && Number.isNaN(this.started[seq])) {
      this.started[seq] = performance.now();
    }
  }

  markDone(seq: number): void {
    if (seq < 0 || seq >= this.n || !Number.isNaN(this.done[seq])) return;
    this.done[seq] = performance.now();
    if (++this.completed === this.n) this.resolve();
  }

  fail(seq: number, err: unknown): void {
    this.reject(new Error(`task ${seq}: ${err instanceof Error ? err.message : String(err)}`));
  }

  summary(): LatencySample {
    const startLat: number[] = [];
    const doneLat: number[] = [];
    let first = Infinity;
    let last = -Infinity;
    for (let i = 0; i < this.n; i++) {
      const s = this.scheduled[i] ?? Number.NaN;
      first = Math.min(first, s);
      const st = this.started[i] ?? Number.NaN;
      const d = this.done[i] ?? Number.NaN;
      if (!Number.isNaN(st)) startLat.push(st - s);
      if (!Number.isNaN(d)) {
        doneLat.push(d - s);
        last = Math.max(last, d);
      }
    }
    startLat.sort((a, b) => a - b);
    doneLat.sort((a, b) => a - b);
    return {
      offered: this.offeredRate,
      achieved: last > first ? this.n / ((last - first) / 1000) : Number.NaN,
      startP50: percentile(startLat, 50),
      startP99: percentile(startLat, 99),
      doneP50: percentile(doneLat, 50),
      doneP99: percentile(doneLat, 99),
    };
  }
}

/**
 * Sends task i at t0 + i / rate for i in 0..n-1: a 1 ms timer sends every task that is due
 * (a batch when the timer fires late). Sends are not awaited; a failed send fails the run.
 * Resolves when the last task has been sent.
 */
export function openLoop(
  run: LatencyRun,
  rate: number,
  send: (seq: number) => Promise<unknown>,
): Promise<void> {
  const interval = 1000 / rate;
  run.offeredRate = rate;
  const t0 = performance.now() + 1;
  return new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      while (run.sent < run.n && t0 + run.sent * interval <= now) {
        const seq = run.sent++;
        run.scheduled[seq] = t0 + seq * interval;
        try {
          send(seq).catch((err: unknown) => run.fail(seq, err));
        } catch (err) {
          run.fail(seq, err);
        }
      }
      if (run.sent >= run.n) {
        resolve();
        return;
      }
      const wait = t0 + run.sent * interval - performance.now();
      setTimeout(tick, Math.max(1, Math.floor(wait)));
    };
    setTimeout(tick, 1);
  });
}
