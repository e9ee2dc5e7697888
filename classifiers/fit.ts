/** Train, evaluate on the held-out split, and write the model folder: what `kiln classifier train` does. */
import path from "node:path";
import { KilnError } from "../core/index.js";
import { embedAll, loadEmbedder, type TextEmbedder } from "./embedder.js";
import { DEFAULT_FEATURES, type FeatureConfig } from "./features.js";
import { saveModel, type DecisionRecord, type EmbedderRecord, type ModelRecord } from "./folder.js";
import { readClassifierData, type ClassifierData, type LabelledData } from "./labels.js";
import { collapseWarning, evaluate } from "./metrics.js";
import { isDense, type ModelShape } from "./model.js";
import { bestF1Threshold, DEFAULT_TRAIN, train, type TrainOptions } from "./train.js";

/** Held-out scores kept in model.json for the top-p% cut-off; a sorted sample bounds its size. */
const CALIBRATION_SAMPLE = 10_000;

/** The head `kiln classifier train` fits unless told otherwise. */
export const DEFAULT_HEAD = { head: "linear", hidden: 16 } as const;

export interface FitOptions {
  data: LabelledData;
  sources: string[];
  shape: ModelShape;
  train: TrainOptions;
  labelNames: string[];
  binaryThreshold: number;
  /** Model folder; nothing is written when absent. */
  out?: string;
  /** Dense features (shape.features is { kind: "dense", dim }): the embedder and where it came from. */
  embedder?: { kind: string; checkpoint: string; embedder: TextEmbedder; onProgress?: (done: number, total: number) => void };
}

/** The decision threshold of a trained model: on P(label 1) for two classes, none (argmax) otherwise. */
function decisionThreshold(shape: ModelShape, choice: TrainOptions["decisionThreshold"], validation: { labels: Float64Array; scores: Float64Array }): DecisionRecord | undefined {
  if (shape.objective !== "classification" || shape.classes !== 2 || choice === "argmax") return undefined;
  if (typeof choice === "number") return { threshold: choice, chosenOn: "given" };
  const best = bestF1Threshold(validation.scores, validation.labels);
  return best && { threshold: Number(best.threshold.toFixed(6)), chosenOn: "validation", validationF1: best.f1 };
}

export async function fitClassifier(options: FitOptions): Promise<{ record: Omit<ModelRecord, "weights" | "format" | "version" | "featureHash">; saved?: ModelRecord; weights: ReturnType<typeof train>["weights"]; warning?: string }> {
  const { data } = options;
  let shape = options.shape;
  if (data.examples.length < 2) throw new KilnError("no_training_data", `need at least 2 labelled documents, got ${data.examples.length} (skipped: ${JSON.stringify(data.skipped)})`);
  let vectors: Float32Array | undefined;
  let embeddingSeconds: number | undefined;
  const source = options.embedder;
  if (isDense(shape.features) !== Boolean(source)) throw new KilnError("usage", source ? "an embedder needs a dense-feature shape" : "dense features need an embedder");
  if (source) {
    if (isDense(shape.features) && shape.features.dim !== source.embedder.dim) throw new KilnError("usage", `shape dim ${shape.features.dim} differs from the embedder's ${source.embedder.dim}`);
    const started = performance.now();
    const total = data.examples.length;
    vectors = embedAll(source.embedder, data.examples.map((e) => e.text), (done) => source.onProgress?.(done, total));
    embeddingSeconds = (performance.now() - started) / 1000;
  }
  const result = train(data.examples, shape, options.train, vectors);
  const embedder: EmbedderRecord | undefined = source && result.standardization
    ? { kind: source.kind, checkpoint: path.resolve(source.checkpoint), id: source.embedder.id, dim: source.embedder.dim, standardization: result.standardization }
    : undefined;
  const { labels, scores } = result.validation;
  let { predicted } = result.validation;
  const decision = decisionThreshold(shape, options.train.decisionThreshold, result.validation);
  if (decision) {
    shape = { ...shape, decisionThreshold: decision.threshold };
    predicted = Int32Array.from(scores, (p) => (p >= decision.threshold ? 1 : 0));
  }
  const { calibration: _calibration, perClass: _perClass, ...validation } = evaluate(scores, predicted, labels, shape.classes, options.binaryThreshold);
  const warning = collapseWarning(labels, predicted, options.binaryThreshold);
  const sorted = Array.from(scores).sort((a, b) => a - b);
  const stride = Math.max(1, sorted.length / CALIBRATION_SAMPLE);
  const calibrationScores: number[] = [];
  for (let i = 0; i < sorted.length; i += stride) calibrationScores.push(Number(sorted[Math.floor(i)]!.toFixed(6)));
  const { onEpoch: _onEpoch, ...trainOptions } = options.train;
  const record = {
    shape,
    embedder,
    labelNames: options.labelNames,
    binaryThreshold: options.binaryThreshold,
    training: {
      dataHash: data.dataHash,
      sources: options.sources,
      documents: data.examples.length,
      trainDocuments: result.trainCount,
      validationDocuments: labels.length,
      skipped: data.skipped,
      options: trainOptions,
      bestEpoch: result.bestEpoch,
      history: result.history,
      seconds: result.seconds,
      embeddingSeconds,
    },
    validation,
    decision,
    calibrationScores,
  };
  const saved = options.out ? await saveModel(options.out, record, result.weights) : undefined;
  return { record, saved, weights: result.weights, warning };
}

export interface TrainClassifierOptions {
  data: ClassifierData;
  /** Model folder to write. */
  out: string;
  textKey?: string;
  /** Hashed word/bigram features (the default), or the mean-pooled hidden states of an embedder's checkpoint. */
  features?: FeatureConfig | { embedder: string; checkpoint: string; onProgress?: (done: number, total: number) => void };
  head?: ModelShape["head"];
  hidden?: number;
  objective?: ModelShape["objective"];
  train?: Partial<TrainOptions>;
  /** Label from which a document counts as positive in binary F1: 1 for two corpora, else min(3, classes - 1). */
  binaryThreshold?: number;
}

export interface TrainedClassifier {
  saved: ModelRecord;
  /** What was read: documents, skips and the data hash. */
  data: LabelledData;
  /** Set when the model predicts (almost) only one class on the held-out split. */
  warning?: string;
}

/** `kiln classifier train`: read the labelled files, fit, evaluate on the held-out split and write the model folder. */
export async function trainClassifier(options: TrainClassifierOptions): Promise<TrainedClassifier> {
  const textKey = options.textKey ?? "text";
  const objective = options.objective ?? "classification";
  const spec = options.data;
  const binary = "positive" in spec;
  const classes = binary ? 2 : spec.classes;
  const sources = binary ? [...spec.positive, ...spec.negative] : spec.labels;
  const features = options.features ?? DEFAULT_FEATURES;
  const dense = "embedder" in features ? features : undefined;
  // Any registered embedder kind; an unknown one fails in loadEmbedder, naming those registered.
  const embedder = dense && (await loadEmbedder(dense.embedder, dense.checkpoint));
  const shape: ModelShape = {
    features: embedder ? { kind: "dense", dim: embedder.dim } : (features as FeatureConfig),
    head: options.head ?? DEFAULT_HEAD.head,
    hidden: options.hidden ?? DEFAULT_HEAD.hidden,
    objective,
    classes,
  };
  const data = await readClassifierData(spec, textKey, objective === "classification");
  const { saved, warning } = await fitClassifier({
    data,
    sources,
    shape,
    labelNames: binary ? ["negative", "positive"] : Array.from({ length: classes }, (_, i) => String(i)),
    binaryThreshold: options.binaryThreshold ?? (binary ? 1 : Math.min(3, classes - 1)),
    out: options.out,
    embedder: dense && embedder && { kind: dense.embedder, checkpoint: dense.checkpoint, embedder, onProgress: dense.onProgress },
    train: { ...DEFAULT_TRAIN, ...options.train },
  });
  return { saved: saved!, data, warning };
}
