import { describe, expect, it } from "vitest";
import {
  gopherRepetitionDecide, gopherRepetitionFilter, gopherRepetitionParams, gopherRepetitionSignals, nGramCharCounts,
  type GopherRepetitionSignals,
} from "../../../stages/filters/gopher-repetition.js";
import { codePointLength, splitWords } from "../../../stages/filters/text.js";
import { doc, makeStage, recordingContext, runStage } from "./helpers.js";

/** Python's len: code points. */
const pyLen = (s: string) => Array.from(s).length;

/** datatrove's string-based functions, ported literally: the independent reference. */
function referenceCounts(words: string[], n: number): { top: number; dup: number } {
  const grams = Array.from({ length: Math.max(0, words.length - n + 1) }, (_, i) => words.slice(i, i + n).join(" "));
  const counter = new Map<string, number>();
  for (const g of grams) counter.set(g, (counter.get(g) ?? 0) + 1);
  let best: [string, number] | undefined;
  for (const entry of counter) if (!best || entry[1] > best[1]) best = entry;
  const unique = new Set<string>();
  let dup = 0;
  for (let idx = 0; idx < words.length - n + 1; ) {
    const gram = words.slice(idx, idx + n).join("");
    if (unique.has(gram)) {
      dup += pyLen(gram);
      idx += n;
    } else {
      unique.add(gram);
      idx += 1;
    }
  }
  return { top: best ? pyLen(best[0]) * best[1] : 0, dup };
}

const none: Record<string, number | null> = { dupParaFrac: null, dupParaCharFrac: null, dupLineFrac: null, dupLineCharFrac: null, top2GramCharFrac: null, top3GramCharFrac: null, top4GramCharFrac: null, dup5GramCharFrac: null, dup6GramCharFrac: null, dup7GramCharFrac: null, dup8GramCharFrac: null, dup9GramCharFrac: null, dup10GramCharFrac: null };
const only = (p: Record<string, number | null>) => gopherRepetitionParams.parse({ ...none, ...p });
const defaults = gopherRepetitionParams.parse({});

describe("n-gram character counts", () => {
  it("matches a hand count on 'a b a b a b c'", () => {
    // Top n-grams are joined by " ": "a b" x3 (3 chars) -> 9; "a b a" x2 (5 chars) -> 10;
    // "a b a b" x2 -> 14; 5-grams are all distinct, so the first, "a b a b a" (9 chars), once.
    // Duplicates are joined by "" (datatrove's find_all_duplicate): "ab" at 2 and 4 -> 4;
    // "aba" at 2 -> 3 (the scan then stands at 5, past the last 3-gram); "abab" at 2 -> 4.
    const { top, dup } = nGramCharCounts("a b a b a b c".split(" "), 10);
    expect(top.slice(2, 6)).toEqual([9, 10, 14, 9]);
    expect(dup.slice(2, 8)).toEqual([4, 3, 4, 0, 0, 0]);
  });
  it("counts code points, as Python's len does", () => {
    // "😀" is two UTF-16 units but one character: "😀 b" is 3 characters, "😀b" 2.
    const { top, dup } = nGramCharCounts(["😀", "b", "😀", "b", "😀", "b"], 2, undefined, codePointLength);
    expect(top[2]).toBe(9);
    expect(dup[2]).toBe(4);
  });
  it("keeps n-grams apart that differ only where their words meet", () => {
    // datatrove's "".join makes ["ab", "c"] and ["a", "bc"] one key; here they stay two n-grams.
    expect(nGramCharCounts(["ab", "c", "a", "bc"], 2).dup[2]).toBe(0);
  });
  it("matches datatrove's string algorithms on random repetitive texts", () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const vocab = ["a", "bb", "the", "cat", "dogs", "x", "yy", "zzz"];
    for (let t = 0; t < 200; t++) {
      const words = Array.from({ length: Math.floor(rand() * 60) }, () => vocab[Math.floor(rand() * (2 + (t % 7)))]!);
      const { top, dup } = nGramCharCounts(words, 10);
      for (let n = 2; n <= 10; n++) {
        const ref = referenceCounts(words, n);
        if (words.length >= n) expect([n, top[n]]).toEqual([n, ref.top]);
        expect([n, dup[n]]).toEqual([n, ref.dup]);
      }
    }
  });
});

describe("gopher repetition signals", () => {
  it("measures repeated paragraphs and lines", () => {
    // Paragraphs ["x y", "x y", "z"]: 1 of 3 repeats, 3 of 11 characters.
    const s = gopherRepetitionSignals("x y\n\nx y\n\nz");
    expect(s.dupParaFrac).toBeCloseTo(1 / 3, 12);
    expect(s.dupParaCharFrac).toBeCloseTo(3 / 11, 12);
    // Lines split on \n+: ["x y", "x y", "z"], the blank lines are not lines.
    expect(s.dupLineFrac).toBeCloseTo(1 / 3, 12);
    // With an emoji, lengths are in code points: 3 of 11 characters, not 4 of 13 UTF-16 units.
    expect(gopherRepetitionSignals("x 😀\n\nx 😀\n\nz").dupParaCharFrac).toBeCloseTo(3 / 11, 12);
    const lines = gopherRepetitionSignals("a\nb\na\nc");
    expect(lines.dupLineFrac).toBe(0.25);
    expect(lines.dupLineCharFrac).toBeCloseTo(1 / 7, 12);
    // Words "a b a b a b c", 13 characters.
    expect(gopherRepetitionSignals("a b a b a b c").topNGramCharFrac).toEqual({ 2: 9 / 13, 3: 10 / 13, 4: 14 / 13 });
  });
  it("gives the reference values on mixed text, using the hashes made while splitting", () => {
    const sentence = 'The cat, the "cat" and 3.5 dogs... 猫と猫。 кот кот! ';
    const text = sentence.repeat(3) + "an ending that differs";
    const words = splitWords(text, "english").words;
    const s = gopherRepetitionSignals(text);
    for (const n of [2, 3, 4]) expect(s.topNGramCharFrac[n]).toBeCloseTo(referenceCounts(words, n).top / text.length, 12);
    for (const n of [5, 6, 7, 8, 9, 10]) expect(s.dupNGramCharFrac[n]).toBeCloseTo(referenceCounts(words, n).dup / text.length, 12);
    expect(s.dupNGramCharFrac["5"]).toBeGreaterThan(0.4);
  });
  it("counts Chinese n-grams on segmented words under words: segmented", () => {
    // Segmented: 我们 / 今天 / 去 / 北京 / 。 twice -> the 2-gram "我们 今天" (5 chars) occurs twice.
    const text = "我们今天去北京。我们今天去北京。";
    expect(gopherRepetitionSignals(text, "segmented").topNGramCharFrac["2"]).toBeCloseTo(10 / text.length, 12);
    // spaCy's English rules cut only the final 。: two words, one 2-gram of 15 + 1 + 1 characters.
    expect(gopherRepetitionSignals(text).topNGramCharFrac["2"]).toBeCloseTo(17 / text.length, 12);
  });
});

describe("gopher repetition thresholds", () => {
  const lines = (unique: number, repeats: number) =>
    [...Array.from({ length: unique }, (_, i) => `line number ${i} here`), ...Array.from({ length: repeats }, (_, i) => `line number ${i} here`)].join("\n");
  it("keeps at exactly 0.3 repeated lines and drops above", () => {
    expect(gopherRepetitionFilter(doc(lines(7, 3)), only({ dupLineFrac: 0.3 }))).toBe(true); // 3/10
    expect(gopherRepetitionFilter(doc(lines(7, 4)), only({ dupLineFrac: 0.3 }))).toBe("gopher_rep:dup_line_frac"); // 4/11
  });
  const base: GopherRepetitionSignals = {
    dupParaFrac: 0, dupParaCharFrac: 0, dupLineFrac: 0, dupLineCharFrac: 0,
    topNGramCharFrac: { 2: 0, 3: 0, 4: 0 }, dupNGramCharFrac: { 5: 0, 6: 0, 7: 0, 8: 0, 9: 0, 10: 0 },
  };
  const cases: Array<[string, (v: number) => GopherRepetitionSignals, number]> = [
    ["dup_para_frac", (v) => ({ ...base, dupParaFrac: v }), 0.3],
    ["dup_para_char_frac", (v) => ({ ...base, dupParaCharFrac: v }), 0.2],
    ["dup_line_frac", (v) => ({ ...base, dupLineFrac: v }), 0.3],
    ["dup_line_char_frac", (v) => ({ ...base, dupLineCharFrac: v }), 0.2],
    ["top_2_gram", (v) => ({ ...base, topNGramCharFrac: { ...base.topNGramCharFrac, 2: v } }), 0.2],
    ["top_3_gram", (v) => ({ ...base, topNGramCharFrac: { ...base.topNGramCharFrac, 3: v } }), 0.18],
    ["top_4_gram", (v) => ({ ...base, topNGramCharFrac: { ...base.topNGramCharFrac, 4: v } }), 0.16],
    ...[5, 6, 7, 8, 9, 10].map((n, i): [string, (v: number) => GopherRepetitionSignals, number] => [
      `duplicated_${n}_n_grams`, (v) => ({ ...base, dupNGramCharFrac: { ...base.dupNGramCharFrac, [n]: v } }), 0.15 - i * 0.01,
    ]),
  ];
  it.each(cases)("%s: the published bound keeps, just above drops", (rule, signals, bound) => {
    expect(gopherRepetitionDecide(signals(bound), defaults)).toBe(true);
    expect(gopherRepetitionDecide(signals(bound + 1e-9), defaults)).toBe(`gopher_rep:${rule}`);
  });
  it("names the first rule that fires, in datatrove's order", () => {
    expect(gopherRepetitionDecide({ ...base, dupLineFrac: 0.9, dupParaFrac: 0.9 }, defaults)).toBe("gopher_rep:dup_para_frac");
  });
});

describe("gopher_repetition stage", () => {
  it("writes the signals to meta and re-thresholds from them without recomputing", async () => {
    const ctx = recordingContext();
    const text = "alpha beta gamma delta.\nalpha beta gamma delta.\nsomething else entirely here.";
    const [kept] = await runStage(makeStage("gopher_repetition", { ...none, dupLineFrac: 0.5 }), [doc(text)], ctx);
    expect((kept!.meta.gopherRepetition as GopherRepetitionSignals).dupLineFrac).toBeCloseTo(1 / 3, 12);
    // Second run: the text is gone, only the signals decide.
    const again = await runStage(makeStage("gopher_repetition", { ...none, reuseSignals: true, dupLineFrac: 0.3 }), [{ ...kept!, text: "" }], ctx);
    expect(again).toEqual([]);
    expect(ctx.drops).toEqual([["d", "gopher_rep:dup_line_frac"]]);
  });
});
