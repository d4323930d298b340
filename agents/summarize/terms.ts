// Small English stop-word list: words too common to say what a sentence is about.
const STOP_WORDS = new Set(
  `a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each even few for from
further had has have having he her here hers herself him himself his how however i if in into is
it its itself just like many may me might more most much must my myself no nor not now of off on
once one only or other our ours ourselves out over own per same she should so some such than that
the their theirs them themselves then there these they this those through thus to too under until
up upon us very via was we were what when where which while who whom why will with within without
would yet you your yours yourself yourselves`.split(/\s+/u),
);

const WORD = /[\p{L}\p{N}]+(?:['\u2019][\p{L}]+)*/gu;

/** Lower-cased words in reading order (letters and digits, inner apostrophes kept). */
export function words(text: string): string[] {
  return Array.from(text.normalize("NFKC").toLowerCase().matchAll(WORD), (m) => m[0]);
}

/** The words that carry meaning: stop words and one-letter words dropped, plurals folded. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) {
    const t = stem(w);
    if (t.length > 1 && !STOP_WORDS.has(t) && !STOP_WORDS.has(w)) out.push(t);
  }
  return out;
}

/** A deliberately light stemmer: enough to match "colonies"/"colony" and "bees"/"bee". */
export function stem(word: string): string {
  const w = word.replace(/['\u2019]s$/u, "");
  if (w.length > 4 && w.endsWith("ies")) return `${w.slice(0, -3)}y`;
  if (/(ss|x|ch|sh)es$/u.test(w)) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith("s") && !/(ss|us|is)$/u.test(w)) return w.slice(0, -1);
  return w;
}
