import { defineAgent } from "../../src/sdk/define-agent.js";
import { embed, MODEL } from "./embed.js";
import { embedInput, parseInput } from "./input.js";

export { cosine } from "./embed.js";

export interface EmbedOutput {
  vectors: number[][];
  dims: number;
  model: typeof MODEL;
}

/** Offline, deterministic text vectors by feature hashing of words and character 3-grams. */
export default defineAgent<unknown, EmbedOutput>({
  name: "embed",
  capabilities: ["embed"],
  concurrency: 4,
  inputSchema: embedInput.schema,
  handler: (ctx) => {
    const { texts, dims } = parseInput(ctx.input);
    return { vectors: texts.map((text) => embed(text, dims)), dims, model: MODEL };
  },
});
