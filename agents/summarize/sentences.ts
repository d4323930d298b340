/** One sentence of the source text: whitespace collapsed, with its span in the original. */
export interface Sentence {
  text: string;
  start: number;
  end: number;
}

// A period after these never ends a sentence: they introduce what follows (titles, "vs.").
const LEADING = new Set(
  "mr mrs ms mx dr prof rev hon gen col capt lt sgt gov sen rep st mt ft jr sr messrs vs cf approx al".split(
    " ",
  ),
);
// A period after these does not end a sentence when a number follows ("No. 5", "Jan. 3").
const BEFORE_NUMBER = new Set(
  "no nos fig figs vol p pp ch sec art eq ref jan feb mar apr jun jul aug sep sept oct nov dec".split(
    " ",
  ),
);
// Sentence-final punctuation, closing quotes or brackets, then whitespace or the end.
const TERMINATOR = /[.!?]+["'\u2019\u201d)\]]*(?=\s|$)/gu;
const PARAGRAPH = /\n[ \t]*\n/g;

/** Splits text into sentences; blank lines always end one, so headings stand alone. */
export function splitSentences(text: string): Sentence[] {
  const out: Sentence[] = [];
  let from = 0;
  for (const m of text.matchAll(PARAGRAPH)) {
    splitParagraph(text, from, m.index, out);
    from = m.index + m[0].length;
  }
  splitParagraph(text, from, text.length, out);
  return out;
}

function splitParagraph(text: string, from: number, to: number, out: Sentence[]): void {
  const para = text.slice(from, to);
  let start = 0;
  for (const m of para.matchAll(TERMINATOR)) {
    const end = m.index + m[0].length;
    if (!endsSentence(para, start, m.index, m[0], end)) continue;
    push(text, from + start, from + end, out);
    start = end;
  }
  push(text, from + start, to, out);
}

function endsSentence(para: string, start: number, at: number, mark: string, end: number): boolean {
  const next = /\S/u.exec(para.slice(end))?.[0];
  if (next === undefined) return true;
  // "e.g. this", "approx. three": a lower-case continuation means the period was not final.
  if (/\p{Ll}/u.test(next)) return false;
  if (!mark.startsWith(".") || mark.startsWith("..")) return true;
  const word = /[\p{L}\p{N}.]*$/u.exec(para.slice(start, at))?.[0].toLowerCase() ?? "";
  if (LEADING.has(word)) return false;
  if (BEFORE_NUMBER.has(word) && /\p{N}/u.test(next)) return false;
  // Dotted abbreviations (e.g., i.e., U.S.) and initials ("J. R. R. Tolkien"), except "I".
  if (/^(\p{L}\.)+\p{L}$/u.test(word)) return false;
  if (/^\p{L}$/u.test(word) && word !== "i" && word !== "a") return false;
  return true;
}

function push(text: string, start: number, end: number, out: Sentence[]): void {
  const raw = text.slice(start, end);
  const body = raw.trim().replace(/\s+/gu, " ");
  if (!/[\p{L}\p{N}]/u.test(body)) return; // stray punctuation is not a sentence
  const lead = raw.length - raw.trimStart().length;
  out.push({ text: body, start: start + lead, end: start + raw.trimEnd().length });
}
