/**
 * The gateway's cluster-wide gauges, read from NATS when Prometheus scrapes: queues (backlog,
 * oldest age, in flight, dead letters) per capability, live agents per capability, and waiting
 * tasks per resource class.
 */
import { Gauge, Registry } from "prom-client";
import type { BatonClient } from "../client/client.js";
import type { Logger } from "./logger.js";
import { addProcessMetrics, METRICS } from "./metrics.js";
import { PRIORITIES } from "../types.js";

/** Resource-class series kept per scrape; the rest are summed under OTHER_CLASS. */
export const MAX_WAITING_SERIES = 50;
export const OTHER_CLASS = "other";

/** What the gauges are read from: a BatonClient. */
export type ClusterSource = Pick<BatonClient, "queueStats" | "listAgents" | "demand">;

export class ClusterMetrics {
  readonly registry = new Registry();
  private readonly backlog: Gauge<"capability" | "priority">;
  private readonly oldestAge: Gauge<"capability">;
  private readonly inFlight: Gauge<"capability">;
  private readonly deadLetters: Gauge<"capability">;
  private readonly agentsAlive: Gauge<"capability">;
  private readonly waiting: Gauge<"capability" | "resource_class">;
  private readonly waitingOldest: Gauge<"capability" | "resource_class">;
  private readonly up: Gauge;
  private readonly duration: Gauge;
  private running: Promise<void> | undefined;

  constructor(
    private readonly client: ClusterSource,
    private readonly logger: Logger,
    private readonly maxWaitingSeries = MAX_WAITING_SERIES,
  ) {
    addProcessMetrics(this.registry);
    const registers = [this.registry];
    const perCapability = { labelNames: ["capability"] as const, registers };
    this.backlog = new Gauge({
      ...METRICS.queueBacklog,
      labelNames: ["capability", "priority"],
      registers,
    });
    this.oldestAge = new Gauge({ ...METRICS.queueOldestAge, ...perCapability });
    this.inFlight = new Gauge({ ...METRICS.queueInFlight, ...perCapability });
    this.deadLetters = new Gauge({ ...METRICS.queueDeadLetters, ...perCapability });
    this.agentsAlive = new Gauge({ ...METRICS.agentsAlive, ...perCapability });
    const perClass = { labelNames: ["capability", "resource_class"] as const, registers };
    this.waiting = new Gauge({ ...METRICS.tasksWaiting, ...perClass });
    this.waitingOldest = new Gauge({ ...METRICS.tasksWaitingOldest, ...perClass });
    this.up = new Gauge({ ...METRICS.clusterStatsUp, registers });
    this.duration = new Gauge({ ...METRICS.clusterStatsDuration, registers });
  }

  /** Reads the cluster state into the gauges; concurrent scrapes share one read. */
  refresh(): Promise<void> {
    this.running ??= this.read().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async read(): Promise<void> {
    const started = performance.now();
    const gauges = [
      this.backlog,
      this.oldestAge,
      this.inFlight,
      this.deadLetters,
      this.agentsAlive,
      this.waiting,
      this.waitingOldest,
    ];
    try {
      const [stats, agents, demand] = await Promise.all([
        this.client.queueStats(),
        this.client.listAgents(),
        this.client.demand(),
      ]);
      // A capability or class that went away must not linger with its old values.
      for (const g of gauges) g.reset();
      const alive = new Map<string, number>(stats.map((s) => [s.capability, 0]));
      for (const a of agents) {
        for (const c of a.capabilities) alive.set(c, (alive.get(c) ?? 0) + 1);
      }
      for (const s of stats) {
        const capability = s.capability;
        for (const priority of PRIORITIES) {
          this.backlog.set({ capability, priority }, s.backlogByPriority[priority]);
        }
        this.oldestAge.set({ capability }, (s.oldestAgeMs ?? 0) / 1000);
        this.inFlight.set({ capability }, s.inFlight);
        this.deadLetters.set({ capability }, s.deadLetters);
      }
      for (const [capability, n] of alive) this.agentsAlive.set({ capability }, n);
      const now = Date.now();
      // demand() is sorted by waiting count: the biggest groups keep their own series.
      const groups = new Map<
        string,
        { capability: string; cls: string; n: number; since: number }
      >();
      demand.forEach((d, i) => {
        const cls = i < this.maxWaitingSeries ? d.resourceClass : OTHER_CLASS;
        const key = `${d.capability}\u0000${cls}`;
        const g = groups.get(key);
        if (g) {
          g.n += d.waiting;
          g.since = Math.min(g.since, d.oldestSince);
        } else
          groups.set(key, { capability: d.capability, cls, n: d.waiting, since: d.oldestSince });
      });
      for (const g of groups.values()) {
        const labels = { capability: g.capability, resource_class: g.cls };
        this.waiting.set(labels, g.n);
        this.waitingOldest.set(labels, Math.max(0, now - g.since) / 1000);
      }
      this.up.set(1);
    } catch (err) {
      for (const g of gauges) g.reset();
      this.up.set(0);
      this.logger.warn({ err }, "cluster metrics not read");
    } finally {
      this.duration.set((performance.now() - started) / 1000);
    }
  }
}
