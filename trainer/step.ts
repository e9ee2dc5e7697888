/**
 * One optimizer step: loss and gradients over the micro-batches (gradient accumulation), global
 * norm clipping, AdamW. Nothing is read back to the host: the step's loss and gradient norm come
 * back as scalars on the device, and the training loop reads them when it logs (on a GPU a
 * read-back stalls the queue). Everything else a step allocates is disposed before it returns, so
 * tf.memory().numTensors stays flat across steps (tested).
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelConfig } from "./config.js";
import type { Batch } from "./data.js";
import { headTokenLosses, hiddenStates, maskedHeadLoss, maskedLoss, nextSentenceLogits, outputHead, outputLogits, type Kernels, type LoraAdapter, type Params } from "./model.js";
import type { DynamicLossScale } from "./loss-scale.js";
import { clipFactor, globalNorm, type AdamW } from "./optim.js";
import { trimBufferPool } from "./webgpu/dispatch.js";
import { variableGrads } from "./backprop.js";

/** Token-level knowledge distillation (Hinton et al. 2015): a frozen teacher's softened distribution as a second target. */
export interface Distillation {
  /** The frozen teacher, with its LoRA or HydraLoRA adapters applied as they are (never merged); `dispose` releases it. */
  teacher: { config: ModelConfig; params: Params; adapters?: Map<string, LoraAdapter>; kernels: Kernels; dispose?: () => void };
  /** Weight of the distillation term; 1 − alpha goes to the cross-entropy on the data. */
  alpha: number;
  temperature: number;
  /** The teacher's top-k logits of each micro-batch in training order, when a first pass cached them (distill-cache.ts). */
  cache?: { read(index: number): { ids: Int32Array; logits: Float32Array; k: number } };
}

export interface TrainState {
  config: ModelConfig;
  params: Params;
  distill?: Distillation;
  /** What the optimizer updates: every parameter (pretraining, full fine-tuning) or the LoRA matrices. */
  trainable: Map<string, tf.Variable>;
  adapters?: Map<string, LoraAdapter>;
  optimizer: AdamW;
  kernels: Kernels;
  /** Mixed precision (`precision: f16`): the loss scale the gradients are computed under. */
  lossScale?: DynamicLossScale;
}

export interface BatchTensors {
  ids: tf.Tensor2D;
  targets: tf.Tensor1D;
  mask: tf.Tensor1D;
  attention?: tf.Tensor2D;
  segments?: tf.Tensor2D;
  nextSentence?: tf.Tensor1D;
}

export function batchTensors(batch: Batch): BatchTensors {
  const shape: [number, number] = [batch.batchSize, batch.blockSize];
  return {
    ids: tf.tensor2d(batch.inputs, shape, "int32"),
    targets: tf.tensor1d(batch.targets, "int32"),
    mask: tf.tensor1d(batch.mask, "float32"),
    ...(batch.attention ? { attention: tf.tensor2d(batch.attention, shape, "float32") } : {}),
    ...(batch.segments ? { segments: tf.tensor2d(batch.segments, shape, "int32") } : {}),
    ...(batch.nextSentence ? { nextSentence: tf.tensor1d(batch.nextSentence, "int32") } : {}),
  };
}

export const disposeBatchTensors = (t: BatchTensors) => tf.dispose([t.ids, t.targets, t.mask, ...([t.attention, t.segments, t.nextSentence] as (tf.Tensor | undefined)[]).filter((x): x is tf.Tensor => x !== undefined)]);

/** Logits [B·T, V] of a batch's inputs (an encoder's padding and segments included). */
export function batchLogits(state: Pick<TrainState, "config" | "params" | "adapters" | "kernels">, t: BatchTensors, dropoutSeed?: number): tf.Tensor2D {
  return outputLogits(state.config, state.params, state.kernels, batchHidden(state, t, dropoutSeed));
}

/** Final hidden states [B·T, d] of a batch's inputs. */
function batchHidden(state: Pick<TrainState, "config" | "params" | "adapters" | "kernels">, t: BatchTensors, dropoutSeed?: number): tf.Tensor2D {
  return hiddenStates(state.config, state.params, t.ids, { kernels: state.kernels, adapters: state.adapters, dropoutSeed, attention: t.attention, segments: t.segments });
}

/**
 * Masked mean loss of one batch, as a scalar tensor (inside a gradient or a tidy). With a
 * distillation and the teacher's logits of the same inputs, the distillation loss instead.
 */
export function batchLoss(state: Pick<TrainState, "config" | "params" | "adapters" | "kernels" | "distill"> & Partial<Pick<TrainState, "trainable">>, t: BatchTensors, dropoutSeed?: number, teacherProbs?: tf.Tensor2D): tf.Scalar {
  if (t.nextSentence) return pretrainingLoss(state, t, dropoutSeed);
  // α = 0 is plain training, to the bit: the same fused head loss.
  const distilled = state.distill && state.distill.alpha > 0 && teacherProbs;
  if (state.config.kind !== "encoder" && !distilled) {
    const hidden = batchHidden(state, t, dropoutSeed);
    const headGradient = state.trainable?.has(outputHead(state.config).name) ?? true;
    return maskedHeadLoss(state.config, state.params, state.kernels, hidden, t.targets, t.mask, headGradient);
  }
  const logits = batchLogits(state, t, dropoutSeed);
  if (distilled) return distillationLossFromProbs(logits, teacherProbs, t.targets, t.mask, state.distill!.alpha, state.distill!.temperature, state.kernels);
  return maskedLoss(logits, t.targets, t.mask, state.kernels);
}

/** BERT's pre-training loss: the masked-LM loss plus the next-sentence head's cross-entropy. */
function pretrainingLoss(state: Pick<TrainState, "config" | "params" | "adapters" | "kernels">, t: BatchTensors, dropoutSeed?: number): tf.Scalar {
  const kernels = state.kernels;
  const hidden = hiddenStates(state.config, state.params, t.ids, { kernels, adapters: state.adapters, dropoutSeed, attention: t.attention, segments: t.segments });
  const mlm = maskedLoss(outputLogits(state.config, state.params, kernels, hidden), t.targets, t.mask, kernels);
  const nsp = nextSentenceLogits(state.config, state.params, hidden, t.ids.shape[0]);
  return tf.add(mlm, tf.mean(kernels.tokenLosses(nsp, t.nextSentence!))) as tf.Scalar;
}

/**
 * α·T²·KL(p_teacher ‖ p_student) + (1 − α)·CE, each a masked mean over the counted tokens, where
 * p = softmax(logits / T). The T² keeps the distillation term's gradients at the scale of the
 * cross-entropy's as T changes (Hinton et al. 2015, §2). With α = 0 it is the plain loss, exactly.
 */
export function distillationLoss(student: tf.Tensor2D, teacher: tf.Tensor2D, targets: tf.Tensor1D, mask: tf.Tensor1D, alpha: number, temperature: number, kernels: Kernels): tf.Scalar {
  if (alpha === 0) return maskedLoss(student, targets, mask, kernels);
  return distillationLossFromProbs(student, tf.softmax(tf.div(teacher, temperature)) as tf.Tensor2D, targets, mask, alpha, temperature, kernels);
}

/**
 * The same loss from the teacher's softened distribution itself, [N, V]: the full softmax, or the
 * renormalised top-k of a cache (zero elsewhere; a zero probability adds nothing to the KL).
 */
export function distillationLossFromProbs(student: tf.Tensor2D, teacherProbs: tf.Tensor2D, targets: tf.Tensor1D, mask: tf.Tensor1D, alpha: number, temperature: number, kernels: Kernels): tf.Scalar {
  const ce = maskedLoss(student, targets, mask, kernels);
  if (alpha === 0) return ce;
  const logStudent = tf.logSoftmax(tf.div(student, temperature));
  // Σ p·log p with 0·log 0 = 0, minus Σ p·log q.
  const entropyTerm = tf.sum(tf.mul(teacherProbs, tf.log(tf.maximum(teacherProbs, 1e-30))), -1);
  const kl = tf.sub(entropyTerm, tf.sum(tf.mul(teacherProbs, logStudent), -1));
  const klMean = tf.div(tf.sum(tf.mul(kl, mask)), tf.maximum(tf.sum(mask), 1));
  return tf.add(tf.mul(alpha * temperature * temperature, klMean), tf.mul(1 - alpha, ce)) as tf.Scalar;
}

/** The teacher's logits of a batch's inputs: no gradient, nothing kept but the result. */
export function teacherLogits(distill: Pick<Distillation, "teacher">, t: BatchTensors): tf.Tensor2D {
  return tf.tidy(() => batchLogits(distill.teacher, t));
}

/**
 * The teacher's softened distribution of a batch, [B·T, V]: from its logits on the fly, or from the
 * cached top-k (`cached`: ids and logits, k per position), renormalised over those k.
 */
export function teacherProbs(distill: Distillation, t: BatchTensors, cached?: { ids: Int32Array; logits: Float32Array; k: number }): tf.Tensor2D {
  const T = distill.temperature;
  if (!cached) return tf.tidy(() => tf.softmax(tf.div(teacherLogits(distill, t), T)) as tf.Tensor2D);
  const n = t.targets.shape[0];
  const V = distill.teacher.config.vocabSize;
  const probs = new Float32Array(n * V);
  const { ids, logits, k } = cached;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logits[i * k + j]! / T);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(logits[i * k + j]! / T - max);
    for (let j = 0; j < k; j++) probs[i * V + ids[i * k + j]!] = Math.exp(logits[i * k + j]! / T - max) / sum;
  }
  return tf.tensor2d(probs, [n, V]);
}

/** Counted (mask-weighted) target tokens of a batch. */
export const countedTokens = (mask: Float32Array): number => mask.reduce((a, b) => a + b, 0);

/**
 * Gradients of the step's loss with respect to `trainable`, keyed by our parameter names: the
 * masked mean over all counted tokens of all micro-batches, as if they were one batch. Each
 * micro-batch's mean enters weighted by its share of the counted tokens, so a micro-batch with
 * few counted tokens (short answers in fine-tuning) does not weigh as much as a full one. The
 * caller owns (and disposes) the returned tensors.
 */
export function accumulatedGradients(state: TrainState, batches: Batch[], dropoutSeeds: (number | undefined)[], firstMicroBatch?: number): { loss: tf.Scalar; grads: Map<string, tf.Tensor> } {
  const names = [...state.trainable.keys()];
  const variables = [...state.trainable.values()];
  const byTfName = new Map(variables.map((v, i) => [v.name, names[i]!]));
  const sums = new Map<string, tf.Tensor>();
  const counts = batches.map((b) => countedTokens(b.mask));
  const total = Math.max(1, counts.reduce((a, b) => a + b, 0));
  let loss: tf.Scalar | undefined;
  batches.forEach((batch, i) => {
    const tensors = batchTensors(batch);
    const weight = counts[i]! / total;
    const teacher = state.distill ? teacherProbs(state.distill, tensors, state.distill.cache?.read((firstMicroBatch ?? 0) + i)) : undefined;
    try {
      const stepLoss = () => batchLoss(state, tensors, dropoutSeeds[i], teacher);
      const weighted = () => (batches.length === 1 ? stepLoss() : tf.mul(stepLoss(), weight)) as tf.Scalar;
      const lossScale = state.lossScale;
      const { value: differentiated, grads } = variableGrads(lossScale ? () => lossScale.scaled(weighted()) : weighted, variables);
      // The gradients stay scaled (the optimizer's factor undoes it); the reported loss does not.
      const value = lossScale ? (tf.div(differentiated, lossScale.scale) as tf.Scalar) : differentiated;
      if (lossScale) differentiated.dispose();
      if (loss) {
        const previous = loss;
        loss = tf.add(previous, value) as tf.Scalar;
        tf.dispose([previous, value]);
      } else loss = value;
      for (const [tfName, g] of Object.entries(grads)) {
        const name = byTfName.get(tfName)!;
        const previous = sums.get(name);
        if (previous) {
          sums.set(name, tf.add(previous, g));
          previous.dispose();
          g.dispose();
        } else sums.set(name, g);
      }
    } finally {
      disposeBatchTensors(tensors);
      teacher?.dispose();
    }
  });
  return { loss: loss ?? tf.scalar(0), grads: sums };
}

/** A step's loss and gradient norm, still on the device; `readStep` reads and releases them. */
export interface StepResult {
  loss: tf.Scalar;
  gradNorm: tf.Scalar;
  learningRate: number;
}

/** Clip (on the device) and update; the gradients stay the caller's to dispose. */
export function applyGradients(state: TrainState, grads: Map<string, tf.Tensor>, loss: tf.Scalar, learningRate: number, gradClip: number): StepResult {
  // Under a loss scale the factor also divides S back out, and is 0 for a step to skip.
  const { gradNorm, factor } = state.lossScale ? state.lossScale.unscale(grads, gradClip) : clipped(grads, gradClip);
  state.optimizer.step(grads, learningRate, factor);
  factor.dispose();
  return { loss, gradNorm, learningRate };
}

/** The global norm and the factor that clips to `gradClip`. */
function clipped(grads: Map<string, tf.Tensor>, gradClip: number): { gradNorm: tf.Scalar; factor: tf.Scalar } {
  const gradNorm = globalNorm(grads);
  return { gradNorm, factor: clipFactor(gradNorm, gradClip) };
}

/** Accumulate, clip, update. */
export function trainStep(state: TrainState, batches: Batch[], learningRate: number, gradClip: number, dropoutSeeds: (number | undefined)[] = [], firstMicroBatch?: number): StepResult {
  trimBufferPool();
  const { loss, grads } = accumulatedGradients(state, batches, dropoutSeeds, firstMicroBatch);
  try {
    return applyGradients(state, grads, loss, learningRate, gradClip);
  } finally {
    tf.dispose([...grads.values()]);
  }
}

/** Reads the losses and last gradient norm of several steps in one transfer, releasing them. */
export async function readSteps(results: StepResult[]): Promise<{ losses: number[]; gradNorm: number }> {
  if (results.length === 0) return { losses: [], gradNorm: NaN };
  const stacked = tf.stack([...results.map((r) => r.loss), results.at(-1)!.gradNorm]);
  const values = await stacked.data();
  tf.dispose([stacked, ...results.flatMap((r) => [r.loss, r.gradNorm])]);
  return { losses: Array.from(values.subarray(0, results.length)), gradNorm: values[results.length]! };
}

/** One step's loss and gradient norm as numbers. */
export async function readStep(result: StepResult): Promise<{ loss: number; gradNorm: number }> {
  const { losses, gradNorm } = await readSteps([result]);
  return { loss: losses[0]!, gradNorm };
}

export interface LossTotals {
  /** Σ nll (nats) and token count per source index. */
  sum: Float64Array;
  count: Float64Array;
  /**
   * With token byte lengths: per source, Σ nll over the tokens that stand for text (special
   * tokens left out) and the UTF-8 bytes of those tokens; bits per byte = byteNats / ln 2 / bytes.
   */
  byteNats?: Float64Array;
  bytes?: Float64Array;
}

/**
 * Masked per-source loss sums over batches (no gradients): what validation and `eval` report.
 * Given each id's byte length (`tokenByteLengths`), also the sums bits per byte is made of.
 */
export async function lossBySource(state: Pick<TrainState, "config" | "params" | "adapters" | "kernels">, batches: Batch[], sourceCount: number, byteLengths?: Uint32Array): Promise<LossTotals> {
  const totals: LossTotals = { sum: new Float64Array(sourceCount), count: new Float64Array(sourceCount) };
  const byteNats = byteLengths ? (totals.byteNats = new Float64Array(sourceCount)) : undefined;
  const bytes = byteLengths ? (totals.bytes = new Float64Array(sourceCount)) : undefined;
  for (const batch of batches) {
    const losses = tf.tidy(() => {
      const t = batchTensors(batch);
      if (state.config.kind === "encoder") return state.kernels.tokenLosses(batchLogits(state, t), t.targets);
      return headTokenLosses(state.config, state.params, state.kernels, batchHidden(state, t), t.targets);
    });
    const values = await losses.data();
    losses.dispose();
    for (let i = 0; i < values.length; i++) {
      if (batch.mask[i] === 0) continue;
      const s = batch.sources[i]!;
      totals.sum[s]! += values[i]!;
      totals.count[s]! += 1;
      if (byteLengths) {
        const length = byteLengths[batch.targets[i]!] ?? 0;
        if (length > 0) {
          byteNats![s]! += values[i]!;
          bytes![s]! += length;
        }
      }
    }
  }
  return totals;
}
