import { TerminalError } from "../../src/errors.js";
import { defineAgent } from "../../src/sdk/define-agent.js";
import { s } from "../../src/sdk/schema.js";
import { sleep } from "../../src/sdk/sleep.js";
import { fakeInfer } from "./infer.js";
import { gpuLatencyMs, gpuResources } from "./resources.js";

export { fakeInfer, tokenize } from "./infer.js";
export { gpuLatencyMs, gpuResources } from "./resources.js";

const resources = gpuResources();
const latencyMs = gpuLatencyMs();

/**
 * A stand-in for a GPU inference server: it advertises GPUs and models in the registry and
 * answers with a deterministic fake after a simulated latency. Placement on task requirements
 * (GPU type, memory, models) arrives with negotiation (issue 4); today any `gpu-infer` agent
 * takes any task from the queue.
 */
export default defineAgent({
  name: "gpu",
  capabilities: ["gpu-infer"],
  // One task per GPU, as a real server would batch or serialise per device.
  concurrency: resources.gpus?.reduce((n, g) => n + g.count, 0) ?? 1,
  resources,
  input: s.object({
    prompt: s.string({ minLength: 1, maxLength: 100_000, description: "Text to run" }),
    model: s.optional(s.string({ minLength: 1, description: "One of the advertised models" })),
  }),
  output: s.object({
    model: s.string(),
    gpu: s.string(),
    text: s.string(),
    promptTokens: s.integer(),
    completionTokens: s.integer(),
  }),
  handler: async (ctx) => {
    const model = ctx.input.model ?? resources.models[0] ?? "";
    if (!resources.models.includes(model)) {
      throw new TerminalError(
        `input.model: "${model}" is not served here (serves ${resources.models.join(", ")})`,
      );
    }
    await sleep(latencyMs, ctx.signal);
    const out = fakeInfer(ctx.input.prompt);
    for (const token of out.tokens) await ctx.emit(token);
    return {
      model,
      gpu: resources.gpus?.[0]?.type ?? "none",
      text: out.text,
      promptTokens: out.promptTokens,
      completionTokens: out.tokens.length,
    };
  },
});
