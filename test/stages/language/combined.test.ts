import { describe, expect, it } from "vitest";
import { CLD3_MIN_PROBABILITY, CLD3_UNKNOWN_PROBABILITY, FASTTEXT_MIN_PROBABILITY, LINGUA_MIN_PROBABILITY, LINGUA_UNKNOWN_PROBABILITY, POOL_WEIGHTS, PROBABILITY_FLOOR, groupBlind, UNKNOWN_LANGUAGE_PROBABILITY, maxSwing, poolGuesses, pooledProbabilities, vote } from "../../../stages/language/combined.js";
import { cld2Available, cld2ScoreProbability, eldLanguage, loadLingua, type LanguageDetector, type LanguageGuess } from "../../../stages/language/detectors.js";
import { getDetector } from "../../../stages/language/index.js";
import { detectionSample } from "../../../stages/language/sample.js";

/** A detector that knows `languages` and is never run: the pool only reads `languages`. */
function fake(name: LanguageDetector["name"], languages: string[]): LanguageDetector {
  return { name, languages: new Set(languages), detect: () => [] };
}

describe("poolGuesses (weighted log-linear pool)", () => {
  const eld = { detector: fake("eld", ["nl", "es", "pt"]), weight: 1, maxChars: 600 };
  const cld2 = { detector: fake("cld2", ["nl", "af", "es", "pt", "gl"]), weight: 0.5, maxChars: Infinity };
  const fastText = { detector: fake("fasttext", ["nl", "af", "es", "pt", "gl"]), weight: 0.5, maxChars: 600, minProbability: FASTTEXT_MIN_PROBABILITY };

  it("lets ELD and fastText outvote a confident CLD2 on a language ELD knows", () => {
    const guesses: LanguageGuess[][] = [
      [{ language: "nl", score: 0.9 }],
      [{ language: "af", score: 0.95 }],
      [{ language: "nl", score: 0.8 }, { language: "af", score: 0.1 }],
    ];
    const pooled = poolGuesses([eld, cld2, fastText], guesses);
    // nl: log 0.9 + 0.5 log 0.03 (CLD2's floor) + 0.5 log 0.8 = -1.9694
    // af: log 0.2 (ELD has no model) + 0.5 log 0.95 + 0.5 log 0.1 = -2.7862
    expect(pooled.map((p) => p.language)).toEqual(["nl", "af"]);
    expect(pooled[0]!.logScore).toBeCloseTo(Math.log(0.9) + 0.5 * Math.log(0.03) + 0.5 * Math.log(0.8), 10);
    expect(pooled[1]!.logScore).toBeCloseTo(Math.log(0.2) + 0.5 * Math.log(0.95) + 0.5 * Math.log(0.1), 10);
  });

  it("lets two broad detectors that agree outvote ELD on a language ELD lacks", () => {
    const guesses: LanguageGuess[][] = [
      [{ language: "pt", score: 0.7 }, { language: "es", score: 0.3 }],
      [{ language: "gl", score: 0.9 }],
      [{ language: "gl", score: 0.6 }, { language: "pt", score: 0.3 }],
    ];
    const pooled = poolGuesses([eld, cld2, fastText], guesses);
    // gl: log 0.2 + 0.5 log 0.9 + 0.5 log 0.6 = -1.60944 - 0.05268 - 0.25541 = -1.91753
    // pt: log 0.7 + 0.5 log 0.03 + 0.5 log 0.3 = -0.35667 - 1.75330 - 0.60199 = -2.71196
    expect(pooled[0]!.language).toBe("gl");
    expect(pooled[0]!.logScore).toBeCloseTo(-1.91753, 4);
    expect(pooled[1]!.language).toBe("pt");
    expect(pooled[1]!.logScore).toBeCloseTo(-2.71196, 4);
  });

  it("leaves out a detector that had no answer", () => {
    const pooled = poolGuesses([eld, cld2], [[], [{ language: "gl", score: 0.8 }]]);
    expect(pooled).toEqual([{ language: "gl", logScore: 0.5 * Math.log(0.8) }]);
  });

  it("leaves fastText out when its best guess is below even odds", () => {
    expect(FASTTEXT_MIN_PROBABILITY).toBe(0.5);
    const unsure = [{ language: "nl", score: 0.3 }, { language: "de", score: 0.2 }];
    const sure = [{ language: "nl", score: 0.5 }, { language: "de", score: 0.2 }];
    expect(vote(fastText, unsure)).toEqual([]);
    expect(vote(fastText, sure)).toEqual(sure);
    expect(vote(fastText, [])).toEqual([]);
    // A member without a threshold always votes.
    expect(vote(cld2, unsure)).toEqual(unsure);
    const eldNlAf = { ...eld, detector: fake("eld", ["nl", "af"]) };
    const others: LanguageGuess[][] = [[{ language: "nl", score: 0.6 }, { language: "af", score: 0.4 }], [{ language: "af", score: 0.5 }]];
    // Voting, the unsure fastText would decide: nl = log 0.6 + 0.5 log 0.03 + 0.5 log 0.3 = -2.8661
    // against af = log 0.4 + 0.5 log 0.5 + 0.5 log 0.03 = -3.0162.
    const voting = poolGuesses([eldNlAf, cld2, fastText], [...others, unsure]);
    expect(voting[0]!.language).toBe("nl");
    expect(voting[0]!.logScore).toBeCloseTo(-2.8661, 4);
    // Left out: nl = log 0.6 + 0.5 log 0.03 = -2.2641, af = log 0.4 + 0.5 log 0.5 = -1.2629.
    const pooled = poolGuesses([eldNlAf, cld2, fastText], [...others, vote(fastText, unsure)]);
    expect(pooled.map((p) => p.language)).toEqual(["af", "nl"]);
    expect(pooled[0]!.logScore).toBeCloseTo(-1.2629, 4);
    expect(pooled[1]!.logScore).toBeCloseTo(-2.2641, 4);
  });

  it("lets CLD3 vote only when sure, at a quarter of ELD's weight", () => {
    expect(CLD3_MIN_PROBABILITY).toBe(0.9);
    expect(POOL_WEIGHTS.cld3).toBe(0.25);
    const cld3 = { detector: fake("cld3", ["fr", "ht"]), weight: POOL_WEIGHTS.cld3, maxChars: Infinity, minProbability: CLD3_MIN_PROBABILITY };
    expect(vote(cld3, [{ language: "ht", score: 0.89 }])).toEqual([]);
    const sure = [{ language: "ht", score: 0.99 }];
    expect(vote(cld3, sure)).toEqual(sure);
    const cld2FrHt = { ...cld2, detector: fake("cld2", ["fr", "ht"]) };
    const eldFr = { ...eld, detector: fake("eld", ["fr"]) };
    const others: LanguageGuess[][] = [[{ language: "ht", score: 0.5 }, { language: "fr", score: 0.4 }], [{ language: "fr", score: 0.3 }]];
    // Without CLD3: fr = 0.5 log 0.4 + log 0.3 = -1.6621, ht = 0.5 log 0.5 + log 0.2 (ELD has no model) = -1.9560.
    expect(poolGuesses([cld2FrHt, eldFr], others)[0]!.language).toBe("fr");
    // With it: fr = -1.6621 + 0.25 log 0.03 = -2.5388, ht = -1.9560 + 0.25 log 0.99 = -1.9585.
    const pooled = poolGuesses([cld2FrHt, eldFr, cld3], [...others, vote(cld3, sure)]);
    expect(pooled.map((p) => p.language)).toEqual(["ht", "fr"]);
    expect(pooled[0]!.logScore).toBeCloseTo(-1.9585, 4);
    expect(pooled[1]!.logScore).toBeCloseTo(-2.5388, 4);
  });

  it("lets Lingua vote from 0.2, at the broad detectors' weight", () => {
    expect(LINGUA_MIN_PROBABILITY).toBe(0.2);
    expect(POOL_WEIGHTS.lingua).toBe(0.5);
    const lingua = { detector: fake("lingua", ["nl", "af", "sv"]), weight: POOL_WEIGHTS.lingua, maxChars: Infinity, minProbability: LINGUA_MIN_PROBABILITY };
    const cld2NlAf = { ...cld2, detector: fake("cld2", ["nl", "af"]) };
    const eldNlAf = { ...eld, detector: fake("eld", ["nl", "af"]) };
    const others: LanguageGuess[][] = [[{ language: "nl", score: 0.3 }], [{ language: "nl", score: 0.4 }, { language: "af", score: 0.35 }]];
    // Without Lingua: nl = 0.5 log 0.3 + log 0.4 = -1.5183, af = 0.5 log 0.03 + log 0.35 = -2.8031.
    expect(poolGuesses([cld2NlAf, eldNlAf], others)[0]!.language).toBe("nl");
    // Spread thin, Lingua stays out: its best, 0.15, is under 0.2.
    expect(vote(lingua, [{ language: "af", score: 0.15 }, { language: "sv", score: 0.1 }])).toEqual([]);
    // Sure: af = -2.8031 + 0.5 log 0.6 = -3.0585, nl = -1.5183 + 0.5 log 0.03 (not named) = -3.2716.
    const sure = [{ language: "af", score: 0.6 }, { language: "sv", score: 0.1 }];
    const pooled = poolGuesses([cld2NlAf, eldNlAf, lingua], [...others, vote(lingua, sure)]);
    expect(pooled.map((p) => p.language)).toEqual(["af", "nl", "sv"]);
    expect(pooled[0]!.logScore).toBeCloseTo(-3.0585, 4);
    expect(pooled[1]!.logScore).toBeCloseTo(-3.2716, 4);
  });

  it("lets Lingua say nothing of a language it has no model for, and CLD3 count one as not named", () => {
    expect(LINGUA_UNKNOWN_PROBABILITY).toBe(1);
    expect(CLD3_UNKNOWN_PROBABILITY).toBe(PROBABILITY_FLOOR);
    const cld2GaGd = { ...cld2, detector: fake("cld2", ["ga", "gd"]) };
    const fromCld2: LanguageGuess[] = [{ language: "gd", score: 0.5 }, { language: "ga", score: 0.4 }];
    const linguaGuesses = [{ language: "ga", score: 0.35 }];
    const lingua = { detector: fake("lingua", ["ga", "en"]), weight: POOL_WEIGHTS.lingua, maxChars: Infinity, minProbability: LINGUA_MIN_PROBABILITY };
    // At the default: gd = 0.5 log 0.5 + 0.5 log 0.2 = -1.1513 (Lingua has no Scottish Gaelic), ga = 0.5 log 0.4 + 0.5 log 0.35 = -0.9831.
    const asOthers = poolGuesses([cld2GaGd, lingua], [fromCld2, linguaGuesses]);
    expect(asOthers.map((p) => p.language)).toEqual(["ga", "gd"]);
    expect(asOthers[1]!.logScore).toBeCloseTo(-1.1513, 4);
    // Its own: gd = 0.5 log 0.5 + 0.5 log 1 = -0.3466 against ga's -0.9831.
    const own = poolGuesses([cld2GaGd, { ...lingua, unknownProbability: LINGUA_UNKNOWN_PROBABILITY }], [fromCld2, linguaGuesses]);
    expect(own.map((p) => p.language)).toEqual(["gd", "ga"]);
    expect(own[0]!.logScore).toBeCloseTo(-0.3466, 4);
    expect(own[1]!.logScore).toBeCloseTo(-0.9831, 4);
    // CLD3, sure of Irish, puts a language it has no model for at its floor: 0.25 log 0.03 = -0.8767, not 0.25 log 0.2 = -0.4024.
    const cld3 = { detector: fake("cld3", ["ga"]), weight: POOL_WEIGHTS.cld3, maxChars: Infinity, minProbability: CLD3_MIN_PROBABILITY, unknownProbability: CLD3_UNKNOWN_PROBABILITY };
    const withCld3 = poolGuesses([cld2GaGd, cld3], [fromCld2, [{ language: "ga", score: 0.95 }]]);
    expect(withCld3.find((p) => p.language === "gd")!.logScore).toBeCloseTo(0.5 * Math.log(0.5) + 0.25 * Math.log(0.03), 10);
    expect(withCld3.map((p) => p.language)).toEqual(["ga", "gd"]);
  });

  it("turns log-scores into probabilities that sum to one", () => {
    const probabilities = pooledProbabilities([
      { language: "nl", logScore: Math.log(3) },
      { language: "af", logScore: Math.log(1) },
    ]);
    expect(probabilities.map((p) => p.language)).toEqual(["nl", "af"]);
    expect(probabilities[0]!.score).toBeCloseTo(0.75, 12);
    expect(probabilities[1]!.score).toBeCloseTo(0.25, 12);
  });

  it("reads a group-blind ELD's answer as one for every close neighbour, so the others decide within the group", () => {
    const stub = (guesses: LanguageGuess[]): LanguageDetector => ({ name: "eld", languages: new Set(["no", "ms", "hr", "sr", "en"]), detect: () => guesses });
    const blind = groupBlind(stub([{ language: "no", score: 0.7 }, { language: "en", score: 0.2 }]));
    for (const language of ["nn", "id", "bs"]) expect(blind.languages.has(language)).toBe(true);
    expect(blind.detect("")).toEqual([
      { language: "no", score: 0.7 },
      { language: "nn", score: 0.7 },
      { language: "en", score: 0.2 },
    ]);
    // Each member of a group takes the best probability ELD gave any member.
    const bcs = groupBlind(stub([{ language: "hr", score: 0.6 }, { language: "sr", score: 0.3 }])).detect("");
    expect(bcs.map((g) => g.score)).toEqual([0.6, 0.6, 0.6]);
    expect(new Set(bcs.map((g) => g.language))).toEqual(new Set(["hr", "bs", "sr"]));

    // Nynorsk text: ELD says no 0.9, CLD2 nn 0.6 / no 0.3, fastText nn 0.55 / no 0.4.
    const eldNo = { ...eld, detector: fake("eld", ["no"]) };
    const both = ["no", "nn"];
    const others: LanguageGuess[][] = [
      [{ language: "nn", score: 0.6 }, { language: "no", score: 0.3 }],
      [{ language: "nn", score: 0.55 }, { language: "no", score: 0.4 }],
    ];
    const broad = [{ ...cld2, detector: fake("cld2", both) }, { ...fastText, detector: fake("fasttext", both) }];
    // ELD as it is: nn = log 0.2 + 0.5 log 0.6 + 0.5 log 0.55 = -2.1638; no = log 0.9 + 0.5 log 0.3 + 0.5 log 0.4 = -1.1655.
    const plain = poolGuesses([eldNo, ...broad], [[{ language: "no", score: 0.9 }], ...others]);
    expect(plain[0]!.language).toBe("no");
    expect(plain.find((p) => p.language === "nn")!.logScore).toBeCloseTo(-2.1638, 4);
    // Group-blind: nn = log 0.9 + 0.5 log 0.6 + 0.5 log 0.55 = -0.6597 against no's -1.1655.
    const blindEld = { ...eldNo, detector: groupBlind(stub([{ language: "no", score: 0.9 }])) };
    const pooled = poolGuesses([blindEld, ...broad], [blindEld.detector.detect(""), ...others]);
    expect(pooled.map((p) => p.language)).toEqual(["nn", "no"]);
    expect(pooled[0]!.logScore).toBeCloseTo(-0.6597, 4);
    expect(pooled[1]!.logScore).toBeCloseTo(-1.1655, 4);
  });

  it("bounds what an unrun detector can change", () => {
    expect(maxSwing(0.5)).toBeCloseTo(-0.5 * Math.log(PROBABILITY_FLOOR), 12);
    expect(PROBABILITY_FLOOR).toBeLessThan(UNKNOWN_LANGUAGE_PROBABILITY);
  });
});

describe("calibration and code mapping", () => {
  it("maps CLD2's normalised score through a logistic centred at 420", () => {
    expect(cld2ScoreProbability(420)).toBeCloseTo(0.5, 12);
    expect(cld2ScoreProbability(500)).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(cld2ScoreProbability(340)).toBeCloseTo(1 / (1 + Math.exp(1)), 12);
    expect(cld2ScoreProbability(1024)).toBeGreaterThan(0.999);
  });

  it("names CLD3's answers canonically (its iw is he, its fil tl) and takes its romanised Russian for no answer", async () => {
    const cld3 = await getDetector("cld3");
    expect(cld3.detect("שלום, מה שלומך היום? אני הולך לבית הספר מחר בבוקר.")[0]!.language).toBe("he");
    expect(cld3.detect("Magandang umaga sa inyong lahat, kumusta kayo ngayong araw?")[0]!.language).toBe("tl");
    // CLD3 answers ru-Latn here: Russian in Latin letters, which no other member reads as Russian.
    expect(cld3.detect("Privet, kak dela? Ya tebya lyublyu")).toEqual([]);
    expect(cld3.languages.has("he") && cld3.languages.has("tl") && !cld3.languages.has("iw")).toBe(true);
  });

  it("names Lingua's 75 languages canonically (its Bokmal is no) and gives text without letters no answer", () => {
    const lingua = loadLingua("low");
    expect(lingua.languages.size).toBe(75);
    for (const language of ["no", "nn", "bs", "hr", "sr", "ms", "id", "lg", "zh"]) expect(lingua.languages.has(language)).toBe(true);
    expect(lingua.languages.has("nb")).toBe(false);
    expect(lingua.detect("Jeg skal hjem til familien min i morgen tidlig, og jeg gleder meg veldig.")[0]!.language).toBe("no");
    // Greek letters are Greek's alone among its languages: certainty, and no runner-up.
    expect(lingua.detect("Καλημέρα σας")).toEqual([{ language: "el", score: 1 }]);
    expect(lingua.detect("123 !")).toEqual([]);
  });

  it("names ELD's Kurdish (Arabic-script Sorani) ckb, other codes canonically", () => {
    expect(eldLanguage("ku")).toBe("ckb");
    expect(eldLanguage("nb")).toBe("no");
    expect(eldLanguage("de")).toBe("de");
  });
});

describe("default detector, rules", () => {
  // Sorani (Arabic script), written for this test: what ELD's `ku` model was trained on.
  const sorani = "ئەم کتێبە زۆر باشە و من حەزم لێیە بیخوێنمەوە. ئێمە هەموو ڕۆژێک دەچینە قوتابخانە";

  it("does not let ELD's Sorani model speak for Kurmanji", async () => {
    const eld = await getDetector("eld");
    expect(eld.languages.has("ku")).toBe(false);
    expect(eld.languages.has("ckb")).toBe(true);
    expect(eld.detect(sorani)[0]!.language).toBe("ckb");
  });

  it.runIf(cld2Available())("takes CLD2's answer alone on long text it is sure of, and pools short text", async () => {
    const german = "Die Bibliothek an der Ecke unserer Straße öffnet samstags schon früh. Kinder kommen mit ihren Eltern, um Bilderbücher auszuleihen, und die älteren Leser sitzen mit der Morgenzeitung am Fenster. ";
    const long = german.repeat(6);
    const cld2 = await getDetector("cld2");
    const fromCld2 = cld2.detect(long);
    expect(long.length).toBeGreaterThanOrEqual(1000);
    expect(fromCld2[0]!.score).toBeGreaterThanOrEqual(0.95);
    const combined = await getDetector("default");
    // The same guesses, scores included, as CLD2's on the text's first 1,000 characters: nothing was pooled.
    expect(combined.detect(long)).toEqual(cld2.detect(detectionSample(long, 1000)));
    expect(combined.detect(long)[0]!.language).toBe("de");
    // A start CLD2 is not sure of (a table of figures, no letters): it reads the whole text.
    const figures = Array.from({ length: 120 }, (_, i) => `${1990 + i}: ${(i * 37) % 1000}`).join(" ");
    const afterFigures = `${figures} ${long}`;
    expect(detectionSample(afterFigures, 1000)).not.toMatch(/\p{L}/u);
    expect(cld2.detect(detectionSample(afterFigures, 1000))[0]?.score ?? 0).toBeLessThan(0.95);
    expect(cld2.detect(afterFigures)[0]!.score).toBeGreaterThanOrEqual(0.95);
    expect(combined.detect(afterFigures)).toEqual(cld2.detect(afterFigures));
    // Under 1,000 characters the pooled probability differs from CLD2's own.
    const short = german.repeat(2);
    expect(combined.detect(short)[0]!.language).toBe("de");
    expect(combined.detect(short)[0]!.score).not.toBe(cld2.detect(short)[0]!.score);
  });
});
