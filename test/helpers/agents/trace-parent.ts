import { defineAgent } from "../../../src/sdk/define-agent.js";

/** Tracing test: a step, then a sub-task that a peer process runs (ctx.delegate's hand-off). */
export default defineAgent<{ n: number }, number>({
  name: "trace-parent",
  capabilities: ["trace-parent"],
  handler: async (ctx) => {
    const half = await ctx.step("halve", () => ctx.input.n / 2);
    return ctx.delegate<number>("trace-double", { n: half });
  },
});
