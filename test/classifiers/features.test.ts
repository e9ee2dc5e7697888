import { describe, expect, it } from "vitest";
import { BIGRAM_MULTIPLIER, FeatureBuffer, bigramHash, extractFeatures, words } from "../../classifiers/features.js";
import { fnv1a32 } from "../../core/hash.js";

/** FNV-1a 32 over UTF-8 bytes with BigInt arithmetic: an independent implementation (same as ours for ASCII). */
function referenceFnv(word: string): number {
  let hash = 0x811c9dc5n;
  for (const byte of Buffer.from(word, "utf8")) hash = ((hash ^ BigInt(byte)) * 0x01000193n) % 2n ** 32n;
  return Number(hash);
}
const referenceBigram = (a: string, b: string) => Number((BigInt(referenceFnv(a)) * BigInt(BIGRAM_MULTIPLIER) + BigInt(referenceFnv(b))) % 2n ** 32n);

describe("hashed features", () => {
  it("matches the published FNV-1a 32-bit test vectors", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
    expect(bigramHash(fnv1a32("the"), fnv1a32("cat"))).toBe(referenceBigram("the", "cat"));
  });

  it("splits on non-letters and lowercases, Unicode included", () => {
    expect(words("Hello, World! ÜBER café-42 x_y")).toEqual(["hello", "world", "über", "café", "42", "x", "y"]);
    expect(words("Привет МИР")).toEqual(["привет", "мир"]);
  });

  it("emits each word and bigram bucket once, in order of first appearance", () => {
    const buckets = 1000;
    const out = new FeatureBuffer();
    const n = extractFeatures("The cat. THE cat the", { buckets, wordNgrams: 2, maxWords: 100 }, out);
    const the = referenceFnv("the") % buckets;
    const cat = referenceFnv("cat") % buckets;
    const theCat = referenceBigram("the", "cat") % buckets;
    const catThe = referenceBigram("cat", "the") % buckets;
    expect(new Set([the, cat, theCat, catThe]).size).toBe(4);
    expect(n).toBe(4);
    expect(Array.from(out.indices.subarray(0, n))).toEqual([the, cat, theCat, catThe]);
  });

  it("honours wordNgrams 1 and maxWords, and is empty for text without words", () => {
    const out = new FeatureBuffer();
    const config = { buckets: 1 << 20, wordNgrams: 1 as const, maxWords: 100 };
    expect(extractFeatures("alpha beta alpha", config, out)).toBe(2);
    expect(Array.from(out.indices.subarray(0, 2))).toEqual([referenceFnv("alpha") % (1 << 20), referenceFnv("beta") % (1 << 20)]);
    const first2 = extractFeatures("one two three four", { ...config, wordNgrams: 2, maxWords: 2 }, out);
    expect(first2).toBe(3); // one, two, "one two"
    expect(extractFeatures(" ... !!! ", config, out)).toBe(0);
  });

  it("adds one range token per text statistic, computed by hand, after the words and pairs", () => {
    const buckets = 1 << 20;
    const out = new FeatureBuffer();
    const text = "Buy cheap 4U, buy cheap!\nBuy cheap now.\nno end";
    const plain = extractFeatures(text, { buckets, wordNgrams: 2, maxWords: 100 }, out);
    const words = Array.from(out.indices.subarray(0, plain));
    const n = extractFeatures(text, { buckets, wordNgrams: 2, maxWords: 100, textStatistics: true }, out);
    expect(Array.from(out.indices.subarray(0, plain))).toEqual(words);
    const token = (name: string, range: number) => referenceFnv(`\u0001${name}:${range}`) % buckets;
    // 10 words: buy cheap 4u buy cheap buy cheap now no end; 46 characters; 3 lines.
    expect(Array.from(out.indices.subarray(plain, n))).toEqual([
      token("distinct_words", 5), // 6 of 10 = 0.6: edges 0.2 … 0.6 reached
      token("top_word", 6), // "buy" 3 of 10 = 0.3: all six edges (up to 0.25) reached
      token("word_length", 1), // 34 letters / 10 = 3.4: only 3 reached
      token("digit_words", 3), // "4u": 0.1 reaches 0.02, 0.05, 0.1
      token("capitalised", 3), // "Buy" twice ("4U" starts with a digit): 0.2
      token("punctuation", 4), // , ! . of 46 characters = 0.065: 0.01 0.02 0.04 0.06
      token("sentence_lines", 3), // 2 of 3 lines end in ! or .: 0.67 reaches 0.1 0.3 0.5
      token("distinct_pairs", 3), // 7 distinct of 9 pairs = 0.78: 0.3 0.5 0.7
    ]);
  });
});
