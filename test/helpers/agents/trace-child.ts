import { trace } from "@opentelemetry/api";
import { defineAgent } from "../../../src/sdk/define-agent.js";

/** Tracing test: the delegated child, with a step and a span of the handler's own. */
export default defineAgent<{ n: number }, number>({
  name: "trace-child",
  capabilities: ["trace-double"],
  handler: async (ctx) => {
    const doubled = await ctx.step("double", () => ctx.input.n * 2);
    return trace.getTracer("trace-child").startActiveSpan("handler work", (span) => {
      span.end();
      return doubled;
    });
  },
});
