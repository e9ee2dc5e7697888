/**
 * English words as datatrove counts them: datatrove's word-counting filters (Gopher quality and
 * repetition, FineWeb quality) split English text with spaCy's English tokenizer, then drop the
 * whitespace tokens. This module applies the same rules — spaCy's prefix, suffix and infix
 * patterns, its URL pattern and its special cases (contractions such as "don't" → "do" "n't",
 * abbreviations such as "e.g.", emoticons), vendored with spaCy's MIT license in rules.json by
 * scripts/vendor-spacy-english.py — in the order spaCy's tokenizer applies them:
 *
 * 1. The text is cut at whitespace (Python's `str.isspace`: `isPythonSpace`), and each piece is
 *    split alone (stages/filters/text.ts does the cutting, with the filters' other word facts).
 * 2. A piece that is a special case becomes its tokens. Otherwise prefixes are cut from its start
 *    and suffixes from its end, one of each per round, until neither matches, stopping early when
 *    the rest is a special case.
 * 3. What remains is one token if it is a special case or a URL; else it is cut at its infixes
 *    (hyphens between letters, "/" and ":" between words, "..." and the like).
 * 4. Special cases that contain affixes ("a.m.", ":-)") are then matched over the tokens of a
 *    piece and put back together.
 *
 * Patterns are kept in Python's syntax in rules.json and translated once to JavaScript's
 * (`pythonPatternToJs`); Python's alternation, like JavaScript's, takes the first alternative that
 * matches, so the order of the rules is kept.
 */
import { readFileSync } from "node:fs";

interface Rules {
  prefixes: string[];
  suffixes: string[];
  infixes: string[];
  url: string;
  specialCases: Record<string, string[]>;
  /** The characters that end a sentence for spaCy's sentencizer. */
  sentencePunctuation: string[];
}

/**
 * A Python `re` pattern as a JavaScript pattern with the `u` flag: `\UXXXXXXXX` becomes
 * `\u{X}`, `\d` and `\w` their Unicode meanings (JavaScript's are ASCII-only), and an escaped
 * character that is not a regex syntax character (`\!`, `\'`, which the `u` flag refuses) the
 * character itself. A leading `(?u)` flag group is dropped (the `u` flag is always on).
 */
export function pythonPatternToJs(pattern: string): string {
  let out = "";
  let inClass = false;
  let i = pattern.startsWith("(?u)") ? 4 : 0;
  for (; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const next = pattern[i + 1]!;
      i++;
      if (next === "U") {
        out += `\\u{${pattern.slice(i + 1, i + 9).replace(/^0+/, "")}}`;
        i += 8;
      } else if (next === "u") {
        out += `\\u{${pattern.slice(i + 1, i + 5)}}`;
        i += 4;
      } else if (next === "d") out += "\\p{Nd}";
      else if (next === "w") out += inClass ? "\\p{L}\\p{N}_" : "[\\p{L}\\p{N}_]";
      else if (/[A-Za-z0-9]/.test(next) || "^$\\.*+?()[]{}|/".includes(next) || (inClass && next === "-")) out += `\\${next}`;
      else out += next;
      continue;
    }
    if (inClass && c === "]") inClass = false;
    else if (!inClass && c === "[") {
      inClass = true;
      out += c;
      // A ']' or '^]' right after '[' is literal in Python.
      if (pattern[i + 1] === "^") out += pattern[++i];
      if (pattern[i + 1] === "]") {
        out += "\\]";
        i++;
      }
      continue;
    }
    out += c;
  }
  return out;
}

interface Compiled {
  prefix: RegExp;
  suffix: RegExp;
  infix: RegExp;
  url: RegExp;
  special: Map<string, readonly string[]>;
  sentencePunctuation: Set<string>;
  /** Special cases that hold affixes, by the first token the affix rules alone give them. */
  affixed: Map<string, { tokens: readonly string[]; key: string }[]>;
}

let compiled: Compiled | undefined;

function compile(): Compiled {
  const rules = JSON.parse(readFileSync(new URL("./rules.json", import.meta.url), "utf8")) as Rules;
  const js = (pieces: string[]) => pieces.map(pythonPatternToJs);
  const special = new Map<string, readonly string[]>(Object.entries(rules.specialCases));
  const result: Compiled = {
    // Joined as spaCy joins them: "^" before each prefix, "$" after each suffix.
    prefix: new RegExp(js(rules.prefixes).map((p) => `^${p}`).join("|"), "u"),
    suffix: new RegExp(js(rules.suffixes).map((p) => `${p}$`).join("|"), "u"),
    infix: new RegExp(js(rules.infixes).join("|"), "gu"),
    url: new RegExp(pythonPatternToJs(rules.url), "u"),
    special,
    sentencePunctuation: new Set(rules.sentencePunctuation),
    affixed: new Map(),
  };
  compiled = result;
  for (const key of special.keys()) {
    if (hasPythonSpace(key)) continue;
    if (!prefixLength(key) && !suffixLength(key) && !hasInfix(key)) continue;
    const tokens: string[] = [];
    splitPiece(key, tokens, false);
    const list = result.affixed.get(tokens[0]!) ?? [];
    list.push({ tokens, key });
    result.affixed.set(tokens[0]!, list);
  }
  return result;
}

function rulesOnce(): Compiled {
  return compiled ?? compile();
}

/** Python's `str.isspace()` for one UTF-16 code unit (all its whitespace is in the BMP). */
export function isPythonSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f);
  if (c < 0x85) return false;
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

function hasPythonSpace(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isPythonSpace(text.charCodeAt(i))) return true;
  return false;
}

function prefixLength(text: string): number {
  const match = rulesOnce().prefix.exec(text);
  return match ? match[0].length : 0;
}

function suffixLength(text: string): number {
  const match = rulesOnce().suffix.exec(text);
  return match ? match[0].length : 0;
}

function hasInfix(text: string): boolean {
  const infix = rulesOnce().infix;
  infix.lastIndex = 0;
  const found = infix.test(text);
  infix.lastIndex = 0;
  return found;
}

const NO_SPECIALS = new Map<string, readonly string[]>();

/** What the affix rules find in `text`: the prefix and suffix lengths and whether an infix matches. */
export function affixRules(text: string): { prefix: number; suffix: number; infix: boolean } {
  return { prefix: prefixLength(text), suffix: suffixLength(text), infix: hasInfix(text) };
}

/**
 * The tokens of one whitespace-free piece, appended to `out`. `specials` false gives the tokens
 * of the affix rules alone (how spaCy describes a special case to its matcher).
 */
function splitPiece(piece: string, out: string[], specials: boolean): void {
  const r = rulesOnce();
  const special = specials ? r.special : NO_SPECIALS;
  if (special.has(piece)) {
    out.push(...r.special.get(piece)!);
    return;
  }
  const start = out.length;
  const prefixes: string[] = [];
  const suffixes: string[] = [];
  let rest = piece;
  let lastSize = -1;
  while (rest.length > 0 && rest.length !== lastSize) {
    if (special.has(rest)) break;
    lastSize = rest.length;
    const pre = prefixLength(rest);
    if (pre > 0 && rest.length > pre && special.has(rest.slice(pre))) {
      prefixes.push(rest.slice(0, pre));
      rest = rest.slice(pre);
      break;
    }
    const suf = suffixLength(rest.slice(pre));
    if (suf > 0 && rest.length > suf && special.has(rest.slice(0, rest.length - suf))) {
      suffixes.push(rest.slice(rest.length - suf));
      rest = rest.slice(0, rest.length - suf);
      break;
    }
    if (pre > 0 && suf > 0 && pre + suf <= rest.length) {
      prefixes.push(rest.slice(0, pre));
      suffixes.push(rest.slice(rest.length - suf));
      rest = rest.slice(pre, rest.length - suf);
    } else if (pre > 0) {
      prefixes.push(rest.slice(0, pre));
      rest = rest.slice(pre);
    } else if (suf > 0) {
      suffixes.push(rest.slice(rest.length - suf));
      rest = rest.slice(0, rest.length - suf);
    }
    if (rest.length > 0 && special.has(rest)) break;
  }
  out.push(...prefixes);
  if (rest.length > 0) {
    if (special.has(rest)) out.push(...r.special.get(rest)!);
    else if (r.url.test(rest)) out.push(rest);
    else splitInfixes(rest, out);
  }
  for (let i = suffixes.length - 1; i >= 0; i--) out.push(suffixes[i]!);
  if (specials && out.length - start > 1) mergeAffixedSpecials(out, start);
}

function splitInfixes(text: string, out: string[]): void {
  // One shared regex stepped by exec: matchAll would copy (and recompile) it per call.
  const infix = rulesOnce().infix;
  infix.lastIndex = 0;
  let start = 0;
  for (let match = infix.exec(text); match !== null; match = infix.exec(text)) {
    const at = match.index;
    const end = at + match[0].length;
    if (end === at) infix.lastIndex++;
    // An infix at the very start of the text is not split off (spaCy's rule).
    if (at === 0) continue;
    if (at !== start) out.push(text.slice(start, at));
    if (end !== at) out.push(text.slice(at, end));
    start = end;
  }
  if (start < text.length) out.push(text.slice(start));
}

/**
 * Special cases that contain affixes, found over the tokens out[from..]: the longest match wins
 * (the later one between equals), matches overlapping a taken one are dropped, and each taken
 * match is replaced by the special case's own tokens.
 */
function mergeAffixedSpecials(out: string[], from: number): void {
  const r = rulesOnce();
  const matches: { start: number; end: number; key: string }[] = [];
  for (let i = from; i < out.length; i++) {
    const candidates = r.affixed.get(out[i]!);
    if (!candidates) continue;
    for (const { tokens, key } of candidates) {
      if (i + tokens.length > out.length) continue;
      let equal = true;
      for (let k = 1; k < tokens.length && equal; k++) equal = out[i + k] === tokens[k];
      if (equal) matches.push({ start: i, end: i + tokens.length, key });
    }
  }
  if (matches.length === 0) return;
  matches.sort((a, b) => a.end - a.start - (b.end - b.start) || a.start - b.start);
  const taken = new Set<number>();
  const chosen: typeof matches = [];
  for (let m = matches.length - 1; m >= 0; m--) {
    const match = matches[m]!;
    if (!taken.has(match.start) && !taken.has(match.end - 1)) chosen.push(match);
    for (let t = match.start; t < match.end; t++) taken.add(t);
  }
  chosen.sort((a, b) => b.start - a.start);
  for (const match of chosen) out.splice(match.start, match.end - match.start, ...r.special.get(match.key)!);
}

/**
 * The tokens of one piece of text without whitespace, by the rules above, appended to `out`.
 * Pieces repeat (Zipf), so their tokens are kept; the cache is emptied when full, which changes
 * only the speed, never the tokens.
 */
export function splitEnglishPiece(piece: string, out: string[]): void {
  const known = pieceCache.get(piece);
  if (known !== undefined) {
    if (typeof known === "string") out.push(known);
    else for (const word of known) out.push(word);
    return;
  }
  const from = out.length;
  splitPiece(piece, out, true);
  if (pieceCache.size >= PIECE_CACHE_SIZE) pieceCache.clear();
  pieceCache.set(piece, out.length - from === 1 ? out[from]! : out.slice(from));
}

/**
 * For a piece text[start, end) of letters and combining marks only, the special case's tokens
 * ("cannot" -> can not), or undefined when it is one token. No affix rule applies to letters (a
 * test checks every letter and mark), so only the special cases can split it.
 */
export function lettersSpecialCase(text: string, start: number, end: number): readonly string[] | undefined {
  return mayBeSpecial(text, start, end) ? rulesOnce().special.get(text.slice(start, end)) : undefined;
}

/**
 * For a piece text[start, end) of letters and marks followed by one other character: true when
 * the rules split it into the letters and that character, and nothing else ("word," "end." but
 * not "USA." "Mr." "vs."). False means: ask `splitEnglishPiece`.
 */
export function splitsOffFinalMark(text: string, start: number, end: number): boolean {
  if (end - start < 2 || !closes(text.charCodeAt(end - 1), text.charCodeAt(end - 2))) return false;
  if (!mayBeSpecial(text, start, end) && !mayBeSpecial(text, start, end - 1)) return true;
  const r = rulesOnce();
  const core = text.slice(start, end - 1);
  return !r.special.has(text.slice(start, end)) && !r.special.has(core) && !r.affixed.has(core);
}

let specialShapes: Uint8Array | undefined;

/**
 * False when no special case (nor affixed special case's first token) has the length, first and
 * last character of text[start, end): a filter that spares most words a map lookup.
 */
function mayBeSpecial(text: string, start: number, end: number): boolean {
  if (!specialShapes) {
    const r = rulesOnce();
    specialShapes = new Uint8Array(1 << 16);
    for (const key of [...r.special.keys(), ...r.affixed.keys()]) specialShapes[shapeOf(key, 0, key.length)] = 1;
  }
  return specialShapes[shapeOf(text, start, end)] === 1;
}

function shapeOf(text: string, start: number, end: number): number {
  const length = Math.min(end - start, 15);
  return (length << 12) | ((text.charCodeAt(start) & 63) << 6) | (text.charCodeAt(end - 1) & 63);
}

/** Marks that are split off a word's end by a suffix rule and by no other rule. */
const CLOSING = new Set([",", ";", "!", "?", ")", ":"].map((c) => c.charCodeAt(0)));

/**
 * Whether `last`, after the letter `before`, is split off by the suffix rules: a closing mark
 * always, a full stop after a lowercase ASCII letter (a stop after capitals or other letters
 * depends on more of the word, and takes the rules' path).
 */
function closes(last: number, before: number): boolean {
  return CLOSING.has(last) || (last === 46 && before >= 97 && before <= 122);
}

const PIECE_CACHE_SIZE = 50_000;
/** A piece's tokens: the piece's one token, or the list. */
const pieceCache = new Map<string, string | readonly string[]>();

const ALL_PUNCTUATION = /^\p{P}+$/u;

/**
 * How many sentences spaCy's sentencizer finds in `text` over spaCy's English tokens: datatrove's
 * `split_into_sentences`, which C4's five-sentence rule counts with. A token that is one of the
 * sentence-final characters ends a sentence; the punctuation tokens after it (a closing quote or
 * bracket, more marks) stay in it, and the next other token starts the next sentence. So an
 * abbreviation, a number or an ellipsis that the tokenizer keeps whole ("e.g.", "Mr.", "3.5",
 * "...") ends nothing, and "end.Next" does (the infix rules split it). As in spaCy, a run of
 * whitespace other than one space is a token of its own.
 */
export function englishSentenceCount(text: string): number {
  const finals = rulesOnce().sentencePunctuation;
  const tokens: string[] = [];
  let sentences = 0;
  let seenFinal = false;
  const visit = (token: string) => {
    if (sentences === 0) sentences = 1;
    const final = finals.has(token);
    if (seenFinal && !final && !ALL_PUNCTUATION.test(token)) {
      sentences++;
      seenFinal = false;
    } else if (final) seenFinal = true;
  };
  const n = text.length;
  let i = 0;
  while (i < n) {
    const start = i;
    if (isPythonSpace(text.charCodeAt(i))) {
      while (i < n && isPythonSpace(text.charCodeAt(i))) i++;
      // One leading space is the previous token's trailing whitespace; the rest is a token.
      const from = text.charCodeAt(start) === 32 && start > 0 ? start + 1 : start;
      if (from < i) visit(text.slice(from, i));
      continue;
    }
    while (i < n && !isPythonSpace(text.charCodeAt(i))) i++;
    tokens.length = 0;
    splitEnglishPiece(text.slice(start, i), tokens);
    for (const token of tokens) visit(token);
  }
  return sentences;
}
