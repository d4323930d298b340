/** Whitespace-separated words: the fake's notion of a token. */
export function tokenize(text: string): string[] {
  return text.split(/\s+/).filter((t) => t.length > 0);
}

/**
 * The fake "model": the prompt reversed by code point (so surrogate pairs stay whole). It is
 * deterministic, so tests and demos can check the answer without a GPU.
 */
export function fakeInfer(prompt: string): {
  text: string;
  promptTokens: number;
  tokens: string[];
} {
  const text = Array.from(prompt).reverse().join("");
  return { text, promptTokens: tokenize(prompt).length, tokens: tokenize(text) };
}
