import type { BatonClient } from "../client/client.js";
import type { QueueStats } from "../registry/queue-stats.js";
import type { Logger } from "../telemetry/logger.js";
import { CompletionCounter } from "./completions.js";

export interface QueueSample {
  time: number;
  backlog: number;
  inFlight: number;
  /** Tasks that reached a terminal state per second since the previous sample. */
  throughput: number;
}

export interface QueueSamplerOptions {
  /** Default 5 s. */
  intervalMs?: number;
  /** Samples kept per capability (default 360: 30 minutes at 5 s). */
  size?: number;
}

/** Backlog, in-flight and throughput per capability over time, in memory and bounded. */
export class QueueSampler {
  readonly intervalMs: number;
  private readonly size: number;
  private readonly history = new Map<string, QueueSample[]>();
  private readonly completions: CompletionCounter;
  private readonly timer: NodeJS.Timeout;
  private last = Date.now();
  private running = false;

  constructor(
    private readonly client: BatonClient,
    private readonly logger: Logger,
    options: QueueSamplerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 5_000;
    this.size = options.size ?? 360;
    this.completions = new CompletionCounter(client.connection);
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    // The sampler serves the dashboard; it must never keep a process alive on its own.
    this.timer.unref();
  }

  /** Takes one sample now (skipped while the previous one is still reading). */
  async sample(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const stats: QueueStats[] = await this.client.queueStats();
      const now = Date.now();
      const seconds = Math.max(0.001, (now - this.last) / 1000);
      this.last = now;
      const finished = this.completions.take();
      for (const s of stats) {
        const samples = this.history.get(s.capability) ?? [];
        samples.push({
          time: now,
          backlog: s.backlog,
          inFlight: s.inFlight,
          throughput: (finished.get(s.capability) ?? 0) / seconds,
        });
        if (samples.length > this.size) samples.splice(0, samples.length - this.size);
        this.history.set(s.capability, samples);
      }
    } catch (err) {
      this.logger.debug({ err }, "queue sample failed");
    } finally {
      this.running = false;
    }
  }

  /** Samples per capability, oldest first. */
  snapshot(): Record<string, QueueSample[]> {
    return Object.fromEntries([...this.history].map(([c, s]) => [c, [...s]]));
  }

  stop(): void {
    clearInterval(this.timer);
    this.completions.stop();
  }
}
