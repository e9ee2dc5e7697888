/**
 * Pre-tokenization: the regex that cuts text into chunks before BPE, so merges never cross a
 * word / number / punctuation / whitespace boundary. These are the published patterns, written
 * without inline flags so the same string works in JavaScript and in Rust (Hugging Face).
 */

/** GPT-2 / r50k: contractions, letters, digits, other symbols, whitespace. */
export const GPT2_PATTERN =
  "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

/** cl100k: case-insensitive contractions, digits in groups of at most 3, newlines kept apart. */
export const CL100K_PATTERN =
  "'(?:[sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

export const PRETOKENIZERS = { gpt2: GPT2_PATTERN, cl100k: CL100K_PATTERN } as const;
export type PretokenizerName = keyof typeof PRETOKENIZERS;

export function pretokenRegex(pattern: string): RegExp {
  return new RegExp(pattern, "gu");
}

/** The chunks of `text`, in order; their concatenation is `text` (every pattern ends in \s+ or a catch-all). */
export function* pretokenize(text: string, regex: RegExp): Generator<string> {
  regex.lastIndex = 0;
  let covered = 0;
  for (const match of text.matchAll(regex)) {
    // Characters no alternative matches (none for the built-in patterns) still go through, alone.
    if (match.index > covered) yield text.slice(covered, match.index);
    yield match[0];
    covered = match.index + match[0].length;
  }
  if (covered < text.length) yield text.slice(covered);
}
