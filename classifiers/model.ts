/**
 * The classifier: hashed features pooled into a vector, then a linear output layer.
 *
 *   head "linear"  logits = b + sum_i W[f_i] / sqrt(n)          (W: buckets x outputs; logistic /
 *                                                                softmax regression on the bag)
 *   head "mlp"     h = relu(b1 + sum_i E[f_i] / sqrt(n)); logits = b2 + W2 h   (E: buckets x hidden)
 *
 * over the n distinct features f_i of a document: the bag is a binary vector scaled to unit
 * length. (fastText's mean, 1/n, makes a linear head's step on a document shrink with its length,
 * so long pages barely learn; 1/sqrt(n) keeps the step the same for every length.)
 *
 * Objectives: "classification" (softmax over labels 0..classes-1; the score is the expected
 * label, so for two classes it is P(label 1)) and "regression" (one output, squared error; the
 * score is that output clamped to [0, classes-1]). The label is the argmax, or the rounded score.
 */
import { FeatureBuffer, extractFeatures, type FeatureConfig } from "./features.js";

export type HeadType = "linear" | "mlp";
export type Objective = "classification" | "regression";

export interface ModelShape {
  features: FeatureConfig;
  head: HeadType;
  /** Width of the hidden layer of the mlp head (unused by the linear head). */
  hidden: number;
  objective: Objective;
  /** Labels are the integers 0..classes-1. */
  classes: number;
}

export interface ModelWeights {
  /** linear: W (buckets x outputs); mlp: E (buckets x hidden). */
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
  const table = new Float32Array(shape.features.buckets * width);
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
  const { pooled, hidden, logits, outputs } = act;
  pooled.fill(0);
  const table = weights.table;
  for (let i = 0; i < count; i++) {
    const row = indices[i]! * width;
    for (let j = 0; j < width; j++) pooled[j]! += table[row + j]!;
  }
  const inverse = count > 0 ? 1 / Math.sqrt(count) : 0;
  for (let j = 0; j < width; j++) pooled[j] = pooled[j]! * inverse + weights.tableBias[j]!;
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
  return { score, label };
}

/** Scores raw text; one instance per thread (it owns its scratch buffers). */
export class TextScorer {
  private readonly buffer = new FeatureBuffer();
  private readonly act: Activations;

  constructor(
    readonly shape: ModelShape,
    readonly weights: ModelWeights,
  ) {
    this.act = newActivations(shape);
  }

  predict(text: string): Prediction {
    const count = extractFeatures(text, this.shape.features, this.buffer);
    return forward(this.shape, this.weights, this.buffer.indices, count, this.act);
  }

  /** Class probabilities of the last prediction (classification), or the raw output (regression). */
  lastOutputs(): Float32Array {
    return this.act.outputs;
  }
}
