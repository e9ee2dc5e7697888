/**
 * Gopher repetition filter (Rae et al. 2021, table A1), with datatrove's defaults and semantics
 * (`gopher_repetition_filter.py`): paragraphs are `text.strip()` split on `\n{2,}`, lines are
 * the text split on `\n+` (current datatrove; blank lines between paragraphs are not "repeated
 * lines"), character fractions divide by the length of the whole text, the most frequent n-gram is
 * its words joined by one space but a duplicated n-gram's characters are its words' alone (datatrove
 * joins them with "" there), and every length is Python's, in code points.
 */
import { z } from "zod";
import { type Doc, register } from "../../pipeline/index.js";
import { above, reuseSignalsParam, signalFilterStage, wordsParam, type Verdict } from "./signal-stage.js";
import { findDuplicates, fraction, pythonLength, splitWords, utf16Length, type Length, type WordRules } from "./text.js";
import { fnv1a32 } from "../../core/index.js";

const fractionBound = (published: number, what: string) =>
  z.number().min(0).nullable().default(published).describe(`${what} (published ${published}; null disables)`);

export const gopherRepetitionParams = z.object({
  dupParaFrac: fractionBound(0.3, "most paragraphs that repeat an earlier paragraph, as a fraction of paragraphs"),
  dupParaCharFrac: fractionBound(0.2, "most characters in repeated paragraphs, as a fraction of the text"),
  dupLineFrac: fractionBound(0.3, "most lines that repeat an earlier line, as a fraction of lines"),
  dupLineCharFrac: fractionBound(0.2, "most characters in repeated lines, as a fraction of the text"),
  top2GramCharFrac: fractionBound(0.2, "most characters covered by the most frequent word 2-gram"),
  top3GramCharFrac: fractionBound(0.18, "most characters covered by the most frequent word 3-gram"),
  top4GramCharFrac: fractionBound(0.16, "most characters covered by the most frequent word 4-gram"),
  dup5GramCharFrac: fractionBound(0.15, "most characters in duplicated word 5-grams"),
  dup6GramCharFrac: fractionBound(0.14, "most characters in duplicated word 6-grams"),
  dup7GramCharFrac: fractionBound(0.13, "most characters in duplicated word 7-grams"),
  dup8GramCharFrac: fractionBound(0.12, "most characters in duplicated word 8-grams"),
  dup9GramCharFrac: fractionBound(0.11, "most characters in duplicated word 9-grams"),
  dup10GramCharFrac: fractionBound(0.1, "most characters in duplicated word 10-grams"),
  words: wordsParam,
  reuseSignals: reuseSignalsParam,
});
export type GopherRepetitionParams = z.output<typeof gopherRepetitionParams>;

const TOP_NS = [2, 3, 4] as const;
const DUP_NS = [5, 6, 7, 8, 9, 10] as const;

/** What `meta.gopherRepetition` holds. */
export interface GopherRepetitionSignals {
  dupParaFrac: number;
  dupParaCharFrac: number;
  dupLineFrac: number;
  dupLineCharFrac: number;
  /** Keyed by n: characters of the most frequent n-gram times its count, over the text length. */
  topNGramCharFrac: Record<string, number>;
  /** Keyed by n: characters of the duplicated n-grams (datatrove's greedy scan), over the text length. */
  dupNGramCharFrac: Record<string, number>;
}

/**
 * An open-addressing table from (prefix id, word id) pairs to dense ids, reused between calls so
 * that counting n-grams allocates nothing per document. Much faster than a Map keyed by strings
 * or by packed doubles.
 */
class PairIds {
  private prefixes = new Int32Array(0);
  private words = new Int32Array(0);
  private ids = new Int32Array(0);
  private mask = 0;
  /** How many distinct pairs have ids. */
  size = 0;

  reset(expected: number): void {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    if (this.prefixes.length < capacity) {
      this.prefixes = new Int32Array(capacity);
      this.words = new Int32Array(capacity);
      this.ids = new Int32Array(capacity);
    }
    this.mask = capacity - 1;
    this.prefixes.fill(-1, 0, capacity);
    this.size = 0;
  }

  /** The id of (prefix, word), new ids counting up from 0. */
  idOf(prefix: number, word: number): number {
    let slot = (Math.imul(prefix, 0x9e3779b1) ^ Math.imul(word, 0x85ebca6b)) >>> 0;
    slot = (slot ^ (slot >>> 15)) & this.mask;
    for (;;) {
      const stored = this.prefixes[slot]!;
      if (stored === -1) {
        this.prefixes[slot] = prefix;
        this.words[slot] = word;
        this.ids[slot] = this.size;
        return this.size++;
      }
      if (stored === prefix && this.words[slot] === word) return this.ids[slot]!;
      slot = (slot + 1) & this.mask;
    }
  }
}

const pairIds = new PairIds();

/**
 * Interns words by a hash computed while splitting, checking equality on a hit, so no string is
 * hashed twice; reused between calls.
 */
class WordIds {
  private slots = new Int32Array(0);
  private mask = 0;
  private firstIndex: number[] = [];

  reset(expected: number): void {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    if (this.slots.length < capacity) this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.slots.fill(-1, 0, capacity);
    this.firstIndex = [];
  }

  get size(): number {
    return this.firstIndex.length;
  }

  /** The id of words[index], new ids counting up from 0. */
  idOf(words: readonly string[], index: number, hash: number): number {
    const word = words[index]!;
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const id = this.slots[slot]!;
      if (id === -1) {
        this.slots[slot] = this.firstIndex.length;
        this.firstIndex.push(index);
        return this.firstIndex.length - 1;
      }
      if (words[this.firstIndex[id]!] === word) return id;
    }
  }
}

const wordIdTable = new WordIds();

/** Reusable scratch arrays: allocating several typed arrays per document costs more than the counting. */
const scratch: Int32Array[] = [];
function scratchArray(slot: number, size: number): Int32Array {
  let array = scratch[slot];
  if (!array || array.length < size) {
    array = new Int32Array(Math.max(size, 1024, (array?.length ?? 0) * 2));
    scratch[slot] = array;
  }
  return array;
}

function hashWord(word: string): number {
  return fnv1a32(word) & 0x3fffffff;
}

/**
 * Top and duplicated n-gram character counts for n = 2..maxN, as datatrove's `find_top_duplicate`
 * (words joined by " ") and `find_all_duplicate` (joined by "", so a duplicate counts its words'
 * characters only) compute them on joined strings, but on integer ids: an n-gram id is the id of
 * its (n-1)-gram prefix paired with its last word. An n-gram that occurs once can never repeat, and
 * neither can any longer n-gram that starts with it; those positions get id -1 and are never
 * hashed again, which is what makes this fast on real text. One difference, by design: two
 * different word sequences whose ""-joins are equal (["ab", "c"] and ["a", "bc"]) are one n-gram
 * to datatrove's scan and two here. Word lengths are `length`'s (Python's: `pythonLength(text)`).
 */
export function nGramCharCounts(
  words: readonly string[],
  maxN: number,
  hashes?: readonly number[],
  length: Length = utf16Length,
): { top: number[]; dup: number[] } {
  const count = words.length;
  const top: number[] = new Array<number>(maxN + 1).fill(0);
  const dup: number[] = new Array<number>(maxN + 1).fill(0);
  const prefixChars = scratchArray(0, count + 1);
  prefixChars[0] = 0;
  const wordIds = scratchArray(1, count);
  wordIdTable.reset(count);
  for (let i = 0; i < count; i++) {
    const word = words[i]!;
    prefixChars[i + 1] = prefixChars[i]! + length(word);
    wordIds[i] = wordIdTable.idOf(words, i, hashes ? hashes[i]! : hashWord(word));
  }
  const wordCounts = scratchArray(2, wordIdTable.size).fill(0, 0, wordIdTable.size);
  for (let i = 0; i < count; i++) wordCounts[wordIds[i]!]!++;
  // Words that occur once end every longer n-gram through them, too.
  const repeatedWordIds = scratchArray(3, count);
  for (let i = 0; i < count; i++) repeatedWordIds[i] = wordCounts[wordIds[i]!]! > 1 ? wordIds[i]! : -1;
  const wordChars = (start: number, n: number) => prefixChars[start + n]! - prefixChars[start]!;

  // Only candidate positions (whose (n-1)-gram repeats) are visited; the list shrinks with n.
  const candidates = scratchArray(4, count);
  let candidateCount = 0;
  for (let i = 0; i < count; i++) if (repeatedWordIds[i]! >= 0) candidates[candidateCount++] = i;
  let ids = repeatedWordIds;
  // Two buffers for n-gram ids, swapped per level; both stay apart from repeatedWordIds.
  let nextIds = scratchArray(5, count);
  let spareIds = scratchArray(6, count);
  let counts = scratchArray(7, 0);
  for (let n = 2; n <= maxN; n++) {
    const positions = count - n + 1;
    if (positions <= 0) break;
    let kept = 0;
    if (candidateCount > 0) {
      pairIds.reset(candidateCount);
      for (let c = 0; c < candidateCount; c++) {
        const i = candidates[c]!;
        if (i >= positions) break;
        const last = repeatedWordIds[i + n - 1]!;
        if (last < 0) continue;
        nextIds[i] = pairIds.idOf(ids[i]!, last);
        candidates[kept++] = i;
      }
      if (counts.length < pairIds.size) counts = scratchArray(7, pairIds.size);
      counts.fill(0, 0, pairIds.size);
      for (let c = 0; c < kept; c++) counts[nextIds[candidates[c]!]!]!++;
      candidateCount = 0;
      for (let c = 0; c < kept; c++) {
        const i = candidates[c]!;
        if (counts[nextIds[i]!]! >= 2) candidates[candidateCount++] = i;
      }
    }

    // Counter.most_common(1): the highest count, and among equals the n-gram seen first
    // (candidates are in text order; with no repeats it is the first n-gram, count 1).
    let bestCount = 1;
    let bestStart = 0;
    for (let c = 0; c < candidateCount; c++) {
      const i = candidates[c]!;
      if (counts[nextIds[i]!]! > bestCount) {
        bestCount = counts[nextIds[i]!]!;
        bestStart = i;
      }
    }
    top[n] = bestCount * (wordChars(bestStart, n) + n - 1);

    // find_all_duplicate: scan left to right; a repeat of an n-gram seen at a visited position
    // counts its characters and jumps past it. Positions of n-grams that occur once only step on.
    let repeatedChars = 0;
    if (candidateCount > 0) {
      const seen = scratchArray(8, pairIds.size).fill(0, 0, pairIds.size);
      let nextVisited = 0;
      for (let c = 0; c < candidateCount; c++) {
        const i = candidates[c]!;
        if (i < nextVisited) continue;
        const id = nextIds[i]!;
        if (seen[id] === 1) {
          repeatedChars += wordChars(i, n);
          nextVisited = i + n;
        } else seen[id] = 1;
      }
    }
    dup[n] = repeatedChars;
    ids = nextIds;
    nextIds = spareIds;
    spareIds = ids;
  }
  return { top, dup };
}

/** `re.split("\n+", text)`: empty strings only at the very start and end (faster than the regex). */
export function splitOnNewlineRuns(text: string): string[] {
  const parts = text.split("\n");
  const lines: string[] = [];
  const last = parts.length - 1;
  for (let i = 0; i <= last; i++) {
    const part = parts[i]!;
    if (part !== "" || i === 0 || i === last) lines.push(part);
  }
  return lines;
}

export function gopherRepetitionSignals(text: string, rules: WordRules = "english"): GopherRepetitionSignals {
  const length = pythonLength(text);
  const textLength = length(text);
  const paragraphs = text.trim().split(/\n{2,}/);
  const paragraphDups = findDuplicates(paragraphs, length);
  const lines = splitOnNewlineRuns(text);
  const lineDups = findDuplicates(lines, length);
  const { words, hashes } = splitWords(text, rules);
  const { top, dup } = nGramCharCounts(words, DUP_NS[DUP_NS.length - 1]!, hashes, length);
  const topNGramCharFrac: Record<string, number> = {};
  for (const n of TOP_NS) topNGramCharFrac[n] = fraction(top[n]!, textLength);
  const dupNGramCharFrac: Record<string, number> = {};
  for (const n of DUP_NS) dupNGramCharFrac[n] = fraction(dup[n]!, textLength);
  return {
    dupParaFrac: fraction(paragraphDups.count, paragraphs.length),
    dupParaCharFrac: fraction(paragraphDups.chars, textLength),
    dupLineFrac: fraction(lineDups.count, lines.length),
    dupLineCharFrac: fraction(lineDups.chars, textLength),
    topNGramCharFrac,
    dupNGramCharFrac,
  };
}

/** Rules in datatrove's order; the first that fires names the drop. */
export function gopherRepetitionDecide(s: GopherRepetitionSignals, p: GopherRepetitionParams): Verdict {
  if (above(s.dupParaFrac, p.dupParaFrac)) return "gopher_rep:dup_para_frac";
  if (above(s.dupParaCharFrac, p.dupParaCharFrac)) return "gopher_rep:dup_para_char_frac";
  if (above(s.dupLineFrac, p.dupLineFrac)) return "gopher_rep:dup_line_frac";
  if (above(s.dupLineCharFrac, p.dupLineCharFrac)) return "gopher_rep:dup_line_char_frac";
  const topBounds = [p.top2GramCharFrac, p.top3GramCharFrac, p.top4GramCharFrac];
  for (const [i, n] of TOP_NS.entries()) if (above(s.topNGramCharFrac[n] ?? 0, topBounds[i]!)) return `gopher_rep:top_${n}_gram`;
  const dupBounds = [p.dup5GramCharFrac, p.dup6GramCharFrac, p.dup7GramCharFrac, p.dup8GramCharFrac, p.dup9GramCharFrac, p.dup10GramCharFrac];
  for (const [i, n] of DUP_NS.entries()) if (above(s.dupNGramCharFrac[n] ?? 0, dupBounds[i]!)) return `gopher_rep:duplicated_${n}_n_grams`;
  return true;
}

/** The whole filter as one pure function of (doc, params). */
export function gopherRepetitionFilter(doc: Doc, params: GopherRepetitionParams): Verdict {
  return gopherRepetitionDecide(gopherRepetitionSignals(doc.text, params.words), params);
}

export const gopherRepetition = signalFilterStage({
  name: "gopher_repetition",
  description: "Gopher repetition rules: repeated lines, paragraphs and word n-grams (signals in meta.gopherRepetition)",
  metaKey: "gopherRepetition",
  params: gopherRepetitionParams,
  signals: (text, p) => gopherRepetitionSignals(text, p.words),
  decide: gopherRepetitionDecide,
});

register(gopherRepetition);
