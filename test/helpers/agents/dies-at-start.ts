import { defineAgent } from "../../../src/sdk/define-agent.js";
import { sleep } from "../../../src/sdk/sleep.js";

/**
 * Test agent for the hand-off kill test: with BATON_TEST_DIE_AT_START=1 the process SIGKILLs
 * itself once the turn that started a handler is over (what it sent by then has left), before any
 * timer can store a deferred claim; otherwise it sleeps `ms` and says which process ran it.
 */
export default defineAgent<{ ms: number }, { pid: number }>({
  name: "fragile",
  capabilities: ["fragile"],
  concurrency: 4,
  handler: async (ctx) => {
    if (process.env.BATON_TEST_DIE_AT_START === "1") {
      setImmediate(() => process.kill(process.pid, "SIGKILL"));
    }
    await sleep(ctx.input.ms, ctx.signal);
    return { pid: process.pid };
  },
});
