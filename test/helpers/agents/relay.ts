import { defineAgent } from "../../../src/sdk/define-agent.js";

/** Tasks the `flaky` agent has seen fail in this process. */
const failedOnce = new Set<string>();

/** Test agent: a task's first run in this process fails; with one attempt it is dead-lettered. */
export const flaky = defineAgent({
  name: "flaky",
  capabilities: ["flaky"],
  handler: (ctx) => {
    if (!failedOnce.has(ctx.taskId)) {
      failedOnce.add(ctx.taskId);
      throw new Error("fails on its first run, works when replayed");
    }
    return { replayed: true };
  },
});

/**
 * Test agent for the dashboard's browser test: plans in a durable step, reports progress and
 * output, and delegates the work to the `sleep` agent (on another process, over gRPC).
 */
export default defineAgent<{ ms: number; steps?: number }, { slept: number }>({
  name: "relay",
  capabilities: ["relay"],
  handler: async (ctx) => {
    const plan = await ctx.step("plan", () => ({ steps: ctx.input.steps ?? 2 }));
    await ctx.progress({ phase: "delegating", steps: plan.steps });
    await ctx.emit(`handing ${ctx.input.ms} ms of sleep to a peer\n`);
    const child = await ctx.delegate<{ slept: number }>("sleep", {
      ms: ctx.input.ms,
      steps: plan.steps,
    });
    await ctx.emit(`the peer slept ${child.slept} ms\n`);
    await ctx.progress({ phase: "done" });
    return { slept: child.slept };
  },
});
