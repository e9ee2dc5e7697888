/**
 * Fine-tuning an encoder for a document-level task (BERT §4.1): the pretrained encoder and a new
 * linear head on a pooled state, all trained together.
 *
 *   input      `[CLS] tokens [SEP]`, the text's first blockSize − 2 tokens, padded on the right
 *              with `[PAD]` (attention 0)
 *   pool       `cls`: the final state of [CLS] (BERT); `mean`: the mean of the final states of
 *              the real positions ([CLS] and [SEP] included)
 *   head       `head.w` [d, C] and `head.b` [C] after ln_f, N(0, 0.02) and zero at start;
 *              C = classes for `classify` (softmax cross-entropy), 1 for `regress` (squared error)
 *   training   AdamW over every weight with the trainer's schedule (linear warmup, cosine to
 *              lr / 10), gradient clipping at 1, examples in a seeded order that is reshuffled
 *              every epoch; a fixed number of steps
 *
 * The result is a checkpoint folder (the encoder's weights, the head, `task` in its meta) that
 * `loadEncoderTask` reads back to predict.
 */
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { KilnError, Rng, seededPermutation } from "../core/index.js";
import { loadCheckpoint, saveCheckpoint, type CheckpointMeta } from "./checkpoint.js";
import { optimConfigSchema, type EncoderTask, type ModelConfig } from "./config.js";
import type { Kernels, Params } from "./model.js";
import { disposeParams, hiddenStates } from "./model.js";
import { encoderSpecials, frameEncoderRows, type EncoderSpecials } from "./mlm.js";
import { AdamW, clipFactor, globalNorm, learningRateAt } from "./optim.js";
import { loadTextTokenizer, nearbyDirs, type Tokenizer } from "./tokenizer.js";
import { variableGrads } from "./backprop.js";

export interface TaskExample {
  text: string;
  label: number;
}

export interface EncoderTaskModel {
  config: ModelConfig;
  task: EncoderTask;
  params: Params;
  tokenizer: Tokenizer;
  specials: EncoderSpecials;
  kernels?: Kernels;
}

/** Token ids, padding and row count of texts as encoder inputs: each text's first blockSize − 2 tokens. */
function encodeTexts(model: Pick<EncoderTaskModel, "config" | "tokenizer" | "specials">, texts: string[]) {
  const room = model.config.blockSize - 2;
  return frameEncoderRows(texts.map((text) => model.tokenizer.encode(text.slice(0, room * 32)).slice(0, room)), model.specials);
}

/** The head's outputs [B, C] for texts (inside a tidy or a gradient). */
export function taskOutputs(model: EncoderTaskModel, texts: string[]): tf.Tensor2D {
  const { ids, attention, length } = encodeTexts(model, texts);
  const B = texts.length;
  const d = model.config.width;
  const mask = tf.tensor2d(attention, [B, length]);
  const states = tf.reshape(hiddenStates(model.config, model.params, tf.tensor2d(ids, [B, length], "int32"), { kernels: model.kernels, attention: mask }), [B, length, d]);
  const pooled =
    model.task.pool === "cls"
      ? (tf.reshape(tf.slice(states, [0, 0, 0], [B, 1, d]), [B, d]) as tf.Tensor2D)
      : (tf.div(tf.sum(tf.mul(states, tf.expandDims(mask, 2)), 1), tf.sum(mask, 1, true)) as tf.Tensor2D);
  return tf.add(tf.matMul(pooled, model.params.get("head.w")!), model.params.get("head.b")!);
}

/** Mean loss of a batch: softmax cross-entropy on class ids, or squared error on values. */
export function taskLoss(model: EncoderTaskModel, batch: TaskExample[]): tf.Scalar {
  const outputs = taskOutputs(model, batch.map((e) => e.text));
  if (model.task.kind === "regress") return tf.mean(tf.square(tf.sub(tf.reshape(outputs, [batch.length]), tf.tensor1d(batch.map((e) => e.label))))) as tf.Scalar;
  const targets = tf.oneHot(tf.tensor1d(batch.map((e) => e.label), "int32"), model.task.outputs);
  return tf.mean(tf.sub(tf.logSumExp(outputs, -1), tf.sum(tf.mul(outputs, targets), -1))) as tf.Scalar;
}

/** Per text: class probabilities (classify) or the value (regress). */
export async function predictTask(model: EncoderTaskModel, texts: string[], batchSize = 16): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let at = 0; at < texts.length; at += batchSize) {
    const chunk = texts.slice(at, at + batchSize);
    const result = tf.tidy(() => {
      const outputs = taskOutputs(model, chunk);
      return model.task.kind === "classify" ? tf.softmax(outputs) : outputs;
    });
    const values = (await result.data()) as Float32Array;
    result.dispose();
    const C = model.task.outputs;
    for (let i = 0; i < chunk.length; i++) out.push(values.slice(i * C, (i + 1) * C));
  }
  return out;
}

export interface EncoderTaskOptions {
  /** An encoder checkpoint (`model.kind: encoder`), pretrained with objective mlm. */
  from: string;
  out: string;
  task: EncoderTask;
  train: TaskExample[];
  steps: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  seed: number;
  kernels?: Kernels;
  log?: (line: string) => void;
}

/** The encoder of `from` with a new head, trained on the examples; saved in `<out>/checkpoint`. */
export async function fineTuneEncoder(options: EncoderTaskOptions): Promise<EncoderTaskModel & { losses: number[] }> {
  const log = options.log ?? (() => {});
  const base = await loadCheckpoint(options.from);
  tf.dispose([...(base.optimizer?.values() ?? []), ...(base.adapters?.values() ?? [])]);
  const config = base.meta.model;
  if (config.kind !== "encoder") {
    tf.dispose([...base.weights.values()]);
    throw new KilnError("bad_checkpoint", `${options.from}: a ${config.kind ?? "gpt2"} decoder; --task fine-tunes an encoder (model.kind: encoder, objective: mlm)`);
  }
  if (!base.meta.tokenizerId) throw new KilnError("no_tokenizer", `${options.from}: the checkpoint names no tokenizer, so text cannot become its token ids`);
  const tokenizer = await loadTextTokenizer(base.meta.tokenizerId, nearbyDirs(options.from));
  const specials = encoderSpecials(base.meta, tokenizer);
  if (options.train.length === 0) throw new KilnError("no_input", "no training examples");

  const rng = new Rng(options.seed);
  const params: Params = new Map([...base.weights].map(([name, t]) => [name, tf.variable(t, true)]));
  const C = options.task.outputs;
  params.set("head.w", tf.variable(tf.tensor2d(Float32Array.from({ length: config.width * C }, () => 0.02 * rng.normal()), [config.width, C]), true));
  params.set("head.b", tf.variable(tf.zeros([C]), true));
  const model: EncoderTaskModel = { config, task: options.task, params, tokenizer, specials, kernels: options.kernels };
  const optim = optimConfigSchema.parse({ learningRate: options.learningRate, minLearningRate: options.learningRate / 10, warmupSteps: options.warmupSteps });
  const optimizer = new AdamW(optim, params);
  const variables = [...params.values()];
  const names = new Map([...params].map(([name, v]) => [v.name, name]));
  const losses: number[] = [];
  let epoch = 0;
  let order = seededPermutation(options.train.length, options.seed);
  let cursor = 0;
  for (let step = 0; step < options.steps; step++) {
    const batch: TaskExample[] = [];
    while (batch.length < Math.min(options.batchSize, options.train.length)) {
      if (cursor === order.length) {
        order = seededPermutation(options.train.length, options.seed + ++epoch);
        cursor = 0;
      }
      batch.push(options.train[order[cursor++]!]!);
    }
    const { value, grads } = variableGrads(() => taskLoss(model, batch), variables);
    const byName = new Map(Object.entries(grads).map(([tfName, g]) => [names.get(tfName)!, g]));
    const norm = globalNorm(byName);
    const factor = clipFactor(norm, optim.gradClip);
    optimizer.step(byName, learningRateAt(step, optim, options.steps), factor);
    losses.push((await value.data())[0]!);
    tf.dispose([value, norm, factor, ...Object.values(grads)]);
    if ((step + 1) % 50 === 0 || step + 1 === options.steps) log(`step ${step + 1}/${options.steps} loss ${losses.at(-1)!.toFixed(4)}`);
  }
  optimizer.dispose();
  const meta: Omit<CheckpointMeta, "format" | "weights"> = { model: config, train: base.meta.train, step: options.steps, rngState: rng.state, tokenizerId: base.meta.tokenizerId, eosId: base.meta.eosId, task: options.task };
  await saveCheckpoint(path.join(options.out, "checkpoint"), { meta, weights: params });
  return { ...model, losses };
}

/** A fine-tuned task checkpoint, ready to predict. */
export async function loadEncoderTask(dir: string, kernels?: Kernels): Promise<EncoderTaskModel & { dispose(): void }> {
  const loaded = await loadCheckpoint(dir);
  const task = loaded.meta.task;
  if (!task) {
    tf.dispose([...loaded.weights.values(), ...(loaded.optimizer?.values() ?? [])]);
    throw new KilnError("bad_checkpoint", `${dir}: not a task checkpoint (kiln finetune --task writes one)`);
  }
  const tokenizer = await loadTextTokenizer(loaded.meta.tokenizerId!, nearbyDirs(dir));
  const params: Params = new Map([...loaded.weights].map(([name, t]) => [name, tf.variable(t, false)]));
  tf.dispose([...loaded.weights.values()]);
  return { config: loaded.meta.model, task, params, tokenizer, specials: encoderSpecials(loaded.meta, tokenizer), kernels, dispose: () => disposeParams(params) };
}
