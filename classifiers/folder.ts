/**
 * A model folder: `model.json` (shape, features, training data hash, options, metrics, a
 * calibration sample of held-out scores) and `weights.bin` (little-endian float32: table,
 * tableBias, output, outputBias, in that order, lengths recorded in model.json).
 *
 * A dense-feature model also records its embedder (kind, checkpoint path, the checkpoint's id,
 * dim, standardisation). Loading it loads that embedder and refuses a checkpoint whose id changed:
 * the head's weights mean nothing on another model's hidden states.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { KilnError, writeFileAtomic } from "../core/index.js";
import { loadEmbedder, type TextEmbedder } from "./embedder.js";
import { FEATURE_HASH_ID } from "./features.js";
import type { EvaluationReport } from "./metrics.js";
import { EmbeddingScorer, TextScorer, isDense, type DocumentScorer, type ModelShape, type ModelWeights, type Standardization } from "./model.js";
import type { EpochReport, TrainOptions } from "./train.js";

export const MODEL_FORMAT = "kiln-quality-classifier";

/** Where a dense-feature model's inputs come from. */
export interface EmbedderRecord {
  /** Registered embedder kind, e.g. "gpt". */
  kind: string;
  /** Checkpoint folder (absolute) the embedder is loaded from. */
  checkpoint: string;
  /** The embedder's id of that checkpoint at training time. */
  id: string;
  dim: number;
  /** Of the training split's vectors; scoring standardises with the same numbers. */
  standardization: Standardization;
}

/** How a two-class model's decision threshold (shape.decisionThreshold) was set. */
export interface DecisionRecord {
  threshold: number;
  /** "validation": the best F1 of label 1 on the validation split; "given": the trainer's option. */
  chosenOn: "validation" | "given";
  /** That F1, when chosen on the validation split. */
  validationF1?: number;
}

export interface ModelRecord {
  format: typeof MODEL_FORMAT;
  version: 1;
  shape: ModelShape;
  /** The hashing scheme (hashed features), or `embedder:<kind>` (dense features). */
  featureHash: string;
  /** Dense-feature models only. */
  embedder?: EmbedderRecord;
  /** Display names of labels 0..classes-1 (e.g. ["negative", "positive"]). */
  labelNames: string[];
  /** Label from which a document counts as positive in binary F1 (3 on the 0–5 scale, 1 for binary). */
  binaryThreshold: number;
  training: {
    /** sha256 over every (label, text) pair in input order. */
    dataHash: string;
    sources: string[];
    documents: number;
    trainDocuments: number;
    validationDocuments: number;
    skipped: Record<string, number>;
    options: Omit<TrainOptions, "onEpoch">;
    bestEpoch: number;
    history: EpochReport[];
    seconds: number;
    /** Dense features: seconds spent embedding the documents (not in `seconds`). */
    embeddingSeconds?: number;
  };
  validation: Omit<EvaluationReport, "calibration" | "perClass">;
  /** Two-class models with a decision threshold (absent: the most probable label). */
  decision?: DecisionRecord;
  /**
   * Up to 10,000 held-out scores, sorted ascending: the score distribution of data like the
   * training data, from which `quality_filter` can take a top-p% cut-off (`cutoffFrom: model`).
   */
  calibrationScores: number[];
  weights: { file: string; sha256: string; lengths: [number, number, number, number] };
}

export interface LoadedModel {
  record: ModelRecord;
  weights: ModelWeights;
  folder: string;
  /** Dense-feature models: the embedder their record names, its id checked. */
  embedder?: TextEmbedder;
}

export async function saveModel(folder: string, record: Omit<ModelRecord, "weights" | "format" | "version" | "featureHash">, weights: ModelWeights): Promise<ModelRecord> {
  const parts = [weights.table, weights.tableBias, weights.output, weights.outputBias];
  const bytes = Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
  const full: ModelRecord = {
    format: MODEL_FORMAT,
    version: 1,
    featureHash: record.embedder ? `embedder:${record.embedder.kind}` : FEATURE_HASH_ID,
    ...record,
    weights: { file: "weights.bin", sha256: createHash("sha256").update(bytes).digest("hex"), lengths: [parts[0]!.length, parts[1]!.length, parts[2]!.length, parts[3]!.length] },
  };
  // Weights first: a model.json on disk always names weights that are complete.
  await writeFileAtomic(path.join(folder, "weights.bin"), bytes);
  await writeFileAtomic(path.join(folder, "model.json"), JSON.stringify(full, null, 2) + "\n");
  return full;
}

export async function loadModel(folder: string): Promise<LoadedModel> {
  let record: ModelRecord;
  try {
    record = JSON.parse(await readFile(path.join(folder, "model.json"), "utf8")) as ModelRecord;
  } catch (error) {
    throw new KilnError("bad_model", `${folder}: cannot read model.json (${(error as Error).message})`);
  }
  if (record.format !== MODEL_FORMAT || record.version !== 1) throw new KilnError("bad_model", `${folder}: not a ${MODEL_FORMAT} v1 model`);
  const dense = isDense(record.shape.features);
  if (dense !== Boolean(record.embedder)) throw new KilnError("bad_model", `${folder}: model.json has ${dense ? "dense features but no embedder" : "an embedder but hashed features"}`);
  if (!dense && record.featureHash !== FEATURE_HASH_ID) throw new KilnError("bad_model", `${folder}: features "${record.featureHash}" differ from this version's "${FEATURE_HASH_ID}"`);
  const bytes = await readFile(path.join(folder, record.weights.file));
  const total = record.weights.lengths.reduce((a, b) => a + b, 0);
  if (bytes.byteLength !== total * 4) throw new KilnError("bad_model", `${folder}: weights.bin has ${bytes.byteLength} bytes, model.json expects ${total * 4}`);
  // Copy into an aligned buffer: Buffer's pooled memory may not be 4-byte aligned.
  const floats = new Float32Array(total);
  new Uint8Array(floats.buffer).set(bytes);
  const [a, b, c] = record.weights.lengths;
  const weights: ModelWeights = {
    table: floats.subarray(0, a),
    tableBias: floats.subarray(a, a + b),
    output: floats.subarray(a + b, a + b + c),
    outputBias: floats.subarray(a + b + c),
  };
  return { record, weights, folder, embedder: record.embedder ? await checkedEmbedder(folder, record.embedder) : undefined };
}

async function checkedEmbedder(folder: string, expected: EmbedderRecord): Promise<TextEmbedder> {
  const embedder = await loadEmbedder(expected.kind, expected.checkpoint);
  if (embedder.id !== expected.id) {
    throw new KilnError("checkpoint_changed", `${folder}: trained on ${expected.kind} features of checkpoint ${expected.checkpoint} with id ${expected.id}, but that checkpoint now has id ${embedder.id}; retrain the classifier on it, or restore the original checkpoint`);
  }
  if (embedder.dim !== expected.dim) throw new KilnError("bad_model", `${folder}: embedder ${embedder.id} gives ${embedder.dim} values, the model expects ${expected.dim}`);
  return embedder;
}

/** Models are loaded once per process and path (weights are MBs); stages share them. */
const cache = new Map<string, Promise<LoadedModel>>();
export function loadModelCached(folder: string): Promise<LoadedModel> {
  const key = path.resolve(folder);
  let loaded = cache.get(key);
  if (!loaded) {
    loaded = loadModel(key);
    loaded.catch(() => cache.delete(key));
    cache.set(key, loaded);
  }
  return loaded;
}

export function scorerFor(model: LoadedModel): DocumentScorer {
  const { shape, embedder: recorded } = model.record;
  if (!recorded) return new TextScorer(shape, model.weights);
  if (!model.embedder) throw new KilnError("bad_model", `${model.folder}: dense-feature model loaded without its embedder`);
  return new EmbeddingScorer(shape, model.weights, model.embedder, recorded.standardization);
}
