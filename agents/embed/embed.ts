import { fnv1a32, mix32 } from "./hashing.js";

export const MODEL = "hashed-ngrams-v1";

const WORD = /[\p{L}\p{N}]+(?:['\u2019][\p{L}]+)*/gu;
const NGRAM = 3;
// Whole words say most about meaning; the n-grams of a word add spelling and morphology.
const WORD_WEIGHT = 1;
const NGRAM_WEIGHT = 0.5;

/** Weighted features of a text: its words, and the character 3-grams of each "<word>". */
export function features(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const add = (key: string, weight: number): void => {
    out.set(key, (out.get(key) ?? 0) + weight);
  };
  for (const [word] of text.normalize("NFKC").toLowerCase().matchAll(WORD)) {
    add(`w:${word}`, WORD_WEIGHT);
    const chars = Array.from(`<${word}>`); // code points, so n-grams never split a surrogate pair
    for (let i = 0; i + NGRAM <= chars.length; i++) {
      add(`c:${chars.slice(i, i + NGRAM).join("")}`, NGRAM_WEIGHT);
    }
  }
  return out;
}

/**
 * Feature hashing: each feature adds its weight, with a sign from its hash, to bucket
 * `hash % dims`. Signs make collisions cancel out on average instead of piling up. The vector is
 * L2-normalised (all zeros for a text without words) and rounded to 6 decimals.
 */
export function embed(text: string, dims: number): number[] {
  const v = new Float64Array(dims);
  for (const [feature, weight] of features(text)) {
    const h = fnv1a32(feature);
    const bucket = h % dims;
    v[bucket] = (v[bucket] as number) + (mix32(h) & 1 ? -weight : weight);
  }
  const norm = Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
  // `+ 0` turns -0 into 0, so equal vectors serialise equally.
  return Array.from(v, (x) => (norm === 0 ? 0 : Math.round((x / norm) * 1e6) / 1e6 + 0));
}

/** Cosine similarity; 0 when either vector is all zeros. */
export function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length)
    throw new RangeError(`vector lengths differ: ${a.length}, ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
