/**
 * The default detector: ELD for the languages it knows, the broad detectors (CLD2 and fastText,
 * 175-187 languages each) fused for the languages it lacks.
 *
 * Why this shape (measured, see bench/langid.ts): ELD is the most accurate detector on the
 * languages it has models for (60), including short and noisy text, but a text in a language it
 * lacks (Galician, Afrikaans, Cebuano) comes back, confidently, as its nearest neighbour
 * (Portuguese, Dutch, Tagalog). The broad detectors know those languages but are less accurate
 * on short text. So the broad detectors decide whether the text is in a language ELD lacks, and
 * ELD decides among the languages it knows.
 *
 * Rule, per document: ELD reads the first 600 characters. If ELD has no answer (a script it has
 * no model for), the fused broad answer. If the fused broad answer is a language ELD lacks with
 * a score of at least OUTSIDE_ELD_MIN_SCORE, that answer. Otherwise ELD's answer.
 */
import type { LanguageDetector, LanguageGuess } from "./detectors.js";
import { cld2Available, loadSingleDetector } from "./detectors.js";
import { detectionSample } from "./sample.js";

/**
 * A fused broad answer outside ELD's languages overrides ELD from this score up. Fusing averages
 * over the detectors that know the language, so one detector sure of it (CLD2 at 0.9) and one
 * that missed it (0) give 0.45: 0.4 lets a language ELD lacks through on one confident broad
 * detector, and needs both when they are lukewarm. Measured: 0.5 loses a third of those
 * languages (Galician, Afrikaans, Uzbek); 0.35 starts overriding ELD on noisy short text.
 */
export const OUTSIDE_ELD_MIN_SCORE = 0.4;
/**
 * ELD scores n-grams over the whole input and is the slowest of the three per character; its
 * answer no longer changes past a few hundred characters, so it reads only this much.
 */
export const ELD_MAX_CHARS = 600;

/**
 * Fuses detectors that each know a different set of languages: a language's score is the mean
 * of the scores the detectors that know it gave it (0 from a detector that knows it but did not
 * name it). A detector that cannot name a language neither votes for nor against it.
 */
export function fuseGuesses(detectors: readonly LanguageDetector[], guesses: readonly LanguageGuess[][]): LanguageGuess[] {
  const candidates = new Set<string>();
  for (const list of guesses) for (const guess of list) candidates.add(guess.language);
  const fused: LanguageGuess[] = [];
  for (const language of candidates) {
    let sum = 0;
    let knowers = 0;
    detectors.forEach((detector, i) => {
      if (!detector.languages.has(language)) return;
      knowers++;
      sum += guesses[i]!.find((guess) => guess.language === language)?.score ?? 0;
    });
    if (knowers > 0) fused.push({ language, score: sum / knowers });
  }
  return fused.sort((a, b) => b.score - a.score);
}

/**
 * ELD's scores run low between close languages (Russian and Ukrainian share most n-grams) even
 * when the answer is certain; a broad detector naming the same language is independent
 * evidence. The answer's score is that of the most confident detector that named it.
 */
function withAgreement(eldGuesses: LanguageGuess[], broadGuesses: LanguageGuess[][]): LanguageGuess[] {
  const [top, ...rest] = eldGuesses;
  if (!top) return eldGuesses;
  let score = top.score;
  for (const list of broadGuesses) if (list[0]?.language === top.language) score = Math.max(score, list[0].score);
  return [{ language: top.language, score }, ...rest.filter((guess) => guess.score <= score)];
}

/** Builds the default detector from ELD, fastText and, when its addon is built, CLD2. */
export async function loadCombinedDetector(): Promise<LanguageDetector & { parts: string[] }> {
  const eld = await loadSingleDetector("eld");
  // CLD2 first: it is ~6x faster than fastText on 2 KB documents.
  const broad: LanguageDetector[] = [];
  if (cld2Available()) broad.push(await loadSingleDetector("cld2"));
  broad.push(await loadSingleDetector("fasttext"));
  const languages = new Set<string>();
  for (const detector of [eld, ...broad]) for (const language of detector.languages) languages.add(language);
  return {
    name: "default",
    parts: [eld.name, ...broad.map((d) => d.name)],
    languages,
    detect(text) {
      const eldGuesses = eld.detect(detectionSample(text, ELD_MAX_CHARS));
      const eldTop = eldGuesses[0];
      const broadGuesses: LanguageGuess[][] = [];
      // The broad detectors run cheapest first; when the first one names ELD's language, the
      // others are skipped and ELD's answer stands (only a confident broad answer outside ELD's
      // languages could override it, and the cheapest broad detector just said otherwise).
      // On clean text in ELD's languages this is most documents.
      for (const detector of broad) {
        const guesses = detector.detect(text);
        broadGuesses.push(guesses);
        if (broadGuesses.length === 1 && eldTop && guesses[0]?.language === eldTop.language) return withAgreement(eldGuesses, broadGuesses);
      }
      const fused = fuseGuesses(broad, broadGuesses);
      const fusedTop = fused[0];
      if (!eldTop) return fused;
      if (fusedTop && !eld.languages.has(fusedTop.language) && fusedTop.score >= OUTSIDE_ELD_MIN_SCORE) return fused;
      return withAgreement(eldGuesses, broadGuesses);
    },
  };
}
