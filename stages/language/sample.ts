/**
 * What a detector reads of a document: its first few KB, cut at a whitespace boundary. Language
 * is settled long before a megabyte, and every detector's cost grows with the input.
 */

/**
 * The first `maxChars` characters of `text`, ending at the last whitespace before the limit so
 * no word is cut in half (a half word is a non-word n-gram). Text without whitespace near the
 * limit (Chinese, Japanese, Thai) is cut at the limit, never inside a surrogate pair.
 */
export function detectionSample(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let end = maxChars;
  // Look back at most a quarter of the budget for a boundary; past that, cut where we are.
  const floor = Math.floor(maxChars * 0.75);
  for (let i = maxChars; i >= floor; i--) {
    if (isWhitespace(text.charCodeAt(i))) {
      end = i;
      break;
    }
  }
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}

function isWhitespace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0x3000 || code === 0x2028;
}

const LETTER = /\p{L}/u;

/**
 * Why a text cannot be identified, or null when it can: no letters at all (empty, whitespace,
 * digits, punctuation, emoji) gives `no_letters`.
 */
export function undeterminedReason(sample: string): string | null {
  return LETTER.test(sample) ? null : "no_letters";
}
