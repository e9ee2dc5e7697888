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
 */

export interface FeatureConfig {
  /** Rows of the hashed table. */
  buckets: number;
  /** 1: words only; 2: words and adjacent word pairs. */
  wordNgrams: 1 | 2;
  /** Words read from the start of a document; bounds the time spent on a huge page. */
  maxWords: number;
}

export const DEFAULT_FEATURES: FeatureConfig = { buckets: 1 << 18, wordNgrams: 2, maxWords: 5000 };

/** Identifies this exact feature definition in a model folder; change it when the hashing changes. */
export const FEATURE_HASH_ID = "fnv1a32-utf16-lower/bigram-116049371";

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
export const BIGRAM_MULTIPLIER = 116049371;

/** FNV-1a 32-bit of a string's UTF-16 code units (unsigned). */
export function fnv1a32(word: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), FNV_PRIME);
  return hash >>> 0;
}

/** The hash of the bigram (first, second) from the two word hashes. */
export function bigramHash(firstHash: number, secondHash: number): number {
  return (Math.imul(firstHash, BIGRAM_MULTIPLIER) + secondHash) >>> 0;
}

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
  private document = 0;

  /** Starts a new document's set over `buckets` buckets. */
  reset(buckets: number): void {
    this.length = 0;
    if (this.stamp.length !== buckets || this.document === 0x7fffffff) {
      this.stamp = new Int32Array(buckets);
      this.document = 0;
    }
    this.document++;
  }

  /** Adds `index` unless this document has it already. */
  add(index: number): void {
    if (this.stamp[index] === this.document) return;
    this.stamp[index] = this.document;
    this.push(index);
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

/**
 * Writes the distinct feature buckets of `text` into `out` (cleared first) in order of first
 * appearance, and returns how many there are: words and, with wordNgrams 2, adjacent pairs.
 */
export function extractFeatures(text: string, config: FeatureConfig, out: FeatureBuffer): number {
  out.reset(config.buckets);
  const { buckets, maxWords } = config;
  const bigrams = config.wordNgrams === 2;
  let hash = FNV_OFFSET;
  let inWord = false;
  let previous = 0;
  let hasPrevious = false;
  let wordCount = 0;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    let lower = -1;
    if (i < n) {
      const code = text.charCodeAt(i);
      if (code < 0x80) {
        if (code >= 65 && code <= 90) lower = code + 32;
        else if ((code >= 97 && code <= 122) || (code >= 48 && code <= 57)) lower = code;
      } else if (classify(code) === WORD) lower = lowerOf[code]!;
    }
    if (lower >= 0) {
      hash = Math.imul(hash ^ lower, FNV_PRIME);
      inWord = true;
      continue;
    }
    if (!inWord) continue;
    const wordHash = hash >>> 0;
    out.add(wordHash % buckets);
    if (bigrams && hasPrevious) out.add(bigramHash(previous, wordHash) % buckets);
    previous = wordHash;
    hasPrevious = true;
    hash = FNV_OFFSET;
    inWord = false;
    if (++wordCount >= maxWords) break;
  }
  return out.length;
}
