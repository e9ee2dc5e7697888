/**
 * fastText-style hashed features: every lowercased word and every pair of adjacent words is
 * hashed into one of `buckets` rows of the model's first layer. No vocabulary is built, so
 * features of a document are computed in one pass over its characters and memory does not grow
 * with the corpus.
 *
 *   word      maximal run of letters, digits and combining marks (Unicode L, N, M); everything
 *             else separates words. Lowercased per UTF-16 code unit.
 *   word hash FNV-1a 32-bit over the word's UTF-16 code units (for ASCII words this is the
 *             standard FNV-1a of the bytes), bucket = hash mod buckets
 *   bigram    fastText's combination of the two word hashes, h = h1 * 116049371 + h2 (mod 2^32),
 *             bucket = h mod buckets; unigrams and bigrams share the table
 *   set       each bucket counts once per document (a binary bag of n-grams): a line repeated a
 *             hundred times does not outweigh the rest of the page, and the model can normalise
 *             the bag to unit length by 1/sqrt(features).
 *   style     with `textStatistics`, eight statistics of the text's form, each cut into a few
 *             fixed ranges and added as one more hashed token (`\u0001<name>:<range>`): the
 *             share of distinct words and of distinct word pairs (repetition), the most frequent
 *             word's share, mean word length, words with digits, capitalised words, punctuation
 *             per character, and lines that end like a sentence. Unnatural text (keyword lists,
 *             boilerplate, spam) shows in these in every language, where its words differ.
 */
import { FNV_OFFSET, FNV_PRIME, fnv1a32 } from "../core/index.js";

export interface FeatureConfig {
  /** Rows of the hashed table. */
  buckets: number;
  /** 1: words only; 2: words and adjacent word pairs. */
  wordNgrams: 1 | 2;
  /** Words read from the start of a document; bounds the time spent on a huge page. */
  maxWords: number;
  /** Add the text-statistics tokens (above). Absent in models written before they existed: off. */
  textStatistics?: boolean;
}

export const DEFAULT_FEATURES: FeatureConfig = { buckets: 1 << 18, wordNgrams: 2, maxWords: 5000, textStatistics: true };

export const FEATURE_HASH_ID = "fnv1a32-utf16-lower/bigram-116049371";

// Module-level copies: V8 folds a module's own constants into hot loops, not imported bindings.
const OFFSET = FNV_OFFSET;
const PRIME = FNV_PRIME;
export const BIGRAM_MULTIPLIER = 116049371;


/** The hash of the bigram (first, second) from the two word hashes. */
export function bigramHash(firstHash: number, secondHash: number): number {
  return (Math.imul(firstHash, BIGRAM_MULTIPLIER) + secondHash) >>> 0;
}

/**
 * The statistics and the lower edges of their ranges (a value gets the range of the last edge
 * it reaches, 0 below the first). Fixed round numbers: changing one changes every model's input.
 */
const STATISTICS: ReadonlyArray<readonly [string, readonly number[]]> = [
  ["distinct_words", [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]],
  ["top_word", [0.02, 0.04, 0.06, 0.1, 0.15, 0.25]],
  ["word_length", [3, 4, 5, 6, 7, 9, 12]],
  ["digit_words", [0.02, 0.05, 0.1, 0.2, 0.3]],
  ["capitalised", [0.05, 0.1, 0.2, 0.3, 0.5, 0.7]],
  ["punctuation", [0.01, 0.02, 0.04, 0.06, 0.1, 0.15]],
  ["sentence_lines", [0.1, 0.3, 0.5, 0.7, 0.9]],
  ["distinct_pairs", [0.3, 0.5, 0.7, 0.8, 0.9, 0.95]],
];
/** Hash of each statistic's range token, per statistic: [statistic][range]. */
const STATISTIC_HASHES = STATISTICS.map(([name, edges]) => Array.from({ length: edges.length + 1 }, (_, range) => fnv1a32(`\u0001${name}:${range}`)));

function rangeOf(value: number, edges: readonly number[]): number {
  let range = 0;
  while (range < edges.length && value >= edges[range]!) range++;
  return range;
}

/** Identifies this exact feature definition in a model folder; change it when the hashing changes. */

// Character classes for code units >= 0x80, filled on first sight (0 = not yet known).
const WORD = 1;
const SEPARATOR = 2;
const charClass = new Uint8Array(65536);
const lowerOf = new Uint16Array(65536);
const wordCharPattern = /[\p{L}\p{N}\p{M}]/u;

function classify(code: number): number {
  let cls = charClass[code]!;
  if (cls === 0) {
    // Lone surrogates are halves of astral characters (CJK extensions, emoji): kept inside words.
    const isSurrogate = code >= 0xd800 && code <= 0xdfff;
    const char = String.fromCharCode(code);
    cls = isSurrogate || wordCharPattern.test(char) ? WORD : SEPARATOR;
    const lower = isSurrogate ? char : char.toLowerCase();
    lowerOf[code] = lower.length === 1 ? lower.charCodeAt(0) : code;
    charClass[code] = cls;
  }
  return cls;
}

/** Lowercased words as the feature extractor sees them (for tests and for the baseline). */
export function words(text: string): string[] {
  const out: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let lower: number;
    if (code < 0x80) {
      if (code >= 65 && code <= 90) lower = code + 32;
      else if ((code >= 97 && code <= 122) || (code >= 48 && code <= 57)) lower = code;
      else lower = -1;
    } else lower = classify(code) === WORD ? lowerOf[code]! : -1;
    if (lower >= 0) current += String.fromCharCode(lower);
    else if (current) {
      out.push(current);
      current = "";
    }
  }
  if (current) out.push(current);
  return out;
}

/** A reusable, growing buffer of feature indices, so scoring allocates nothing per document. */
export class FeatureBuffer {
  indices = new Int32Array(4096);
  length = 0;
  /** stamp[bucket] === document marks a bucket already in this document's set. */
  private stamp = new Int32Array(0);
  /** Occurrences in this document per bucket, valid where stamp[bucket] === document. */
  private occurrences = new Int32Array(0);
  private document = 0;

  /** Starts a new document's set over `buckets` buckets. */
  reset(buckets: number): void {
    this.length = 0;
    if (this.stamp.length !== buckets || this.document === 0x7fffffff) {
      this.stamp = new Int32Array(buckets);
      this.occurrences = new Int32Array(buckets);
      this.document = 0;
    }
    this.document++;
  }

  /** Adds `index` unless this document has it already; true when it is new. */
  add(index: number): boolean {
    if (this.stamp[index] === this.document) return false;
    this.stamp[index] = this.document;
    this.occurrences[index] = 0;
    this.push(index);
    return true;
  }

  /** Counts one more occurrence of `index` (added already) in this document; returns the count. */
  tally(index: number): number {
    return ++this.occurrences[index]!;
  }

  push(index: number): void {
    if (this.length === this.indices.length) {
      const grown = new Int32Array(this.indices.length * 2);
      grown.set(this.indices);
      this.indices = grown;
    }
    this.indices[this.length++] = index;
  }
}

/** Counts of one document's form, gathered while its words are hashed. */
class FormCounts {
  words = 0;
  letters = 0;
  digitWords = 0;
  capitalised = 0;
  punctuation = 0;
  lines = 0;
  sentenceLines = 0;
  distinctWords = 0;
  pairs = 0;
  distinctPairs = 0;
  topWord = 0;
}

/** The statistics' range tokens of a document, into `out`. */
function addStatistics(form: FormCounts, characters: number, config: FeatureConfig, out: FeatureBuffer): void {
  const words = Math.max(1, form.words);
  const values = [
    form.distinctWords / words,
    form.topWord / words,
    form.letters / words,
    form.digitWords / words,
    form.capitalised / words,
    form.punctuation / Math.max(1, characters),
    form.sentenceLines / Math.max(1, form.lines),
    form.distinctPairs / Math.max(1, form.pairs),
  ];
  values.forEach((value, i) => out.add(STATISTIC_HASHES[i]![rangeOf(value, STATISTICS[i]![1])]! % config.buckets));
}

const isLineEnd = (code: number) => code === 10;
/** Characters that end a sentence-like line (Latin, CJK, Arabic, Devanagari and closing quotes). */
const SENTENCE_END = new Set([...".!?:;\"'”»)。！？．؟।"].map((c) => c.charCodeAt(0)));
const isSpace = (code: number) => code === 32 || code === 9 || code === 13 || code === 12 || code === 0xa0 || code === 0x3000;

/**
 * Writes the distinct feature buckets of `text` into `out` (cleared first) in order of first
 * appearance, and returns how many there are: words and, with wordNgrams 2, adjacent pairs; then
 * the text-statistics tokens when the config asks for them.
 */
export function extractFeatures(text: string, config: FeatureConfig, out: FeatureBuffer): number {
  out.reset(config.buckets);
  const { buckets, maxWords } = config;
  const bigrams = config.wordNgrams === 2;
  const form = config.textStatistics ? new FormCounts() : undefined;
  let hash = OFFSET;
  let inWord = false;
  let wordLength = 0;
  let wordHasDigit = false;
  let wordCapitalised = false;
  let lastVisible = 10; // the last non-space character of the current line (10: none yet)
  let previous = 0;
  let hasPrevious = false;
  let wordCount = 0;
  let read = 0;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    let lower = -1;
    let code = 10;
    if (i < n) {
      code = text.charCodeAt(i);
      if (code < 0x80) {
        if (code >= 65 && code <= 90) lower = code + 32;
        else if ((code >= 97 && code <= 122) || (code >= 48 && code <= 57)) lower = code;
      } else if (classify(code) === WORD) lower = lowerOf[code]!;
    }
    read = i;
    if (lower >= 0) {
      hash = Math.imul(hash ^ lower, PRIME);
      if (form) {
        if (wordLength === 0) wordCapitalised = lower !== code;
        wordLength++;
        if (code >= 48 && code <= 57) wordHasDigit = true;
        lastVisible = code;
      }
      inWord = true;
      continue;
    }
    if (form) {
      if (isLineEnd(code)) {
        if (lastVisible !== 10) {
          form.lines++;
          if (SENTENCE_END.has(lastVisible)) form.sentenceLines++;
        }
        lastVisible = 10;
      } else if (!isSpace(code)) {
        form.punctuation++;
        lastVisible = code;
      }
    }
    if (!inWord) continue;
    const wordHash = hash >>> 0;
    const bucket = wordHash % buckets;
    const isNew = out.add(bucket);
    if (bigrams && hasPrevious) {
      const pairIsNew = out.add(bigramHash(previous, wordHash) % buckets);
      if (form) {
        form.pairs++;
        if (pairIsNew) form.distinctPairs++;
      }
    }
    if (form) {
      form.words++;
      form.letters += wordLength;
      if (wordHasDigit) form.digitWords++;
      if (wordCapitalised) form.capitalised++;
      if (isNew) form.distinctWords++;
      const count = out.tally(bucket);
      if (count > form.topWord) form.topWord = count;
      wordLength = 0;
      wordHasDigit = false;
    }
    previous = wordHash;
    hasPrevious = true;
    hash = OFFSET;
    inWord = false;
    if (++wordCount >= maxWords) break;
  }
  if (form) addStatistics(form, read, config, out);
  return out.length;
}
