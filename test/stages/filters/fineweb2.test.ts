import { describe, expect, it } from "vitest";
import { getSpec } from "../../../pipeline/registry.js";
import { expandPreset } from "../../../stages/filters/presets.js";
import { fineweb2PerLanguage } from "../../../stages/filters/fineweb2/index.js";
import { dominantScript } from "../../../stages/language/per-language.js";
import "../../../stages/index.js";
import { doc, makeStage, recordingContext, repeatWord, runStage } from "./helpers.js";

const STAGES = ["gopher_repetition", "fineweb_quality", "gopher_quality"] as const;

describe("FineWeb-2's per-language settings", () => {
  it("are valid parameters of each stage for every language, German's as FineWeb-2's deu_Latn.yml says", () => {
    for (const stage of STAGES) {
      const table = fineweb2PerLanguage(stage);
      expect(Object.keys(table)).toHaveLength(1928);
      expect(getSpec("stage", stage).params.safeParse({ perLanguage: table }).success, stage).toBe(true);
    }
    // deu_Latn.yml: dup_line_frac 0.263, top 2-gram 0.169, dup 5-gram 0.141 … 10-gram 0.098,
    // line_punct_thr 0.0, new_line_ratio 0.152, max_avg_word_length 15, max_non_alpha_words_ratio 0.774.
    expect(fineweb2PerLanguage("gopher_repetition").de).toMatchObject({ dupLineFrac: 0.263, top2GramCharFrac: 0.169, dup5GramCharFrac: 0.141, dup10GramCharFrac: 0.098 });
    expect(fineweb2PerLanguage("fineweb_quality").de).toEqual({ words: "segmented", linePunctThr: 0, newLineRatio: 0.152 });
    const german = fineweb2PerLanguage("gopher_quality").de as { maxAvgWordLength: number; minAlphaWordsRatio: number; stopWords: string[] };
    expect([german.maxAvgWordLength, german.minAlphaWordsRatio]).toEqual([15, 0.774]);
    expect(german.stopWords.slice(0, 3)).toEqual(["der", "und", "die"]);
    // A language FineWeb-2 filters in two scripts has one entry per script.
    expect(Object.keys(fineweb2PerLanguage("gopher_quality")).filter((k) => k.startsWith("sr_"))).toEqual(["sr_Cyrl", "sr_Latn"]);
    // line_punct_thr -1 (rule off) becomes 0 with zero excluded: nothing is at or below it.
    expect(fineweb2PerLanguage("fineweb_quality").aai).toMatchObject({ linePunctThr: 0, linePunctExcludeZero: true });
  });

  it("judge each document by its language (and script), and perLanguage overrides them field by field", async () => {
    const germanText = repeatWord("der Hund und die Katze spielen im Garten mit dem Ball", 6);
    const cyrillic = repeatWord("у граду је било много људи и на улици је било лепо", 6);
    const latin = repeatWord("u gradu je bilo mnogo ljudi i na ulici je bilo lepo", 6);
    const docs = [
      doc(germanText, { id: "de", meta: { language: "de" } }),
      doc(germanText, { id: "unlabelled" }),
      doc(cyrillic, { id: "sr-cyrl", meta: { language: "sr" } }),
      doc(latin, { id: "sr-latn", meta: { language: "sr" } }),
    ];
    const ctx = recordingContext();
    const kept = await runStage(makeStage("gopher_quality", { perLanguageDefaults: "fineweb2" }), docs, ctx);
    expect(kept.map((d) => d.id)).toEqual(["de", "sr-cyrl", "sr-latn"]);
    expect(ctx.drops).toEqual([["unlabelled", "gopher_quality:not_enough_stop_words"]]); // English stop words
    // An override changes one field (mean word length 43/11 = 3.9 > 3.5); German stop words still apply.
    const strict = recordingContext();
    await runStage(makeStage("gopher_quality", { perLanguageDefaults: "fineweb2", perLanguage: { deu: { maxAvgWordLength: 3.5 } } }), [docs[0]!], strict);
    expect(strict.drops).toEqual([["de", "gopher_quality:above_avg_word_length"]]);
  });

  it("picks the script with the most letters", () => {
    expect(dominantScript("Београд is the capital", ["Cyrl", "Latn"])).toBe("Latn"); // 8 Cyrillic letters, 13 Latin
    expect(dominantScript("Београд је главни град", ["Cyrl", "Latn"])).toBe("Cyrl");
    expect(dominantScript("1234 !!", ["Cyrl", "Latn"])).toBeUndefined();
  });

  it("refuses a perLanguage key that is not a language (and script)", () => {
    const params = getSpec("stage", "gopher_quality").params;
    expect(params.safeParse({ perLanguage: { sr_Cyrl: { minStopWords: 1 }, de: {} } }).success).toBe(true);
    expect(params.safeParse({ perLanguage: { sr_Xyzw: {} } }).success).toBe(false);
    expect(params.safeParse({ perLanguage: { "not a code": {} } }).success).toBe(false);
  });

  it("the fineweb2 preset: dedup before the per-language filters, rehydration last", () => {
    const steps = expandPreset("fineweb2");
    expect(steps.map((s) => s.stage)).toEqual(["url_filter", "extract", "language_filter", "minhash", "gopher_repetition", "fineweb_quality", "gopher_quality", "pii", "rehydrate"]);
    for (const stage of STAGES) expect(steps.find((s) => s.stage === stage)!.params).toEqual({ perLanguageDefaults: "fineweb2" });
  });
});
