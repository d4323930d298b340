import { describe, expect, it } from "vitest";
import { TerminalError } from "../../src/errors.js";
import { createMockContext } from "../../src/sdk/testing.js";
import type { JsonValue } from "../../src/types.js";
import { embed } from "../embed/embed.js";
import { summarize } from "../summarize/summarize.js";
import { DOCUMENTS, QUESTION } from "./fixtures.js";
import agent, { plan, rank, synthesise } from "./index.js";
import type { ResearchInput, ResearchOutput } from "./input.js";

/** Stands in for the peers with the real pure functions of summarize and embed. */
function peers(capability: string, input: JsonValue): Promise<unknown> {
  const i = input as Record<string, unknown>;
  if (capability === "summarize") {
    return Promise.resolve(summarize(i.text as string, { maxSentences: i.maxSentences as number }));
  }
  if (capability === "embed") {
    const dims = i.dims as number;
    return Promise.resolve({ vectors: (i.texts as string[]).map((t) => embed(t, dims)), dims });
  }
  return Promise.reject(new Error(`no peer for ${capability}`));
}

const input: ResearchInput = { question: QUESTION, documents: DOCUMENTS, top: 2 };

describe("research (pure stages)", () => {
  it("plans: cleans whitespace, drops wordless documents, caps top", () => {
    const p = plan({
      question: "  what   is it? ",
      documents: [
        { id: " a ", text: "One  line.\r\n\r\n  Two\tlines." },
        { id: "b", text: "... !!!" },
      ],
    });
    expect(p).toEqual({
      question: "what is it?",
      documents: [{ id: "a", text: "One line.\n\nTwo lines." }],
      top: 1,
    });
  });

  it("refuses duplicate ids and documents without any words", () => {
    const twice = { id: "x", text: "Some text." };
    expect(() => plan({ question: "q", documents: [twice, twice] })).toThrow(/used twice/);
    expect(() => plan({ question: "q", documents: [{ id: "x", text: "--" }] })).toThrow(
      TerminalError,
    );
  });

  it("ranks by cosine, ties in input order, and cites the top summaries", () => {
    const ranked = rank(
      ["a", "b", "c"],
      ["sa", "sb", "sc"],
      [1, 0],
      [
        [0, 1],
        [1, 0],
        [0, 1],
      ],
    );
    expect(ranked.map((r) => [r.id, r.score])).toEqual([
      ["b", 1],
      ["a", 0],
      ["c", 0],
    ]);
    expect(synthesise(ranked, 2)).toBe("sb [b] sa [a]");
  });
});

describe("research (handler)", () => {
  it("fans out to summarize and embed and ranks the relevant document first", async () => {
    const mock = createMockContext(input, { delegate: peers });
    const out: ResearchOutput = await mock.run(agent.handler);
    expect(out.ranked.map((r) => r.id)[0]).toBe("jetstream");
    expect(out.ranked).toHaveLength(3);
    expect(out.ranked[0]?.score).toBeGreaterThan(out.ranked[1]?.score ?? 1);
    const [first, second] = out.ranked;
    expect(out.answer).toBe(`${first?.summary} [jetstream] ${second?.summary} [${second?.id}]`);
    expect(out.answer).toMatch(/^A stream stores messages durably/);
    expect(mock.delegations.map((d) => d.capability)).toEqual([
      "summarize",
      "summarize",
      "summarize",
      "embed",
    ]);
    expect(mock.delegations[0]?.input).toEqual({ text: DOCUMENTS[0]?.text, maxSentences: 2 });
    expect(mock.progressEvents.map((e) => (e as { stage: string }).stage)).toEqual([
      "plan",
      "summarize",
      "rank",
      "synthesise",
      "done",
    ]);
  });

  it("resumes after a failure in synthesis without running finished steps again", async () => {
    const mock = createMockContext(input, { delegate: peers });
    // Fail the first attempt once it reaches the synthesis stage.
    const progress = mock.progress.bind(mock);
    mock.progress = async (value) => {
      if (mock.attempt === 1 && (value as { stage?: string }).stage === "synthesise") {
        throw new Error("worker lost mid-synthesis");
      }
      await progress(value);
    };
    await expect(mock.run(agent.handler)).rejects.toThrow(/mid-synthesis/);
    expect(mock.ranSteps).toEqual(["plan", "summaries", "rank"]);

    mock.retry();
    const out = await mock.run(agent.handler);
    expect(out.ranked[0]?.id).toBe("jetstream");
    expect(mock.ranSteps).toEqual(["plan", "summaries", "rank", "answer"]);
    // The peers were asked once: the second attempt replayed the stored stages.
    expect(mock.delegations).toHaveLength(DOCUMENTS.length + 1);
  });

  it("fails for good on input that skipped the submit checks", async () => {
    const mock = createMockContext(
      { question: "q", documents: [] },
      {
        delegate: peers,
      },
    );
    await expect(mock.run(agent.handler)).rejects.toThrow(TerminalError);
  });
});
