import { defineAgent } from "../../../src/sdk/define-agent.js";

/**
 * Test agent for the fan-out fault test: delegates `n` children to the sleep agent (`ms` each),
 * `concurrency` at a time, and returns how many it got back.
 */
export default defineAgent<{ n: number; ms: number; concurrency: number }, { children: number }>({
  name: "fan-out",
  capabilities: ["fan-out"],
  handler: async (ctx) => {
    const { n, ms, concurrency } = ctx.input;
    const calls = Array.from({ length: n }, () => ({ capability: "sleep", input: { ms } }));
    const results = await ctx.delegateAll(calls, { concurrency });
    return { children: results.length };
  },
});
