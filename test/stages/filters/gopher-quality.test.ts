import { describe, expect, it } from "vitest";
import { gopherQualityDecide, gopherQualityFilter, gopherQualityParams, gopherQualitySignals, type GopherQualitySignals } from "../../../stages/filters/gopher-quality.js";
import { getSpec } from "../../../pipeline/registry.js";
import { doc, makeStage, recordingContext, repeatWord, runStage } from "./helpers.js";

const defaults = gopherQualityParams.parse({});

describe("gopher quality signals", () => {
  it("counts tokens, words, symbols, letters and stop words by hand", () => {
    // Tokens: the cat and the dog # x ... end -> 9; non-symbol: the cat and the dog x end -> 7 (19 chars).
    // Stop words: "the" twice and "and": 2 distinct.
    const s = gopherQualitySignals("the cat and the dog #x ... end");
    expect(s).toMatchObject({ tokens: 9, nonSymbolWords: 7, stopWords: 2, bulletLineFrac: 0, ellipsisLineFrac: 0 });
    expect(s.meanWordLength).toBeCloseTo(19 / 7, 12);
    expect(s.hashRatio).toBeCloseTo(1 / 9, 12);
    expect(s.ellipsisRatio).toBeCloseTo(1 / 9, 12);
    expect(s.alphaWordFrac).toBeCloseTo(7 / 9, 12);
  });
  it("counts bullet lines and lines ending in an ellipsis", () => {
    const s = gopherQualitySignals("• one\n  - two\nthree...\nfour…  \nfive");
    expect(s.bulletLineFrac).toBe(2 / 5);
    expect(s.ellipsisLineFrac).toBe(2 / 5);
  });
  it("trims lines of Python's whitespace, not JavaScript's", () => {
    // Python's lstrip removes U+001F but not the byte-order mark U+FEFF; JavaScript's trim the reverse.
    expect(gopherQualitySignals("\u001f- one\ntwo").bulletLineFrac).toBe(1 / 2);
    expect(gopherQualitySignals("\ufeff- one\ntwo").bulletLineFrac).toBe(0);
  });
  it("measures word length in code points, as Python's len does", () => {
    // Gothic 𐌰𐌱𐌲 is three letters (six UTF-16 units): the mean of 3 and 3 is 3, not 4.5.
    expect(gopherQualitySignals("𐌰𐌱𐌲 abc").meanWordLength).toBe(3);
  });
});

describe("gopher quality thresholds on texts", () => {
  const words = (n: number) => "the of " + repeatWord("data", n - 2); // mean length (3+2+4(n-2))/n, 2 stop words
  it("keeps 50 non-symbol words and drops 49", () => {
    expect(gopherQualityFilter(doc(words(50)), defaults)).toBe(true);
    expect(gopherQualityFilter(doc(words(49)), defaults)).toBe("gopher_quality:short_doc");
  });
  it("keeps 100,000 words and drops 100,001", () => {
    expect(gopherQualityFilter(doc(words(100_000)), defaults)).toBe(true);
    expect(gopherQualityFilter(doc(words(100_001)), defaults)).toBe("gopher_quality:long_doc");
  });
  it("keeps a mean word length of exactly 3 and drops 2.98", () => {
    expect(gopherQualityFilter(doc("the and " + repeatWord("cat", 48)), defaults)).toBe(true);
    expect(gopherQualityFilter(doc("the and ca " + repeatWord("cat", 47)), defaults)).toBe("gopher_quality:below_avg_word_length");
  });
  it("keeps a mean word length of exactly 10 and drops above", () => {
    // 3 + 2 + 33*10 + 15*11 = 500 characters in 50 words; one more character tips it over.
    const long = (tens: number, elevens: number) => `the of ${repeatWord("abcdefghij", tens)} ${repeatWord("abcdefghijk", elevens)}`;
    expect(gopherQualityFilter(doc(long(33, 15)), defaults)).toBe(true);
    expect(gopherQualityFilter(doc(long(32, 16)), defaults)).toBe("gopher_quality:above_avg_word_length");
  });
  it("keeps exactly 2 stop words and drops 1; the count is case-sensitive as in datatrove", () => {
    expect(gopherQualityFilter(doc("the of " + repeatWord("data", 48)), defaults)).toBe(true);
    expect(gopherQualityFilter(doc("The of " + repeatWord("data", 48)), defaults)).toBe("gopher_quality:not_enough_stop_words");
  });
  it("counts distinct stop words, as datatrove's len(stop_words ∩ set(words)): one repeated is one", () => {
    expect(gopherQualityFilter(doc("the the the " + repeatWord("data", 47)), defaults)).toBe("gopher_quality:not_enough_stop_words");
    expect(gopherQualitySignals("the the of the").stopWords).toBe(2);
  });
  it("keeps # at 0.1 per token and drops above", () => {
    // 50 words + 5 "#" tokens = 55 tokens: 5/55 < 0.1; 6 "#" in 50 words + 6 = 56 tokens: 6/56 > 0.1.
    expect(gopherQualityFilter(doc(words(50) + " #".repeat(5)), defaults)).toBe(true);
    expect(gopherQualityFilter(doc(words(50) + " #".repeat(6)), defaults)).toBe("gopher_quality:too_many_hashes");
  });
  it("keeps 80% of tokens with a letter and drops fewer", () => {
    // 40 letter words + 10 numbers = 50 words, 40/50 = 0.8 keeps; 39/50 drops.
    expect(gopherQualityFilter(doc(words(40) + " " + repeatWord("1234", 10)), defaults)).toBe(true);
    expect(gopherQualityFilter(doc(words(39) + " " + repeatWord("1234", 11)), defaults)).toBe("gopher_quality:below_alpha_threshold");
  });
});

describe("gopher quality decide edges", () => {
  const base: GopherQualitySignals = {
    tokens: 100, nonSymbolWords: 100, meanWordLength: 5, hashRatio: 0, ellipsisRatio: 0, bulletLineFrac: 0,
    ellipsisLineFrac: 0, alphaWordFrac: 1, stopWords: 5, noSpaceScriptFrac: 0,
  };
  it.each([
    ["above_avg_word_length", { meanWordLength: 10 }, { meanWordLength: 10.001 }],
    ["too_many_ellipsis", { ellipsisRatio: 0.1 }, { ellipsisRatio: 0.101 }],
    ["too_many_bullets", { bulletLineFrac: 0.9 }, { bulletLineFrac: 0.901 }],
    ["too_many_end_ellipsis", { ellipsisLineFrac: 0.3 }, { ellipsisLineFrac: 0.301 }],
  ] as const)("%s", (rule, keep, drop) => {
    expect(gopherQualityDecide({ ...base, ...keep }, defaults)).toBe(true);
    expect(gopherQualityDecide({ ...base, ...drop }, defaults)).toBe(`gopher_quality:${rule}`);
  });
});

describe("non-Latin scripts", () => {
  const chinese = "我们今天去北京大学参观图书馆。那里有很多学生在安静地读书，也有老师在准备明天的课程。".repeat(3);
  const segmented = gopherQualityParams.parse({ words: "segmented" });
  it("drops a Chinese page as 'short' by default, as datatrove's English tokenizer sees few words", () => {
    // spaCy's English rules split off only the final 。 of a text without spaces: one word and a mark.
    expect(gopherQualitySignals(chinese)).toMatchObject({ tokens: 2, nonSymbolWords: 1, noSpaceScriptFrac: 0 });
    expect(gopherQualityFilter(doc(chinese), defaults)).toBe("gopher_quality:short_doc");
  });
  it("counts segmented Chinese words with words: segmented, so a Chinese page is not 'short'", () => {
    const s = gopherQualitySignals(chinese, segmented.stopWords, "segmented");
    expect(s.nonSymbolWords).toBeGreaterThanOrEqual(50);
    expect(s.noSpaceScriptFrac).toBeGreaterThan(0.5);
    expect(gopherQualityFilter(doc(chinese), segmented)).toBe(true);
  });
  it("applies the English-calibrated word-length and stop-word rules to segmented Chinese only when asked", () => {
    expect(gopherQualityFilter(doc(chinese), { ...segmented, exemptNoSpaceScripts: false })).toMatch(/below_avg_word_length|not_enough_stop_words/);
  });
  it("keeps a segmented Japanese page", () => {
    const japanese = "今日は友達と一緒に東京の美術館へ行きました。展示はとても面白くて、時間を忘れてしまいました。".repeat(3);
    expect(gopherQualityFilter(doc(japanese), segmented)).toBe(true);
  });
  it("keeps a segmented Thai page", () => {
    const thai = "วันนี้อากาศดีมาก เราไปเที่ยวตลาดน้ำกับครอบครัว และกินอาหารอร่อยหลายอย่าง ".repeat(4);
    expect(gopherQualityFilter(doc(thai), segmented)).toBe(true);
  });
  it("judges Russian with Russian stop words; the English list drops it, as datatrove's would", () => {
    // 11 words a sentence (49 letters), 5 times: 55 words, mean length 4.45, no English stop word.
    const russian = repeatWord("Сегодня погода очень хорошая и мы гуляем в парке с друзьями", 5);
    expect(gopherQualitySignals(russian)).toMatchObject({ nonSymbolWords: 55, stopWords: 0, alphaWordFrac: 1 });
    expect(gopherQualityFilter(doc(russian), defaults)).toBe("gopher_quality:not_enough_stop_words");
    expect(gopherQualityFilter(doc(russian), { ...defaults, stopWords: ["и", "в", "с"] })).toBe(true);
  });
});

describe("gopher_quality stage", () => {
  it("applies perLanguage thresholds to the documents of that language only; an override sets only what it names", async () => {
    const russian = repeatWord("Сегодня погода очень хорошая и мы гуляем в парке с друзьями", 5);
    const docs = [doc(russian, { id: "ru", meta: { language: "ru" } }), doc(russian, { id: "unlabelled" }), doc("too short", { id: "short-ru", meta: { language: "rus" } })];
    const ctx = recordingContext();
    const stage = makeStage("gopher_quality", { perLanguage: { ru: { stopWords: ["и", "в", "с"] } } });
    expect((await runStage(stage, docs, ctx)).map((d) => d.id)).toEqual(["ru"]);
    // The override did not reset minDocWords (50) to its default by naming stopWords only: short-ru still drops for length.
    expect(ctx.drops).toEqual([["unlabelled", "gopher_quality:not_enough_stop_words"], ["short-ru", "gopher_quality:short_doc"]]);
    expect(getSpec("stage", "gopher_quality").params.safeParse({ perLanguage: { ru: { stopWord: [] } } }).success).toBe(false);
    const lenient = makeStage("gopher_quality", { minDocWords: 1, perLanguage: { ru: { minStopWords: 0 } } });
    expect((await runStage(lenient, [doc("too short", { id: "short-ru", meta: { language: "ru" } })], recordingContext())).map((d) => d.id)).toEqual(["short-ru"]);
  });

  it("writes meta.gopherQuality and drops with the rule's name", async () => {
    const ctx = recordingContext();
    const kept = await runStage(makeStage("gopher_quality"), [doc("the of " + repeatWord("data", 48), { id: "ok" }), doc("too short", { id: "short" })], ctx);
    expect(kept.map((d) => d.id)).toEqual(["ok"]);
    expect((kept[0]!.meta.gopherQuality as GopherQualitySignals).nonSymbolWords).toBe(50);
    expect(ctx.drops).toEqual([["short", "gopher_quality:short_doc"]]);
  });
});
