/**
 * Prometheus metrics. Every metric name and help text lives in METRICS; agents record theirs
 * through the AgentTelemetry hooks on one registry per process, and the gateway computes the
 * cluster-wide gauges at scrape time (see cluster-metrics.ts). Labels stay bounded: capability,
 * agent name, outcome; never task or agent ids.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { HttpRoute } from "../http/server.js";
import { TaskState, type TaskRecord } from "../types.js";
import type { AgentTelemetry, AttemptEnd, AttemptTelemetry, ClaimVia } from "./hooks.js";

export interface MetricSpec {
  readonly name: string;
  readonly help: string;
}

/** Every metric Baton exports, agent side first, then the gateway's cluster gauges. */
export const METRICS = {
  // Agent processes (GET /metrics on metricsPort).
  tasksInFlight: {
    name: "baton_agent_tasks_in_flight",
    help: "Attempts running in this agent process now.",
  },
  claimLatency: {
    name: "baton_task_claim_latency_seconds",
    help: "Time from a task becoming runnable (submitted, its delay or retry backoff over) to its claim.",
  },
  runDuration: {
    name: "baton_task_run_duration_seconds",
    help: "Duration of one attempt from claim to outcome (succeeded, retry, failed, dead, cancelled, fenced, released).",
  },
  retries: {
    name: "baton_task_retries_total",
    help: "Attempts that failed and scheduled a retry.",
  },
  deadLetters: {
    name: "baton_task_dead_letters_total",
    help: "Tasks this process moved to the dead-letter stream.",
  },
  missedHeartbeats: {
    name: "baton_agent_missed_heartbeats_total",
    help: "Lease renewals that failed; the lease may lapse and the task go to another agent.",
  },
  negotiations: {
    name: "baton_negotiations_total",
    help: "Negotiations (call for bids) this process ran, by outcome: awarded or waiting.",
  },
  negotiationDuration: {
    name: "baton_negotiation_duration_seconds",
    help: "Time a negotiation took from the call for bids to the award or the decision to wait.",
  },
  // The gateway (GET /metrics on its HTTP address), computed from NATS at scrape time.
  queueBacklog: {
    name: "baton_queue_backlog",
    help: "Tasks queued and not yet delivered, per capability and priority band.",
  },
  queueOldestAge: {
    name: "baton_queue_oldest_age_seconds",
    help: "Age of the oldest undelivered task message per capability (0 when none).",
  },
  queueInFlight: {
    name: "baton_queue_in_flight",
    help: "Task messages delivered and not yet acknowledged (running, or waiting for a retry).",
  },
  queueDeadLetters: {
    name: "baton_queue_dead_letters",
    help: "Messages in the dead-letter stream per capability.",
  },
  agentsAlive: {
    name: "baton_agents_alive",
    help: "Agents with a recent heartbeat in the registry, per capability.",
  },
  tasksWaiting: {
    name: "baton_tasks_waiting",
    help: "PENDING tasks waiting for an eligible agent or a concurrency slot, per capability and resource class.",
  },
  tasksWaitingOldest: {
    name: "baton_tasks_waiting_oldest_seconds",
    help: "How long the longest-waiting task of a capability and resource class has waited.",
  },
  clusterStatsUp: {
    name: "baton_cluster_stats_up",
    help: "1 when the gateway read the cluster gauges from NATS on this scrape, 0 when that failed.",
  },
  clusterStatsDuration: {
    name: "baton_cluster_stats_duration_seconds",
    help: "Time the gateway took to read the cluster gauges on this scrape.",
  },
} as const satisfies Record<string, MetricSpec>;

// Buckets sized for queue hops (ms) up to long AI tasks (hours).
const CLAIM_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];
const RUN_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];
const NEGOTIATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** How an attempt ended, as the run duration's `outcome` label says. */
export type RunOutcome =
  "succeeded" | "retry" | "failed" | "dead" | "cancelled" | "fenced" | "released";

export function runOutcome(end: AttemptEnd): RunOutcome {
  if (end.discarded) return end.discarded;
  switch (end.state) {
    case TaskState.Succeeded:
      return "succeeded";
    case TaskState.Pending:
      return "retry";
    case TaskState.Dead:
      return "dead";
    case TaskState.Cancelled:
      return "cancelled";
    case TaskState.Failed:
      return "failed";
    case TaskState.Running:
      // Settled to someone else's attempt: ours did not count.
      return "fenced";
  }
}

/** The agent-side metrics on one registry. */
export interface AgentMetrics {
  readonly registry: Registry;
  readonly inFlight: Gauge<"capability" | "agent">;
  readonly claimLatency: Histogram<"capability" | "via">;
  readonly runDuration: Histogram<"capability" | "outcome">;
  readonly retries: Counter<"capability">;
  readonly deadLetters: Counter<"capability">;
  readonly missedHeartbeats: Counter<"agent">;
  readonly negotiations: Counter<"capability" | "outcome">;
  readonly negotiationDuration: Histogram<"capability" | "outcome">;
}

/** Creates the agent metrics on `registry` (a fresh one by default, as tests want). */
export function createAgentMetrics(registry = new Registry()): AgentMetrics {
  const registers = [registry];
  return {
    registry,
    inFlight: new Gauge({
      ...METRICS.tasksInFlight,
      labelNames: ["capability", "agent"],
      registers,
    }),
    claimLatency: new Histogram({
      ...METRICS.claimLatency,
      labelNames: ["capability", "via"],
      buckets: CLAIM_BUCKETS,
      registers,
    }),
    runDuration: new Histogram({
      ...METRICS.runDuration,
      labelNames: ["capability", "outcome"],
      buckets: RUN_BUCKETS,
      registers,
    }),
    retries: new Counter({ ...METRICS.retries, labelNames: ["capability"], registers }),
    deadLetters: new Counter({ ...METRICS.deadLetters, labelNames: ["capability"], registers }),
    missedHeartbeats: new Counter({
      ...METRICS.missedHeartbeats,
      labelNames: ["agent"],
      registers,
    }),
    negotiations: new Counter({
      ...METRICS.negotiations,
      labelNames: ["capability", "outcome"],
      registers,
    }),
    negotiationDuration: new Histogram({
      ...METRICS.negotiationDuration,
      labelNames: ["capability", "outcome"],
      buckets: NEGOTIATION_BUCKETS,
      registers,
    }),
  };
}

/** prom-client's gauges named *_total, which `promtool check metrics` rejects as counters-only. */
const MISNAMED_DEFAULTS = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

/** Node's process metrics (CPU, memory, event loop, GC) on `registry`. */
export function addProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(name);
}

let processMetrics: AgentMetrics | undefined;

/** The agent metrics of this process (with Node's process metrics), shared by every runner. */
export function agentProcessMetrics(): AgentMetrics {
  if (!processMetrics) {
    const registry = new Registry();
    addProcessMetrics(registry);
    processMetrics = createAgentMetrics(registry);
  }
  return processMetrics;
}

/** What metricsTelemetry needs to know of the agent. */
export interface MetricsAgent {
  /** The definition's name (bounded, unlike agent ids that change with every process). */
  readonly name: string;
  readonly capabilities: readonly string[];
}

/** One attempt's metrics: its run duration and outcome, once. A class, not closures per task. */
class MeasuredAttempt implements AttemptTelemetry {
  private readonly started = performance.now();
  private ended = false;

  constructor(
    private readonly metrics: AgentMetrics,
    private readonly capability: string,
    private readonly agent: string,
  ) {}

  run<T>(fn: () => T): T {
    return fn();
  }

  step<T>(_name: string, _cached: boolean, fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  deadLettered(): void {
    this.metrics.deadLetters.inc({ capability: this.capability });
  }

  end(end: AttemptEnd): void {
    if (this.ended) return;
    this.ended = true;
    const { metrics, capability } = this;
    metrics.inFlight.dec({ capability, agent: this.agent });
    const outcome = runOutcome(end);
    metrics.runDuration.observe({ capability, outcome }, (performance.now() - this.started) / 1000);
    if (outcome === "retry") metrics.retries.inc({ capability });
  }
}

/** The AgentTelemetry hooks recording into `metrics` for one agent runner. */
export function metricsTelemetry(metrics: AgentMetrics, agent: MetricsAgent): AgentTelemetry {
  const name = agent.name;
  // Series exist at 0 from the start, so rate() and increase() see the first event.
  metrics.missedHeartbeats.inc({ agent: name }, 0);
  for (const capability of agent.capabilities) {
    metrics.inFlight.inc({ capability, agent: name }, 0);
    metrics.retries.inc({ capability }, 0);
    metrics.deadLetters.inc({ capability }, 0);
  }
  return {
    negotiated(record, outcome) {
      const labels = {
        capability: record.capability,
        outcome: outcome.placement ? "awarded" : "waiting",
      };
      metrics.negotiations.inc(labels);
      metrics.negotiationDuration.observe(
        labels,
        Math.max(0, Date.now() - outcome.startedAt) / 1000,
      );
    },
    claimed(record: TaskRecord, via: ClaimVia, readyAt?: number): AttemptTelemetry {
      const { capability } = record;
      if (readyAt !== undefined) {
        metrics.claimLatency.observe({ capability, via }, Math.max(0, Date.now() - readyAt) / 1000);
      }
      metrics.inFlight.inc({ capability, agent: name });
      return new MeasuredAttempt(metrics, capability, name);
    },
    deadLettered(record) {
      metrics.deadLetters.inc({ capability: record.capability });
    },
    heartbeat(ok) {
      if (!ok) metrics.missedHeartbeats.inc({ agent: name });
    },
  };
}

/** GET /metrics serving `registry`, after `refresh` (gauges computed at scrape time). */
export function metricsRoute(registry: Registry, refresh?: () => Promise<void>): HttpRoute {
  return {
    method: "GET",
    pattern: "/metrics",
    handler: async () => {
      await refresh?.();
      return {
        text: await registry.metrics(),
        contentType: registry.contentType,
        headers: { "cache-control": "no-store" },
      };
    },
  };
}
