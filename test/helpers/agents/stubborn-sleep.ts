import { setTimeout as delay } from "node:timers/promises";
import { defineAgent } from "../../../src/sdk/define-agent.js";

/**
 * Test agent for the zombie fault test: sleeps `ms` and ignores its abort signal, the way a
 * handler stuck in a non-cancellable call would, so a fenced owner really comes back with a
 * late result that the runtime must reject. Returns who produced the result.
 */
export default defineAgent<{ ms: number }, { slept: number; pid: number }>({
  name: "stubborn",
  capabilities: ["stubborn"],
  concurrency: 4,
  handler: async (ctx) => {
    await delay(ctx.input.ms);
    return { slept: ctx.input.ms, pid: process.pid };
  },
});
