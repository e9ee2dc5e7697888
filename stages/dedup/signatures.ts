/**
 * Step 1 of dedup: writers that turn a task's documents into one sorted hash file. A document is
 * identified by (rank, position in the rank's stream); the filter step reads the same documents
 * with the same world and finds them again by position.
 *
 * - `minhash_signatures`: per document, `bands` records (band hash of `rows` MinHash values);
 *   with `fullSignatures: true` also a side file of every document's `bands x rows` values
 *   (`values.ts`), which `minhash_buckets` needs to verify candidate pairs (`verifyThreshold`).
 * - `exact_hashes`: per document one record, the hash of its normalised text or of its URL.
 */
import { z } from "zod";
import { type Doc, type TaskContext, register } from "../../pipeline/index.js";
import { FORMAT_VERSION } from "./format.js";
import { bandHash, hashString64, MinHasher, normalizeText } from "./hash.js";
import { fmix32, FNV_PRIME } from "../../core/index.js";
import { HASH_KEY_WORDS, HASH_RECORD_WORDS, RecordSorter } from "./sort.js";
import { ValuesWriter, valuesFileFor, type ValuesLink } from "./values.js";

// Module-level copies: V8 folds a module's own constants into hot loops, not imported bindings.
const PRIME = FNV_PRIME;

/** Names the shingle hash and permutation family; bump it when either changes. */
export const MINHASH_HASH = "kiln-minhash-v1";
export const STRING_HASH = "kiln-str64-v1";

export type DedupKind = "minhash" | "exact" | "url";

/** Order-sensitive digest of the document ids a rank saw, so the filter can check it sees the same stream. */
export class IdDigest {
  private a = 0x12345678;
  private b = 0x9abcdef0;
  count = 0;
  add(id: string) {
    const [lo, hi] = hashString64(id);
    this.a = fmix32(Math.imul(this.a, PRIME) ^ lo);
    this.b = fmix32(Math.imul(this.b ^ hi, 0x5bd1e995) + this.count);
    this.count++;
  }
  get hex(): string {
    return (this.a >>> 0).toString(16).padStart(8, "0") + (this.b >>> 0).toString(16).padStart(8, "0");
  }
}

const NO_QUALITY = 0x7fc00000;
const floatBits = new Float32Array(1);
const floatWords = new Uint32Array(floatBits.buffer);

/** `meta[key]` as float32 bits, or NaN bits when it is not a finite number. */
export function qualityBits(doc: Doc, key: string): number {
  const value = doc.meta[key];
  if (typeof value !== "number" || !Number.isFinite(value)) return NO_QUALITY;
  floatBits[0] = value;
  return floatWords[0]!;
}

const sorterParams = {
  sortBufferRecords: z.number().int().min(1000).default(2_000_000).describe("records held in memory before a sorted run is spilled to disk (16-32 bytes each)"),
  qualityKey: z.string().default("quality").describe("meta field whose highest value picks a cluster's representative; lowest (rank, position) when absent"),
};

export const minhashParams = z.object({
  bands: z.number().int().min(1).max(256).default(14).describe("LSH bands (datatrove/FineWeb: 14)"),
  rows: z.number().int().min(1).max(64).default(8).describe("MinHash values per band (datatrove/FineWeb: 8)"),
  seed: z.number().int().default(1).describe("seed of the hash permutations (datatrove: 1)"),
  shingleUnit: z.enum(["word", "char"]).default("word").describe("shingles are word n-grams or character n-grams of the normalised text"),
  shingleSize: z.number().int().min(1).max(64).default(5).describe("words (or characters) per shingle (FineWeb: 5 words)"),
  fullSignatures: z
    .boolean()
    .default(false)
    .describe("also write every document's bands x rows MinHash values (<rank>.minhash.values, 4 bytes each), which minhash_buckets' verifyThreshold needs"),
  ...sorterParams,
});
export type MinhashParams = z.output<typeof minhashParams>;

/** The parameters that decide a signature file's content: every reader compares these. */
export function signatureIdentity(p: MinhashParams) {
  return { bands: p.bands, rows: p.rows, seed: p.seed, shingleUnit: p.shingleUnit, shingleSize: p.shingleSize, hash: MINHASH_HASH };
}

/** Hash records (key hi, key lo, position, quality) sorted by key per section, spilling beside `file`. */
function hashSorter(file: string, sections: number, maxRecords: number, ctx: TaskContext): RecordSorter {
  // ".tmp" in the runs' names: the engine removes a killed attempt's leftovers, the next step ignores them.
  return new RecordSorter(`${file}.tmp`, { words: HASH_RECORD_WORDS, keyWords: HASH_KEY_WORDS, sections, maxRecords, log: ctx.log });
}

export async function writeMinhashSignatures(docs: AsyncIterable<Doc>, file: string, ctx: TaskContext, p: MinhashParams): Promise<void> {
  const hasher = new MinHasher({ bands: p.bands, rows: p.rows, seed: p.seed, unit: p.shingleUnit, size: p.shingleSize });
  const sorter = hashSorter(file, p.bands, p.sortBufferRecords, ctx);
  const record = new Uint32Array(HASH_RECORD_WORDS);
  const signature = new Uint32Array(p.bands * p.rows);
  const digest = new IdDigest();
  const values = p.fullSignatures ? new ValuesWriter(valuesFileFor(file), p.bands * p.rows, { params: signatureIdentity(p), rank: ctx.rank, world: ctx.world }) : null;
  let valuesLink: ValuesLink | undefined;
  let empty = 0;
  try {
    for await (const doc of docs) {
      const position = digest.count;
      digest.add(doc.id);
      const shingles = hasher.signature(doc.text, signature);
      // Every document gets a values record, so that its position is its record index.
      const flushed = values?.push(signature);
      if (flushed) await flushed;
      // A text without words has no shingles; it would share every bucket with every other one.
      if (shingles === 0) {
        empty++;
        continue;
      }
      const quality = qualityBits(doc, p.qualityKey);
      for (let band = 0; band < p.bands; band++) {
        const [lo, hi] = bandHash(signature, band, p.rows);
        record[0] = hi;
        record[1] = lo;
        record[2] = position;
        record[3] = quality;
        const spilled = sorter.add(record, band);
        if (spilled) await spilled;
      }
    }
    valuesLink = await values?.commit();
  } catch (error) {
    await values?.abort();
    throw error;
  }
  if (empty > 0) ctx.log(`minhash_signatures: ${empty} document(s) without words, left out of dedup`);
  await sorter.writeSorted(file, {
    kind: "signatures",
    version: FORMAT_VERSION,
    dedup: "minhash",
    params: signatureIdentity(p),
    rank: ctx.rank,
    world: ctx.world,
    docCount: digest.count,
    idDigest: digest.hex,
    docsWithoutShingles: empty,
    // Only when written, so that a file without one is byte for byte what it was before the option.
    ...(valuesLink ? { values: valuesLink } : {}),
  });
}

export const exactParams = z.object({
  key: z.enum(["text", "url"]).default("text").describe("what makes two documents duplicates: the normalised text, or the normalised URL"),
  normalize: z.boolean().default(true).describe("text: lower case, no accents or punctuation, digits as 0; url: lower-case host, no fragment"),
  ...sorterParams,
});
export type ExactParams = z.output<typeof exactParams>;

export function exactIdentity(p: ExactParams) {
  return { key: p.key, normalize: p.normalize, hash: STRING_HASH };
}

/** A URL as dedup compares it: lower-case scheme and host, no fragment, no trailing slash on the path. */
export function normalizeUrl(url: string): string {
  try {
    const parsed = new URL(url.trim());
    parsed.hash = "";
    const text = parsed.href;
    return text.endsWith("/") && parsed.pathname !== "/" ? text.slice(0, -1) : text;
  } catch {
    return url.trim();
  }
}

/** The string exact dedup hashes, or null when the document has none (no URL). */
export function exactKey(doc: Doc, p: Pick<ExactParams, "key" | "normalize">): string | null {
  if (p.key === "url") {
    if (typeof doc.url !== "string" || doc.url === "") return null;
    return p.normalize ? normalizeUrl(doc.url) : doc.url;
  }
  return p.normalize ? normalizeText(doc.text) : doc.text;
}

export async function writeExactHashes(docs: AsyncIterable<Doc>, file: string, ctx: TaskContext, p: ExactParams): Promise<void> {
  const sorter = hashSorter(file, 1, p.sortBufferRecords, ctx);
  const record = new Uint32Array(HASH_RECORD_WORDS);
  const digest = new IdDigest();
  let missing = 0;
  for await (const doc of docs) {
    const position = digest.count;
    digest.add(doc.id);
    const key = exactKey(doc, p);
    if (key === null || key === "") {
      missing++;
      continue;
    }
    const [lo, hi] = hashString64(key);
    record[0] = hi;
    record[1] = lo;
    record[2] = position;
    record[3] = qualityBits(doc, p.qualityKey);
    const spilled = sorter.add(record);
    if (spilled) await spilled;
  }
  if (missing > 0) ctx.log(`exact_hashes: ${missing} document(s) without a ${p.key}, left out of dedup`);
  await sorter.writeSorted(file, {
    kind: "signatures",
    version: FORMAT_VERSION,
    dedup: p.key === "url" ? "url" : "exact",
    params: exactIdentity(p),
    rank: ctx.rank,
    world: ctx.world,
    docCount: digest.count,
    idDigest: digest.hex,
    docsWithoutKey: missing,
  });
}

register({
  kind: "writer",
  name: "minhash_signatures",
  description: "MinHash LSH band hashes of each document, sorted by (band, hash, position), for near-dedup",
  params: minhashParams,
  create: (p) => ({ name: "minhash_signatures", extension: ".minhash.sig", write: (docs, file, ctx) => writeMinhashSignatures(docs, file, ctx, p) }),
});

register({
  kind: "writer",
  name: "exact_hashes",
  description: "a 64-bit hash of each document's normalised text (key: text) or URL (key: url), sorted, for exact dedup",
  params: exactParams,
  create: (p) => ({ name: "exact_hashes", extension: p.key === "url" ? ".url.sig" : ".exact.sig", write: (docs, file, ctx) => writeExactHashes(docs, file, ctx, p) }),
});
