import type { BatonConnection } from "../nats/connection.js";
import { combineTelemetry, type AgentTelemetry } from "./hooks.js";
import { agentProcessMetrics, metricsTelemetry, type MetricsAgent } from "./metrics.js";
import { tracingTelemetry } from "./trace-telemetry.js";

/** The telemetry an agent runner reports to: tracing and metrics as configured. */
export function agentTelemetry(
  conn: BatonConnection,
  agentId: string,
  agent: MetricsAgent,
): AgentTelemetry {
  // Tracing belongs first: the first part's context wraps the others' (combineTelemetry).
  const parts: AgentTelemetry[] = [];
  const tracing = tracingTelemetry(conn, agentId);
  if (tracing) parts.push(tracing);
  // Always recorded (cheap); served only where the worker has a metrics port.
  parts.push(metricsTelemetry(agentProcessMetrics(), agent));
  return combineTelemetry(parts);
}
