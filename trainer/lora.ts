/**
 * LoRA (Hu et al., "Low-Rank Adaptation of Large Language Models"): a frozen projection W gains a
 * trainable low-rank update, y = x·W + b + (alpha/rank)·dropout(x)·A·B, with A random and B zero so
 * training starts from the base model. Merging folds the update into W: W' = W + (alpha/rank)·A·B.
 */
import * as tf from "@tensorflow/tfjs";
import type { LoraConfig, ModelConfig } from "./config.js";
import type { LoraAdapter, Params } from "./model.js";
import { Rng } from "./rng.js";

/** One adapter per target projection per layer, keyed like the projection (`h.0.attn.c_attn`). */
export function createAdapters(model: ModelConfig, params: Params, lora: LoraConfig, seed: number): Map<string, LoraAdapter> {
  const rng = new Rng(seed);
  const adapters = new Map<string, LoraAdapter>();
  const targets = lora.targets ?? (model.kind === "llama" ? ["attn.q_proj", "attn.v_proj"] : ["attn.c_attn", "attn.c_proj"]);
  for (let layer = 0; layer < model.layers; layer++) {
    for (const target of targets) {
      const name = `h.${layer}.${target}`;
      const weight = params.get(name + ".w");
      if (!weight) throw new Error(`no projection ${name} to adapt`);
      const [fanIn, fanOut] = weight.shape as [number, number];
      // A ~ U(−1/√in, 1/√in): PEFT's kaiming-uniform(a=√5) bound; B = 0.
      const bound = 1 / Math.sqrt(fanIn);
      const a = Float32Array.from({ length: fanIn * lora.rank }, () => (2 * rng.next() - 1) * bound);
      adapters.set(name, {
        a: tf.variable(tf.tensor2d(a, [fanIn, lora.rank]), true),
        b: tf.variable(tf.zeros([lora.rank, fanOut]), true),
        scale: lora.alpha / lora.rank,
        dropout: lora.dropout,
      });
    }
  }
  return adapters;
}

/** The adapters' matrices as named variables (`<projection>.lora_a`, `.lora_b`): what LoRA trains. */
export function adapterVariables(adapters: Map<string, LoraAdapter>): Map<string, tf.Variable> {
  const variables = new Map<string, tf.Variable>();
  for (const [name, adapter] of adapters) {
    variables.set(`${name}.lora_a`, adapter.a);
    variables.set(`${name}.lora_b`, adapter.b);
  }
  return variables;
}

/** Rebuilds adapters from saved matrices (the inverse of adapterVariables). */
export function adaptersFromTensors(tensors: Map<string, tf.Tensor>, lora: LoraConfig): Map<string, LoraAdapter> {
  const adapters = new Map<string, LoraAdapter>();
  for (const [key, a] of tensors) {
    if (!key.endsWith(".lora_a")) continue;
    const name = key.slice(0, -".lora_a".length);
    const b = tensors.get(`${name}.lora_b`);
    if (!b) throw new Error(`adapter ${name} has A but no B`);
    adapters.set(name, { a: tf.variable(a, true), b: tf.variable(b, true), scale: lora.alpha / lora.rank, dropout: lora.dropout });
  }
  return adapters;
}

/** W ← W + scale·A·B for every adapter; afterwards the base model alone computes the adapted function. */
export function mergeAdapters(params: Params, adapters: Map<string, LoraAdapter>): void {
  for (const [name, adapter] of adapters) {
    const weight = params.get(name + ".w");
    if (!weight) throw new Error(`no projection ${name} to merge into`);
    tf.tidy(() => weight.assign(tf.add(weight, tf.mul(tf.matMul(adapter.a, adapter.b), adapter.scale))));
  }
}

export function disposeAdapters(adapters: Map<string, LoraAdapter>): void {
  for (const adapter of adapters.values()) tf.dispose([adapter.a, adapter.b]);
}
