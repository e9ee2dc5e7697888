import { describe, expect, it } from "vitest";
import { ALPHABET_MAX_CHARS, FOREIGN_LETTER_SHARE, alphabetFilter, alphabetRulesOut } from "../../../stages/language/alphabets.js";
import { getDetector } from "../../../stages/language/index.js";

describe("alphabets of close neighbours (Cyrillic, Hebrew)", () => {
  it("rules out a language whose alphabet lacks a letter of a short text", () => {
    // я: Serbian and Macedonian have none; и: Belarusian has none (it writes і).
    expect(["ru", "uk", "be", "bg", "sr", "mk"].filter((l) => alphabetRulesOut("принимая во", l))).toEqual(["be", "sr", "mk"]);
    // і: Ukrainian and Belarusian only.
    expect(["ru", "uk", "be", "bg", "sr", "mk"].filter((l) => alphabetRulesOut("Ніхто не", l))).toEqual(["ru", "bg", "sr", "mk"]);
    // ј: Serbian and Macedonian only; ы: Russian and Belarusian only; ў: Belarusian only; ѓ: Macedonian only.
    expect(["ru", "uk", "be", "bg", "sr", "mk"].filter((l) => !alphabetRulesOut("Никој нема", l))).toEqual(["sr", "mk"]);
    expect(["ru", "uk", "be", "bg", "sr", "mk"].filter((l) => !alphabetRulesOut("Мы тут", l))).toEqual(["ru", "be"]);
    expect(["ru", "uk", "be", "bg", "sr", "mk"].filter((l) => !alphabetRulesOut("Ўсе людзі", l))).toEqual(["be"]);
    expect(["ru", "uk", "be", "bg", "sr", "mk"].filter((l) => !alphabetRulesOut("Секој граѓанин", l))).toEqual(["mk"]);
  });

  it("rules out Hebrew for Yiddish's ligatures and rafe, and nothing for the letters both write", () => {
    // װ (U+05F0, double vav), ײ (U+05F2, double yod), פֿ (pe with rafe, U+05BF).
    expect(alphabetRulesOut("היות \u05f0י", "he")).toBe(true);
    expect(alphabetRulesOut("ק\u05f2נעם", "he")).toBe(true);
    expect(alphabetRulesOut("פ\u05bfון", "he")).toBe(true);
    // The same words spelled with two vavs, and Hebrew itself, pointed or not.
    expect(alphabetRulesOut("היות וווי", "he")).toBe(false);
    expect(alphabetRulesOut("שָׁלוֹם עֲלֵיכֶם", "he")).toBe(false);
    expect(alphabetRulesOut("היות \u05f0י", "yi")).toBe(false);
  });

  it("rules out nothing on letters every listed alphabet has, in other scripts, or for a language with no alphabet listed", () => {
    for (const language of ["ru", "uk", "be", "bg", "sr", "mk"]) {
      expect(alphabetRulesOut("На том", language)).toBe(false);
      expect(alphabetRulesOut("Never mind", language)).toBe(false);
    }
    // и: not Belarusian, which writes і.
    expect(["ru", "uk", "be", "bg", "sr", "mk"].filter((l) => alphabetRulesOut("На пике", l))).toEqual(["be"]);
    // Kazakh's ә and Tatar's җ are not Russian's, but Kazakh and Tatar are not judged here.
    expect(alphabetRulesOut("Әрбір адам", "ru")).toBe(true);
    expect(alphabetRulesOut("Әрбір адам", "kk")).toBe(false);
    expect(alphabetRulesOut("Һәр кеше", "tt")).toBe(false);
  });

  it("keeps a language when a foreign letter is a small share of a long text (a name quoted in another spelling)", () => {
    const russian = "Столица Украины расположена на берегу Днепра, и весной город особенно красив. ".repeat(8);
    // Київ: ї and і, two letters that Russian lacks, among the Cyrillic letters of the part read.
    const text = `Жители пишут название города как Київ. ${russian}`;
    const cyrillic = [...text.slice(0, ALPHABET_MAX_CHARS)].filter((c) => /\p{Script=Cyrillic}/u.test(c)).length;
    expect(2 / cyrillic).toBeLessThan(FOREIGN_LETTER_SHARE);
    expect(alphabetRulesOut(text, "ru")).toBe(false);
    // Past the part read, even a text of Ukrainian is not read.
    expect(alphabetRulesOut(`${russian}${"Київ, Львів і Харків — міста. ".repeat(20)}`, "ru")).toBe(false);
    // Three quoted names in a text a tenth as long are over the share.
    expect(alphabetRulesOut("Київ, Львів і Харків — міста", "ru")).toBe(true);
  });

  it("drops the ruled-out candidates in order, and keeps all when none would be left", () => {
    const guesses = [{ language: "mk", score: 0.5 }, { language: "ru", score: 0.3 }, { language: "sr", score: 0.2 }];
    expect(alphabetFilter("принимая во")(guesses)).toEqual([{ language: "ru", score: 0.3 }]);
    expect(alphabetFilter("Ніхто не")(guesses)).toBe(guesses);
    expect(alphabetFilter("Hello there")(guesses)).toBe(guesses);
    // Capitals are read as their small letters: Я is я.
    expect(alphabetFilter("ПРИНИМАЯ ВО")(guesses)).toEqual([{ language: "ru", score: 0.3 }]);
    expect(alphabetRulesOut("ЎСЕ ЛЮДЗІ", "be")).toBe(false);
    expect(alphabetRulesOut("ЎСЕ ЛЮДЗІ", "ru")).toBe(true);
  });

  it("turns the default detector's answer on two words whose letters settle it", async () => {
    const detector = await getDetector("default");
    // Found wrong before the rule (Macedonian), in UDHR word pairs: я is not a Macedonian letter.
    expect(detector.detect("принимая во")[0]!.language).toBe("ru");
    expect(detector.detect("Ніхто не")[0]!.language).not.toBe("ru");
    // Yiddish, named Hebrew before the rule: װ is not a Hebrew letter.
    expect(detector.detect("היות \u05f0י")[0]!.language).toBe("yi");
  });
});
