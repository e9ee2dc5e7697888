/**
 * Data parallelism over worker threads: tfjs-wasm runs single-threaded under Node, so one
 * training process uses one core. With `dataParallel: N` the main thread and N−1 workers each
 * take a slice of every micro-batch's sequences and compute the gradient of their slice; the main
 * thread sums the slices, clips, and applies AdamW. Workers hold no state between steps: each step
 * they read the current weights, so a checkpoint (written by the main thread) is all there is.
 * Weights and gradients pass through shared memory set up at the first step (`SharedValues`), not
 * through messages: copying them into fresh buffers every step made enough garbage that both
 * threads' garbage collection cost ~15% of the step's CPU time. LoRA fine-tuning splits the same
 * way: the frozen base weights go to a worker once, the adapter matrices every step, and the
 * gradients are the adapters'.
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
import { variableGrads } from "./backprop.js";

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

/**
 * Where a worker exchanges values with the main thread, given once: the trained parameters named
 * `names`, flat in that order, in `weights` (written by the main thread before each request), and
 * this worker's gradients of them, in the same layout, in `grads` (written by the worker before
 * it replies). Shared memory: a step copies no weight or gradient through a message, so neither
 * thread makes garbage in proportion to the model.
 */
export interface SharedValues {
  names: string[];
  weights: SharedArrayBuffer;
  grads: SharedArrayBuffer;
}

/** One step's work: the slices, and on a worker's first request the shared buffers (and, under LoRA, the frozen base). */
export interface ReplicaRequest {
  /** The frozen base weights under LoRA: sent with a worker's first request only. */
  base?: NamedWeights;
  shared?: SharedValues;
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

/** A worker's answer: its weighted loss; its gradients are in the shared buffer. */
export interface ReplicaReply {
  loss: number;
  error?: string;
}

/** The sizes of the variables named `names`, in that order. */
function sizesOf(variables: Map<string, tf.Variable>, names: readonly string[]): number[] {
  return names.map((name) => {
    const variable = variables.get(name);
    if (!variable) throw new KilnError("bad_checkpoint", `data-parallel worker: no parameter ${name}`);
    return variable.size;
  });
}

/** Shared memory for the variables' values, flat in the order of `names`. */
function flatBuffer(variables: Map<string, tf.Variable>, names: readonly string[]): SharedArrayBuffer {
  return new SharedArrayBuffer(sizesOf(variables, names).reduce((a, b) => a + b, 0) * Float32Array.BYTES_PER_ELEMENT);
}

/** One view per name into a `flatBuffer`. */
function namedViews(variables: Map<string, tf.Variable>, names: readonly string[], buffer: SharedArrayBuffer): Float32Array[] {
  let at = 0;
  return sizesOf(variables, names).map((size) => {
    const view = new Float32Array(buffer, at * Float32Array.BYTES_PER_ELEMENT, size);
    at += size;
    return view;
  });
}

/**
 * A tensor's values without a copy where the backend can give a view (wasm: its heap; `dataSync`
 * copies there). Read it before the next tensor op: the heap may move.
 */
function valuesOf(tensor: tf.Tensor): Float32Array {
  const backend = tf.backend() as unknown as { typedArrayFromHeap?: (info: tf.TensorInfo) => Float32Array };
  return backend.typedArrayFromHeap ? backend.typedArrayFromHeap(tensor) : (tensor.dataSync() as Float32Array);
}

/** A tensor holding `values`, copied (the wasm backend copies on write; cpu would keep the view). */
function tensorOf(values: Float32Array, shape: number[]): tf.Tensor {
  return tf.tensor(tf.getBackend() === "wasm" ? values : values.slice(), shape);
}

/** Copies each tensor's values into the view of the same index. */
function writeViews(views: readonly Float32Array[], tensors: readonly tf.Tensor[]): void {
  tensors.forEach((tensor, i) => views[i]!.set(valuesOf(tensor)));
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
      const { value, grads } = variableGrads(() => tf.mul(batchLoss(state, tensors), weight) as tf.Scalar, variables);
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

/** What a worker keeps of the buffers it is sent: one view per trained name into each. */
export interface SharedViews {
  names: string[];
  weights: Float32Array[];
  grads: Float32Array[];
}

/** The views a worker keeps of the buffers it is sent. */
export function sharedViews(state: ReplicaState, shared: SharedValues): SharedViews {
  return { names: shared.names, weights: namedViews(state.trainable, shared.names, shared.weights), grads: namedViews(state.trainable, shared.names, shared.grads) };
}

/**
 * The worker's side of a step: sets its trained variables from the shared weights, writes
 * Σ weight·∇loss of its slices into the shared gradients, and returns the weighted loss.
 */
export function replicaStep(state: ReplicaState, views: SharedViews, slices: WeightedSlice[]): ReplicaReply {
  loadWeights(state.trainable, views);
  const { loss, grads } = weightedSliceGradientTensors(state, views.names, slices);
  try {
    writeViews(views.grads, grads);
    return { loss };
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

  /** The memory shared with the workers, made at the first step (what a run trains is fixed): per worker its buffers, and the main thread's views of them. */
  private shared?: { buffers: SharedValues[]; weights: Float32Array[]; grads: Float32Array[][] };

  /**
   * The summed loss and gradients (of `state.trainable`, in its order) of the whole step, over the
   * main thread and every worker. The main thread's share stays on its backend, and the workers'
   * are added to it there; the caller disposes the gradients.
   */
  async gradients(state: ReplicaState, batches: Batch[]): Promise<{ loss: number; grads: tf.Tensor[] }> {
    const names = [...state.trainable.keys()];
    const shares = splitForReplicas(batches, this.replicas);
    const first = this.shared === undefined;
    const shared = (this.shared ??= this.share(state.trainable, names));
    writeViews(shared.weights, names.map((n) => state.trainable.get(n)!));
    // The buffers, and under LoRA the frozen base, go with a worker's first request only.
    const base = state.adapters && first ? { names: [...state.params.keys()], weights: [...state.params.values()].map((p) => p.dataSync() as Float32Array) } : undefined;
    // Post first, so the workers compute while the main thread computes its own share.
    const pending = this.workers.map((w, i) => this.ask(w, { base, shared: first ? shared.buffers[i] : undefined, slices: shares[i + 1]! }));
    const own = weightedSliceGradientTensors(state, names, shares[0]!);
    const replies = await Promise.all(pending);
    replies.forEach((reply, w) => {
      own.loss += reply.loss;
      own.grads = own.grads.map((sum, i) => addInto(sum, tensorOf(shared.grads[w]![i]!, sum.shape)));
    });
    return own;
  }

  /** One weights buffer for all workers, one gradients buffer per worker. */
  private share(variables: Map<string, tf.Variable>, names: string[]): NonNullable<DataParallelGroup["shared"]> {
    const weights = flatBuffer(variables, names);
    const grads = this.workers.map(() => flatBuffer(variables, names));
    return {
      buffers: grads.map((g) => ({ names, weights, grads: g })),
      weights: namedViews(variables, names, weights),
      grads: grads.map((g) => namedViews(variables, names, g)),
    };
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
    tf.tidy(() => p.assign(tensorOf(weights[i]!, p.shape)));
  });
}
