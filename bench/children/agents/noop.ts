/**
 * A no-op agent for `baton agent` (the scale scenario's drain): capability bench-scale,
 * concurrency from BENCH_AGENT_CONCURRENCY (default 64).
 */
import { defineAgent } from "../../../src/sdk/define-agent.js";

export default defineAgent<unknown>({
  name: "bench-scale",
  capabilities: ["bench-scale"],
  concurrency: Number(process.env.BENCH_AGENT_CONCURRENCY ?? "64"),
  handler: () => null,
});
