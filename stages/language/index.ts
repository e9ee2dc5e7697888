/**
 * Language identification stages. `language` annotates; `language_filter` decides from the
 * annotation (annotating first when a document has none), so a run can be re-thresholded.
 *
 *   meta.language              ISO 639-1 where one exists, else 639-3; "und" when undetermined
 *   meta.languageScore         [0, 1], the detector's (calibrated) probability
 *   meta.languageRunnerUp      the second guess, or null
 *   meta.languageRunnerUpScore its score, or 0
 *   meta.languageDetector      which detector answered ("default" = eld+cld2+fasttext)
 *   meta.languageReason        only when undetermined: why (e.g. "no_letters")
 */
import { z } from "zod";
import { type Doc, docStage, register } from "../../pipeline/index.js";
import { UNDETERMINED, canonicalLanguage } from "./codes.js";
import { loadCombinedDetector } from "./combined.js";
import { DETECTOR_NAMES, loadSingleDetector, type DetectorName, type LanguageDetector } from "./detectors.js";
import { paramsForLanguage, perLanguageParam } from "./per-language.js";
import { detectionSample, undeterminedReason } from "./sample.js";

export { canonicalLanguage, UNDETERMINED } from "./codes.js";
export { detectionSample } from "./sample.js";

const detectorParam = z.enum(DETECTOR_NAMES).default("default").describe("which detector: default (ELD + CLD2 + fastText; on a few words also a word lexicon, CLD3 and Lingua), franc, franc-all, fasttext, cld2, cld3, eld, lingua");
const maxCharsParam = z.number().int().positive().default(2000).describe("characters of the document's start the detector reads, cut at a whitespace boundary");

export const languageParams = z.object({ detector: detectorParam, maxChars: maxCharsParam });
export type LanguageParams = z.output<typeof languageParams>;

const minScoreParam = z.number().min(0).max(1).default(0.65).describe("lowest meta.languageScore kept when `languages` is set (FineWeb: 0.65 for English)");

export const languageFilterParams = z.object({
  languages: z.array(z.string().min(2)).default([]).describe("languages kept (ISO 639-1 or 639-3 codes); empty keeps every language and only annotates"),
  minScore: minScoreParam,
  perLanguage: perLanguageParam(z.object({ minScore: minScoreParam })),
  detector: detectorParam,
  maxChars: maxCharsParam,
});
export type LanguageFilterParams = z.output<typeof languageFilterParams>;

export interface LanguageAnnotation {
  language: string;
  languageScore: number;
  languageRunnerUp: string | null;
  languageRunnerUpScore: number;
  languageDetector: DetectorName;
  languageReason?: string;
}

/** Detectors load once per process (models are MBs); a task's stages share them. */
const loaded = new Map<DetectorName, Promise<LanguageDetector>>();
export function getDetector(name: DetectorName): Promise<LanguageDetector> {
  let detector = loaded.get(name);
  if (!detector) {
    detector = name === "default" ? loadCombinedDetector() : loadSingleDetector(name);
    // A failed load is not cached: the error reaches every document of this run the same way.
    detector.catch(() => loaded.delete(name));
    loaded.set(name, detector);
  }
  return detector;
}

/** Identifies the language of `text` from its first `maxChars` characters. */
export function annotateLanguage(detector: LanguageDetector, text: string, maxChars: number): LanguageAnnotation {
  const sample = detectionSample(text, maxChars);
  const reason = undeterminedReason(sample);
  const guesses = reason === null ? detector.detect(sample) : [];
  const [best, runnerUp] = guesses;
  if (!best) {
    return {
      language: UNDETERMINED,
      languageScore: 0,
      languageRunnerUp: null,
      languageRunnerUpScore: 0,
      languageDetector: detector.name,
      languageReason: reason ?? "no_answer",
    };
  }
  return {
    language: best.language,
    languageScore: best.score,
    languageRunnerUp: runnerUp?.language ?? null,
    languageRunnerUpScore: runnerUp?.score ?? 0,
    languageDetector: detector.name,
  };
}

/**
 * The filter's decision on a document already annotated: true, or the drop reason
 * (`language:<code>` for a language not kept, `language_score` under minScore).
 */
export function keepLanguage(meta: Record<string, unknown>, params: Pick<LanguageFilterParams, "languages" | "minScore">): true | string {
  if (params.languages.length === 0) return true;
  const language = typeof meta.language === "string" ? meta.language : UNDETERMINED;
  const wanted = new Set(params.languages.map(canonicalLanguage));
  if (!wanted.has(canonicalLanguage(language))) return `language:${language}`;
  const score = typeof meta.languageScore === "number" ? meta.languageScore : 0;
  return score >= params.minScore ? true : "language_score";
}

/** Writes the annotation into the document's meta (in place, so a drop keeps the signals that decided it). */
async function annotated(doc: Doc, params: LanguageParams): Promise<Doc> {
  const detector = await getDetector(params.detector);
  Object.assign(doc.meta, annotateLanguage(detector, doc.text, params.maxChars));
  return doc;
}

export const languageStage = docStage({
  name: "language",
  description: "identify the language of each document's first maxChars characters into meta.language / languageScore / languageRunnerUp",
  params: languageParams,
  setup: (params) => (doc) => annotated(doc, params),
});

export const languageFilterStage = docStage({
  name: "language_filter",
  description: "keep documents in `languages` with meta.languageScore >= minScore (annotating first when meta.language is absent); no languages: only annotate",
  params: languageFilterParams,
  setup: (params) => {
    const paramsFor = paramsForLanguage<LanguageFilterParams>(params, params.perLanguage);
    return async (doc) => {
      const withMeta = typeof doc.meta.language === "string" ? doc : await annotated(doc, params);
      const verdict = keepLanguage(withMeta.meta, paramsFor(withMeta));
      return verdict === true ? withMeta : verdict;
    };
  },
});

register(languageStage);
register(languageFilterStage);
