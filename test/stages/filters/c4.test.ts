import { describe, expect, it } from "vitest";
import { c4Apply, c4Filter, c4Params, countSentences } from "../../../stages/filters/c4.js";
import { doc, makeStage, recordingContext, runStage } from "./helpers.js";

const defaults = c4Params.parse({});
const fineweb = c4Params.parse({ filterNoTerminalPunct: false });

const page = [
  "This is a good sentence.", // kept, 1 sentence
  "Two words.", // too_few_words
  "Please enable JavaScript to view this page.", // javascript
  "Read our privacy policy for details.", // policy
  "No punctuation at the end here", // no_terminal_punc (kept when the rule is off, 1 sentence)
  "", // no_terminal_punc with the rule on, too_few_words with it off
  "It works.[1] Really it does.", // citation stripped, 2 sentences
  "A".repeat(1001) + " is long.", // too_long_word
  "Sentence one here. Sentence two here.", // 2 sentences
].join("\n");

describe("c4 line rules", () => {
  it("removes lines by reason and counts them, in datatrove's order", () => {
    const r = c4Apply(page, defaults);
    expect(r.linesRemoved).toEqual({ too_few_words: 1, javascript: 1, policy: 1, no_terminal_punc: 2, too_long_word: 1 });
    expect(r.linesKept).toBe(3);
    expect(r.sentences).toBe(5);
    expect(r.verdict).toEqual({ keep: true, text: "This is a good sentence.\nIt works. Really it does.\nSentence one here. Sentence two here." });
  });
  it("keeps lines without terminal punctuation when the rule is off (FineWeb)", () => {
    const r = c4Apply(page, fineweb);
    expect(r.linesRemoved).toEqual({ too_few_words: 2, javascript: 1, policy: 1, too_long_word: 1 });
    expect(r.sentences).toBe(6);
  });
  it("treats a line ending in '...' as unpunctuated", () => {
    expect(c4Apply("Wait for it...\n" + "One two three. ".repeat(5), defaults).linesRemoved).toEqual({ no_terminal_punc: 1 });
  });
  it("keeps a line of exactly 3 words and removes 2; keeps a 1000-character word and removes 1001", () => {
    const five = "\nOne two three. Four five six. Seven eight nine. Ten eleven twelve. End of it.";
    expect(c4Apply("Three words here." + five, defaults).linesKept).toBe(2);
    expect(c4Apply("Two words." + five, defaults).linesKept).toBe(1);
    expect(c4Apply("x".repeat(1000) + " a b." + five, defaults).linesKept).toBe(2);
    expect(c4Apply("x".repeat(1001) + " a b." + five, defaults).linesKept).toBe(1);
  });
});

describe("c4 document rules", () => {
  const sentences = (n: number) => Array.from({ length: n }, (_, i) => `This is sentence number ${i}.`).join("\n");
  it("keeps 5 sentences and drops 4", () => {
    expect(c4Filter(doc(sentences(5)), defaults)).toMatchObject({ text: sentences(5) });
    expect(c4Filter(doc(sentences(4)), defaults)).toBe("c4:too_few_sentences");
  });
  it("drops lorem ipsum and curly brackets", () => {
    expect(c4Filter(doc(sentences(5) + "\nLorem ipsum dolor sit amet."), defaults)).toBe("c4:lorem_ipsum");
    expect(c4Filter(doc(sentences(5) + "\nUse {braces} in templates."), defaults)).toBe("c4:curly_bracket");
  });
  it("does not count a bracket on a line already removed", () => {
    expect(c4Filter(doc(sentences(5) + "\n{"), defaults)).not.toBe("c4:curly_bracket");
  });
  it("counts sentences as datatrove does, or by marks followed by a space with sentences: simple", () => {
    // Per line: spaCy's sentencizer finds 2 ("e.g." and "Mr." end nothing), the simple count 4.
    const abbreviations = "See e.g. the report. Mr. Smith agreed.\nSee e.g. the report. Mr. Smith agreed.";
    expect(c4Apply(abbreviations, defaults)).toMatchObject({ sentences: 4, verdict: { keep: false, reason: "c4:too_few_sentences" } });
    expect(c4Apply(abbreviations, c4Params.parse({ sentences: "simple" }))).toMatchObject({ sentences: 8, verdict: { keep: true } });
  });
  it("counts sentences by terminal punctuation followed by more text", () => {
    expect(countSentences("One. Two! Three? Four")).toBe(4);
    expect(countSentences("Version 3.5 is out.")).toBe(1);
    expect(countSentences('He said "stop." Then left.')).toBe(2);
    expect(countSentences("我们今天去北京。他们明天回家。")).toBe(2);
  });
});

describe("non-Latin scripts", () => {
  const cjk = c4Params.parse({ noSpaceScripts: true });
  const chinese = "我们今天去北京大学参观。\n那里有很多学生在读书。\n老师在准备明天的课程。\n图书馆里非常安静。\n天气很好，我们很开心。";
  it("removes Chinese lines by default, as datatrove does: 。 is not terminal, a line is one word", () => {
    expect(c4Apply(chinese, defaults)).toMatchObject({ linesRemoved: { no_terminal_punc: 5 }, verdict: { keep: false, reason: "c4:too_few_sentences" } });
    expect(c4Apply(chinese, c4Params.parse({ filterNoTerminalPunct: false }))).toMatchObject({ linesRemoved: { too_few_words: 5 } });
  });
  it("keeps Chinese lines with noSpaceScripts: segmented words count, 。 is terminal punctuation", () => {
    const r = c4Apply(chinese, cjk);
    expect(r.linesRemoved).toEqual({});
    expect(r.sentences).toBe(5);
    expect(r.verdict.keep).toBe(true);
  });
  it("keeps Japanese lines with noSpaceScripts, and Russian ones either way", () => {
    const japanese = "今日は東京へ行きました。\n美術館はとても面白かったです。\n友達と一緒に昼ご飯を食べました。\n夜は家で本を読みました。\n明日も早く起きます。";
    expect(c4Apply(japanese, cjk).verdict.keep).toBe(true);
    expect(c4Apply(japanese, defaults).verdict.keep).toBe(false);
    const russian = "Сегодня хорошая погода.\nМы гуляем в парке.\nДети играют на траве.\nСобака бегает за мячом.\nВечером мы пьём чай.";
    expect(c4Apply(russian, defaults)).toMatchObject({ sentences: 5, linesKept: 5 });
    expect(c4Apply(russian, cjk)).toMatchObject({ sentences: 5, linesKept: 5 });
  });
  it("strips lines of Python's whitespace", () => {
    // Python's strip removes U+001F, so the line ends in "."; it keeps a leading byte-order mark.
    const r = c4Apply("\ufeffOne two three.\u001f", c4Params.parse({ minNumSentences: -1 }));
    expect(r.verdict).toEqual({ keep: true, text: "\ufeffOne two three." });
  });
});

describe("c4_quality stage", () => {
  it("counts removed lines in the stats and meta, and rewrites the text", async () => {
    const ctx = recordingContext();
    const [out] = await runStage(makeStage("c4_quality", { filterNoTerminalPunct: false }), [doc(page)], ctx);
    expect(ctx.skips).toEqual({ "line:too_few_words": 2, "line:javascript": 1, "line:policy": 1, "line:too_long_word": 1 });
    expect(out!.meta.c4).toEqual({ linesKept: 4, linesRemoved: { too_few_words: 2, javascript: 1, policy: 1, too_long_word: 1 }, sentences: 6 });
    expect(out!.text.split("\n")).toHaveLength(4);
  });
});
