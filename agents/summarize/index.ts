import { TerminalError } from "../../src/errors.js";
import { defineAgent } from "../../src/sdk/define-agent.js";
import { parseInput, summarizeInput } from "./input.js";
import { summarize, type Summary } from "./summarize.js";

/** Offline extractive summarisation: picks the most central sentences with TextRank. */
export default defineAgent<unknown, Summary>({
  name: "summarize",
  capabilities: ["summarize"],
  concurrency: 4,
  inputSchema: summarizeInput.schema,
  handler: (ctx) => {
    const input = parseInput(ctx.input);
    const result = summarize(input.text, input);
    if (result.total === 0) throw new TerminalError("input.text: contains no sentences");
    ctx.log.debug({ total: result.total, kept: result.sentences.length }, "summarised");
    return result;
  },
});
