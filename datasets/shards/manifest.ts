/** The `manifest.json` beside a folder of token shards: what the trainer trusts about them. */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { KilnError, errorMessage } from "../../core/index.js";

export const MANIFEST_NAME = "manifest.json";
export const MANIFEST_FORMAT = "kiln-token-shards";
export const MANIFEST_VERSION = 1;

export type TokenDtype = "uint16" | "uint32";
export type Split = "train" | "val";

/** uint16 when every id fits, as the format promises. */
export function dtypeFor(vocabSize: number): TokenDtype {
  return vocabSize <= 65536 ? "uint16" : "uint32";
}

export interface ShardEntry {
  /** Relative to the manifest's folder, e.g. `train/general/shard-00000.arrow`. */
  path: string;
  split: Split;
  /** The phase a train shard belongs to; val shards have none. */
  phase?: string;
  /** The source of a per-source val shard. */
  source?: string;
  documents: number;
  tokens: number;
  bytes: number;
  sha256: string;
}

export interface SourceTotals {
  documents: number;
  tokens: number;
  /** Held out for validation before mixing. */
  valDocuments: number;
  valTokens: number;
  /** Documents / tokens drawn into train shards (repeats counted). */
  trainDocuments: number;
  trainTokens: number;
  /** trainTokens / tokens available for training: 2.5 means two and a half passes. */
  epochs: number;
  skipped: Record<string, number>;
}

export interface PhaseTotals {
  name: string;
  requestedTokens: number;
  tokens: number;
  documents: number;
  /** Requested weights, normalised to sum to 1. */
  weights: Record<string, number>;
  /** Realised tokens per source. */
  sourceTokens: Record<string, number>;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: number;
  tokenizer: { name: string; vocabSize: number; eos: number; specialTokens: Record<string, number> };
  dtype: TokenDtype;
  seed: number;
  sources: Record<string, SourceTotals>;
  phases: PhaseTotals[];
  shards: ShardEntry[];
  /** The mixture spec as written (after defaults), so the run can be repeated. */
  mixture: unknown;
}

export async function readManifest(dir: string): Promise<Manifest> {
  const file = path.join(dir, MANIFEST_NAME);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new KilnError("bad_manifest", `${file}: ${errorMessage(error)}`);
  }
  const manifest = json as Manifest;
  if (manifest.format !== MANIFEST_FORMAT || !Array.isArray(manifest.shards)) {
    throw new KilnError("bad_manifest", `${file}: not a Kiln token-shard manifest (format must be "${MANIFEST_FORMAT}")`);
  }
  if (manifest.version !== MANIFEST_VERSION) {
    throw new KilnError("bad_manifest", `${file}: version ${manifest.version} is not supported (this Kiln reads ${MANIFEST_VERSION})`);
  }
  return manifest;
}
