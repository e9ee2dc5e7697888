/** Small non-cryptographic hashes: FNV-1a over UTF-16 code units and murmur3's 32-bit finaliser. */

export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** FNV-1a 32-bit of a string's UTF-16 code units (unsigned). */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash >>> 0;
}

/** murmur3's 32-bit finaliser: every input bit reaches every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** 32-bit hash of a string (FNV-1a, then the finaliser), for seeds and hashed splits. */
export function hash32(text: string): number {
  return fmix32(fnv1a32(text));
}
