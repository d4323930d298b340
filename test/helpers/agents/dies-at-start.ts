import { defineAgent } from "../../../src/sdk/define-agent.js";
import { sleep } from "../../../src/sdk/sleep.js";

/**
 * Test agent for the hand-off kill test: with BATON_TEST_DIE_AT_START=1 the process SIGKILLs
 * itself 10 ms after a handler starts (what it sent by then has left), before a deferred claim
 * is stored (runningEventDelay, 50 ms); otherwise it sleeps `ms` and says which process ran it.
 */
export default defineAgent<{ ms: number }, { pid: number }>({
  name: "fragile",
  capabilities: ["fragile"],
  concurrency: 4,
  handler: async (ctx) => {
    if (process.env.BATON_TEST_DIE_AT_START === "1") {
      setTimeout(() => process.kill(process.pid, "SIGKILL"), 10);
    }
    await sleep(ctx.input.ms, ctx.signal);
    return { pid: process.pid };
  },
});
