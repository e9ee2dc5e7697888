/**
 * The classifier: hashed features (or a dense embedding) pooled into a vector, then the head.
 *
 *   head "linear"  logits = b + sum_i W[f_i] / sqrt(n)          (W: buckets x outputs; logistic /
 *                                                                softmax regression on the bag)
 *   head "mlp"     h = relu(b1 + sum_i E[f_i] / sqrt(n)); logits = b2 + W2 h   (E: buckets x hidden)
 *
 * over the n distinct features f_i of a document: the bag is a binary vector scaled to unit
 * length. (fastText's mean, 1/n, makes a linear head's step on a document shrink with its length,
 * so long pages barely learn; 1/sqrt(n) keeps the step the same for every length.)
 *
 * Dense input (an embedder's vector x of `dim` values, e.g. a GPT's mean-pooled hidden states):
 * z = (x - mean) / std with the training split's statistics, and the pool is
 * sum_i z_i W[i] / sqrt(dim) in place of the bag's sum: the table has `dim` rows, the heads and
 * outputs are the same, and z / sqrt(dim) has about unit length like the bag, so the same
 * learning-rate schedule suits both.
 *
 * Objectives: "classification" (softmax over labels 0..classes-1; the score is the expected
 * label, so for two classes it is P(label 1)) and "regression" (one output, squared error; the
 * score is that output clamped to [0, classes-1]). The label is the argmax, or the rounded score.
 */
import type { TextEmbedder } from "./embedder.js";
import { FeatureBuffer, extractFeatures, type FeatureConfig } from "./features.js";

export type HeadType = "linear" | "mlp";
export type Objective = "classification" | "regression";

/** A dense input vector of `dim` values from a text embedder (the model folder names which). */
export interface DenseInput {
  kind: "dense";
  dim: number;
}

export interface ModelShape {
  /** Hashed n-gram buckets, or a dense embedding. */
  features: FeatureConfig | DenseInput;
  head: HeadType;
  /** Width of the hidden layer of the mlp head (unused by the linear head). */
  hidden: number;
  objective: Objective;
  /** Labels are the integers 0..classes-1. */
  classes: number;
  /**
   * Two-class classification: label 1 when P(label 1) >= this (chosen on the validation split at
   * training time); absent: the most probable label.
   */
  decisionThreshold?: number;
}

/** Per-dimension mean and standard deviation of the training split's dense vectors. */
export interface Standardization {
  mean: number[];
  std: number[];
}

export function isDense(features: FeatureConfig | DenseInput): features is DenseInput {
  return (features as DenseInput).kind === "dense";
}

/** Rows of the first layer's table: hash buckets, or input dimensions. */
export function inputRows(shape: ModelShape): number {
  return isDense(shape.features) ? shape.features.dim : shape.features.buckets;
}

export interface ModelWeights {
  /** linear: W (rows x outputs); mlp: E (rows x hidden); rows = buckets or dense dim. */
  table: Float32Array;
  /** linear: b (outputs); mlp: b1 (hidden). */
  tableBias: Float32Array;
  /** mlp only: W2 (outputs x hidden) and b2 (outputs); empty for linear. */
  output: Float32Array;
  outputBias: Float32Array;
}

export interface Prediction {
  score: number;
  label: number;
}

export function outputCount(shape: ModelShape): number {
  return shape.objective === "regression" ? 1 : shape.classes;
}

/** Width of the pooled vector: outputs for linear, hidden for mlp. */
export function tableWidth(shape: ModelShape): number {
  return shape.head === "linear" ? outputCount(shape) : shape.hidden;
}

/** Fresh weights: linear at zero (convex, fastText also starts its output at zero); mlp uniform ±1/hidden. */
export function initWeights(shape: ModelShape, random: () => number): ModelWeights {
  const width = tableWidth(shape);
  const outputs = outputCount(shape);
  const table = new Float32Array(inputRows(shape) * width);
  if (shape.head === "linear") return { table, tableBias: new Float32Array(width), output: new Float32Array(0), outputBias: new Float32Array(0) };
  const scale = 1 / width;
  for (let i = 0; i < table.length; i++) table[i] = (random() * 2 - 1) * scale;
  const output = new Float32Array(outputs * width);
  const outputScale = Math.sqrt(6 / (width + outputs));
  for (let i = 0; i < output.length; i++) output[i] = (random() * 2 - 1) * outputScale;
  // A small positive bias keeps ReLU units alive at the start.
  const tableBias = new Float32Array(width).fill(0.01);
  return { table, tableBias, output, outputBias: new Float32Array(outputs) };
}

/** Scratch vectors of one forward pass, reused between documents. */
export interface Activations {
  /** The pooled vector plus bias: logits for linear, pre-ReLU hidden for mlp. */
  pooled: Float32Array;
  hidden: Float32Array;
  logits: Float32Array;
  /** Softmax probabilities (classification) or the single regression output. */
  outputs: Float32Array;
}

export function newActivations(shape: ModelShape): Activations {
  const width = tableWidth(shape);
  const outputs = outputCount(shape);
  return { pooled: new Float32Array(width), hidden: new Float32Array(width), logits: new Float32Array(outputs), outputs: new Float32Array(outputs) };
}

/** Forward pass over `count` feature indices; fills `act` and returns the prediction. */
export function forward(shape: ModelShape, weights: ModelWeights, indices: Int32Array, count: number, act: Activations): Prediction {
  const width = act.pooled.length;
  const pooled = act.pooled;
  pooled.fill(0);
  const table = weights.table;
  for (let i = 0; i < count; i++) {
    const row = indices[i]! * width;
    for (let j = 0; j < width; j++) pooled[j]! += table[row + j]!;
  }
  const inverse = count > 0 ? 1 / Math.sqrt(count) : 0;
  for (let j = 0; j < width; j++) pooled[j] = pooled[j]! * inverse + weights.tableBias[j]!;
  return head(shape, weights, act);
}

/** Forward pass over a standardised dense vector z (length dim); fills `act`. */
export function forwardDense(shape: ModelShape, weights: ModelWeights, z: Float32Array, act: Activations): Prediction {
  const width = act.pooled.length;
  const pooled = act.pooled;
  pooled.fill(0);
  const table = weights.table;
  for (let i = 0; i < z.length; i++) {
    const value = z[i]!;
    if (value === 0) continue;
    const row = i * width;
    for (let j = 0; j < width; j++) pooled[j]! += value * table[row + j]!;
  }
  const inverse = z.length > 0 ? 1 / Math.sqrt(z.length) : 0;
  for (let j = 0; j < width; j++) pooled[j] = pooled[j]! * inverse + weights.tableBias[j]!;
  return head(shape, weights, act);
}

/** z = (x - mean) / std into `out` (float32, so training and scoring round alike). */
export function standardize(x: Float32Array, standardization: Standardization, out: Float32Array): Float32Array {
  const { mean, std } = standardization;
  for (let i = 0; i < out.length; i++) out[i] = (x[i]! - mean[i]!) / std[i]!;
  return out;
}

/** From the pooled vector (bias included) to the outputs: shared by the hashed and dense inputs. */
function head(shape: ModelShape, weights: ModelWeights, act: Activations): Prediction {
  const width = act.pooled.length;
  const { pooled, hidden, logits, outputs } = act;
  if (shape.head === "linear") logits.set(pooled);
  else {
    for (let j = 0; j < width; j++) hidden[j] = pooled[j]! > 0 ? pooled[j]! : 0;
    for (let o = 0; o < logits.length; o++) {
      let sum = weights.outputBias[o]!;
      const row = o * width;
      for (let j = 0; j < width; j++) sum += weights.output[row + j]! * hidden[j]!;
      logits[o] = sum;
    }
  }
  return readOutputs(shape, logits, outputs);
}

function readOutputs(shape: ModelShape, logits: Float32Array, outputs: Float32Array): Prediction {
  const top = shape.classes - 1;
  if (shape.objective === "regression") {
    outputs[0] = logits[0]!;
    const score = Math.min(top, Math.max(0, logits[0]!));
    return { score, label: Math.round(score) };
  }
  let max = -Infinity;
  for (let o = 0; o < logits.length; o++) if (logits[o]! > max) max = logits[o]!;
  let total = 0;
  for (let o = 0; o < logits.length; o++) {
    const e = Math.exp(logits[o]! - max);
    outputs[o] = e;
    total += e;
  }
  let score = 0;
  let label = 0;
  for (let o = 0; o < logits.length; o++) {
    outputs[o] = outputs[o]! / total;
    score += o * outputs[o]!;
    if (outputs[o]! > outputs[label]!) label = o;
  }
  if (shape.decisionThreshold !== undefined && shape.classes === 2) label = outputs[1]! >= shape.decisionThreshold ? 1 : 0;
  return { score, label };
}

/** What the stages and `kiln classifier eval` score with, whatever the features. */
export interface DocumentScorer {
  predict(text: string): Prediction;
  /** Several documents at once: a dense model embeds them in one batch. */
  predictBatch(texts: string[]): Prediction[];
}

/** Scores raw text with hashed features; one instance per thread (it owns its scratch buffers). */
export class TextScorer implements DocumentScorer {
  private readonly buffer = new FeatureBuffer();
  private readonly act: Activations;
  private readonly features: FeatureConfig;

  constructor(
    readonly shape: ModelShape,
    readonly weights: ModelWeights,
  ) {
    if (isDense(shape.features)) throw new Error("a dense-feature model scores with an EmbeddingScorer (scorerFor(model) picks it)");
    this.features = shape.features;
    this.act = newActivations(shape);
  }

  predict(text: string): Prediction {
    const count = extractFeatures(text, this.features, this.buffer);
    return forward(this.shape, this.weights, this.buffer.indices, count, this.act);
  }

  predictBatch(texts: string[]): Prediction[] {
    return texts.map((text) => this.predict(text));
  }

  /** Class probabilities of the last prediction (classification), or the raw output (regression). */
  lastOutputs(): Float32Array {
    return this.act.outputs;
  }
}

/** Scores raw text through a text embedder and the standardisation stored with the model. */
export class EmbeddingScorer implements DocumentScorer {
  private readonly act: Activations;
  private readonly z: Float32Array;

  constructor(
    readonly shape: ModelShape,
    readonly weights: ModelWeights,
    readonly embedder: TextEmbedder,
    readonly standardization: Standardization,
  ) {
    if (!isDense(shape.features)) throw new Error("a hashed-feature model scores with a TextScorer");
    if (embedder.dim !== shape.features.dim || standardization.mean.length !== embedder.dim || standardization.std.length !== embedder.dim) {
      throw new Error(`embedder dim ${embedder.dim}, model dim ${shape.features.dim}, standardisation ${standardization.mean.length}/${standardization.std.length}: they must agree`);
    }
    this.act = newActivations(shape);
    this.z = new Float32Array(embedder.dim);
  }

  /** The prediction for one embedding vector (as the embedder returned it). */
  predictVector(x: Float32Array): Prediction {
    return forwardDense(this.shape, this.weights, standardize(x, this.standardization, this.z), this.act);
  }

  predict(text: string): Prediction {
    return this.predictBatch([text])[0]!;
  }

  predictBatch(texts: string[]): Prediction[] {
    return this.embedder.embed(texts).map((x) => this.predictVector(x));
  }
}
