import { describe, expect, it } from "vitest";
import { canonicalLanguage, iso6393, languageMatches } from "../../../stages/language/codes.js";
import { fastTextLanguage } from "../../../stages/language/detectors.js";
import { detectionSample, undeterminedReason } from "../../../stages/language/sample.js";

describe("canonicalLanguage", () => {
  it.each([
    // fastText labels
    ["__label__zh", "zh"],
    ["__label__en", "en"],
    ["als", "sq"], // as ISO 639-3, Tosk Albanian (fastText's `als` is another language: see below)
    // franc: ISO 639-3 individual languages
    ["cmn", "zh"],
    ["arb", "ar"],
    ["nob", "no"],
    ["nno", "nn"],
    ["pes", "fa"],
    ["zlm", "ms"],
    ["eng", "en"],
    ["ceb", "ceb"],
    ["yue", "yue"],
    // CLD2: withdrawn 639-1 codes and script tags
    ["iw", "he"],
    ["jw", "jv"],
    ["zh-Hant", "zh"],
    ["xx-Goth", "got"],
    // ELD / plain 639-1, any case; regions dropped
    ["DE", "de"],
    ["pt_BR", "pt"],
    ["nb", "no"],
    // nothing to say
    ["", "und"],
    ["un", "und"],
    ["und", "und"],
  ])("%s -> %s", (code, expected) => {
    expect(canonicalLanguage(code)).toBe(expected);
  });

  it.each([
    ["__label__zh", "zh"],
    ["__label__als", "gsw"], // Wikipedia code of Alemannic, not ISO Tosk Albanian
    ["__label__sh", "hbs"],
    ["__label__no", "no"],
    ["__label__arz", "arz"],
    ["__label__en", "en"],
  ])("fastText %s -> %s", (label, expected) => {
    expect(fastTextLanguage(label)).toBe(expected);
  });

  it("gives the 639-3 form back", () => {
    expect(iso6393("zh")).toBe("zho");
    expect(iso6393("cmn")).toBe("zho");
    expect(iso6393("ceb")).toBe("ceb");
  });

  it("counts an individual language as its macrolanguage only when scoring", () => {
    expect(languageMatches("zh", "wuu")).toBe(true);
    expect(languageMatches("zh", "cmn")).toBe(true);
    expect(languageMatches("zho", "lzh")).toBe(true);
    expect(languageMatches("wuu", "zh")).toBe(false);
    expect(languageMatches("pt", "glg")).toBe(false);
  });
});

describe("detectionSample", () => {
  it("keeps short text whole", () => {
    expect(detectionSample("short text", 2000)).toBe("short text");
  });

  it("cuts at the last whitespace before maxChars", () => {
    // "aaaa bbbb cccc dddd": cutting at 12 would split "cccc"; the last space before 12 is at 9.
    expect(detectionSample("aaaa bbbb cccc dddd", 12)).toBe("aaaa bbbb");
  });

  it("truncates long text to at most maxChars", () => {
    const word = "palabra ";
    const text = word.repeat(10_000); // 80,000 characters
    const sample = detectionSample(text, 2000);
    expect(sample.length).toBeLessThanOrEqual(2000);
    // 2000 / 8 = 250 words fit; the cut lands on the space that ends word 250, which is dropped.
    expect(sample.length).toBe(1999);
    expect(sample.endsWith("palabra")).toBe(true);
  });

  it("cuts text without spaces at the limit, never inside a surrogate pair", () => {
    expect(detectionSample("中文".repeat(100), 11)).toBe("中文中文中文中文中文中");
    const emoji = "😀".repeat(10); // each is 2 UTF-16 units
    expect(detectionSample(emoji, 5)).toBe("😀😀");
  });
});

describe("undeterminedReason", () => {
  it.each(["", "   \n\t ", "1234 5678", "!!! --- ...", "😀😀"])("%j has no letters", (text) => {
    expect(undeterminedReason(text)).toBe("no_letters");
  });
  it("accepts any script", () => {
    expect(undeterminedReason("42 Straße")).toBeNull();
    expect(undeterminedReason("日本")).toBeNull();
  });
});
