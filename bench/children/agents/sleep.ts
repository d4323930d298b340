/**
 * A long-running agent for `baton agent` (the scale scenario's heartbeat part): capability
 * bench-sleep, concurrency from BENCH_AGENT_CONCURRENCY; each handler holds its task until the
 * task is aborted (shutdown, cancel, lost lease) or BENCH_HOLD_MS (default 1 h) has passed.
 */
import { defineAgent } from "../../../src/sdk/define-agent.js";

const HOLD_MS = Number(process.env.BENCH_HOLD_MS ?? "3600000");

export default defineAgent<unknown>({
  name: "bench-sleep",
  capabilities: ["bench-sleep"],
  concurrency: Number(process.env.BENCH_AGENT_CONCURRENCY ?? "1000"),
  handler: (ctx) =>
    new Promise<null>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve(null);
      };
      const timer = setTimeout(done, HOLD_MS);
      ctx.signal.addEventListener("abort", done, { once: true });
    }),
});
