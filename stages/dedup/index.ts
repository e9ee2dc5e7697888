/**
 * Dedup: MinHash near-duplicate removal, exact (normalised text) and URL dedup, in four sharded
 * steps. Importing this module registers the writers `minhash_signatures` and `exact_hashes`,
 * the tasks `minhash_buckets`, `minhash_clusters` and `minhash_clusters_merge`, and the stages
 * `minhash_filter`, `exact_filter` and `rehydrate` (FineWeb-2's upsampling by cluster size).
 * Optional: verification of candidate pairs against an estimated-Jaccard threshold
 * (`fullSignatures` on the writer, `verifyThreshold` on the buckets, values.ts), and dedup
 * against an index of earlier corpora (`index` on the buckets, signature-index.ts).
 */
import "./signatures.js";
import "./buckets.js";
import "./clusters.js";
import "./filter.js";
import "./rehydrate.js";

export { MinHasher, normalizeText, estimatedJaccard, forEachShingle, bandHash, hashString64 } from "./hash.js";
export { candidateProbability, dedupParamsReport, suggestBandsRows } from "./cli.js";
export { RecordFile } from "./format.js";
