/** A sentence as a sparse TF-IDF vector of unit length (or empty when it has no terms). */
export interface TermVector {
  ids: Int32Array;
  weights: Float64Array;
}

const DAMPING = 0.85;
const MAX_ITERATIONS = 100;
const TOLERANCE = 1e-9;
const ISOLATED = 1e-12;

/** Unit-length TF-IDF vectors, IDF taken over the sentences of the one document. */
export function tfidf(sentences: readonly (readonly string[])[]): TermVector[] {
  const ids = new Map<string, number>();
  const df: number[] = [];
  const counts = sentences.map((terms) => {
    const tf = new Map<number, number>();
    for (const t of terms) {
      let id = ids.get(t);
      if (id === undefined) ids.set(t, (id = ids.size));
      const seen = tf.get(id);
      if (seen === undefined) df[id] = (df[id] ?? 0) + 1;
      tf.set(id, (seen ?? 0) + 1);
    }
    return tf;
  });
  const n = sentences.length;
  return counts.map((tf) => {
    // Smoothed so a term found in every sentence still links them (weight ln 2, not 0).
    const weights = Float64Array.from(tf, ([id, c]) => c * Math.log(1 + n / (df[id] ?? 1)));
    const norm = Math.sqrt(weights.reduce((sum, w) => sum + w * w, 0)) || 1;
    return { ids: Int32Array.from(tf.keys()), weights: weights.map((w) => w / norm) };
  });
}

/**
 * TextRank: PageRank over the graph whose edge weights are the cosine similarities between
 * sentences. A sentence scores high when it resembles many sentences that score high, i.e. it
 * states what the text keeps coming back to. Scores sum to 1.
 */
export function textRank(vectors: readonly TermVector[]): number[] {
  const n = vectors.length;
  if (n === 0) return [];
  const similar = similarityProduct(vectors);
  const degree = similar(new Float64Array(n).fill(1));
  let scores = new Float64Array(n).fill(1 / n);
  for (let iter = 0; iter < MAX_ITERATIONS; iter++) {
    // Each sentence passes its score on in proportion to similarity; one with no similar
    // sentence spreads its score evenly, so the total stays 1.
    let dangling = 0;
    const share = scores.map((s, i) => {
      const d = degree[i] as number;
      if (d < ISOLATED) dangling += s;
      return d < ISOLATED ? 0 : s / d;
    });
    const passed = similar(share);
    const base = (1 - DAMPING + DAMPING * dangling) / n;
    const next = passed.map((p) => base + DAMPING * Math.max(0, p));
    let delta = 0;
    for (let i = 0; i < n; i++) delta += Math.abs((next[i] as number) - (scores[i] as number));
    scores = next;
    if (delta < TOLERANCE) break;
  }
  return Array.from(scores);
}

/**
 * Returns x -> S x, where S is the sentence similarity matrix without its diagonal. S = V V^T
 * for the matrix V of unit vectors, so S x = V (V^T x) - x costs O(terms) instead of O(n^2):
 * a long text never builds the n-by-n matrix.
 */
function similarityProduct(vectors: readonly TermVector[]): (x: Float64Array) => Float64Array {
  let terms = 0;
  for (const v of vectors) for (const id of v.ids) terms = Math.max(terms, id + 1);
  const self = vectors.map((v) => (v.ids.length === 0 ? 0 : 1));
  return (x) => {
    const t = new Float64Array(terms);
    vectors.forEach((v, j) => {
      const xj = x[j] as number;
      v.ids.forEach((id, k) => (t[id] = (t[id] as number) + (v.weights[k] as number) * xj));
    });
    return Float64Array.from(vectors, (v, i) => {
      let sum = 0;
      v.ids.forEach((id, k) => (sum += (v.weights[k] as number) * (t[id] as number)));
      return sum - (self[i] as number) * (x[i] as number);
    });
  };
}
