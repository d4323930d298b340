import { TerminalError } from "../../src/errors.js";
import { cosine } from "../embed/index.js";
import { DEFAULT_TOP, type Ranked, type ResearchInput } from "./input.js";

// A type alias, not an interface, so it is assignable to JsonValue for ctx.step.
export type Plan = {
  question: string;
  documents: { id: string; text: string }[];
  top: number;
};

const WORDY = /[\p{L}\p{N}]/u;

function clean(text: string): string {
  // Keep blank lines: summarize treats them as paragraph breaks.
  return text
    .replace(/\r\n?/g, "\n")
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, " ").trim())
    .filter((p) => p.length > 0)
    .join("\n\n");
}

/**
 * Cleans the question and documents. Documents without a letter or digit are dropped (summarize
 * would fail on them for good); duplicate ids are refused because citations must be unambiguous.
 */
export function plan(input: ResearchInput): Plan {
  const question = clean(input.question);
  if (!WORDY.test(question)) throw new TerminalError("input.question: contains no words");
  const seen = new Set<string>();
  const documents: Plan["documents"] = [];
  for (const [i, doc] of input.documents.entries()) {
    const id = doc.id.trim();
    if (id.length === 0) throw new TerminalError(`input.documents[${i}].id: is blank`);
    if (seen.has(id)) throw new TerminalError(`input.documents[${i}].id: "${id}" is used twice`);
    seen.add(id);
    const text = clean(doc.text);
    if (WORDY.test(text)) documents.push({ id, text });
  }
  if (documents.length === 0) throw new TerminalError("input.documents: none contains words");
  return { question, documents, top: Math.min(input.top ?? DEFAULT_TOP, documents.length) };
}

/** Documents by cosine similarity of their summary vector to the question vector, best first. */
export function rank(
  ids: readonly string[],
  summaries: readonly string[],
  questionVector: readonly number[],
  summaryVectors: readonly (readonly number[])[],
): Ranked[] {
  return ids
    .map((id, i) => ({
      id,
      score: Math.round(cosine(questionVector, summaryVectors[i] ?? []) * 1e6) / 1e6,
      summary: summaries[i] ?? "",
      index: i,
    }))
    .sort((a, b) => b.score - a.score || a.index - b.index) // ties keep input order
    .map(({ id, score, summary }) => ({ id, score, summary }));
}

/** The answer: the best `top` summaries, each followed by its citation. */
export function synthesise(ranked: readonly Ranked[], top: number): string {
  return ranked
    .slice(0, top)
    .map((r) => `${r.summary} [${r.id}]`)
    .join(" ");
}
