/**
 * Gopher quality filter (Rae et al. 2021), with datatrove's defaults and semantics
 * (`gopher_quality_filter.py`). Words are tokens as datatrove's English word tokenizer gives them
 * (`words: english`, the default: spaCy's rules, punctuation and contractions split off); a
 * "non-symbol word" has at least one character that is not punctuation or a symbol. The hash,
 * ellipsis and letter ratios divide by all tokens, as datatrove does. Lines are trimmed of Python's
 * whitespace and word lengths are Python's, in code points.
 *
 * Under `words: english` (datatrove's) a text in a script without spaces is a few long words and
 * drops as short, as in datatrove. Under `words: segmented` (FineWeb-2's settings) its words are
 * segmented, and since the mean-word-length and stop-word rules are calibrated on English, they
 * are skipped by default for documents written mostly in such a script (Chinese, Japanese, Thai),
 * where segmented words are one or two characters long and the stop words cannot occur.
 */
import { z } from "zod";
import { type Doc, register } from "../../pipeline/index.js";
import { above, below, reuseSignalsParam, signalFilterStage, wordsParam, type Verdict } from "./signal-stage.js";
import { isPythonSpace } from "./english/words.js";
import { HAS_LETTER, SYMBOL_TOKEN, countOccurrences, fraction, lineBounds, pythonLength, splitWords, type WordRules } from "./text.js";

export const GOPHER_STOP_WORDS = ["the", "be", "to", "of", "and", "that", "have", "with"];

export const gopherQualityParams = z.object({
  minDocWords: z.number().int().min(0).nullable().default(50).describe("fewest non-symbol words (published 50)"),
  maxDocWords: z.number().int().min(0).nullable().default(100_000).describe("most non-symbol words (published 100,000)"),
  minAvgWordLength: z.number().min(0).nullable().default(3).describe("lowest mean length of non-symbol words, in characters (published 3)"),
  maxAvgWordLength: z.number().min(0).nullable().default(10).describe("highest mean length of non-symbol words (published 10)"),
  maxSymbolWordRatio: z.number().min(0).nullable().default(0.1).describe("most '#', and separately most '...'/'…', per word (published 0.1)"),
  maxBulletLinesRatio: z.number().min(0).nullable().default(0.9).describe("most lines starting with '•' or '-', as a fraction of lines (published 0.9)"),
  maxEllipsisLinesRatio: z.number().min(0).nullable().default(0.3).describe("most lines ending in '...' or '…' (published 0.3)"),
  minAlphaWordsRatio: z.number().min(0).nullable().default(0.8).describe("fewest words containing a letter, as a fraction of words (published 0.8)"),
  minStopWords: z.number().int().min(0).nullable().default(2).describe("fewest distinct stop words present, case-sensitive, as datatrove counts them (published 2)"),
  stopWords: z.array(z.string()).default(GOPHER_STOP_WORDS).describe("the stop words counted (published: the, be, to, of, and, that, have, with)"),
  exemptNoSpaceScripts: z
    .boolean()
    .default(true)
    .describe("skip the English-calibrated mean-word-length and stop-word rules for documents mostly in Chinese, Japanese or Thai (their words segmented: words segmented or simple)"),
  words: wordsParam,
  reuseSignals: reuseSignalsParam,
});
export type GopherQualityParams = z.output<typeof gopherQualityParams>;

/** What `meta.gopherQuality` holds. */
export interface GopherQualitySignals {
  /** All tokens, punctuation included (the denominator of the ratios). */
  tokens: number;
  nonSymbolWords: number;
  meanWordLength: number;
  hashRatio: number;
  ellipsisRatio: number;
  bulletLineFrac: number;
  ellipsisLineFrac: number;
  alphaWordFrac: number;
  /** Distinct stop words present (datatrove: len(stop_words ∩ set(words))), not occurrences. */
  stopWords: number;
  /** Fraction of tokens in a script without spaces (Chinese, Japanese, Thai, ...). */
  noSpaceScriptFrac: number;
}

interface StopWordSet {
  stopSet: Set<string>;
  longestStopWord: number;
  /** 1 at (length << 7 | first code unit & 127) of each stop word: most words need no set lookup. */
  shapes: Uint8Array;
}
const stopWordSets = new WeakMap<readonly string[], StopWordSet>();

/** The stop words as a set, made once per list (a stage's parameters keep one list). */
function stopWordSet(stopWords: readonly string[]): StopWordSet {
  let entry = stopWordSets.get(stopWords);
  if (!entry) {
    const longestStopWord = Math.max(0, ...stopWords.map((word) => word.length));
    const shapes = new Uint8Array((longestStopWord + 1) << 7);
    for (const word of stopWords) if (word.length > 0) shapes[(word.length << 7) | (word.charCodeAt(0) & 127)] = 1;
    entry = { stopSet: new Set(stopWords), longestStopWord, shapes };
    stopWordSets.set(stopWords, entry);
  }
  return entry;
}

export function gopherQualitySignals(text: string, stopWords: readonly string[] = GOPHER_STOP_WORDS, rules: WordRules = "english"): GopherQualitySignals {
  const { words, flags, noSpaceWords } = splitWords(text, rules);
  const { stopSet, longestStopWord, shapes } = stopWordSet(stopWords);
  // Python's len counts code points: an emoji in a word is one character.
  const length = pythonLength(text);
  let nonSymbol = 0;
  let nonSymbolChars = 0;
  let alpha = 0;
  const stopsSeen = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const flag = flags[i]!;
    if ((flag & SYMBOL_TOKEN) === 0) {
      nonSymbol++;
      nonSymbolChars += length(word);
    }
    if (flag & HAS_LETTER) alpha++;
    if (word.length <= longestStopWord && shapes[(word.length << 7) | (word.charCodeAt(0) & 127)] === 1 && stopSet.has(word)) stopsSeen.add(word);
  }
  // Each line's first and last characters after trimming, read in place.
  const bounds = lineBounds(text);
  const lineCount = bounds.length / 2;
  let bullets = 0;
  let ellipsisLines = 0;
  for (let b = 0; b < bounds.length; b += 2) {
    let first = bounds[b]!;
    let last = bounds[b + 1]! - 1;
    while (first <= last && isPythonSpace(text.charCodeAt(first))) first++;
    if (first > last) continue;
    while (isPythonSpace(text.charCodeAt(last))) last--;
    const opening = text.charCodeAt(first);
    if (opening === 0x2022 || opening === 45) bullets++;
    const closing = text.charCodeAt(last);
    if (closing === 0x2026 || (closing === 46 && last - first >= 2 && text.charCodeAt(last - 1) === 46 && text.charCodeAt(last - 2) === 46)) ellipsisLines++;
  }
  return {
    tokens: words.length,
    nonSymbolWords: nonSymbol,
    meanWordLength: fraction(nonSymbolChars, nonSymbol),
    hashRatio: fraction(countOccurrences(text, "#"), words.length),
    ellipsisRatio: fraction(countOccurrences(text, "...") + countOccurrences(text, "…"), words.length),
    bulletLineFrac: fraction(bullets, lineCount),
    ellipsisLineFrac: fraction(ellipsisLines, lineCount),
    alphaWordFrac: fraction(alpha, words.length),
    stopWords: stopsSeen.size,
    noSpaceScriptFrac: fraction(noSpaceWords, words.length),
  };
}

/** Rules in datatrove's order; the first that fires names the drop. */
export function gopherQualityDecide(s: GopherQualitySignals, p: GopherQualityParams): Verdict {
  const exempt = p.exemptNoSpaceScripts && s.noSpaceScriptFrac > 0.5;
  if (below(s.nonSymbolWords, p.minDocWords)) return "gopher_quality:short_doc";
  if (above(s.nonSymbolWords, p.maxDocWords)) return "gopher_quality:long_doc";
  if (!exempt && below(s.meanWordLength, p.minAvgWordLength)) return "gopher_quality:below_avg_word_length";
  if (!exempt && above(s.meanWordLength, p.maxAvgWordLength)) return "gopher_quality:above_avg_word_length";
  if (above(s.hashRatio, p.maxSymbolWordRatio)) return "gopher_quality:too_many_hashes";
  if (above(s.ellipsisRatio, p.maxSymbolWordRatio)) return "gopher_quality:too_many_ellipsis";
  if (above(s.bulletLineFrac, p.maxBulletLinesRatio)) return "gopher_quality:too_many_bullets";
  if (above(s.ellipsisLineFrac, p.maxEllipsisLinesRatio)) return "gopher_quality:too_many_end_ellipsis";
  if (below(s.alphaWordFrac, p.minAlphaWordsRatio)) return "gopher_quality:below_alpha_threshold";
  if (!exempt && below(s.stopWords, p.minStopWords)) return "gopher_quality:not_enough_stop_words";
  return true;
}

/** The whole filter as one pure function of (doc, params). */
export function gopherQualityFilter(doc: Doc, params: GopherQualityParams): Verdict {
  return gopherQualityDecide(gopherQualitySignals(doc.text, params.stopWords, params.words), params);
}

export const gopherQuality = signalFilterStage({
  name: "gopher_quality",
  description: "Gopher quality rules: word count and length, symbols, bullets, ellipses, letters, stop words (signals in meta.gopherQuality)",
  metaKey: "gopherQuality",
  params: gopherQualityParams,
  signals: (text, p) => gopherQualitySignals(text, p.stopWords, p.words),
  decide: gopherQualityDecide,
});

register(gopherQuality);
