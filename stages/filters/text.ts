/**
 * Text primitives shared by the heuristic filters: character classes, Python-compatible line
 * splitting, language-aware word splitting and duplicate counting. The filters reproduce
 * datatrove's semantics, so these helpers mirror what datatrove calls (`str.splitlines`,
 * `str.split`, and for words spaCy's English tokenizer, reproduced in ./english). Lengths are
 * Python's, in code points: where a text holds characters outside the Basic Multilingual Plane
 * (emoji), the filters count with `pythonLength(text)` rather than `length`.
 */
import { readFileSync } from "node:fs";
import { isPythonSpace, lettersSpecialCase, splitEnglishPiece, splitsOffFinalMark } from "./english/words.js";
import { FNV_OFFSET, FNV_PRIME } from "../../core/index.js";

// Module-level copies: V8 folds a module's own constants into hot loops, not imported bindings.
const OFFSET = FNV_OFFSET;
const PRIME = FNV_PRIME;

const WHITESPACE = 1;
/** Unicode punctuation or symbol (what datatrove's PUNCTUATION_SET and nltk split off). */
const PUNCT = 2;
/** Python's `str.isalpha()` for one character: Unicode letter categories. */
const ALPHA = 4;
/** A letter of a script written without spaces between words (Chinese, Japanese, Thai, ...). */
const NO_SPACE = 8;
/** A combining mark (Unicode category M). */
const MARK = 16;
/** A digit or other number character (Unicode category N). */
const NUMBER = 32;
/**
 * A character of datatrove's PUNCTUATION_SET (its `PUNCTUATION` and `TERMINAL_PUNCTUATION`,
 * vendored in ./datatrove): a token made only of these is not one of Gopher quality's "non-symbol
 * words". It is a list, not a Unicode category: "•", "©", "€" and "‘" are not in it, the
 * full-width digit "１" is.
 */
const SYMBOL = 64;

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

interface DatatrovePunctuation {
  /** UTF-16 code units of the set's characters in the Basic Multilingual Plane. */
  bmp: Set<number>;
  /** Code points of the rest (Brahmi, Sharada, ... full stops), which a string holds as surrogate pairs. */
  astral: Set<number>;
}
let datatrovePunctuation: (DatatrovePunctuation & { terminal: readonly string[] }) | undefined;

function punctuationSet(): DatatrovePunctuation & { terminal: readonly string[] } {
  if (!datatrovePunctuation) {
    const data = JSON.parse(readFileSync(new URL("./datatrove/punctuation.json", import.meta.url), "utf8")) as { punctuation: string; terminalPunctuation: string[] };
    const bmp = new Set<number>();
    const astral = new Set<number>();
    for (const ch of [...data.punctuation, ...data.terminalPunctuation]) {
      const code = ch.codePointAt(0)!;
      (code > 0xffff ? astral : bmp).add(code);
    }
    datatrovePunctuation = { bmp, astral, terminal: data.terminalPunctuation };
  }
  return datatrovePunctuation;
}

/** datatrove's TERMINAL_PUNCTUATION: the sentence-final marks of many scripts (159 characters). */
export function terminalPunctuation(): readonly string[] {
  return punctuationSet().terminal;
}

/**
 * Whether text[start, end) is all datatrove punctuation, reading a surrogate pair as its code
 * point (Python's strings hold code points).
 */
function allSymbols(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if ((classOf(c) & SYMBOL) !== 0) continue;
    if (isHighSurrogate(c) && i + 1 < end && punctuationSet().astral.has(text.codePointAt(i)!)) {
      i++;
      continue;
    }
    return false;
  }
  return start < end;
}

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
  const symbols = punctuationSet().bmp;
  const punct = /[\p{P}\p{S}\p{Cc}]/u;
  const alpha = /\p{L}/u;
  const mark = /\p{M}/u;
  const number = /\p{N}/u;
  for (let code = block << 8; code < (block + 1) << 8; code++) {
    // Lone surrogate halves: part of a word, neither letter nor punctuation.
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const ch = String.fromCharCode(code);
    let cls = 0;
    // Python's whitespace (str.isspace): U+001C-U+001F and U+0085 are, the byte-order mark is not.
    if (isPythonSpace(code)) cls = WHITESPACE;
    else if (punct.test(ch)) cls = PUNCT;
    else if (alpha.test(ch)) cls = ALPHA;
    if (cls === 0 && mark.test(ch)) cls = MARK;
    else if (cls === 0 && number.test(ch)) cls = NUMBER;
    if (cls === ALPHA || cls === MARK) {
      for (const [lo, hi] of noSpaceRanges) if (code >= lo && code <= hi) cls |= NO_SPACE;
    }
    if (symbols.has(code)) cls |= SYMBOL;
    charClasses[code] = cls;
  }
  builtBlocks[block] = 1;
}

function classOf(code: number): number {
  if (builtBlocks[code >> 8] === 0) buildBlock(code >> 8);
  return charClasses[code]!;
}

/**
 * What a UTF-16 code unit is to a plain word split: 0 outside words (space, punctuation, symbols),
 * 1 inside a word (letters, marks, numbers), 2 a word on its own (a letter or mark of a script
 * written without spaces, such as Chinese).
 */
export function wordCharKind(code: number): 0 | 1 | 2 {
  const cls = code < 256 && builtBlocks[0] === 1 ? charClasses[code]! : classOf(code);
  if (cls & NO_SPACE) return 2;
  return cls & (ALPHA | MARK | NUMBER) ? 1 : 0;
}

/** True when every character is in datatrove's PUNCTUATION_SET (datatrove: not a "non-symbol word"). */
export function isSymbolWord(word: string): boolean {
  return allSymbols(word, 0, word.length);
}

const LETTER = /^\p{L}$/u;
const astralLetters = new Map<number, boolean>();

/**
 * Python's `isalpha` for the character whose first UTF-16 unit is text[i] when that is a high
 * surrogate: letters outside the Basic Multilingual Plane (Gothic, mathematical letters, CJK
 * extension B) have no class in the per-unit table.
 */
function isAstralLetter(text: string, i: number): boolean {
  const code = text.codePointAt(i)!;
  if (code <= 0xffff) return false;
  let letter = astralLetters.get(code);
  if (letter === undefined) astralLetters.set(code, (letter = LETTER.test(String.fromCodePoint(code))));
  return letter;
}

/** Python's `any(c.isalpha() for c in word)`. */
export function hasLetter(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if ((classOf(c) & ALPHA) !== 0 || (isHighSurrogate(c) && isAstralLetter(word, i))) return true;
  }
  return false;
}

export function hasNoSpaceScript(text: string): boolean {
  for (let i = 0; i < text.length; i++) if ((classOf(text.charCodeAt(i)) & NO_SPACE) !== 0) return true;
  return false;
}

/** Python's `str.splitlines()`: \n, \r, \r\n, \v, \f, \x1c-\x1e, \x85, U+2028, U+2029; no trailing empty line. */
export function splitLines(text: string): string[] {
  const bounds = lineBounds(text);
  const lines: string[] = [];
  for (let b = 0; b < bounds.length; b += 2) lines.push(text.slice(bounds[b], bounds[b + 1]));
  return lines;
}

/** The lines of `splitLines(text)` as [start, end) pairs in one flat array, without making the strings. */
export function lineBounds(text: string): number[] {
  const bounds: number[] = [];
  let start = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 13 && c < 0x1c) continue;
    if (c === 10 || c === 13 || c === 11 || c === 12 || c === 0x1c || c === 0x1d || c === 0x1e || c === 0x85 || c === 0x2028 || c === 0x2029) {
      bounds.push(start, i);
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
  }
  if (start < n) bounds.push(start, n);
  return bounds;
}

/** Python's `str.strip()`: Python's whitespace off both ends (U+001F goes, the byte-order mark stays). */
export function pythonStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isPythonSpace(s.charCodeAt(start))) start++;
  while (end > start && isPythonSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
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
  /** Per token: SYMBOL_TOKEN when every character is in datatrove's PUNCTUATION_SET, HAS_LETTER when one is a letter. */
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
  let hash = OFFSET;
  let letter = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (classOf(c) & ALPHA || (isHighSurrogate(c) && isAstralLetter(text, i))) letter = HAS_LETTER;
    hash = Math.imul(hash ^ c, PRIME);
  }
  return { flags: (allSymbols(text, start, end) ? SYMBOL_TOKEN : 0) | letter, hash: hash & 0x3fffffff };
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
export function splitWords(text: string, rules: WordRules = "simple"): WordSplit {
  if (rules !== "simple") return splitEnglishWords(text, rules === "segmented");
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
        if (cls & ALPHA || (isHighSurrogate(c) && isAstralLetter(text, i))) letter = HAS_LETTER;
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
      // A core without letters may still be all datatrove punctuation (the full-width "１").
      flags.push(letter || !allSymbols(text, firstNonPunct, lastNonPunct + 1) ? letter : SYMBOL_TOKEN);
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

/**
 * How text is split into words. `english` is datatrove's default exactly: spaCy's English tokenizer
 * rules (stages/filters/english) on every script, so a run of Chinese between spaces and
 * punctuation is one token, as datatrove gives it. `segmented` is the same with pieces in scripts
 * without spaces segmented by ICU, as `simple` does (FineWeb-2 splits those languages with their
 * own tokenizers: jieba, SudachiPy, pythainlp). `simple` splits on whitespace and splits
 * punctuation off the ends of each piece.
 */
export type WordRules = "english" | "segmented" | "simple";

let lastEnglishText: string | undefined;
let lastEnglishSegmented = false;
let lastEnglishSplit: WordSplit | undefined;

/** `splitWords(text, "english" | "segmented")`, memoized like the simple split. */
function splitEnglishWords(text: string, segment: boolean): WordSplit {
  if (text === lastEnglishText && segment === lastEnglishSegmented && lastEnglishSplit) return lastEnglishSplit;
  lastEnglishSplit = scanEnglish(text, segment);
  lastEnglishText = text;
  lastEnglishSegmented = segment;
  return lastEnglishSplit;
}

/** Flags and hashes of words[from..], which are text's characters from `at` on, in order. */
function describeWords(text: string, at: number, words: readonly string[], from: number, flags: number[], hashes: number[]): void {
  for (let w = from; w < words.length; w++) {
    const end = at + words[w]!.length;
    const described = describeToken(text, at, end);
    flags.push(described.flags);
    hashes.push(described.hash);
    at = end;
  }
}

/**
 * One pass over the text: cut at Python's whitespace; a piece of letters (and marks) only, or of
 * letters and one final mark that the rules split off ("word,"), is settled here with its flags and
 * hash from the same pass; other pieces go to the English rules (./english), and pieces holding
 * a script without spaces to ICU's word breaker when `segmentNoSpace`. `countOnly` keeps no words,
 * only their number.
 */
function scanEnglish(text: string, segmentNoSpace: boolean, countOnly = false): WordSplit & { count: number } {
  const words: string[] = [];
  const flags: number[] = [];
  const hashes: number[] = [];
  let noSpaceWords = 0;
  let count = 0;
  if (builtBlocks[0] === 0) buildBlock(0);
  const n = text.length;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    if (isPythonSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    let hash = OFFSET;
    let coreHash = hash;
    let letter = 0;
    let others = 0;
    let digits = 0;
    let noSpace = false;
    for (; i < n; i++) {
      c = text.charCodeAt(i);
      if (c >= 97 ? c <= 122 : c >= 65 && c <= 90) {
        letter = HAS_LETTER;
        if (!countOnly) {
          coreHash = hash;
          hash = Math.imul(hash ^ c, PRIME);
        }
        continue;
      }
      if (isPythonSpace(c)) break;
      if (!countOnly) {
        coreHash = hash;
        hash = Math.imul(hash ^ c, PRIME);
      }
      if (c >= 48 && c <= 57) {
        digits++;
        continue;
      }
      const cls = c < 256 ? charClasses[c]! : classOf(c);
      if (cls & ALPHA) letter = HAS_LETTER;
      else if ((cls & MARK) === 0) others++;
      if (cls & NO_SPACE) noSpace = true;
    }
    const from = words.length;
    if (noSpace && segmentNoSpace) {
      segmenter ??= new Intl.Segmenter(undefined, { granularity: "word" });
      for (const { segment } of segmenter.segment(text.slice(start, i))) {
        words.push(segment);
        if (hasNoSpaceScript(segment)) noSpaceWords++;
      }
      if (!countOnly) describeWords(text, start, words, from, flags, hashes);
    } else if (others === 0 && (digits === 0 || letter === 0)) {
      // Letters and marks only, or ASCII digits only (no rule splits either).
      const special = digits === 0 ? lettersSpecialCase(text, start, i) : undefined;
      if (special === undefined && countOnly) count++;
      else if (special === undefined) {
        words.push(text.slice(start, i));
        flags.push(letter);
        hashes.push(hash & 0x3fffffff);
      } else {
        for (const word of special) words.push(word);
        if (!countOnly) describeWords(text, start, words, from, flags, hashes);
      }
    } else if (others === 1 && digits === 0 && splitsOffFinalMark(text, start, i)) {
      if (countOnly) {
        count += 2;
        continue;
      }
      words.push(text.slice(start, i - 1), text.slice(i - 1, i));
      flags.push(letter, SYMBOL_TOKEN);
      hashes.push(coreHash & 0x3fffffff, Math.imul(OFFSET ^ text.charCodeAt(i - 1), PRIME) & 0x3fffffff);
    } else {
      splitEnglishPiece(text.slice(start, i), words);
      if (!countOnly) describeWords(text, start, words, from, flags, hashes);
    }
    if (countOnly) {
      // Counting: the words made on the way are only counted.
      count += words.length;
      words.length = 0;
    }
  }
  return { words, flags, hashes, noSpaceWords, count: countOnly ? count : words.length };
}

/** `splitWords(text, rules).words.length`, without making the strings where it can. */
export function countWords(text: string, rules: WordRules = "simple"): number {
  if (rules !== "simple") {
    const segment = rules === "segmented";
    if (text === lastEnglishText && segment === lastEnglishSegmented && lastEnglishSplit) return lastEnglishSplit.words.length;
    return scanEnglish(text, segment, true).count;
  }
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

/** The number and the longest length (in code points, as Python's len) of Python's `str.split()` words, without making the strings. */
export function whitespaceWordStats(text: string): { count: number; longest: number; noSpaceScript: boolean } {
  let count = 0;
  let longest = 0;
  let start = -1;
  let lowSurrogates = 0;
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
        if (i - start - lowSurrogates > longest) longest = i - start - lowSurrogates;
      }
      start = -1;
    } else {
      if (start < 0) {
        start = i;
        lowSurrogates = 0;
      }
      // Python's len: a surrogate pair is one character.
      if (isLowSurrogate(c) && i > start && isHighSurrogate(text.charCodeAt(i - 1))) lowSurrogates++;
    }
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

const SURROGATE_PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/;

/** A string length: `length` (UTF-16 units) or `codePointLength` (Python's `len`). */
export type Length = (s: string) => number;
export const utf16Length: Length = (s) => s.length;

/**
 * Python's `len` for the strings of `text`: `codePointLength` when it holds a character outside
 * the Basic Multilingual Plane (an emoji, a rare CJK character), else plain `length`, which then
 * agrees with it at no cost.
 */
export function pythonLength(text: string): Length {
  return SURROGATE_PAIR.test(text) ? codePointLength : utf16Length;
}

/** Python's `len(s)`: code points, where `s.length` counts UTF-16 units (an emoji is 1, not 2). */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    if (isHighSurrogate(s.charCodeAt(i)) && isLowSurrogate(s.charCodeAt(i + 1))) {
      n--;
      i++;
    }
  }
  return n;
}

/**
 * datatrove's `find_duplicates`: how many elements repeat an earlier one, and their total length
 * (Python's: pass `pythonLength(text)`).
 */
export function findDuplicates(elements: readonly string[], length: Length = utf16Length): { count: number; chars: number } {
  const seen = new Set<string>();
  let count = 0;
  let chars = 0;
  for (const element of elements) {
    if (seen.has(element)) {
      count++;
      chars += length(element);
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

/** Whether `line` ends with one of `endings`; when each is one character (the usual case), one set lookup. */
const endingSets = new WeakMap<readonly string[], Set<string> | null>();
export function endsWithAny(line: string, endings: readonly string[]): boolean {
  let set = endingSets.get(endings);
  if (set === undefined) {
    set = endings.every((e) => [...e].length === 1) ? new Set(endings) : null;
    endingSets.set(endings, set);
  }
  if (set) {
    if (line.length === 0) return false;
    const last = line.charCodeAt(line.length - 1);
    return set.has(isLowSurrogate(last) && line.length >= 2 ? line.slice(-2) : line[line.length - 1]!);
  }
  return endings.some((ending) => line.endsWith(ending));
}

/** A fraction that is 0 rather than NaN when there is nothing to divide by. */
export function fraction(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}
