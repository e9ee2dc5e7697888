import { describe, expect, it } from "vitest";
import { candidateProbability, suggestBandsRows } from "../../../stages/dedup/cli.js";
import { estimatedJaccard, forEachShingle, hashString64, MinHasher, normalizeText } from "../../../stages/dedup/hash.js";
import { rng, variant, words } from "./corpus.js";

const params = { bands: 14, rows: 8, seed: 1, unit: "word" as const, size: 5 };

function shingleHashes(text: string, size = 5): string[] {
  const out: string[] = [];
  forEachShingle(text, { unit: "word", size }, (lo, hi) => out.push(`${hi}:${lo}`));
  return out;
}

describe("normalisation", () => {
  it("lower-cases, strips accents and punctuation, maps digits to 0", () => {
    expect(normalizeText("Héllo, WORLD! Ça coûte 42,50 €.")).toBe("hello world ca coute 0000");
    expect(normalizeText("  don't\tstop—now  ")).toBe("dont stopnow");
    expect(normalizeText("Ünïcödé ñ 2024-01-05")).toBe("unicode n 00000000");
    expect(normalizeText("...!!!")).toBe("");
  });

  it("gives the same shingles to texts that normalise alike", () => {
    expect(shingleHashes("Héllo, World! The year 1999 was good.")).toEqual(shingleHashes("hello world   the YEAR 2024 was good"));
    expect(shingleHashes("hello world the year was good")).not.toEqual(shingleHashes("hello world the year was bad"));
  });

  it("counts word 5-grams: n - 4 shingles, one for shorter texts, none without words", () => {
    expect(shingleHashes("a b c d e f g")).toHaveLength(3);
    expect(shingleHashes("a b c")).toHaveLength(1);
    expect(shingleHashes("?!")).toHaveLength(0);
    // the 5-gram "c d e f g" hashes the same wherever it occurs
    expect(shingleHashes("a b c d e f g")[2]).toBe(shingleHashes("c d e f g")[0]);
    // word order matters; the hash is not a bag of words
    expect(shingleHashes("a b c d e")[0]).not.toBe(shingleHashes("e d c b a")[0]);
  });

  it("hashes strings to 64 bits in two unsigned lanes", () => {
    const [lo, hi] = hashString64("hello");
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(2 ** 32);
    expect(hashString64("hello")).toEqual([lo, hi]);
    expect(hashString64("hellp")).not.toEqual([lo, hi]);
  });
});

describe("MinHash", () => {
  it("computes the same signature with the SIMD kernel and the plain loop", () => {
    const hasher = new MinHasher(params);
    expect(hasher.simd).toBe(true);
    const random = rng(7);
    const a = new Uint32Array(112);
    const b = new Uint32Array(112);
    for (const n of [1, 3, 5, 6, 100, 5000]) {
      const text = words(random, n).join(" ");
      expect(hasher.signature(text, a)).toBe(hasher.signatureScalar(text, b));
      expect([...a]).toEqual([...b]);
    }
    // permutation counts that are not a multiple of the SIMD width of 8
    const odd = new MinHasher({ ...params, bands: 3, rows: 3 });
    const text = words(random, 300).join(" ");
    const x = new Uint32Array(9);
    const y = new Uint32Array(9);
    odd.signature(text, x);
    odd.signatureScalar(text, y);
    expect([...x]).toEqual([...y]);
  });

  it("value i is the minimum over shingles of (A_i lo + B_i hi + C_i) mod 2^32", () => {
    const hasher = new MinHasher({ ...params, bands: 1, rows: 2 });
    const text = "one two three four five six seven";
    const sig = new Uint32Array(2);
    hasher.signature(text, sig);
    const coef = hasher as unknown as { a: Int32Array; b: Int32Array; c: Int32Array };
    const expected = [Infinity, Infinity];
    forEachShingle(text, params, (lo, hi) => {
      for (let i = 0; i < 2; i++) {
        const v = Number((BigInt(coef.a[i]! >>> 0) * BigInt(lo) + BigInt(coef.b[i]! >>> 0) * BigInt(hi) + BigInt(coef.c[i]! >>> 0)) % 2n ** 32n);
        expected[i] = Math.min(expected[i]!, v);
      }
    });
    expect([...sig]).toEqual(expected);
  });

  it("estimates Jaccard without bias (mean over 300 pairs near J = 0.5)", () => {
    const hasher = new MinHasher(params);
    const random = rng(11);
    let signedError = 0;
    const pairs = 300;
    for (let p = 0; p < pairs; p++) {
      const base = words(random, 200);
      const other = variant(base, 6, random);
      const set = (w: string[]) => new Set(Array.from({ length: w.length - 4 }, (_, i) => w.slice(i, i + 5).join(" ")));
      const [sa, sb] = [set(base), set(other)];
      const shared = [...sa].filter((s) => sb.has(s)).length;
      const truth = shared / (sa.size + sb.size - shared);
      const a = new Uint32Array(112);
      const b = new Uint32Array(112);
      hasher.signature(base.join(" "), a);
      hasher.signature(other.join(" "), b);
      signedError += estimatedJaccard(a, b) - truth;
    }
    // standard error of the mean: sqrt(J(1-J)/112)/sqrt(300) ~ 0.0027
    expect(Math.abs(signedError / pairs)).toBeLessThan(0.01);
  });
});

describe("S-curve", () => {
  it("P(candidate) = 1 - (1 - J^r)^b", () => {
    expect(candidateProbability(0.8, 14, 8)).toBeCloseTo(1 - (1 - 0.16777216) ** 14, 12);
    expect(candidateProbability(0.8, 14, 8)).toBeCloseTo(0.9235, 4);
    expect(candidateProbability(0.5, 14, 8)).toBeCloseTo(0.0533, 4);
    expect(candidateProbability(1, 14, 8)).toBe(1);
  });

  it("suggests the FineWeb 14 x 8 for threshold 0.8 with 112 permutations", () => {
    expect(suggestBandsRows(0.8, 112)).toMatchObject({ bands: 14, rows: 8 });
  });
});
