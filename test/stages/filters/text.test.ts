import { describe, expect, it } from "vitest";
import { HAS_LETTER, SYMBOL_TOKEN, hasLetter, isSymbolWord, countWords, splitLines, splitOnWhitespace, splitWords, whitespaceWordStats, countOccurrences, findDuplicates, codePointLength, pythonLength } from "../../../stages/filters/text.js";

describe("splitLines (Python str.splitlines)", () => {
  it("splits on every line boundary Python knows and drops one trailing empty line", () => {
    expect(splitLines("a\nb\r\nc\rd\u2028e\n")).toEqual(["a", "b", "c", "d", "e"]);
    expect(splitLines("a\n\nb")).toEqual(["a", "", "b"]);
    expect(splitLines("")).toEqual([]);
    expect(splitLines("\n")).toEqual([""]);
  });
});

describe("splitWords", () => {
  it("splits leading and trailing punctuation off space-delimited words, as nltk does", () => {
    expect(splitWords('Hello, world... (this) is "fine" e-mail 3.5').words).toEqual([
      "Hello", ",", "world", "...", "(", "this", ")", "is", '"', "fine", '"', "e-mail", "3.5",
    ]);
  });
  it("segments Chinese, Japanese and Thai, which have no spaces", () => {
    expect(splitWords("我们今天去北京大学。").words).toEqual(["我们", "今天", "去", "北京", "大学", "。"]);
    expect(splitWords("日本語の文章です。").words).toEqual(["日本語", "の", "文章", "です", "。"]);
    expect(splitWords("สวัสดีครับ ผมชื่อ").words).toEqual(["สวัสดี", "ครับ", "ผม", "ชื่อ"]);
    expect(splitWords("我们今天去北京大学。").noSpaceWords).toBe(5);
  });
  it("keeps Cyrillic words whole", () => {
    expect(splitWords("Привет, мир!").words).toEqual(["Привет", ",", "мир", "!"]);
  });
  it("flags and hashes each token in the same pass", () => {
    const text = 'The cat, the "cat" and 3.5 ... 猫と猫。 кот кот!';
    const { words, flags, hashes } = splitWords(text);
    for (const [i, word] of words.entries()) {
      expect([word, (flags[i]! & SYMBOL_TOKEN) !== 0]).toEqual([word, isSymbolWord(word)]);
      expect([word, (flags[i]! & HAS_LETTER) !== 0]).toEqual([word, hasLetter(word)]);
      for (const [j, other] of words.entries()) if (other === word) expect(hashes[j]).toBe(hashes[i]);
    }
  });
  it("counts the same tokens without making them", () => {
    for (const text of ['Hello, world... (this) is "fine"', "", "  ", "!!! ?", "Привет, мир!", "mixed 我们今天去北京大学。 text"]) {
      expect(countWords(text + " ")).toBe(splitWords(text + " ").words.length);
    }
  });
});

describe("whitespace words and counting helpers", () => {
  it("matches Python's str.split()", () => {
    expect(splitOnWhitespace("  a  bb\tccc\n")).toEqual(["a", "bb", "ccc"]);
    expect(whitespaceWordStats("  a  bb\tccc\n")).toEqual({ count: 3, longest: 3, noSpaceScript: false });
    expect(whitespaceWordStats("我们 去")).toEqual({ count: 2, longest: 2, noSpaceScript: true });
    // Lengths are Python's: three emoji are three characters, a lone surrogate is one.
    expect(whitespaceWordStats("😀😀😀 ab")).toEqual({ count: 2, longest: 3, noSpaceScript: false });
    expect(whitespaceWordStats("\udc00\ud800 a")).toEqual({ count: 2, longest: 2, noSpaceScript: false });
  });
  it("counts non-overlapping occurrences like str.count", () => {
    expect(countOccurrences("a.....b...", "...")).toBe(2);
  });
  it("counts repeats of earlier elements and their characters", () => {
    expect(findDuplicates(["ab", "c", "ab", "ab", ""])).toEqual({ count: 2, chars: 4 });
  });
});

describe("Python lengths", () => {
  it("counts code points: surrogate pairs are one character, lone surrogates one each", () => {
    expect(codePointLength("a😀b")).toBe(3);
    expect(codePointLength("\ud800\ud800\udc00")).toBe(2);
    expect(codePointLength("")).toBe(0);
    expect(pythonLength("a😀")).toBe(codePointLength);
    expect(pythonLength("a\ud800b")("a\ud800b")).toBe(3);
    expect(findDuplicates(["😀", "😀"], pythonLength("😀"))).toEqual({ count: 1, chars: 1 });
  });
  it("reads letters and whitespace as Python does", () => {
    // Gothic and mathematical letters are letters outside the BMP; an emoji is not a letter.
    expect([hasLetter("𐌰𐌱"), hasLetter("𝐀"), hasLetter("😀"), hasLetter("1😀")]).toEqual([true, true, false, false]);
    expect(splitWords("𐌰𐌱 𝐀𝐁 😀", "english").flags.map((f) => (f & HAS_LETTER) !== 0)).toEqual([true, true, false]);
    expect(splitWords("𐌰𐌱 😀", "simple").flags.map((f) => (f & HAS_LETTER) !== 0)).toEqual([true, false]);
    // str.split: U+0085 splits, the byte-order mark does not.
    expect(splitOnWhitespace("a\ufeffb c\u0085d")).toEqual(["a\ufeffb", "c", "d"]);
    expect(whitespaceWordStats("a\ufeffb c\u0085d").count).toBe(3);
  });
});
