/**
 * LoRA (Hu et al., "Low-Rank Adaptation of Large Language Models"): a frozen projection W gains a
 * trainable low-rank update, y = x·W + b + (alpha/rank)·dropout(x)·A·B, with A random and B zero so
 * training starts from the base model. Merging folds the update into W: W' = W + (alpha/rank)·A·B.
 *
 * HydraLoRA (Tian et al. 2024, "HydraLoRA: An Asymmetric LoRA Architecture for Efficient
 * Fine-Tuning"): one A shared by `experts` B matrices, mixed per token by a router,
 * y = x·W + b + (alpha/rank)·Σᵢ gᵢ(x)·dropout(x)·A·Bᵢ with g = softmax(x·R). The B's start at zero
 * (the base model again); A and R are drawn like LoRA's A. With one expert the gate is exactly 1 and
 * it is LoRA. It cannot be merged: the mix depends on each token's input.
 */
import * as tf from "@tensorflow/tfjs";
import { KilnError, Rng } from "../core/index.js";
import type { LoraConfig, ModelConfig } from "./config.js";
import type { LoraAdapter, Params } from "./model.js";

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
      const experts = lora.experts ?? 1;
      const adapter: LoraAdapter = {
        a: tf.variable(tf.tensor2d(a, [fanIn, lora.rank]), true),
        b: tf.variable(tf.zeros([experts * lora.rank, fanOut]), true),
        scale: lora.alpha / lora.rank,
        dropout: lora.dropout,
      };
      if (lora.experts !== undefined) adapter.router = tf.variable(tf.tensor2d(Float32Array.from({ length: fanIn * experts }, () => (2 * rng.next() - 1) * bound), [fanIn, experts]), true);
      adapters.set(name, adapter);
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
    if (adapter.router) variables.set(`${name}.lora_router`, adapter.router);
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
    const router = tensors.get(`${name}.lora_router`);
    if ((router !== undefined) !== (lora.experts !== undefined)) throw new KilnError("bad_checkpoint", `adapter ${name}: ${router ? "a HydraLoRA router, but the config has no experts" : `no router for the config's ${lora.experts} experts`}`);
    adapters.set(name, { a: tf.variable(a, true), b: tf.variable(b, true), scale: lora.alpha / lora.rank, dropout: lora.dropout, ...(router ? { router: tf.variable(router, true) } : {}) });
  }
  return adapters;
}

/** W ← W + scale·A·B for every adapter; afterwards the base model alone computes the adapted function. */
export function mergeAdapters(params: Params, adapters: Map<string, LoraAdapter>): void {
  for (const [name, adapter] of adapters) {
    if (adapter.router) throw new KilnError("usage", `${name}: HydraLoRA adapters cannot be merged into the base (the mix of B matrices depends on each token's input); use the adapter with --adapter`);
    const weight = params.get(name + ".w");
    if (!weight) throw new Error(`no projection ${name} to merge into`);
    tf.tidy(() => weight.assign(tf.add(weight, tf.mul(tf.matMul(adapter.a, adapter.b), adapter.scale))));
  }
}

export function disposeAdapters(adapters: Map<string, LoraAdapter>): void {
  for (const adapter of adapters.values()) tf.dispose([adapter.a, adapter.b, ...(adapter.router ? [adapter.router] : [])]);
}
