/** The scenarios in the order they run (the numbering). */
import type { Scenario } from "./common.js";
import { cost } from "./cost.js";
import { gateway } from "./gateway.js";
import { handoff } from "./handoff.js";
import { latency } from "./latency.js";
import { scale } from "./scale.js";
import { throughput } from "./throughput.js";
import { tracing } from "./tracing.js";

export type { Context, Scenario } from "./common.js";

export const SCENARIOS: Scenario[] = [throughput, gateway, latency, handoff, tracing, scale, cost];
