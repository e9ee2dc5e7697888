import { describe, expect, it } from "vitest";
import { affixRules, englishSentenceCount, isPythonSpace, pythonPatternToJs } from "../../../stages/filters/english/words.js";
import { gopherQualitySignals, gopherQualityDecide, gopherQualityParams } from "../../../stages/filters/gopher-quality.js";
import { HAS_LETTER, SYMBOL_TOKEN, countWords, hasLetter, isSymbolWord, splitWords } from "../../../stages/filters/text.js";

const englishWords = (text: string) => splitWords(text, "english").words;

// Expected splits worked out by hand from spaCy's English rules (prefixes, suffixes, infixes,
// special cases, the URL pattern), the tokenizer datatrove counts English words with.
describe("englishWords (spaCy's English tokenizer rules)", () => {
  it("splits contractions as the special cases say, with either apostrophe", () => {
    expect(englishWords("Don't")).toEqual(["Do", "n't"]);
    expect(englishWords("don’t")).toEqual(["do", "n’t"]);
    expect(englishWords("can't cannot")).toEqual(["ca", "n't", "can", "not"]);
    expect(englishWords("it's we'll I'd've")).toEqual(["it", "'s", "we", "'ll", "I", "'d", "'ve"]);
    // Words the contraction tables leave alone because they are ordinary words.
    expect(englishWords("Its well were hell")).toEqual(["Its", "well", "were", "hell"]);
    expect(englishWords("gonna dont")).toEqual(["gon", "na", "do", "nt"]);
  });

  it("splits punctuation off the ends, one prefix and one suffix per round", () => {
    expect(englishWords('("Hello," she said.)')).toEqual(["(", '"', "Hello", ",", '"', "she", "said", ".", ")"]);
    expect(englishWords("end. Smith's dogs'")).toEqual(["end", ".", "Smith", "'s", "dogs", "'"]);
    expect(englishWords("$100 10km 100% 5pm")).toEqual(["$", "100", "10", "km", "100", "%", "5", "pm"]);
  });

  it("keeps abbreviations, and a final stop only after a lowercase letter or two capitals", () => {
    expect(englishWords("e.g. Dr. U.S. J. USA. Inc.,")).toEqual(["e.g.", "Dr.", "U.S.", "J.", "USA", ".", "Inc.", ","]);
  });

  it("splits infixes: hyphens between letters, slashes and colons before letters, commas between letters, ellipses", () => {
    expect(englishWords("well-known 1990s-era COVID-19 2-3")).toEqual(["well", "-", "known", "1990s", "-", "era", "COVID-19", "2", "-", "3"]);
    expect(englishWords("yes/no and/or w/o")).toEqual(["yes", "/", "no", "and/or", "w/o"]);
    expect(englishWords("Hello,world wait...what end.Next 2+2=4")).toEqual(["Hello", ",", "world", "wait", "...", "what", "end", ".", "Next", "2", "+", "2=4"]);
  });

  it("keeps a URL whole once its trailing stop is cut", () => {
    expect(englishWords("see https://example.com/a?b=1.")).toEqual(["see", "https://example.com/a?b=1", "."]);
  });

  it("puts back special cases that contain affixes (emoticons, a.m.) after the affix rules split them", () => {
    expect(englishWords("great:) at 10a.m.")).toEqual(["great", ":)", "at", "10", "a.m."]);
  });

  it("cuts at every character Python counts as whitespace, and drops the whitespace", () => {
    expect(englishWords(" a\u00a0b\tc\u0085d\u3000e  ")).toEqual(["a", "b", "c", "d", "e"]);
    expect(isPythonSpace(0x85)).toBe(true);
    expect(isPythonSpace(0xfeff)).toBe(false);
  });

  it("leaves every letter and combining mark to the special cases: no affix rule matches one", () => {
    const letterOrMark = /[\p{L}\p{M}]/u;
    const matched: string[] = [];
    for (let code = 0; code < 0x10000; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const c = String.fromCharCode(code);
      if (!letterOrMark.test(c)) continue;
      const found = affixRules(c);
      if (found.prefix || found.suffix || found.infix) matched.push(c);
    }
    expect(matched).toEqual([]);
  });
});

// Counts worked out by hand: the tokens by the rules above, then spaCy's sentencizer (a token
// that is a sentence-final character ends a sentence after the punctuation tokens that follow it).
describe("englishSentenceCount (spaCy's sentencizer over the English tokens)", () => {
  it("ends a sentence at a final mark that is a token of its own", () => {
    expect(englishSentenceCount("")).toBe(0);
    expect(englishSentenceCount("One. Two! Three? Four")).toBe(4);
    expect(englishSentenceCount("No final mark at all")).toBe(1);
  });

  it("ends none at an abbreviation, a number or an ellipsis the tokenizer keeps whole", () => {
    // "e.g." and "Mr." are special cases, "U.S." too; only "report" "." and "agreed" "." end.
    expect(englishSentenceCount("See e.g. the report. Mr. Smith agreed.")).toBe(2);
    expect(englishSentenceCount("U.S. troops left. Done")).toBe(2);
    expect(englishSentenceCount("Value 3.5 is high. Ok")).toBe(2);
    // "..." is one suffix token and not a final character; "?" is.
    expect(englishSentenceCount("Wait... what? Yes!")).toBe(2);
  });

  it("keeps closing punctuation in the sentence it ends, and splits where the infix rules split", () => {
    expect(englishSentenceCount('He said "stop." Then left.')).toBe(2);
    expect(englishSentenceCount("(Really.) Yes.")).toBe(2);
    // A full stop between a lowercase and an uppercase letter is an infix: "end" "." "Next".
    expect(englishSentenceCount("end.Next one")).toBe(2);
  });

  it("makes a token of whitespace other than one space, which starts a sentence after a final mark", () => {
    // "Hello" "." " " "?": the whitespace token is not punctuation, so it opens a second sentence.
    expect(englishSentenceCount("Hello.  ?")).toBe(2);
    expect(englishSentenceCount("Hello. ?")).toBe(1);
  });
});

describe("pythonPatternToJs", () => {
  it("translates what the u flag refuses or reads differently", () => {
    expect(pythonPatternToJs("\\!\\'")).toBe("!'");
    expect(pythonPatternToJs("[\\U0001F200-\\U0001F2FF\\u00A6]")).toBe("[\\u{1F200}-\\u{1F2FF}\\u{00A6}]");
    expect(pythonPatternToJs("(?u)^\\d\\w[\\w\\-]")).toBe("^\\p{Nd}[\\p{L}\\p{N}_][\\p{L}\\p{N}_\\-]");
    expect(new RegExp(pythonPatternToJs("\\w+"), "u").exec("été_1")?.[0]).toBe("été_1");
  });
});

describe("words: english in the Gopher quality filter", () => {
  // "that's" holds the stop word "that" for spaCy's rules, not for a whitespace split.
  const filler = "quiet cats sat near warm stone walls while birds sang songs over green hills ".repeat(5);
  const text = `That is fine: that's the plan. ${filler}`;
  const p = gopherQualityParams.parse({});

  it("counts the stop word inside a contraction, as datatrove does", () => {
    expect(gopherQualitySignals(text, p.stopWords, "english").stopWords).toBe(2);
    expect(gopherQualitySignals(text, p.stopWords, "simple").stopWords).toBe(1);
    expect(gopherQualityDecide(gopherQualitySignals(text, p.stopWords, "english"), p)).toBe(true);
    expect(gopherQualityDecide(gopherQualitySignals(text, p.stopWords, "simple"), p)).toBe("gopher_quality:not_enough_stop_words");
  });

  it("counts as symbol words those made of datatrove's punctuation list alone, not every Unicode symbol", () => {
    // Tokens: • one , © two । three １. "•" and "©" are not on datatrove's list, so they are
    // non-symbol words (of length 1); "," and the full-width digit "１" are on it, and so is the
    // Devanagari danda "।" (a terminal punctuation mark).
    const signals = gopherQualitySignals("• one , © two । three １", p.stopWords, "english");
    expect(signals.tokens).toBe(8);
    expect(signals.nonSymbolWords).toBe(5);
    expect(signals.meanWordLength).toBeCloseTo((1 + 3 + 1 + 3 + 5) / 5, 12);
    expect(isSymbolWord("•")).toBe(false);
    expect(isSymbolWord("…")).toBe(true);
    // A full stop outside the Basic Multilingual Plane (Brahmi danda, U+11047) as a code point.
    expect(isSymbolWord("\u{11047}")).toBe(true);
    expect(isSymbolWord("\u{1F600}")).toBe(false);
  });

  it("leaves a run of a script without spaces whole, as spaCy's English tokenizer does", () => {
    expect(splitWords("我们今天去北京大学。 ok", "english").words).toEqual(["我们今天去北京大学", "。", "ok"]);
    expect(countWords("我们今天去北京大学。 ok", "english")).toBe(3);
  });
  it("segments scripts without spaces by ICU under segmented and simple", () => {
    for (const rules of ["segmented", "simple"] as const) {
      expect(splitWords("我们今天去北京大学。 ok", rules).words).toEqual(["我们", "今天", "去", "北京", "大学", "。", "ok"]);
      expect(splitWords("我们今天去北京大学。", rules).noSpaceWords).toBe(5);
      expect(countWords("我们今天去北京大学。 ok", rules)).toBe(7);
    }
  });
});

describe("splitWords(text, 'english') in one pass", () => {
  const texts = ['Don\'t stop: "e.g." USA. well-known 10km (word), end. cannot. 我们去北京。 кот, ǅemal ok', "", " \t ", "x", "...!?"];
  it("flags and hashes each word as a separate description of it would", () => {
    for (const text of texts) {
      const { words, flags, hashes } = splitWords(text + " ", "english");
      for (const [i, word] of words.entries()) {
        expect([word, (flags[i]! & SYMBOL_TOKEN) !== 0, (flags[i]! & HAS_LETTER) !== 0]).toEqual([word, isSymbolWord(word), hasLetter(word)]);
        let hash = 0x811c9dc5;
        for (let k = 0; k < word.length; k++) hash = Math.imul(hash ^ word.charCodeAt(k), 0x01000193);
        expect([word, hashes[i]]).toEqual([word, hash & 0x3fffffff]);
      }
    }
  });
  it("counts the words it would make", () => {
    for (const text of texts) expect(countWords(text + "  ", "english")).toBe(splitWords(text + "   ", "english").words.length);
  });
});
