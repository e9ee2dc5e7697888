import { createSimdKernel, type SimdKernel } from "./minhash-simd.js";
import { fmix32, FNV_OFFSET, FNV_PRIME, mulberry32 } from "../../core/index.js";

// Module-level copies: V8 folds a module's own constants into hot loops, not imported bindings.
const OFFSET = FNV_OFFSET;
const PRIME = FNV_PRIME;

/**
 * Shingling and MinHash signatures, written for speed: no shingle strings are built. Text is
 * normalised one UTF-16 code unit at a time through a class table, each word gets a 64-bit hash
 * (two 32-bit lanes), a shingle's 64-bit hash combines its words' hashes, and each of the
 * `bands x rows` MinHash values is min over shingles of a multiply-add hash of those two lanes.
 */

export interface ShingleOptions {
  /** "word": word n-grams (default, n = 5); "char": character n-grams over the normalised text. */
  unit: "word" | "char";
  size: number;
}

export interface MinHashParams extends ShingleOptions {
  bands: number;
  rows: number;
  seed: number;
}

// Code unit classes for normalisation: a separator ends a word, a dropped unit is deleted
// (punctuation, symbols, combining accents after NFD), a digit becomes "0".
const SEPARATOR = 0;
const DROPPED = 1;
const DIGIT = 2;
const KEPT = 3;
let classTable: Uint8Array | undefined;

function classes(): Uint8Array {
  if (classTable) return classTable;
  const table = new Uint8Array(65536);
  for (let c = 0; c < 65536; c++) {
    // Surrogate halves are kept: an astral character stays part of its word.
    if (c >= 0xd800 && c <= 0xdfff) table[c] = KEPT;
    else {
      const ch = String.fromCharCode(c);
      if (/\s/u.test(ch) || /\p{Cc}/u.test(ch)) table[c] = SEPARATOR;
      else if (/[\p{P}\p{S}\p{M}\p{Cf}]/u.test(ch)) table[c] = DROPPED;
      else if (/\p{Nd}/u.test(ch)) table[c] = DIGIT;
      else table[c] = KEPT;
    }
  }
  classTable = table;
  return table;
}

/**
 * The normalised text the shingles are taken from, as a string (for tests and char n-grams):
 * lower case, accents stripped (NFD, marks removed), punctuation and symbols removed, every digit
 * mapped to "0", words separated by one space.
 */
export function normalizeText(text: string): string {
  const table = classes();
  const source = text.toLowerCase().normalize("NFD");
  let out = "";
  let word = "";
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    const kind = table[c]!;
    if (kind === SEPARATOR) {
      if (word) out += (out ? " " : "") + word;
      word = "";
    } else if (kind === DIGIT) word += "0";
    else if (kind === KEPT) word += source[i];
  }
  if (word) out += (out ? " " : "") + word;
  return out;
}


const LANE_A_SEED = 0x2545f491;
const LANE_B_SEED = 0x9e3779b9;

/** Growable per-task scratch space, so hashing a document allocates nothing. */
class Scratch {
  wordA = new Int32Array(4096);
  wordB = new Int32Array(4096);
  ensure(n: number) {
    if (n <= this.wordA.length) return;
    let size = this.wordA.length;
    while (size < n) size *= 2;
    const a = new Int32Array(size);
    const b = new Int32Array(size);
    a.set(this.wordA);
    b.set(this.wordB);
    this.wordA = a;
    this.wordB = b;
  }
}

/**
 * Writes each word's 64-bit hash into scratch (lane A and lane B) and returns the word count.
 * Word `w` is the normalised word, hashed code unit by code unit with two multiply-xor lanes.
 */
function hashWords(text: string, scratch: Scratch): number {
  const table = classes();
  const source = text.toLowerCase().normalize("NFD");
  let count = 0;
  let a = LANE_A_SEED;
  let b = LANE_B_SEED;
  let length = 0;
  scratch.ensure((source.length >>> 1) + 2);
  const n = source.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? source.charCodeAt(i) : 32;
    const kind = table[c]!;
    if (kind === KEPT || kind === DIGIT) {
      const unit = kind === DIGIT ? 48 : c;
      a = Math.imul(a ^ unit, PRIME);
      b = Math.imul((b ^ unit) + length, 0x5bd1e995);
      length++;
    } else if (kind === SEPARATOR && length > 0) {
      if (count >= scratch.wordA.length) scratch.ensure(count + 1);
      scratch.wordA[count] = fmix32(a ^ length);
      scratch.wordB[count] = fmix32(b + Math.imul(length, 0x27d4eb2d));
      count++;
      a = LANE_A_SEED;
      b = LANE_B_SEED;
      length = 0;
    }
  }
  return count;
}

/**
 * Calls `emit(lo, hi)` with the 64-bit hash of every shingle of the text (repeats included: a
 * repeated shingle does not change a minimum). A text with fewer words than the shingle size is
 * one shingle; a text with no words has none.
 */
export function forEachShingle(text: string, options: ShingleOptions, emit: (lo: number, hi: number) => void, scratch = defaultScratch): number {
  if (options.unit === "char") return forEachCharShingle(text, options.size, emit);
  const words = hashWords(text, scratch);
  if (words === 0) return 0;
  const size = Math.min(options.size, words);
  const wa = scratch.wordA;
  const wb = scratch.wordB;
  let shingles = 0;
  for (let start = 0; start + size <= words; start++) {
    let lo = 0x3c6ef372 ^ size;
    let hi = 0xa54ff53a ^ size;
    for (let j = 0; j < size; j++) {
      lo = Math.imul((lo << 13) | (lo >>> 19), 5) + 0xe6546b64 + wa[start + j]!;
      hi = Math.imul((hi << 15) | (hi >>> 17), 0x1b873593) ^ wb[start + j]!;
    }
    const mixedLo = fmix32(lo ^ (hi >>> 7));
    emit(mixedLo, fmix32(hi + mixedLo));
    shingles++;
  }
  return shingles;
}

function forEachCharShingle(text: string, size: number, emit: (lo: number, hi: number) => void): number {
  const normal = normalizeText(text);
  if (normal.length === 0) return 0;
  const width = Math.min(size, normal.length);
  let shingles = 0;
  for (let start = 0; start + width <= normal.length; start++) {
    let a = LANE_A_SEED ^ width;
    let b = LANE_B_SEED ^ width;
    for (let j = 0; j < width; j++) {
      const c = normal.charCodeAt(start + j);
      a = Math.imul(a ^ c, PRIME);
      b = Math.imul((b ^ c) + j, 0x5bd1e995);
    }
    const lo = fmix32(a ^ (b >>> 7));
    emit(lo, fmix32(b + lo));
    shingles++;
  }
  return shingles;
}

const defaultScratch = new Scratch();


/**
 * Computes MinHash signatures. Value i of a signature is min over shingles of
 * (A_i * lo + B_i * hi + C_i) mod 2^32 — a multiply-add hash of the shingle's two 32-bit lanes,
 * with A_i, B_i odd, drawn from `seed`. The top bits of the sum depend on every input bit, and the
 * minimum is decided by the top bits. `signature` runs the loop as WebAssembly SIMD (8 values per
 * pass over the shingles); `signatureScalar` is the plain version it is tested against.
 */
export class MinHasher {
  readonly permutations: number;
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private readonly c: Int32Array;
  private readonly scratch = new Scratch();
  private readonly kernel: SimdKernel | null;
  private readonly groups: number;
  private readonly sigOffset: number;
  private readonly shingleOffset: number;
  private shingleCapacity = 0;
  private words = new Uint32Array(0);

  constructor(readonly params: MinHashParams, options: { simd?: boolean } = {}) {
    this.permutations = params.bands * params.rows;
    const random = mulberry32(params.seed);
    this.a = new Int32Array(this.permutations);
    this.b = new Int32Array(this.permutations);
    this.c = new Int32Array(this.permutations);
    for (let i = 0; i < this.permutations; i++) {
      this.a[i] = random() | 1;
      this.b[i] = random() | 1;
      this.c[i] = random();
    }
    this.kernel = options.simd === false ? null : createSimdKernel();
    this.groups = Math.ceil(this.permutations / 8);
    this.sigOffset = this.groups * 96;
    this.shingleOffset = this.sigOffset + this.groups * 32;
    if (this.kernel) {
      // Coefficient blocks: per group of 8 permutations, A[8] B[8] C[8]; padding lanes are unused.
      const coef = new Int32Array(this.kernel.memory.buffer, 0, this.groups * 24);
      for (let i = 0; i < this.permutations; i++) {
        const base = (i >>> 3) * 24 + (i & 7);
        coef[base] = this.a[i]!;
        coef[base + 8] = this.b[i]!;
        coef[base + 16] = this.c[i]!;
      }
      this.growShingles(1 << 16);
    }
  }

  get simd(): boolean {
    return this.kernel !== null;
  }

  private growShingles(capacity: number) {
    const memory = this.kernel!.memory;
    const needed = this.shingleOffset + capacity * 8;
    if (needed > memory.buffer.byteLength) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
    this.shingleCapacity = capacity;
    this.words = new Uint32Array(memory.buffer, this.shingleOffset, capacity * 2);
  }

  /**
   * Writes the signature of `text` into `out` (length bands*rows, unsigned values) and returns
   * the number of shingles; 0 means the text has no words and `out` is left all 0xffffffff.
   */
  signature(text: string, out: Uint32Array): number {
    if (!this.kernel) return this.signatureScalar(text, out);
    let n = 0;
    const shingles = forEachShingle(
      text,
      this.params,
      (lo, hi) => {
        if (n >= this.shingleCapacity) this.growShingles(this.shingleCapacity * 2);
        this.words[2 * n] = lo;
        this.words[2 * n + 1] = hi;
        n++;
      },
      this.scratch,
    );
    this.kernel.minhash(0, this.sigOffset, this.groups, this.shingleOffset, n);
    out.set(new Uint32Array(this.kernel.memory.buffer, this.sigOffset, this.permutations));
    return shingles;
  }

  /** The same signature computed in plain JavaScript, one value at a time. */
  signatureScalar(text: string, out: Uint32Array): number {
    const k = this.permutations;
    const a = this.a;
    const b = this.b;
    const c = this.c;
    // Signed view with flipped sign bits: signed order of (v ^ 0x80000000) is unsigned order of v.
    const sig = new Int32Array(out.buffer, out.byteOffset, k);
    sig.fill(0x7fffffff);
    const shingles = forEachShingle(
      text,
      this.params,
      (lo, hi) => {
        for (let i = 0; i < k; i++) {
          const v = (Math.imul(a[i]!, lo) + Math.imul(b[i]!, hi) + c[i]!) ^ 0x80000000;
          if (v < sig[i]!) sig[i] = v;
        }
      },
      this.scratch,
    );
    for (let i = 0; i < k; i++) sig[i] = sig[i]! ^ 0x80000000;
    return shingles;
  }
}

/** Fraction of equal values of two signatures: the MinHash estimate of their Jaccard similarity. */
export function estimatedJaccard(x: Uint32Array, y: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < x.length; i++) if (x[i] === y[i]) same++;
  return same / x.length;
}

/** 64-bit hash (two lanes) of one band's `rows` values: the key documents share a bucket by. */
export function bandHash(signature: Uint32Array, band: number, rows: number): [number, number] {
  let lo = OFFSET ^ band;
  let hi = PRIME ^ Math.imul(band, 0x9e3779b1);
  for (let j = band * rows; j < (band + 1) * rows; j++) {
    const v = signature[j]!;
    lo = Math.imul((lo << 13) | (lo >>> 19), 5) + 0xe6546b64 + v;
    hi = Math.imul((hi << 15) | (hi >>> 17), 0x1b873593) ^ fmix32(v);
  }
  const mixed = fmix32(lo ^ (hi >>> 11));
  return [mixed, fmix32(hi + mixed)];
}

/** 64-bit hash (two lanes) of a string's UTF-16 units: the key of exact and URL dedup. */
export function hashString64(text: string): [number, number] {
  let a = LANE_A_SEED;
  let b = LANE_B_SEED;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul((a ^ c) + i, PRIME);
    b = Math.imul((b << 5) | (b >>> 27), 0x5bd1e995) ^ c;
  }
  const lo = fmix32(a ^ Math.imul(text.length, 0x27d4eb2d) ^ (b >>> 9));
  return [lo, fmix32(b + lo)];
}
