/**
 * Strings to bytes and back so that every JavaScript string survives a byte-level tokenizer.
 *
 * Well-formed text is plain UTF-8. A lone surrogate (a half of an emoji pair cut apart, or junk
 * from a bad decoder) has no UTF-8 form; TextEncoder would turn it into U+FFFD and lose it. We
 * write it as WTF-8 instead: the surrogate's code unit in the generic 3-byte form (ED A0..BF xx).
 * Byte-level BPE can hold any bytes, so decode(encode(x)) === x for every string x. Bytes that are
 * neither UTF-8 nor WTF-8 (only reachable by decoding hand-picked token ids) become U+FFFD.
 */

const encoder = new TextEncoder();

/** Matches one surrogate code unit that is not part of a valid pair. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** String.prototype.isWellFormed (ES2024, in Node 20) is a native scan, much faster than the regex. */
export function hasLoneSurrogate(text: string): boolean {
  return !(text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** The three WTF-8 bytes of one surrogate code unit (0xD800..0xDFFF). */
export function surrogateBytes(codeUnit: number): [number, number, number] {
  return [0xe0 | (codeUnit >> 12), 0x80 | ((codeUnit >> 6) & 0x3f), 0x80 | (codeUnit & 0x3f)];
}

export function encodeWtf8(text: string): Uint8Array {
  if (!hasLoneSurrogate(text)) return encoder.encode(text);
  const parts: number[] = [];
  LONE_SURROGATE.lastIndex = 0;
  let start = 0;
  for (const match of text.matchAll(LONE_SURROGATE)) {
    for (const byte of encoder.encode(text.slice(start, match.index))) parts.push(byte);
    parts.push(...surrogateBytes(text.charCodeAt(match.index)));
    start = match.index + 1;
  }
  for (const byte of encoder.encode(text.slice(start))) parts.push(byte);
  return Uint8Array.from(parts);
}

/** The inverse of encodeWtf8; invalid sequences decode to U+FFFD, one per bad byte. */
export function decodeWtf8(bytes: Uint8Array): string {
  let out = "";
  let pending: number[] = [];
  const flush = () => {
    if (pending.length > 0) out += String.fromCharCode(...pending);
    pending = [];
  };
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i]!;
    let codePoint = -1;
    let length = 1;
    if (b0 < 0x80) codePoint = b0;
    else if (b0 >= 0xc2 && b0 < 0xe0 && isContinuation(bytes[i + 1])) {
      codePoint = ((b0 & 0x1f) << 6) | (bytes[i + 1]! & 0x3f);
      length = 2;
    } else if (b0 >= 0xe0 && b0 < 0xf0 && isContinuation(bytes[i + 1]) && isContinuation(bytes[i + 2])) {
      const value = ((b0 & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f);
      // Surrogates (ED A0..BF) are accepted on purpose: that is the WTF-8 part. Overlong forms are not.
      if (value >= 0x800) {
        codePoint = value;
        length = 3;
      }
    } else if (b0 >= 0xf0 && b0 < 0xf5 && isContinuation(bytes[i + 1]) && isContinuation(bytes[i + 2]) && isContinuation(bytes[i + 3])) {
      const value = ((b0 & 0x07) << 18) | ((bytes[i + 1]! & 0x3f) << 12) | ((bytes[i + 2]! & 0x3f) << 6) | (bytes[i + 3]! & 0x3f);
      if (value >= 0x10000 && value <= 0x10ffff) {
        codePoint = value;
        length = 4;
      }
    }
    if (codePoint === -1) pending.push(0xfffd);
    else if (codePoint >= 0x10000) {
      const offset = codePoint - 0x10000;
      pending.push(0xd800 | (offset >> 10), 0xdc00 | (offset & 0x3ff));
    } else pending.push(codePoint);
    i += length;
    if (pending.length >= 4096) flush();
  }
  flush();
  return out;
}

function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}
