/**
 * Adapters that give every language detector one shape: ranked guesses with canonical codes
 * (`codes.ts`) and a score in [0, 1] that reads as a probability of being right.
 *
 * Only fastText is a probabilistic classifier; franc and ELD give similarity scores and CLD2 a
 * percentage of text bytes, so those are turned into probabilities by a softmax over their raw
 * scores with a fixed temperature (temperature scaling). The temperatures were chosen so that
 * the mean score roughly matches the accuracy on held-out sentences: a score is comparable
 * across detectors, which the combined detector needs.
 */
import { createRequire } from "node:module";
import { KilnError, errorMessage } from "../../core/index.js";
import { canonicalLanguage } from "./codes.js";
import type * as Lingua from "@bluzzi/lingua";

export interface LanguageGuess {
  language: string;
  score: number;
}

export const DETECTOR_NAMES = ["default", "franc", "franc-all", "fasttext", "cld2", "cld3", "eld", "lingua"] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];

/** A detector, or a part of one that cannot be chosen alone (the word lexicon, `lexicon.ts`). */
export interface Detector {
  name: string;
  /** Canonical codes this detector can answer; a guess outside it never comes back. */
  languages: ReadonlySet<string>;
  /** Best first, at most a few; empty when the detector has no answer for the text. */
  detect(text: string): LanguageGuess[];
}

export interface LanguageDetector extends Detector {
  name: DetectorName;
}

const TOP_GUESSES = 3;

/** Softmax of `temperature * raw` over the guesses, best first, merged by canonical code. */
function softmaxGuesses(raw: Array<[string, number]>, temperature: number): LanguageGuess[] {
  const merged = new Map<string, number>();
  let best = -Infinity;
  for (const [, value] of raw) best = Math.max(best, value);
  let total = 0;
  for (const [code, value] of raw) {
    const weight = Math.exp(temperature * (value - best));
    total += weight;
    const language = canonicalLanguage(code);
    merged.set(language, (merged.get(language) ?? 0) + weight);
  }
  return topGuesses(merged, total);
}

function topGuesses(weights: Map<string, number>, total: number): LanguageGuess[] {
  const guesses: LanguageGuess[] = [];
  for (const [language, weight] of weights) {
    if (language === "und") continue;
    guesses.push({ language, score: Math.min(1, Math.max(0, weight / total)) });
  }
  guesses.sort((a, b) => b.score - a.score);
  return guesses.slice(0, TOP_GUESSES);
}

/** franc / franc-all: trigram distance, normalised by franc so the best is 1. */
async function loadFranc(name: "franc" | "franc-all"): Promise<LanguageDetector> {
  const module = name === "franc" ? await import("franc") : await import("franc-all");
  // franc keeps only languages whose script matches; the list of models is its `data` export's keys.
  const { francAll } = module;
  const languages = new Set<string>();
  for (const code of await francLanguageCodes(name)) languages.add(canonicalLanguage(code));
  return {
    name,
    languages,
    // Temperature 30: a trigram-score lead of 0.1 over the runner-up reads as ~95%.
    detect: (text) => softmaxGuesses(francAll(text).slice(0, 10) as Array<[string, number]>, 30),
  };
}

async function francLanguageCodes(name: "franc" | "franc-all"): Promise<string[]> {
  const { data } = name === "franc" ? await import("franc/data.js" as string) : await import("franc-all/data.js" as string);
  const codes: string[] = [];
  for (const script of Object.values(data as Record<string, Record<string, string>>)) codes.push(...Object.keys(script));
  // Single-script languages (Korean, Thai, ...) are decided by franc's script table, not trigrams.
  const { expressions } = name === "franc" ? await import("franc/expressions.js" as string) : await import("franc-all/expressions.js" as string);
  codes.push(...Object.keys(expressions as Record<string, RegExp>).filter((key) => /^[a-z]{3}$/.test(key)));
  return codes;
}

/**
 * The canonical code of an ELD answer. ELD's `ku` model was trained on Arabic-script Kurdish
 * (Sorani, `ckb`): it names Sorani text `ku` but Latin-script Kurmanji (ISO `kmr`, the `ku` of
 * fastText, CLD2 and Tatoeba) Turkish or Azerbaijani. Calling it `ckb` keeps the combined
 * detector from treating ELD as an expert on Kurmanji.
 */
export function eldLanguage(code: string): string {
  const language = canonicalLanguage(code);
  return language === "ku" ? "ckb" : language;
}

/** ELD with its medium n-gram set (60 languages; the large set costs twice the memory, ~420 vs ~200 MB per worker, for 0.03 points on tweets; bench/langid.ts). */
async function loadEld(): Promise<LanguageDetector> {
  const { eld } = await import("eld/medium");
  const languages = new Set(Object.values(eld.info().Languages).map(eldLanguage));
  return {
    name: "eld",
    languages,
    detect(text) {
      const result = eld.detect(text);
      if (!result.language) return [];
      // Temperature 25: ELD's scores for close languages differ by a few hundredths.
      const raw = Object.entries(result.getScores()).map(([code, score]): [string, number] => [eldLanguage(code), score]);
      return softmaxGuesses(raw, 25);
    },
  };
}

interface FastTextVector {
  size(): number;
  get(index: number): [number, string];
  delete?(): void;
}
interface FastTextModel {
  predict(text: string, k: number, threshold: number): FastTextVector;
}

type FastTextLabels = Record<string, { alpha2: string | null; alpha3: string }>;
let fastTextLabels: FastTextLabels | undefined;

/**
 * The canonical code of a fastText label. lid.176 speaks Wikipedia codes, which are not always
 * ISO (`als` is Alemannic, ISO `gsw`, not Tosk Albanian), so they go through the table the
 * package ships first.
 */
export function fastTextLanguage(label: string): string {
  fastTextLabels ??= createRequire(import.meta.url)("fasttext.wasm.js/dist/models/language-identification/assets/languages.json") as FastTextLabels;
  const code = label.replace(/^__label__/, "");
  const entry = Object.hasOwn(fastTextLabels, code) ? fastTextLabels[code] : undefined;
  return canonicalLanguage(entry ? (entry.alpha2 ?? entry.alpha3) : code);
}

/** fastText lid.176.ftz, as WebAssembly; the model ships inside the npm package. */
async function loadFastText(): Promise<LanguageDetector> {
  const { getLIDModel } = await import("fasttext.wasm.js");
  const model = (await (await getLIDModel()).load()) as unknown as FastTextModel;
  fastTextLanguage("en");
  const languages = new Set(Object.keys(fastTextLabels ?? {}).map(fastTextLanguage));
  return {
    name: "fasttext",
    languages,
    detect(text) {
      // fastText predicts one line; a newline would end the input early.
      const vector = model.predict(text.replace(/\s+/g, " "), TOP_GUESSES, 0);
      const weights = new Map<string, number>();
      for (let i = 0; i < vector.size(); i++) {
        const [probability, label] = vector.get(i);
        const language = fastTextLanguage(label);
        weights.set(language, (weights.get(language) ?? 0) + probability);
      }
      vector.delete?.();
      return topGuesses(weights, 1);
    },
  };
}

interface Cld2Result {
  reliable: boolean;
  languages: Array<{ code: string; percent: number; score: number }>;
}
interface Cld2Binding {
  detect(text: string, isPlainText: boolean, languageHint: string, encodingHint: string, tldHint: string, httpHint: string, bestEffort: boolean): Cld2Result;
  DETECTED_LANGUAGES: string[];
  LANGUAGES: Record<string, string>;
}

let cld2Binding: Cld2Binding | null | undefined;

/** The compiled CLD2 addon from the optional package `cld`, or null when it is not built here. */
export function cld2Available(): boolean {
  if (cld2Binding === undefined) {
    try {
      // The addon's synchronous entry point; the package's JS wrapper only offers a Promise.
      cld2Binding = createRequire(import.meta.url)("cld/build/Release/cld") as Cld2Binding;
    } catch {
      cld2Binding = null;
    }
  }
  return cld2Binding !== null;
}

const CLD2_SCORE_MIDPOINT = 420;
const CLD2_SCORE_SCALE = 80;

/** The probability that CLD2's answer is right, from its normalised score (see loadCld2). */
export function cld2ScoreProbability(score: number): number {
  return 1 / (1 + Math.exp(-(score - CLD2_SCORE_MIDPOINT) / CLD2_SCORE_SCALE));
}

/** CLD2 via the native addon of the optional npm package `cld`. */
function loadCld2(): LanguageDetector {
  if (!cld2Available() || !cld2Binding) {
    throw new KilnError(
      "cld2_unavailable",
      'detector "cld2" needs the optional package "cld" with its native addon built (npm install cld, or npm rebuild cld; needs a C++ compiler)',
    );
  }
  const binding = cld2Binding;
  const languages = new Set(Object.values(binding.LANGUAGES).map(canonicalLanguage));
  languages.delete("und");
  return {
    name: "cld2",
    languages,
    detect(text) {
      // bestEffort: answer short texts too (then `reliable` is false).
      const result = binding.detect(text, true, "", "", "", "", true);
      // CLD2's percentages say how much of the text each language covers, not how sure it is;
      // its normalised score (per KB of text) does. Calibrated on held-out UDHR snippets of
      // 3-200 characters in the 170 languages CLD2 knows (not the benchmark sets): an answer
      // scoring 300-400 is right 40% of the time, 400-500 71%, 500-600 85%, 700-800 92%, over
      // 1,000 96%, which a logistic centred on CLD2_SCORE_MIDPOINT follows.
      const weights = new Map<string, number>();
      for (const l of result.languages) {
        const language = canonicalLanguage(l.code);
        const probability = (l.percent / 100) * cld2ScoreProbability(l.score);
        weights.set(language, (weights.get(language) ?? 0) + probability);
      }
      const guesses = topGuesses(weights, 1);
      return guesses;
    },
  };
}

/**
 * The languages CLD3 answers (its model's `LanguageCode` list; the package declares them as a
 * type only), less its romanised variants (`ru-Latn`, `hi-Latn`, `ja-Latn` …): Russian written in
 * Latin letters is not text a Russian model reads, so such an answer is no answer.
 */
const CLD3_LANGUAGES =
  "af am ar az be bg bn bs ca ceb co cs cy da de el en eo es et eu fa fi fil fr fy ga gd gl gu ha haw hi hmn hr ht hu hy id ig is it iw " +
  "ja jv ka kk km kn ko ku ky la lb lo lt lv mg mi mk ml mn mr ms mt my ne nl no ny pa pl ps pt ro ru sd si sk sl sm sn so sq sr st su sv " +
  "sw ta te tg th tr uk ur uz vi xh yi yo zh zu";

/** CLD3 reads at most this many bytes of a text; its answer is settled well before. */
const CLD3_MAX_BYTES = 1000;

interface Cld3Identifier {
  findLanguage(text: string): { language: string; probability: number };
}

/**
 * CLD3 (Google's Compact Language Detector v3, a small neural network over character n-grams;
 * Apache-2.0) as WebAssembly, from the npm package `cld3-asm` (MIT). It names one language with its
 * probability.
 */
async function loadCld3(): Promise<LanguageDetector> {
  const { loadModule } = await import("cld3-asm");
  const identifier = (await loadModule()).create(0, CLD3_MAX_BYTES) as Cld3Identifier;
  const languages = new Set(CLD3_LANGUAGES.split(" ").map(canonicalLanguage));
  return {
    name: "cld3",
    languages,
    detect(text) {
      const { language, probability } = identifier.findLanguage(text);
      if (language.endsWith("-Latn")) return [];
      const canonical = canonicalLanguage(language);
      return languages.has(canonical) ? [{ language: canonical, score: Math.min(1, Math.max(0, probability)) }] : [];
    },
  };
}

/** Lingua's languages, as its answers name them, and their ISO 639-1 codes. */
const LINGUA_LANGUAGES: Record<string, string> = {
  Afrikaans: "af", Albanian: "sq", Arabic: "ar", Armenian: "hy", Azerbaijani: "az", Basque: "eu", Belarusian: "be", Bengali: "bn", Bokmal: "nb",
  Bosnian: "bs", Bulgarian: "bg", Catalan: "ca", Chinese: "zh", Croatian: "hr", Czech: "cs", Danish: "da", Dutch: "nl", English: "en",
  Esperanto: "eo", Estonian: "et", Finnish: "fi", French: "fr", Ganda: "lg", Georgian: "ka", German: "de", Greek: "el", Gujarati: "gu",
  Hebrew: "he", Hindi: "hi", Hungarian: "hu", Icelandic: "is", Indonesian: "id", Irish: "ga", Italian: "it", Japanese: "ja", Kazakh: "kk",
  Korean: "ko", Latin: "la", Latvian: "lv", Lithuanian: "lt", Macedonian: "mk", Malay: "ms", Maori: "mi", Marathi: "mr", Mongolian: "mn",
  Nynorsk: "nn", Persian: "fa", Polish: "pl", Portuguese: "pt", Punjabi: "pa", Romanian: "ro", Russian: "ru", Serbian: "sr", Shona: "sn",
  Slovak: "sk", Slovene: "sl", Somali: "so", Sotho: "st", Spanish: "es", Swahili: "sw", Swedish: "sv", Tagalog: "tl", Tamil: "ta",
  Telugu: "te", Thai: "th", Tsonga: "ts", Tswana: "tn", Turkish: "tr", Ukrainian: "uk", Urdu: "ur", Vietnamese: "vi", Welsh: "cy",
  Xhosa: "xh", Yoruba: "yo", Zulu: "zu",
};

/**
 * Lingua (lingua-rs 1.5, Apache-2.0) as WebAssembly, from the npm package `@bluzzi/lingua`: the
 * upstream's own JavaScript build, its models inside (71 MB on disk). It gives every one of its 75
 * languages a probability, from character 1- to 5-grams counted on large corpora, and is built for
 * short text. Loading it is synchronous, so the default detector can load it on its first short
 * text (`combined.ts`).
 *
 * Two modes, measured here (bench/langid.ts's word pairs, 433 items; resident memory after a pass
 * over them, less a process that loaded nothing): "high" (Lingua's default, the `lingua` detector)
 * reads all five n-gram orders, ~1,100 MB, ~10 s to load every language's models, ~1,200 pairs/s;
 * "low" reads trigrams only, ~210 MB (the module itself), under 1 s, ~4,400 pairs/s. Alone on the
 * pairs of the 58 Tatoeba languages it knows, high is right on 82.2% (mean of per-language
 * accuracy), low on 66.4%; as a member of the default pool the two gain the same (`combined.ts`).
 */
export function loadLingua(mode: "high" | "low"): LanguageDetector {
  const { LanguageDetectorBuilder } = createRequire(import.meta.url)("@bluzzi/lingua") as typeof Lingua;
  const builder = LanguageDetectorBuilder.fromAllLanguages();
  if (mode === "low") builder.withLowAccuracyMode();
  const lingua = builder.build();
  // An empty text gets every language Lingua has, at 0: each must have a code here.
  for (const { language } of lingua.computeLanguageConfidenceValues("") as Array<{ language: string }>) {
    if (!Object.hasOwn(LINGUA_LANGUAGES, language)) throw new KilnError("detector_load_failed", `Lingua knows a language Kiln has no code for: ${language}`);
  }
  const languages = new Set(Object.values(LINGUA_LANGUAGES).map(canonicalLanguage));
  return {
    name: "lingua",
    languages,
    detect(text) {
      // Every language, best first; all 0 when the text holds no letter Lingua reads.
      const values = lingua.computeLanguageConfidenceValues(text) as Array<{ language: string; confidence: number }>;
      const guesses: LanguageGuess[] = [];
      for (const { language, confidence } of values) {
        if (guesses.length === TOP_GUESSES || confidence <= 0) break;
        guesses.push({ language: canonicalLanguage(LINGUA_LANGUAGES[language]!), score: Math.min(1, confidence) });
      }
      return guesses;
    },
  };
}

/** Loads one single detector by name (`default` is built in `combined.ts`). */
export async function loadSingleDetector(name: Exclude<DetectorName, "default">): Promise<LanguageDetector> {
  try {
    switch (name) {
      case "franc":
      case "franc-all":
        return await loadFranc(name);
      case "eld":
        return await loadEld();
      case "fasttext":
        return await loadFastText();
      case "cld2":
        return loadCld2();
      case "cld3":
        return await loadCld3();
      case "lingua":
        return loadLingua("high");
    }
  } catch (error) {
    if (error instanceof KilnError) throw error;
    throw new KilnError("detector_load_failed", `language detector "${name}" failed to load: ${errorMessage(error)}`);
  }
}
