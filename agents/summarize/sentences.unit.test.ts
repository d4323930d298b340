import { describe, expect, it } from "vitest";
import { splitSentences } from "./sentences.js";
import { stem, terms } from "./terms.js";

const texts = (text: string): string[] => splitSentences(text).map((s) => s.text);

describe("splitSentences", () => {
  it("splits on . ! ? and keeps closing quotes with their sentence", () => {
    expect(texts('It rained. Did it stop? No! He said "enough." Then he left.')).toEqual([
      "It rained.",
      "Did it stop?",
      "No!",
      'He said "enough."',
      "Then he left.",
    ]);
  });

  it("does not split after abbreviations, initials, dotted acronyms or inside decimals", () => {
    expect(
      texts(
        "Dr. Smith measured 3.14 cm, e.g. in the lab. She met J. R. R. Tolkien in the U.S. " +
          "last year. See Fig. 2 and No. 5 for details. Prices fell vs. last year.",
      ),
    ).toEqual([
      "Dr. Smith measured 3.14 cm, e.g. in the lab.",
      "She met J. R. R. Tolkien in the U.S. last year.",
      "See Fig. 2 and No. 5 for details.",
      "Prices fell vs. last year.",
    ]);
  });

  it("still ends a sentence at an ordinary word that looks like an abbreviation", () => {
    expect(texts("She said no. The vote failed. So did I. Then we left.")).toEqual([
      "She said no.",
      "The vote failed.",
      "So did I.",
      "Then we left.",
    ]);
  });

  it("treats blank lines as boundaries, collapses whitespace and keeps offsets", () => {
    const text = "Title line\n\n  First   sentence\nwraps here. Second one";
    const found = splitSentences(text);
    expect(found.map((s) => s.text)).toEqual([
      "Title line",
      "First sentence wraps here.",
      "Second one",
    ]);
    const second = found[1];
    expect(second && text.slice(second.start, second.end)).toBe("First   sentence\nwraps here.");
  });

  it("handles CRLF, ellipses and stray punctuation", () => {
    expect(texts("Wait... What?\r\n\r\nOK.\r\n ... !")).toEqual(["Wait...", "What?", "OK."]);
    expect(texts("   ")).toEqual([]);
  });
});

describe("terms", () => {
  it("drops stop words and one-letter words, folds plurals and possessives", () => {
    expect(terms("The bees' colonies and a queen's nest: it is 2 glasses of honey")).toEqual([
      "bee",
      "colony",
      "queen",
      "nest",
      "glass",
      "honey",
    ]);
    expect(stem("status")).toBe("status");
    expect(stem("analysis")).toBe("analysis");
  });
});
