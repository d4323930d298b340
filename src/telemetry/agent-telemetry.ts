import type { BatonConnection } from "../nats/connection.js";
import { NO_TELEMETRY, type AgentTelemetry } from "./hooks.js";

/** The telemetry an agent runner reports to: tracing and metrics as configured. */
export function agentTelemetry(_conn: BatonConnection, _agentId: string): AgentTelemetry {
  return NO_TELEMETRY;
}
