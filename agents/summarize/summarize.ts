import { splitSentences } from "./sentences.js";
import { terms } from "./terms.js";
import { textRank, tfidf } from "./textrank.js";

export interface SummaryOptions {
  /** Most sentences to keep; 3 unless `ratio` is given alone. */
  maxSentences?: number;
  /** Keep this fraction of the sentences (rounded up); the smaller limit wins with both. */
  ratio?: number;
}

export interface Summary {
  /** The chosen sentences in their original order, joined by spaces. */
  summary: string;
  /** Indices of the chosen sentences among all sentences, ascending. */
  sentences: number[];
  /** TextRank score of each chosen sentence, aligned with `sentences` (all scores sum to 1). */
  scores: number[];
  /** Sentences found in the text. */
  total: number;
}

export const DEFAULT_MAX_SENTENCES = 3;

/** How many sentences to keep out of `total`: at least 1 (for a non-empty text), at most all. */
export function keepCount(total: number, options: SummaryOptions = {}): number {
  const byRatio = options.ratio === undefined ? Infinity : Math.ceil(options.ratio * total);
  const byMax =
    options.maxSentences ?? (options.ratio === undefined ? DEFAULT_MAX_SENTENCES : Infinity);
  return Math.min(total, Math.max(1, Math.min(byMax, byRatio)));
}

/** Extractive summary: ranks sentences with TextRank and keeps the best, in reading order. */
export function summarize(text: string, options: SummaryOptions = {}): Summary {
  const found = splitSentences(text);
  if (found.length === 0) return { summary: "", sentences: [], scores: [], total: 0 };
  const scores = textRank(tfidf(found.map((sentence) => terms(sentence.text))));
  const chosen = scores
    .map((score, index) => ({ score, index }))
    // Ties go to the earlier sentence, so the result never depends on sort stability.
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, keepCount(found.length, options))
    .sort((a, b) => a.index - b.index);
  return {
    summary: chosen.map((c) => found[c.index]?.text ?? "").join(" "),
    sentences: chosen.map((c) => c.index),
    scores: chosen.map((c) => Math.round(c.score * 1e6) / 1e6),
    total: found.length,
  };
}
