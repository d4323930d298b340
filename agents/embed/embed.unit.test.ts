import { describe, expect, it } from "vitest";
import { TerminalError } from "../../src/errors.js";
import { createMockContext } from "../../src/sdk/testing.js";
import { embed, features, MODEL } from "./embed.js";
import { fnv1a32 } from "./hashing.js";
import agent, { cosine, type EmbedOutput } from "./index.js";

const norm = (v: readonly number[]): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe("hashing", () => {
  it("computes FNV-1a 32-bit over UTF-8 (published test vectors)", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
    expect(fnv1a32("é")).toBe(fnv1a32("\u00e9")); // code points, hashed as UTF-8 bytes
  });

  it("extracts words and boundary-marked character 3-grams", () => {
    expect([...features("Hi, hi!")]).toEqual([
      ["w:hi", 2],
      ["c:<hi", 1],
      ["c:hi>", 1],
    ]);
  });
});

describe("embed (core)", () => {
  it("is deterministic, with a pinned value so the model never drifts silently", () => {
    const a = embed("The quick brown fox jumps over the lazy dog", 64);
    expect(embed("The quick brown fox jumps over the lazy dog", 64)).toEqual(a);
    expect(embed("THE  quick brown fox jumps over the lazy dog!", 64)).toEqual(a);
    // Changing these means a new model name: stored vectors would no longer compare.
    expect([a[0], a[8], a[9], a[17]]).toEqual([0.219529, 0.109764, -0.109764, 0.109764]);
  });

  it("returns unit vectors of the requested length, and zeros for a text without words", () => {
    for (const dims of [16, 100, 256, 4096]) {
      const v = embed("Durable task runtime for AI agents", dims);
      expect(v).toHaveLength(dims);
      expect(norm(v)).toBeCloseTo(1, 4);
    }
    expect(embed("  ?! ", 32)).toEqual(new Array<number>(32).fill(0));
  });

  it("puts similar texts closer than unrelated ones", () => {
    const [a, b, c, d] = [
      "The cat sat on the mat.",
      "A cat was sitting on the mat.",
      "Quarterly revenue grew by eight percent.",
      "The kitten sat on a mat",
    ].map((t) => embed(t, 256)) as [number[], number[], number[], number[]];
    expect(cosine(a, b)).toBeGreaterThan(cosine(a, c) + 0.2);
    expect(cosine(a, d)).toBeGreaterThan(cosine(a, c) + 0.2);
    expect(cosine(a, a)).toBeCloseTo(1, 5);
  });

  it("matches misspellings and word forms through character n-grams", () => {
    const base = embed("embedding", 512);
    expect(cosine(base, embed("embeddings", 512))).toBeGreaterThan(0.5);
    expect(cosine(base, embed("embeding", 512))).toBeGreaterThan(0.5);
    expect(cosine(base, embed("embedded", 512))).toBeGreaterThan(0.3);
    expect(cosine(base, embed("giraffe", 512))).toBeLessThan(0.1);
  });

  it("cosine rejects vectors of different lengths and treats zeros as unrelated", () => {
    expect(() => cosine([1, 0], [1, 0, 0])).toThrow(RangeError);
    expect(cosine([0, 0], [1, 0])).toBe(0);
  });
});

describe("embed agent", () => {
  it("embeds a batch with the default dims", async () => {
    const mock = createMockContext({ texts: ["hello world", "hello there"] });
    const out: EmbedOutput = await mock.run(agent.handler);
    expect(out).toMatchObject({ dims: 256, model: MODEL });
    expect(out.vectors).toHaveLength(2);
    expect(out.vectors[0]).toEqual(embed("hello world", 256));
  });

  it("respects dims", async () => {
    const out = await createMockContext({ texts: ["x y z"], dims: 16 }).run(agent.handler);
    expect(out.vectors[0]).toHaveLength(16);
  });

  it.each([
    ["no texts", { texts: [] }, /input\.texts/],
    ["texts not an array", { texts: "one" }, /input\.texts/],
    ["a text not a string", { texts: [1] }, /input\.texts\[0\]/],
    ["257 texts", { texts: Array.from({ length: 257 }, () => "a") }, /input\.texts/],
    ["dims below 16", { texts: ["a"], dims: 8 }, /input\.dims/],
    ["dims above 4096", { texts: ["a"], dims: 8192 }, /input\.dims/],
    ["fractional dims", { texts: ["a"], dims: 64.5 }, /input\.dims/],
    ["unknown field", { texts: ["a"], model: "x" }, /input/],
    ["too many numbers", { texts: Array.from({ length: 256 }, () => "a"), dims: 512 }, /65536/],
  ])("rejects %s without retry", async (_label, input, message) => {
    const run = createMockContext<unknown>(input).run(agent.handler);
    await expect(run).rejects.toBeInstanceOf(TerminalError);
    await expect(run).rejects.toThrow(message);
  });

  it("declares its input schema", () => {
    expect(agent.inputSchema).toMatchObject({ type: "object", required: ["texts"] });
  });
});
