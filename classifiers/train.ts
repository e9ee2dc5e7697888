/**
 * Training loop in plain typed arrays: SGD on one example at a time with fastText's linearly
 * decaying learning rate, sparse updates of only the table rows a document touches, a seeded
 * train/validation split, and early stopping on validation macro F1 (the best epoch's weights
 * are the ones kept). Dense inputs (an embedder's vectors) are standardised with the mean and
 * standard deviation of the training split only, and those statistics are returned for the model
 * folder, so held-out documents are scored exactly as new ones will be.
 */
import { FeatureBuffer, extractFeatures } from "./features.js";
import { forward, forwardDense, initWeights, isDense, newActivations, outputCount, standardize, type ModelShape, type ModelWeights, type Standardization } from "./model.js";
import { confusionMatrix, macroF1 } from "./metrics.js";
import { seededRandom, shuffle } from "../core/index.js";

export interface Example {
  text: string;
  /** 0..classes-1 (regression accepts any value in that range). */
  label: number;
  /** The row's language, when its data says (for per-language evaluation). */
  language?: string;
}

export interface TrainOptions {
  /** Most passes over the training split. */
  epochs: number;
  learningRate: number;
  /** Share of examples held out for early stopping and the reported metrics. */
  validationFraction: number;
  /** Epochs without a better validation macro F1 before stopping. */
  patience: number;
  seed: number;
  /**
   * "balanced" weighs each example by n / (classes * n_label), for skewed label counts; "auto" is
   * balanced for classification and none for regression.
   */
  classWeights: "auto" | "none" | "balanced";
  /**
   * Two-class classification: "auto" chooses the P(label 1) cut-off with the best F1 of label 1
   * on the validation split (argmax when the split has no positive); "argmax" takes the most
   * probable label; a number is the cut-off itself. Other models always take the argmax.
   */
  decisionThreshold: "auto" | "argmax" | number;
  onEpoch?(report: EpochReport): void;
}

export const DEFAULT_TRAIN: TrainOptions = { epochs: 10, learningRate: 0.5, validationFraction: 0.1, patience: 2, seed: 1, classWeights: "auto", decisionThreshold: "auto" };

export interface EpochReport {
  epoch: number;
  trainLoss: number;
  validationMacroF1: number;
  seconds: number;
}

export interface TrainResult {
  weights: ModelWeights;
  bestEpoch: number;
  history: EpochReport[];
  trainCount: number;
  /** Held-out examples with the final model's predictions, for metrics and calibration. */
  validation: { labels: Float64Array; scores: Float64Array; predicted: Int32Array };
  /** Dense inputs only: the training split's statistics the inputs were standardised with. */
  standardization?: Standardization;
  seconds: number;
}

/**
 * Inputs of every example in one flat array. Hashed: example i is indices[offsets[i],
 * offsets[i+1]). Dense: example i is the standardised vector values[i*dim, (i+1)*dim).
 */
type FeatureSet = { kind: "hashed"; indices: Int32Array; offsets: Int32Array } | { kind: "dense"; dim: number; values: Float32Array };

export function featurize(examples: readonly Example[], shape: ModelShape): FeatureSet & { kind: "hashed" } {
  const config = shape.features;
  if (isDense(config)) throw new Error("dense features come from an embedder, not from featurize");
  const buffer = new FeatureBuffer();
  const offsets = new Int32Array(examples.length + 1);
  let indices = new Int32Array(Math.max(1024, examples.length * 256));
  let total = 0;
  examples.forEach((example, i) => {
    const count = extractFeatures(example.text, config, buffer);
    if (total + count > indices.length) {
      const grown = new Int32Array(Math.max(indices.length * 2, total + count));
      grown.set(indices.subarray(0, total));
      indices = grown;
    }
    indices.set(buffer.indices.subarray(0, count), total);
    total += count;
    offsets[i + 1] = total;
  });
  return { kind: "hashed", indices: indices.subarray(0, total), offsets };
}

/** Per-dimension mean and (population) standard deviation over `ids`; a constant dimension gets std 1. */
export function standardization(vectors: Float32Array, dim: number, ids: ArrayLike<number>): Standardization {
  const mean = new Float64Array(dim);
  const square = new Float64Array(dim);
  for (let k = 0; k < ids.length; k++) {
    const row = ids[k]! * dim;
    for (let j = 0; j < dim; j++) mean[j]! += vectors[row + j]!;
  }
  const n = Math.max(1, ids.length);
  for (let j = 0; j < dim; j++) mean[j] = mean[j]! / n;
  for (let k = 0; k < ids.length; k++) {
    const row = ids[k]! * dim;
    for (let j = 0; j < dim; j++) square[j]! += (vectors[row + j]! - mean[j]!) ** 2;
  }
  const std = Array.from(square, (s) => Math.sqrt(s / n));
  return { mean: Array.from(mean), std: std.map((s) => (s > 1e-6 ? s : 1)) };
}

function denseSet(vectors: Float32Array, dim: number, stats: Standardization): FeatureSet {
  const values = new Float32Array(vectors.length);
  for (let at = 0; at < vectors.length; at += dim) standardize(vectors.subarray(at, at + dim), stats, values.subarray(at, at + dim));
  return { kind: "dense", dim, values };
}

function forwardExample(shape: ModelShape, weights: ModelWeights, set: FeatureSet, id: number, act: ReturnType<typeof newActivations>) {
  if (set.kind === "dense") return forwardDense(shape, weights, set.values.subarray(id * set.dim, (id + 1) * set.dim), act);
  const start = set.offsets[id]!;
  const count = set.offsets[id + 1]! - start;
  return forward(shape, weights, set.indices.subarray(start, start + count), count, act);
}

function copyWeights(w: ModelWeights): ModelWeights {
  return { table: w.table.slice(), tableBias: w.tableBias.slice(), output: w.output.slice(), outputBias: w.outputBias.slice() };
}

/**
 * Trains on `examples`. A dense-feature shape needs `vectors`: example i's embedding at
 * [i*dim, (i+1)*dim), as the embedder returned it (standardised here).
 */
export function train(examples: readonly Example[], shape: ModelShape, options: TrainOptions, vectors?: Float32Array): TrainResult {
  const started = performance.now();
  const random = seededRandom(options.seed);
  const order = Int32Array.from(examples.keys());
  shuffle(order, random);
  const validationCount = examples.length > 1 ? Math.floor(examples.length * options.validationFraction) : 0;
  const validationIds = order.slice(0, validationCount);
  const trainIds = order.slice(validationCount);
  let features: FeatureSet;
  let stats: Standardization | undefined;
  if (isDense(shape.features)) {
    const dim = shape.features.dim;
    if (!vectors || vectors.length !== examples.length * dim) throw new Error(`dense features: expected ${examples.length} x ${dim} values, got ${vectors?.length ?? "none"}`);
    stats = standardization(vectors, dim, trainIds.length ? trainIds : order);
    features = denseSet(vectors, dim, stats);
  } else features = featurize(examples, shape);
  const labels = Float64Array.from(examples, (e) => e.label);
  const exampleWeight = classWeights(labels, trainIds, shape, options.classWeights);

  let weights = initWeights(shape, random);
  const act = newActivations(shape);
  const gradient = new Float32Array(outputCount(shape));
  const hiddenGradient = new Float32Array(shape.hidden);
  const totalSteps = Math.max(1, options.epochs * trainIds.length);
  let step = 0;
  let best: { weights: ModelWeights; epoch: number; f1: number } | undefined;
  const history: EpochReport[] = [];

  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const epochStart = performance.now();
    shuffle(trainIds, random);
    let loss = 0;
    for (const id of trainIds) {
      const lr = options.learningRate * (1 - step++ / totalSteps);
      forwardExample(shape, weights, features, id, act);
      loss += outputGradient(shape, act.outputs, labels[id]!, gradient) * exampleWeight[id]!;
      for (let o = 0; o < gradient.length; o++) gradient[o] = gradient[o]! * exampleWeight[id]!;
      backward(shape, weights, features, id, act, gradient, hiddenGradient, lr);
    }
    const f1 = validationCount ? predictAll(shape, weights, features, validationIds, labels).f1 : 0;
    const report = { epoch, trainLoss: loss / Math.max(1, trainIds.length), validationMacroF1: f1, seconds: (performance.now() - epochStart) / 1000 };
    history.push(report);
    options.onEpoch?.(report);
    if (!best || f1 > best.f1 || !validationCount) best = { weights: copyWeights(weights), epoch, f1 };
    else if (epoch - best.epoch >= options.patience) break;
  }
  weights = best?.weights ?? weights;
  const final = predictAll(shape, weights, features, validationIds, labels);
  return {
    weights,
    bestEpoch: best?.epoch ?? 0,
    history,
    trainCount: trainIds.length,
    validation: { labels: Float64Array.from(validationIds, (id) => labels[id]!), scores: final.scores, predicted: final.predicted },
    standardization: stats,
    seconds: (performance.now() - started) / 1000,
  };
}

function classWeights(labels: Float64Array, trainIds: Int32Array, shape: ModelShape, mode: TrainOptions["classWeights"]): Float64Array {
  const weights = new Float64Array(labels.length).fill(1);
  if (mode === "none" || (mode === "auto" && shape.objective === "regression")) return weights;
  const counts = new Array<number>(shape.classes).fill(0);
  for (const id of trainIds) counts[Math.round(labels[id]!)]! += 1;
  const used = counts.filter((n) => n > 0).length;
  for (let i = 0; i < labels.length; i++) weights[i] = trainIds.length / (used * Math.max(1, counts[Math.round(labels[i]!)]!));
  return weights;
}

/** d loss / d logits into `gradient`; returns the loss. Softmax cross-entropy or half squared error. */
function outputGradient(shape: ModelShape, outputs: Float32Array, label: number, gradient: Float32Array): number {
  if (shape.objective === "regression") {
    const error = outputs[0]! - label;
    gradient[0] = error;
    return 0.5 * error * error;
  }
  for (let o = 0; o < gradient.length; o++) gradient[o] = outputs[o]! - (o === label ? 1 : 0);
  return -Math.log(Math.max(1e-12, outputs[label]!));
}

function backward(shape: ModelShape, w: ModelWeights, set: FeatureSet, id: number, act: ReturnType<typeof newActivations>, gradient: Float32Array, hiddenGradient: Float32Array, lr: number): void {
  let pooledGradient = gradient;
  if (shape.head === "mlp") {
    const width = shape.hidden;
    hiddenGradient.fill(0);
    for (let o = 0; o < gradient.length; o++) {
      const g = gradient[o]!;
      const row = o * width;
      for (let j = 0; j < width; j++) {
        hiddenGradient[j]! += w.output[row + j]! * g;
        w.output[row + j]! -= lr * g * act.hidden[j]!;
      }
      w.outputBias[o]! -= lr * g;
    }
    for (let j = 0; j < width; j++) if (act.pooled[j]! <= 0) hiddenGradient[j] = 0;
    pooledGradient = hiddenGradient;
  }
  const width = pooledGradient.length;
  for (let j = 0; j < width; j++) w.tableBias[j]! -= lr * pooledGradient[j]!;
  const table = w.table;
  if (set.kind === "dense") {
    // d pooled / d W[i] = z_i / sqrt(dim)
    const step = lr / Math.sqrt(set.dim);
    const base = id * set.dim;
    for (let i = 0; i < set.dim; i++) {
      const scaled = step * set.values[base + i]!;
      if (scaled === 0) continue;
      const row = i * width;
      for (let j = 0; j < width; j++) table[row + j]! -= scaled * pooledGradient[j]!;
    }
    return;
  }
  const start = set.offsets[id]!;
  const count = set.offsets[id + 1]! - start;
  if (count === 0) return;
  const step = lr / Math.sqrt(count);
  for (let i = start; i < start + count; i++) {
    const row = set.indices[i]! * width;
    for (let j = 0; j < width; j++) table[row + j]! -= step * pooledGradient[j]!;
  }
}

function predictAll(shape: ModelShape, weights: ModelWeights, features: FeatureSet, ids: Int32Array, labels: Float64Array) {
  const act = newActivations(shape);
  const scores = new Float64Array(ids.length);
  const predicted = new Int32Array(ids.length);
  ids.forEach((id, i) => {
    const p = forwardExample(shape, weights, features, id, act);
    scores[i] = p.score;
    predicted[i] = p.label;
  });
  const truth = Float64Array.from(ids, (id) => labels[id]!);
  return { scores, predicted, f1: macroF1(confusionMatrix(truth, predicted, shape.classes)) };
}

/**
 * The cut-off on P(label 1) with the best F1 of label 1 over (score, label) pairs: halfway between
 * the lowest score predicted positive and the next score below it. Undefined without a positive.
 */
export function bestF1Threshold(scores: ArrayLike<number>, labels: ArrayLike<number>): { threshold: number; f1: number } | undefined {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= 1) positives++;
  if (positives === 0) return undefined;
  let tp = 0;
  let fp = 0;
  let best: { threshold: number; f1: number } | undefined;
  for (let k = 0; k < order.length; k++) {
    const score = scores[order[k]!]!;
    if (labels[order[k]!]! >= 1) tp++;
    else fp++;
    const next = k + 1 < order.length ? scores[order[k + 1]!]! : undefined;
    if (next === score) continue; // a cut-off cannot split equal scores
    const f1 = (2 * tp) / (2 * tp + fp + (positives - tp));
    if (!best || f1 > best.f1) best = { threshold: next === undefined ? score / 2 : (score + next) / 2, f1 };
  }
  return best;
}
