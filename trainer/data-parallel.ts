/**
 * Data parallelism over worker threads: tfjs-wasm runs single-threaded under Node, so one
 * training process uses one core. With `dataParallel: N` the main thread and N−1 workers each
 * take a slice of every micro-batch's sequences and compute the gradient of their slice; the main
 * thread sums the slices, clips, and applies AdamW. Workers hold no state between steps: each step
 * they receive the current weights, so a checkpoint (written by the main thread) is all there is.
 * LoRA fine-tuning splits the same way: the frozen base weights go to a worker once, the adapter
 * matrices every step, and the gradients are the adapters'.
 *
 * Exactness: the loss of a step is Σ mask·nll / max(1, C) over the C counted tokens of all its
 * micro-batches (see accumulatedGradients). A slice with c counted tokens computes
 * Σ_slice mask·nll / max(1, c), so weighting each slice by c / max(1, C) gives the same loss and
 * gradient as one process, up to the order of float32 sums.
 */
import type { Worker } from "node:worker_threads";
import { startWorker, KilnError } from "../core/index.js";
import * as tf from "@tensorflow/tfjs";
import type { LoraConfig, ModelConfig } from "./config.js";
import type { Batch } from "./data.js";
import { kernelsByName } from "./kernels.js";
import { adapterVariables, createAdapters } from "./lora.js";
import type { Kernels, LoraAdapter, Params } from "./model.js";
import { applyGradients, batchLoss, batchTensors, countedTokens, disposeBatchTensors, type StepResult, type TrainState } from "./step.js";

/** One slice of one micro-batch and the factor its mean loss enters the step's loss with. */
export interface WeightedSlice {
  batch: Batch;
  weight: number;
}

/** What a worker receives at start (workerData). */
export interface ReplicaInit {
  backend: "wasm" | "cpu";
  model: ModelConfig;
  kernels: "simd" | "fast" | "plain";
  /** Set when the step trains LoRA adapters on a frozen base. */
  lora?: LoraConfig;
}

/** Named weights, in the order of `names`. */
export interface NamedWeights {
  names: string[];
  weights: Float32Array[];
}

/** One step's work: the current values of what the step trains, and the slices. */
export interface ReplicaRequest {
  /** The frozen base weights under LoRA: sent with a worker's first request only. */
  base?: NamedWeights;
  /** The trained parameters (every weight, or the adapters' `<projection>.lora_a|b`); gradients come back in this order. */
  trainable: NamedWeights;
  slices: WeightedSlice[];
}

/** What a replica computes with: the model, and what its steps train. */
export interface ReplicaState {
  config: ModelConfig;
  params: Params;
  kernels: Kernels;
  adapters?: Map<string, LoraAdapter>;
  trainable: Map<string, tf.Variable>;
}

/** A worker's replica: parameters of the right shapes (values come with the requests), adapters under LoRA. */
export function replicaState(init: ReplicaInit, params: Params): ReplicaState {
  const kernels = kernelsByName(init.kernels);
  if (!init.lora) return { config: init.model, params, kernels, trainable: params };
  const adapters = createAdapters(init.model, params, init.lora, 0);
  return { config: init.model, params, kernels, adapters, trainable: adapterVariables(adapters) };
}

export interface ReplicaReply {
  loss: number;
  grads: Float32Array[];
  error?: string;
}


/** Rows [from, to) of a batch as a batch of to−from sequences (views, no copy). */
export function sliceBatch(batch: Batch, from: number, to: number): Batch {
  const T = batch.blockSize;
  return {
    batchSize: to - from,
    blockSize: T,
    inputs: batch.inputs.subarray(from * T, to * T),
    targets: batch.targets.subarray(from * T, to * T),
    mask: batch.mask.subarray(from * T, to * T),
    sources: batch.sources.subarray(from * T, to * T),
    ...(batch.attention ? { attention: batch.attention.subarray(from * T, to * T) } : {}),
    ...(batch.segments ? { segments: batch.segments.subarray(from * T, to * T) } : {}),
    ...(batch.nextSentence ? { nextSentence: batch.nextSentence.subarray(from, to) } : {}),
  };
}

/**
 * Splits each micro-batch's B sequences into `replicas` contiguous slices (sizes differ by at most
 * one) and returns each replica's slices with their weights. A replica may get none (B < N).
 */
export function splitForReplicas(batches: Batch[], replicas: number): WeightedSlice[][] {
  const out: WeightedSlice[][] = Array.from({ length: replicas }, () => []);
  const total = Math.max(1, batches.reduce((sum, b) => sum + countedTokens(b.mask), 0));
  for (const batch of batches) {
    for (let r = 0; r < replicas; r++) {
      const from = Math.floor((r * batch.batchSize) / replicas);
      const to = Math.floor(((r + 1) * batch.batchSize) / replicas);
      if (to === from) continue;
      const slice = sliceBatch(batch, from, to);
      out[r]!.push({ batch: slice, weight: countedTokens(slice.mask) / total });
    }
  }
  return out;
}

/**
 * Σ weight·loss and Σ weight·∇loss (with respect to `names` of the trained parameters) over the
 * slices, the gradients as tensors in the order of `names` (the caller disposes them).
 */
function weightedSliceGradientTensors(state: ReplicaState, names: string[], slices: WeightedSlice[]): { loss: number; grads: tf.Tensor[] } {
  const variables = names.map((n) => state.trainable.get(n)!);
  let sums: tf.Tensor[] | undefined;
  let loss = 0;
  for (const { batch, weight } of slices) {
    const tensors = batchTensors(batch);
    try {
      const { value, grads } = tf.variableGrads(() => tf.mul(batchLoss(state, tensors), weight) as tf.Scalar, variables);
      loss += value.dataSync()[0]!;
      value.dispose();
      const slice = variables.map((v) => grads[v.name]!);
      sums = sums ? sums.map((sum, i) => addInto(sum, slice[i]!)) : slice;
    } finally {
      disposeBatchTensors(tensors);
    }
  }
  return { loss, grads: sums ?? variables.map((v) => tf.zeros(v.shape)) };
}

/** sum + addend as a new tensor; both inputs are disposed. */
function addInto(sum: tf.Tensor, addend: tf.Tensor): tf.Tensor {
  const result = tf.add(sum, addend);
  tf.dispose([sum, addend]);
  return result;
}

/** `weightedSliceGradientTensors` as plain arrays, for a worker's reply. */
export function weightedSliceGradients(state: ReplicaState, names: string[], slices: WeightedSlice[]): ReplicaReply {
  const { loss, grads } = weightedSliceGradientTensors(state, names, slices);
  try {
    // A copy the reply can hand over: dataSync may return the backend's own storage.
    return { loss, grads: grads.map((g) => Float32Array.from(g.dataSync() as Float32Array)) };
  } finally {
    tf.dispose(grads);
  }
}

/** The main thread's handle on N−1 gradient workers. */
export class DataParallelGroup {
  private constructor(
    readonly replicas: number,
    private readonly workers: Worker[],
  ) {}

  /** Starts `replicas − 1` workers on the main thread's backend (wasm or cpu) and kernels. */
  static async start(replicas: number, model: ModelConfig, kernels: Kernels, lora?: LoraConfig): Promise<DataParallelGroup> {
    const backend = tf.getBackend();
    if (backend !== "wasm" && backend !== "cpu") throw new KilnError("bad_config", `dataParallel > 1 runs on the wasm or cpu backend (one core per thread), not ${backend}`);
    if (model.dropout > 0 || (lora?.dropout ?? 0) > 0) throw new KilnError("bad_config", "dataParallel > 1 needs dropout 0 (model and LoRA): dropout masks depend on the slice shape, so replicas would not match one process");
    const init: ReplicaInit = { backend, model, kernels: kernelsByName(kernels.name).name as ReplicaInit["kernels"], lora };
    const workers = Array.from({ length: replicas - 1 }, () => startWorker(import.meta.url, "data-parallel-worker", init));
    // Each worker posts "ready" once its backend is up; fail fast if one dies instead.
    await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
      w.once("message", () => resolve());
      w.once("error", reject);
    })));
    return new DataParallelGroup(replicas, workers);
  }

  private ask(worker: Worker, request: ReplicaRequest): Promise<ReplicaReply> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      worker.once("error", onError);
      worker.once("message", (reply: ReplicaReply) => {
        worker.off("error", onError);
        if (reply.error) reject(new Error(`data-parallel worker: ${reply.error}`));
        else resolve(reply);
      });
      worker.postMessage(request);
    });
  }

  private baseSent = false;

  /**
   * The summed loss and gradients (of `state.trainable`, in its order) of the whole step, over the
   * main thread and every worker. The main thread's share stays on its backend, and the workers'
   * are added to it there; the caller disposes the gradients.
   */
  async gradients(state: ReplicaState, batches: Batch[]): Promise<{ loss: number; grads: tf.Tensor[] }> {
    const names = [...state.trainable.keys()];
    const shares = splitForReplicas(batches, this.replicas);
    const trainable = { names, weights: names.map((n) => state.trainable.get(n)!.dataSync() as Float32Array) };
    // Under LoRA the base is frozen: the workers need it once.
    const base = state.adapters && !this.baseSent ? { names: [...state.params.keys()], weights: [...state.params.values()].map((p) => p.dataSync() as Float32Array) } : undefined;
    this.baseSent = true;
    // Post first, so the workers compute while the main thread computes its own share.
    const pending = this.workers.map((w, i) => this.ask(w, { base, trainable, slices: shares[i + 1]! }));
    const own = weightedSliceGradientTensors(state, names, shares[0]!);
    for (const reply of await Promise.all(pending)) {
      own.loss += reply.loss;
      own.grads = own.grads.map((sum, i) => addInto(sum, tf.tensor(reply.grads[i]!, sum.shape)));
    }
    return own;
  }

  /** `trainStep` (step.ts) with the gradients computed by the group: clip, AdamW. */
  async step(state: TrainState, batches: Batch[], learningRate: number, gradClip: number): Promise<StepResult> {
    const { loss, grads: tensors } = await this.gradients(state, batches);
    const names = [...state.trainable.keys()];
    const grads = new Map(names.map((n, i) => [n, tensors[i]!] as [string, tf.Tensor]));
    try {
      return applyGradients(state, grads, tf.scalar(loss), learningRate, gradClip);
    } finally {
      tf.dispose([...grads.values()]);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Writes named weights into a replica's variables (the worker side of a step). */
export function loadWeights(variables: Map<string, tf.Variable>, { names, weights }: NamedWeights): void {
  names.forEach((name, i) => {
    const p = variables.get(name)!;
    tf.tidy(() => p.assign(tf.tensor(weights[i]!, p.shape)));
  });
}
