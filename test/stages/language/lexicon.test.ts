import { describe, expect, it } from "vitest";
import { getDetector } from "../../../stages/language/index.js";
import { lexiconDetector, lexiconWords, loadLexicon } from "../../../stages/language/lexicon.js";

describe("lexiconDetector (word frequencies for short text)", () => {
  // Ranked lists by hand: aa has x then y, bb has y then z, cc only w.
  const lexicon = lexiconDetector({ aa: ["x", "y"], bb: ["y", "z"], cc: ["w"] });

  it("scores a text by its words' Zipf probabilities, softened by the temperature", () => {
    // With Z = 1/3.7 + 1/4.7: aa = log(0.75/Z/3.7) + log(0.75/Z/4.7), bb = log 1e-6 + log(0.75/Z/3.7),
    // cc = 2 log 1e-6; softmax of the scores / 4 (computed independently of the code).
    const guesses = lexicon.detect("X y");
    expect(guesses.map((g) => g.language)).toEqual(["aa", "bb", "cc"]);
    expect(guesses[0]!.score).toBeCloseTo(0.958451, 5);
    expect(guesses[1]!.score).toBeCloseTo(0.039978, 5);
    expect(guesses[2]!.score).toBeCloseTo(0.001571, 5);
  });

  it("reads an elided article as its word and has no answer when no word is listed", () => {
    expect(lexiconWords("L’x, d'un-y")).toEqual(["l'x", "d'un", "y"]);
    // "l'x" is not listed; its word after the apostrophe is: aa 0.927145, bb and cc 0.036427 each.
    const guesses = lexicon.detect("l’x");
    expect(guesses[0]!.language).toBe("aa");
    expect(guesses[0]!.score).toBeCloseTo(0.927145, 5);
    expect(lexicon.detect("q r")).toEqual([]);
    expect(lexicon.detect("123 !")).toEqual([]);
  });

  it("loads the package's lists and names the language whose frequent words a pair holds", () => {
    const real = loadLexicon();
    expect(real.languages.size).toBe(39);
    expect(real.detect("Hulle het")[0]!.language).toBe("af");
    expect(real.detect("Каждый имеет")[0]!.language).toBe("ru");
  });

  it("lets the default detector tell a word pair from its neighbour's", async () => {
    const detector = await getDetector("default");
    // Without the lexicon: "Almal is" was English (0.43) and "Без да" Serbian (0.34).
    expect(detector.detect("Almal is")[0]!.language).toBe("af");
    expect(detector.detect("Без да")[0]!.language).toBe("bg");
  });

  it("lets Lingua name a few words of Afrikaans that the others read as Dutch or English", async () => {
    const detector = await getDetector("default");
    // Without Lingua: "Julle moet" was Dutch (0.65), "Hulle is" English (0.62).
    expect(detector.detect("Julle moet")[0]!.language).toBe("af");
    expect(detector.detect("Hulle is")[0]!.language).toBe("af");
  });

  it("lets CLD3 name a few words of Haitian Creole that the others read as French or Azerbaijani", async () => {
    const detector = await getDetector("default");
    // Without CLD3: "Kote ou" was French (0.50), "Ki jan" Azerbaijani (0.48).
    expect(detector.detect("Kote ou")[0]!.language).toBe("ht");
    expect(detector.detect("Ki jan")[0]!.language).toBe("ht");
  });
});
