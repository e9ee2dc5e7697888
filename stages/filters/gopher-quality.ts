/**
 * Gopher quality filter (Rae et al. 2021), with datatrove's defaults and semantics
 * (`gopher_quality_filter.py`). Words are tokens (punctuation split off, as nltk does); a
 * "non-symbol word" has at least one character that is not punctuation or a symbol. The hash,
 * ellipsis and letter ratios divide by all tokens, as datatrove does.
 *
 * Not English-only by accident: the mean-word-length and stop-word rules are calibrated on
 * English, so by default they are skipped for documents written mostly in a script without spaces
 * (Chinese, Japanese, Thai), where segmented words are one or two characters long and the stop
 * words cannot occur. The word-count rules apply to every script (CJK words are segmented).
 */
import { z } from "zod";
import type { Doc } from "../../pipeline/doc.js";
import { register } from "../../pipeline/registry.js";
import { above, below, reuseSignalsParam, signalFilterStage, type Verdict } from "./signal-stage.js";
import { HAS_LETTER, SYMBOL_TOKEN, countOccurrences, fraction, splitLines, splitWords } from "./text.js";

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
    .describe("skip the English-calibrated mean-word-length and stop-word rules for documents mostly in Chinese, Japanese or Thai"),
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

export function gopherQualitySignals(text: string, stopWords: readonly string[] = GOPHER_STOP_WORDS): GopherQualitySignals {
  const { words, flags, noSpaceWords } = splitWords(text);
  const stopSet = new Set(stopWords);
  let longestStopWord = 0;
  for (const word of stopWords) longestStopWord = Math.max(longestStopWord, word.length);
  let nonSymbol = 0;
  let nonSymbolChars = 0;
  let alpha = 0;
  const stopsSeen = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const flag = flags[i]!;
    if ((flag & SYMBOL_TOKEN) === 0) {
      nonSymbol++;
      nonSymbolChars += word.length;
    }
    if (flag & HAS_LETTER) alpha++;
    if (word.length <= longestStopWord && stopSet.has(word)) stopsSeen.add(word);
  }
  const lines = splitLines(text);
  let bullets = 0;
  let ellipsisLines = 0;
  for (const line of lines) {
    const start = line.trimStart();
    if (start.startsWith("•") || start.startsWith("-")) bullets++;
    const end = line.trimEnd();
    if (end.endsWith("...") || end.endsWith("…")) ellipsisLines++;
  }
  return {
    tokens: words.length,
    nonSymbolWords: nonSymbol,
    meanWordLength: fraction(nonSymbolChars, nonSymbol),
    hashRatio: fraction(countOccurrences(text, "#"), words.length),
    ellipsisRatio: fraction(countOccurrences(text, "...") + countOccurrences(text, "…"), words.length),
    bulletLineFrac: fraction(bullets, lines.length),
    ellipsisLineFrac: fraction(ellipsisLines, lines.length),
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
  return gopherQualityDecide(gopherQualitySignals(doc.text, params.stopWords), params);
}

export const gopherQuality = signalFilterStage({
  name: "gopher_quality",
  description: "Gopher quality rules: word count and length, symbols, bullets, ellipses, letters, stop words (signals in meta.gopherQuality)",
  metaKey: "gopherQuality",
  params: gopherQualityParams,
  signals: (text, p) => gopherQualitySignals(text, p.stopWords),
  decide: gopherQualityDecide,
});

register(gopherQuality);
