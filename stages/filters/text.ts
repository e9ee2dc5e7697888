/**
 * Text primitives shared by the heuristic filters: character classes, Python-compatible line
 * splitting, language-aware word splitting and duplicate counting. The filters reproduce
 * datatrove's semantics, so these helpers mirror the Python built-ins datatrove calls
 * (`str.splitlines`, `str.split`, nltk's `word_tokenize`) closely enough to give the same counts
 * on ordinary text. Lengths are UTF-16 code units (Python counts code points; the two differ only
 * for characters outside the Basic Multilingual Plane, such as emoji).
 */

const WHITESPACE = 1;
/** Unicode punctuation or symbol (what datatrove's PUNCTUATION_SET and nltk split off). */
const PUNCT = 2;
/** Python's `str.isalpha()` for one character: Unicode letter categories. */
const ALPHA = 4;
/** A letter of a script written without spaces between words (Chinese, Japanese, Thai, ...). */
const NO_SPACE = 8;

const charClasses = new Uint8Array(65536);
const builtBlocks = new Uint8Array(256);

const noSpaceRanges: ReadonlyArray<readonly [number, number]> = [
  [0x0e00, 0x0eff], // Thai, Lao
  [0x1000, 0x109f], // Myanmar
  [0x1780, 0x17ff], // Khmer
  [0x3040, 0x30ff], // Hiragana, Katakana
  [0x31f0, 0x31ff], // Katakana phonetic extensions
  [0x3400, 0x4dbf], // CJK extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xff66, 0xff9f], // half-width Katakana
];

/** Classes are computed per 256-code-point block on first use, so startup stays cheap. */
function buildBlock(block: number): void {
  const whitespace = /\s/u;
  const punct = /[\p{P}\p{S}\p{Cc}]/u;
  const alpha = /\p{L}/u;
  const mark = /\p{M}/u;
  for (let code = block << 8; code < (block + 1) << 8; code++) {
    // Lone surrogate halves: part of a word, neither letter nor punctuation.
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const ch = String.fromCharCode(code);
    let cls = 0;
    if (whitespace.test(ch) || code === 0x1c || code === 0x1d || code === 0x1e || code === 0x1f) cls = WHITESPACE;
    else if (punct.test(ch)) cls = PUNCT;
    else if (alpha.test(ch)) cls = ALPHA;
    if (cls !== WHITESPACE && cls !== PUNCT && (cls === ALPHA || mark.test(ch))) {
      for (const [lo, hi] of noSpaceRanges) if (code >= lo && code <= hi) cls |= NO_SPACE;
    }
    charClasses[code] = cls;
  }
  builtBlocks[block] = 1;
}

function classOf(code: number): number {
  if (builtBlocks[code >> 8] === 0) buildBlock(code >> 8);
  return charClasses[code]!;
}

export function isWhitespaceCode(code: number): boolean {
  return (classOf(code) & WHITESPACE) !== 0;
}

/** True when every character is punctuation, a symbol or a control character (datatrove: not a "non-symbol word"). */
export function isSymbolWord(word: string): boolean {
  for (let i = 0; i < word.length; i++) if ((classOf(word.charCodeAt(i)) & PUNCT) === 0) return false;
  return true;
}

/** Python's `any(c.isalpha() for c in word)`. */
export function hasLetter(word: string): boolean {
  for (let i = 0; i < word.length; i++) if ((classOf(word.charCodeAt(i)) & ALPHA) !== 0) return true;
  return false;
}

export function hasNoSpaceScript(text: string): boolean {
  for (let i = 0; i < text.length; i++) if ((classOf(text.charCodeAt(i)) & NO_SPACE) !== 0) return true;
  return false;
}

/** Python's `str.splitlines()`: \n, \r, \r\n, \v, \f, \x1c-\x1e, \x85, U+2028, U+2029; no trailing empty line. */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 13 && c < 0x1c) continue;
    if (c === 10 || c === 13 || c === 11 || c === 12 || c === 0x1c || c === 0x1d || c === 0x1e || c === 0x85 || c === 0x2028 || c === 0x2029) {
      lines.push(text.slice(start, i));
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
  }
  if (start < n) lines.push(text.slice(start));
  return lines;
}

/** Python's `str.split()` with no separator: runs of whitespace split, no empty strings. */
export function splitOnWhitespace(text: string): string[] {
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || (c < 128 ? c >= 9 && c <= 13 : (classOf(c) & WHITESPACE) !== 0);
    if (space) {
      if (start >= 0) words.push(text.slice(start, i));
      start = -1;
    } else if (start < 0) start = i;
  }
  if (start >= 0) words.push(text.slice(start));
  return words;
}

let segmenter: Intl.Segmenter | undefined;
export interface WordSplit {
  /** Words and punctuation tokens, in order (like nltk's `word_tokenize`). */
  words: string[];
  /** Per token: SYMBOL_TOKEN when every character is punctuation or a symbol, HAS_LETTER when one is a letter. */
  flags: number[];
  /** Per token: a 30-bit FNV-1a hash of its UTF-16 code units (equal words, equal hashes). */
  hashes: number[];
  /** How many of `words` are in a script written without spaces (segmented by `Intl.Segmenter`). */
  noSpaceWords: number;
}

export const SYMBOL_TOKEN = 1;
export const HAS_LETTER = 2;

let lastText: string | undefined;
let lastSplit: WordSplit | undefined;

/** Flags and hash of text[start, end), for tokens the segmenter produced. */
function describeToken(text: string, start: number, end: number): { flags: number; hash: number } {
  let hash = 0x811c9dc5;
  let symbol = SYMBOL_TOKEN;
  let letter = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    const cls = classOf(c);
    if ((cls & PUNCT) === 0) symbol = 0;
    if (cls & ALPHA) letter = HAS_LETTER;
    hash = Math.imul(hash ^ c, 0x01000193);
  }
  return { flags: symbol | letter, hash: hash & 0x3fffffff };
}

/**
 * Language-aware word split. Space-delimited text is split on whitespace, with leading and
 * trailing punctuation split off as their own tokens ("end." -> "end", "."), which approximates
 * nltk's `word_tokenize` that datatrove uses. A whitespace-delimited chunk holding Chinese,
 * Japanese, Thai, Lao, Khmer or Burmese letters is segmented with `Intl.Segmenter` (ICU's
 * dictionary word breaker) instead, so a Chinese paragraph counts as many words, not one.
 * Each token also gets its flags and hash in the same pass, so filters need not rescan words.
 *
 * The last result is memoized: consecutive filters over the same text split it once.
 * Callers must not mutate the returned arrays.
 */
export function splitWords(text: string): WordSplit {
  if (text === lastText && lastSplit) return lastSplit;
  const words: string[] = [];
  const flags: number[] = [];
  const hashes: number[] = [];
  let noSpaceWords = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    let cls = c === 32 ? WHITESPACE : classOf(c);
    if (cls & WHITESPACE) {
      i++;
      continue;
    }
    const start = i;
    let noSpace = false;
    let firstNonPunct = -1;
    let lastNonPunct = -1;
    let letter = 0;
    // Hash of the word part (between leading and trailing punctuation), built as we go: the
    // part from firstNonPunct through lastNonPunct is hashed by extending up to each non-punct.
    let hash = 0x811c9dc5;
    let hashedTo = -1;
    while (i < n) {
      c = text.charCodeAt(i);
      cls = c === 32 ? WHITESPACE : classOf(c);
      if (cls & WHITESPACE) break;
      if ((cls & PUNCT) === 0) {
        if (firstNonPunct < 0) {
          firstNonPunct = i;
          hashedTo = i;
        }
        lastNonPunct = i;
        for (; hashedTo <= i; hashedTo++) hash = Math.imul(hash ^ text.charCodeAt(hashedTo), 0x01000193);
        if (cls & ALPHA) letter = HAS_LETTER;
        if (cls & NO_SPACE) noSpace = true;
      }
      i++;
    }
    if (noSpace) {
      segmenter ??= new Intl.Segmenter(undefined, { granularity: "word" });
      for (const { segment, index } of segmenter.segment(text.slice(start, i))) {
        const described = describeToken(text, start + index, start + index + segment.length);
        words.push(segment);
        flags.push(described.flags);
        hashes.push(described.hash);
        if (hasNoSpaceScript(segment)) noSpaceWords++;
      }
    } else if (firstNonPunct < 0) {
      words.push(text.slice(start, i));
      const described = describeToken(text, start, i);
      flags.push(described.flags);
      hashes.push(described.hash);
    } else {
      if (firstNonPunct > start) {
        words.push(text.slice(start, firstNonPunct));
        const described = describeToken(text, start, firstNonPunct);
        flags.push(described.flags);
        hashes.push(described.hash);
      }
      words.push(text.slice(firstNonPunct, lastNonPunct + 1));
      flags.push(letter);
      hashes.push(hash & 0x3fffffff);
      if (lastNonPunct + 1 < i) {
        words.push(text.slice(lastNonPunct + 1, i));
        const described = describeToken(text, lastNonPunct + 1, i);
        flags.push(described.flags);
        hashes.push(described.hash);
      }
    }
  }
  lastText = text;
  lastSplit = { words, flags, hashes, noSpaceWords };
  return lastSplit;
}

/** `splitWords(text).words.length`, without making the strings (unless a chunk needs segmenting). */
export function countWords(text: string): number {
  if (text === lastText && lastSplit) return lastSplit.words.length;
  let count = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    let cls = c === 32 ? WHITESPACE : classOf(c);
    if (cls & WHITESPACE) {
      i++;
      continue;
    }
    const start = i;
    let firstNonPunct = -1;
    let lastNonPunct = -1;
    while (i < n) {
      c = text.charCodeAt(i);
      cls = c === 32 ? WHITESPACE : classOf(c);
      if (cls & WHITESPACE) break;
      if (cls & NO_SPACE) return splitWords(text).words.length;
      if ((cls & PUNCT) === 0) {
        if (firstNonPunct < 0) firstNonPunct = i;
        lastNonPunct = i;
      }
      i++;
    }
    if (firstNonPunct < 0) count++;
    else count += 1 + (firstNonPunct > start ? 1 : 0) + (lastNonPunct + 1 < i ? 1 : 0);
  }
  return count;
}

/** The number and the longest length of Python's `str.split()` words, without making the strings. */
export function whitespaceWordStats(text: string): { count: number; longest: number; noSpaceScript: boolean } {
  let count = 0;
  let longest = 0;
  let start = -1;
  let noSpaceScript = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    let space: boolean;
    if (c < 128) space = c === 32 || (c >= 9 && c <= 13);
    else {
      const cls = classOf(c);
      space = (cls & WHITESPACE) !== 0;
      if (cls & NO_SPACE) noSpaceScript = true;
    }
    if (space) {
      if (start >= 0) {
        count++;
        if (i - start > longest) longest = i - start;
      }
      start = -1;
    } else if (start < 0) start = i;
  }
  return { count, longest, noSpaceScript };
}

/** Words of one line for per-line word-count rules: whitespace split, or segmented where the script has no spaces. */
export function countLineWords(line: string, stats: { count: number; noSpaceScript: boolean }): number {
  if (!stats.noSpaceScript) return stats.count;
  let count = 0;
  for (const word of splitWords(line).words) if (!isSymbolWord(word)) count++;
  return count;
}

/** datatrove's `find_duplicates`: how many elements repeat an earlier one, and their total length. */
export function findDuplicates(elements: readonly string[]): { count: number; chars: number } {
  const seen = new Set<string>();
  let count = 0;
  let chars = 0;
  for (const element of elements) {
    if (seen.has(element)) {
      count++;
      chars += element.length;
    } else seen.add(element);
  }
  return { count, chars };
}

/** Python's `str.count(sub)`: non-overlapping occurrences. */
export function countOccurrences(text: string, sub: string): number {
  let count = 0;
  for (let at = text.indexOf(sub); at >= 0; at = text.indexOf(sub, at + sub.length)) count++;
  return count;
}

/** A fraction that is 0 rather than NaN when there is nothing to divide by. */
export function fraction(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}
