/**
 * Sampling from a trained model: temperature, top-k, top-p (nucleus), stop at end-of-sequence.
 * The random draws come from our seeded generator, so a seed fixes the output.
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelConfig } from "./config.js";
import { forward, type Kernels, type LoraAdapter, type Params } from "./model.js";
import { Rng } from "./rng.js";

export interface SamplingOptions {
  /** 0 = greedy (argmax). */
  temperature: number;
  /** Keep only the k most likely tokens (0 = all). */
  topK: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (1 = all). */
  topP: number;
}

/** Picks the next token from one row of logits. */
export function sampleToken(logits: Float32Array | number[], options: SamplingOptions, rng: Rng): number {
  const n = logits.length;
  if (options.temperature <= 0) {
    let best = 0;
    for (let i = 1; i < n; i++) if (logits[i]! > logits[best]!) best = i;
    return best;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => logits[b]! - logits[a]! || a - b);
  const keep = options.topK > 0 ? order.slice(0, options.topK) : order;
  const max = logits[keep[0]!]!;
  const weights = keep.map((i) => Math.exp((logits[i]! - max) / options.temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let cut = keep.length;
  if (options.topP < 1) {
    let cumulative = 0;
    for (let i = 0; i < keep.length; i++) {
      cumulative += weights[i]! / total;
      if (cumulative >= options.topP) {
        cut = i + 1;
        break;
      }
    }
  }
  const kept = weights.slice(0, cut);
  const keptTotal = kept.reduce((a, b) => a + b, 0);
  let r = rng.next() * keptTotal;
  for (let i = 0; i < cut; i++) {
    r -= kept[i]!;
    if (r < 0) return keep[i]!;
  }
  return keep[cut - 1]!;
}

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  seed: number;
  eosId?: number;
  /** More ids that end generation (e.g. `<|im_end|>` after a chat answer); emitted, then stop. */
  stopIds?: number[];
  adapters?: Map<string, LoraAdapter>;
  kernels?: Kernels;
}

/** Prompt ids in, generated ids out (without the prompt; stops after emitting eos). */
export function generate(model: ModelConfig, params: Params, prompt: number[], options: GenerateOptions): number[] {
  if (prompt.length === 0) throw new Error("the prompt is empty");
  const rng = new Rng(options.seed);
  const context = [...prompt];
  const out: number[] = [];
  for (let i = 0; i < options.maxNewTokens; i++) {
    const window = context.slice(-model.blockSize);
    const last = tf.tidy(() => {
      const logits = forward(model, params, tf.tensor2d(window, [1, window.length], "int32"), { adapters: options.adapters, kernels: options.kernels });
      return tf.slice(logits, [window.length - 1, 0], [1, model.vocabSize]);
    });
    const row = last.dataSync() as Float32Array;
    last.dispose();
    const next = sampleToken(row, options, rng);
    out.push(next);
    if (next === options.eosId || options.stopIds?.includes(next)) break;
    context.push(next);
  }
  return out;
}
