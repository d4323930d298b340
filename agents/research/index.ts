import { TerminalError } from "../../src/errors.js";
import { defineAgent } from "../../src/sdk/define-agent.js";
import type { EmbedOutput } from "../embed/index.js";
import type { Summary } from "../summarize/summarize.js";
import { parseInput, researchInput, researchOutput } from "./input.js";
import { plan, rank, synthesise } from "./program.js";

export { plan, rank, synthesise } from "./program.js";

/** Vector size asked of `embed`: 33 texts x 256 stays far below its limits. */
const DIMS = 256;
const SUMMARY_SENTENCES = 2;

/**
 * Answers a question from documents: plan, summarise each document on a `summarize` peer, embed
 * the question and summaries on an `embed` peer, rank by cosine similarity and cite the best.
 * Every stage is a durable step, so a retry resumes after the last finished one; the children
 * carry idempotency keys from their call names, so a stage cut short finds its children again.
 */
export default defineAgent({
  name: "research",
  capabilities: ["research"],
  concurrency: 4,
  timeout: "5m",
  input: researchInput,
  output: researchOutput,
  handler: async (ctx) => {
    const p = await ctx.step("plan", () => plan(parseInput(ctx.input)));
    await ctx.progress({ stage: "plan", documents: p.documents.length, top: p.top });

    await ctx.progress({ stage: "summarize", documents: p.documents.length });
    // Summaries, not the children's full results, are stored: the next stages need only those.
    const summaries = await ctx.step("summaries", async () => {
      const results = await ctx.delegateAll<Summary>(
        p.documents.map((doc, i) => ({
          capability: "summarize",
          input: { text: doc.text, maxSentences: SUMMARY_SENTENCES },
          options: { name: `summarize-${i}` },
        })),
      );
      return results.map((r) => r.summary);
    });

    await ctx.progress({ stage: "rank" });
    // Vectors are large; the step keeps only the scores.
    const ranked = await ctx.step("rank", async () => {
      const { vectors } = await ctx.delegate<EmbedOutput>(
        "embed",
        { texts: [p.question, ...summaries], dims: DIMS },
        { name: "embed-all" },
      );
      const [questionVector, ...summaryVectors] = vectors;
      if (questionVector === undefined || summaryVectors.length !== summaries.length) {
        throw new TerminalError(
          `embed returned ${vectors.length} vectors for ${summaries.length + 1} texts`,
        );
      }
      const ids = p.documents.map((d) => d.id);
      return rank(ids, summaries, questionVector, summaryVectors);
    });

    await ctx.progress({ stage: "synthesise", top: p.top });
    const answer = await ctx.step("answer", () => synthesise(ranked, p.top));
    await ctx.progress({ stage: "done" });
    return { answer, ranked };
  },
});
