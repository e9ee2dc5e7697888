/**
 * A decoder-only GPT (Radford et al. 2019, "Language Models are Unsupervised Multitask Learners"),
 * written to be checked against the paper and nanoGPT's model.py:
 *
 *   x = wte[idx] + wpe[0..T)                       token + learned position embeddings
 *   for each block:  x = x + attn(ln_1(x))         pre-LayerNorm, causal multi-head attention
 *                    x = x + mlp(ln_2(x))          GELU MLP, 4x wide
 *   logits = ln_f(x) · wteᵀ                        output projection tied to the input embedding
 *
 * Weights are stored [in, out] (GPT-2's Conv1D layout). Initialisation is GPT-2's: N(0, 0.02),
 * residual projections (attn.c_proj, mlp.c_proj) N(0, 0.02/√(2·layers)), zero biases, unit gains.
 *
 * `kind: llama` is the Llama family's block (Touvron et al. 2023; Mistral, Qwen2, SmolLM share it),
 * under the same parameter names where the parts agree (`wte`, `h.<i>.ln_1`, `ln_f`):
 *
 *   x = wte[idx]                                   no position embeddings: RoPE on queries and keys
 *   for each block:  x = x + attn(rms_1(x))        RMSNorm; q, k, v projections, rotary positions
 *                                                  (rotate-half form), key/value heads shared by
 *                                                  groups of query heads; o_proj
 *                    x = x + down(silu(gate(rms_2(x))) ⊙ up(rms_2(x)))     SwiGLU MLP
 *   logits = rms_f(x) · wteᵀ, or · lm_head when the embeddings are untied
 *
 * `kind: encoder` is a BERT-style encoder (Devlin et al. 2019) on the same pre-LayerNorm blocks:
 *
 *   x = wte[idx] + wpe[0..T) + wtt[segment]        token + position + segment (token-type) embeddings
 *   for each block: as gpt2, but attention is bidirectional; padding (attention mask 0) is never
 *                   attended to
 *   logits = LN(gelu(ln_f(x) · W + b)) · wteᵀ + bias     BERT's masked-LM head, tied to the input embedding
 *
 * The math goes through a `Kernels` object. `plainKernels` below is the reference, written with
 * stock tfjs ops; `fastKernels` (kernels.ts) computes the same functions with custom gradients
 * that suit the wasm backend, and a test checks values and gradients of one against the other.
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelConfig } from "./config.js";
import { Rng } from "../core/index.js";
import { chunkRows, plainHeadLoss, type HeadLossOptions } from "./head-loss.js";

export interface Kernels {
  name: string;
  /** x[N,in] · w[in,out] + b */
  linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D;
  /** x[N,d] · wteᵀ → logits[N,V] */
  tiedLogits(x: tf.Tensor2D, wte: tf.Tensor2D): tf.Tensor2D;
  /** GELU, tanh approximation (as GPT-2) */
  gelu(x: tf.Tensor2D): tf.Tensor2D;
  layerNorm(x: tf.Tensor2D, gain: tf.Tensor1D, bias: tf.Tensor1D): tf.Tensor2D;
  /** q, k, v [B,H,T,hd] from one projection's [B·T, 3·H·hd] */
  splitHeads(qkv: tf.Tensor2D, B: number, T: number, heads: number): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
  /** heads [B,H,T,hd] back to rows [B·T, H·hd] */
  mergeHeads(y: tf.Tensor4D): tf.Tensor2D;
  /** softmax(q·kᵀ/√d + causal mask)·v over q,k,v [B,H,T,hd] */
  causalAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D): tf.Tensor4D;
  /** per-token −log softmax(logits)[target], [N] */
  tokenLosses(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D;
  /** Σ weights·nll of the head's logits (x·headᵀ tied, x·head untied) for a training loss; see head-loss.ts */
  headLoss(x: tf.Tensor2D, head: tf.Tensor2D, targets: tf.Tensor1D, weights: tf.Tensor1D, options: HeadLossOptions): tf.Scalar;
}

export const LAYER_NORM_EPSILON = 1e-5;
const GELU_C = Math.sqrt(2 / Math.PI);

/** −∞ (a large negative) above the diagonal: position t may attend only to positions ≤ t. */
export function causalMask(T: number): tf.Tensor2D {
  const values = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) values[i * T + j] = -1e9;
  return tf.tensor2d(values, [T, T]);
}

export const plainKernels: Kernels = {
  name: "plain",
  linear: (x, w, b) => (b ? tf.add(tf.matMul(x, w), b) : tf.matMul(x, w)),
  tiedLogits: (x, wte) => tf.matMul(x, wte, false, true),
  gelu: (x) => tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(tf.mul(GELU_C, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))))))) as tf.Tensor2D,
  layerNorm: (x, gain, bias) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, LAYER_NORM_EPSILON))), gain), bias);
  },
  splitHeads: (qkv, B, T, heads) => {
    const hd = qkv.shape[1] / (3 * heads);
    const toHeads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, T, heads, hd]), [0, 2, 1, 3]) as tf.Tensor4D;
    return tf.split(qkv, 3, 1).map(toHeads) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
  },
  mergeHeads: (y) => {
    const [B, H, T, hd] = y.shape;
    return tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [B * T, H * hd]) as tf.Tensor2D;
  },
  causalAttention: (q, k, v) => {
    const T = q.shape[2];
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(q.shape[3])), causalMask(T));
    return tf.matMul(tf.softmax(scores), v);
  },
  tokenLosses: (logits, targets) => tokenLosses(logits, targets),
  headLoss: (x, head, targets, weights, options) => plainHeadLoss(tokenLosses, x, head, targets, weights, options),
};

export type Params = Map<string, tf.Variable>;

/**
 * A LoRA adapter on one projection: y += (alpha/rank) · dropout(x) · A · B. With a router it is
 * HydraLoRA's: y += (alpha/rank) · Σᵢ gᵢ(x) · (dropout(x) · A) · Bᵢ, g = softmax(x · R) per token.
 */
export interface LoraAdapter {
  a: tf.Variable; // [in, rank]
  b: tf.Variable; // [rank, out] (HydraLoRA: the experts' B stacked, [experts·rank, out]); zero at start so the adapted model equals the base
  scale: number;
  dropout: number;
  /** HydraLoRA: the router [in, experts]. */
  router?: tf.Variable;
}

export interface ForwardOptions {
  kernels?: Kernels;
  /** encoder: segment (token-type) ids [B, T], 0 or 1; all 0 when absent. */
  segments?: tf.Tensor2D;
  /** encoder: 1 for a real token, 0 for padding [B, T] (float); no padding when absent. */
  attention?: tf.Tensor2D;
  /** Dropout is applied only when a seed is given (training); the seed makes it reproducible. */
  dropoutSeed?: number;
  adapters?: Map<string, LoraAdapter>;
}

/** Head width, key/value heads and SwiGLU width of a llama-kind model, defaults filled in. */
export function llamaDims(config: ModelConfig): { headSize: number; kvHeads: number; mlpWidth: number; theta: number; eps: number; tied: boolean } {
  return {
    headSize: config.width / config.heads,
    kvHeads: config.kvHeads ?? config.heads,
    mlpWidth: config.mlpWidth ?? Math.ceil((8 * config.width) / 3 / 8) * 8,
    theta: config.ropeTheta ?? 10_000,
    eps: config.normEps ?? 1e-5,
    tied: config.tiedEmbeddings ?? true,
  };
}

function llamaShapes(config: ModelConfig): [string, number[]][] {
  const d = config.width;
  const { headSize, kvHeads, mlpWidth, tied } = llamaDims(config);
  const q = config.heads * headSize;
  const kv = kvHeads * headSize;
  const shapes: [string, number[]][] = [["wte", [config.vocabSize, d]]];
  for (let i = 0; i < config.layers; i++) {
    const p = `h.${i}.`;
    shapes.push([p + "ln_1.g", [d]]);
    for (const [name, width] of [["q_proj", q], ["k_proj", kv], ["v_proj", kv]] as const) {
      shapes.push([`${p}attn.${name}.w`, [d, width]]);
      if (config.qkvBias) shapes.push([`${p}attn.${name}.b`, [width]]);
    }
    shapes.push(
      [p + "attn.o_proj.w", [q, d]],
      [p + "ln_2.g", [d]],
      [p + "mlp.gate_proj.w", [d, mlpWidth]], [p + "mlp.up_proj.w", [d, mlpWidth]], [p + "mlp.down_proj.w", [mlpWidth, d]],
    );
  }
  shapes.push(["ln_f.g", [d]]);
  if (!tied) shapes.push(["lm_head.w", [d, config.vocabSize]]);
  return shapes;
}

/** Parameter names and shapes, in a fixed order (the checkpoint order). */
export function parameterShapes(config: ModelConfig): [string, number[]][] {
  if (config.kind === "llama") return llamaShapes(config);
  const d = config.width;
  const shapes: [string, number[]][] = [
    ["wte", [config.vocabSize, d]],
    ["wpe", [config.blockSize, d]],
  ];
  for (let i = 0; i < config.layers; i++) {
    const p = `h.${i}.`;
    shapes.push(
      [p + "ln_1.g", [d]], [p + "ln_1.b", [d]],
      [p + "attn.c_attn.w", [d, 3 * d]], [p + "attn.c_attn.b", [3 * d]],
      [p + "attn.c_proj.w", [d, d]], [p + "attn.c_proj.b", [d]],
      [p + "ln_2.g", [d]], [p + "ln_2.b", [d]],
      [p + "mlp.c_fc.w", [d, 4 * d]], [p + "mlp.c_fc.b", [4 * d]],
      [p + "mlp.c_proj.w", [4 * d, d]], [p + "mlp.c_proj.b", [d]],
    );
  }
  shapes.push(["ln_f.g", [d]], ["ln_f.b", [d]]);
  if (config.kind === "encoder") {
    shapes.splice(2, 0, ["wtt", [ENCODER_SEGMENTS, d]]);
    shapes.push(["mlm.dense.w", [d, d]], ["mlm.dense.b", [d]], ["mlm.ln.g", [d]], ["mlm.ln.b", [d]], ["mlm.bias", [config.vocabSize]]);
    if (config.nsp) shapes.push(["nsp.w", [d, 2]], ["nsp.b", [2]]);
  }
  return shapes;
}

/** Segment (token-type) embeddings of an encoder: sentence A and sentence B. */
export const ENCODER_SEGMENTS = 2;

/** GPT-2 initialisation from our own seeded generator, so it is the same on every backend. */
export function initParams(config: ModelConfig, seed: number): Params {
  if (config.width % config.heads !== 0) throw new Error(`width ${config.width} is not divisible by heads ${config.heads}`);
  if (config.kind === "llama" && config.heads % llamaDims(config).kvHeads !== 0) throw new Error(`heads ${config.heads} is not divisible by kvHeads ${config.kvHeads}`);
  const rng = new Rng(seed);
  const residualStd = 0.02 / Math.sqrt(2 * config.layers);
  const params: Params = new Map();
  for (const [name, shape] of parameterShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (name.endsWith(".g")) values.fill(1);
    else if (shape.length === 2) {
      const std = /(?:c_proj|o_proj|down_proj)\.w$/.test(name) ? residualStd : 0.02;
      for (let i = 0; i < size; i++) values[i] = std * rng.normal();
    }
    // Unnamed: tfjs variable names are global, and tests hold several models at once.
    params.set(name, tf.variable(tf.tensor(values, shape), true));
  }
  return params;
}

export function disposeParams(params: Params): void {
  for (const v of params.values()) v.dispose();
}

function get(params: Params, name: string): tf.Variable {
  const v = params.get(name);
  if (!v) throw new Error(`missing parameter ${name}`);
  return v;
}

interface Context {
  params: Params;
  kernels: Kernels;
  adapters?: Map<string, LoraAdapter>;
  dropout: number;
  nextSeed?: () => number;
}

function dropout<T extends tf.Tensor>(ctx: Context, x: T, rate = ctx.dropout): T {
  return ctx.nextSeed && rate > 0 ? (tf.dropout(x, rate, undefined, ctx.nextSeed()) as T) : x;
}

/** A projection `name` (e.g. h.0.attn.c_attn), with its bias if it has one and its LoRA adapter if it has one. */
function project(ctx: Context, name: string, x: tf.Tensor2D): tf.Tensor2D {
  const y = ctx.kernels.linear(x, get(ctx.params, name + ".w") as tf.Tensor2D, ctx.params.get(name + ".b") as tf.Tensor1D | undefined);
  const adapter = ctx.adapters?.get(name);
  return adapter ? tf.add(y, adapterDelta(adapter, x, dropout(ctx, x, adapter.dropout), ctx.kernels)) : y;
}

/** HydraLoRA's router: each row's weights over the experts, softmax(x · R), [M, experts]. */
export const routerGates = (adapter: LoraAdapter, x: tf.Tensor2D, kernels: Kernels): tf.Tensor2D => tf.softmax(kernels.linear(x, adapter.router as tf.Tensor2D));

/** What an adapter adds to its projection of x (`dropped`: x after the adapter's dropout). */
export function adapterDelta(adapter: LoraAdapter, x: tf.Tensor2D, dropped: tf.Tensor2D, kernels: Kernels): tf.Tensor2D {
  const low = kernels.linear(dropped, adapter.a as tf.Tensor2D);
  if (!adapter.router) return tf.mul(kernels.linear(low, adapter.b as tf.Tensor2D), adapter.scale);
  // Each row's low-rank code repeated per expert and weighted by its gate, [M, experts·rank],
  // so one product with the stacked B's gives Σᵢ gᵢ · low · Bᵢ.
  const [M, rank] = low.shape;
  const experts = adapter.router.shape[1]!;
  const gates = routerGates(adapter, x, kernels);
  const mixed = tf.reshape(tf.mul(tf.reshape(gates, [M, experts, 1]), tf.reshape(low, [M, 1, rank])), [M, experts * rank]) as tf.Tensor2D;
  return tf.mul(kernels.linear(mixed, adapter.b as tf.Tensor2D), adapter.scale);
}

/**
 * Attention of one layer for the new positions' queries q [B, H, n, hd] and their keys and values
 * k, v [B, KV, n, hd] (KV = H / groups: llama's grouped-query heads share a key/value head): the
 * training pass attends causally within the sequence, decoding also to the cached positions.
 */
type Attend = (layer: number, q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, groups: number) => tf.Tensor4D;

/** One GPT-2 block over rows x [B·n, d]: pre-norm attention and MLP, each added to the residual. */
function gptBlock(ctx: Context, layer: number, x: tf.Tensor2D, B: number, n: number, heads: number, attend: Attend): tf.Tensor2D {
  const qkv = project(ctx, `h.${layer}.attn.c_attn`, layerNorm(ctx, `h.${layer}.ln_1`, x)); // [B·n, 3d]
  const [q, k, v] = ctx.kernels.splitHeads(qkv, B, n, heads); // each [B, H, n, hd]
  const y = attend(layer, q, k, v, 1);
  x = tf.add(x, dropout(ctx, project(ctx, `h.${layer}.attn.c_proj`, ctx.kernels.mergeHeads(y))));
  return tf.add(x, mlp(ctx, layer, layerNorm(ctx, `h.${layer}.ln_2`, x)));
}

/** softmax(q·kᵀ/√d + keyBias)·v over q, k, v [B, H, T, hd]: every position sees every unpadded one. */
function bidirectionalAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, keyBias?: tf.Tensor4D): tf.Tensor4D {
  const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(q.shape[3]));
  return tf.matMul(tf.softmax(keyBias ? tf.add(scores, keyBias) : scores), v);
}

function mlp(ctx: Context, layer: number, x: tf.Tensor2D): tf.Tensor2D {
  const hidden = ctx.kernels.gelu(project(ctx, `h.${layer}.mlp.c_fc`, x));
  return dropout(ctx, project(ctx, `h.${layer}.mlp.c_proj`, hidden));
}

function layerNorm(ctx: Context, name: string, x: tf.Tensor2D): tf.Tensor2D {
  return ctx.kernels.layerNorm(x, get(ctx.params, name + ".g") as tf.Tensor1D, get(ctx.params, name + ".b") as tf.Tensor1D);
}

/** Hidden states after ln_f, [B·T, d], for token ids [B, T]. */
export function hiddenStates(config: ModelConfig, params: Params, ids: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor2D {
  const [B, T] = ids.shape;
  if (T > config.blockSize) throw new Error(`sequence of ${T} tokens is longer than the block size ${config.blockSize}`);
  const seedRng = options.dropoutSeed === undefined ? undefined : new Rng(options.dropoutSeed);
  const ctx: Context = {
    params,
    kernels: options.kernels ?? plainKernels,
    adapters: options.adapters,
    dropout: config.dropout,
    nextSeed: seedRng ? () => seedRng.seed() : undefined,
  };
  let segments: tf.Tensor | undefined;
  let attend: Attend = (_, q, k, v, groups) => ctx.kernels.causalAttention(q, repeatKv(k, groups), repeatKv(v, groups));
  if (config.kind === "encoder") {
    segments = tf.gather(get(params, "wtt"), options.segments ? tf.reshape(options.segments, [B * T]) : tf.zeros([B * T], "int32"));
    // Bidirectional: 0 where attended, a large negative on padded keys, so softmax gives them no weight.
    const keyBias = options.attention ? (tf.reshape(tf.mul(tf.sub(1, options.attention), -1e9), [B, 1, 1, T]) as tf.Tensor4D) : undefined;
    attend = (_, q, k, v) => bidirectionalAttention(q, k, v, keyBias);
  }
  return transformer(ctx, config, ids, 0, attend, segments, true);
}

/**
 * The model body, for training and for decoding alike: the input rows of token ids [B, n] at
 * positions from … from+n−1 (plus an encoder's segment embeddings), every block, and the final
 * norm; hidden states [B·n, d]. With `blockScopes` each block runs in its own scope: what it made
 * and neither returns nor saved for the backward pass is freed before the next block runs, not
 * at the end of the forward pass (decoding keeps the blocks' keys and values, so it runs without).
 */
function transformer(ctx: Context, config: ModelConfig, ids: tf.Tensor2D, from: number, attend: Attend, segments?: tf.Tensor, blockScopes = false): tf.Tensor2D {
  const [B, n] = ids.shape;
  const scoped = <T extends tf.Tensor>(block: () => T): T => (blockScopes ? tf.tidy(block) : block());
  if (config.kind === "llama") {
    const { headSize, theta, eps } = llamaDims(config);
    const rope = ropeTables(from, n, headSize, theta);
    let x = dropout(ctx, tf.gather(get(ctx.params, "wte"), tf.reshape(ids, [B * n])) as tf.Tensor2D);
    for (let layer = 0; layer < config.layers; layer++) x = scoped(() => llamaBlock(ctx, config, layer, x, B, n, rope, attend));
    return rmsNorm(ctx, "ln_f", x, eps);
  }
  const embeddings = gptEmbeddings(ctx.params, ids, from);
  let x = dropout(ctx, segments ? (tf.add(embeddings, segments) as tf.Tensor2D) : embeddings);
  for (let layer = 0; layer < config.layers; layer++) x = scoped(() => gptBlock(ctx, layer, x, B, n, config.heads, attend));
  return layerNorm(ctx, "ln_f", x);
}

/** GPT-2's input: token plus position embeddings of ids [B, n] at positions from, from + 1, …, as rows [B·n, d]. */
function gptEmbeddings(params: Params, ids: tf.Tensor2D, from: number): tf.Tensor2D {
  const [B, n] = ids.shape;
  const wpe = get(params, "wpe");
  const d = wpe.shape[1]!;
  const tokens = tf.reshape(tf.gather(get(params, "wte"), tf.reshape(ids, [B * n])), [B, n, d]);
  // Broadcast over the batch rather than tiling: tfjs's Tile is a scalar loop on wasm.
  return tf.reshape(tf.add(tokens, tf.slice(wpe, [from, 0], [n, d])), [B * n, d]) as tf.Tensor2D;
}

function rmsNorm(ctx: Context, name: string, x: tf.Tensor2D, eps: number): tf.Tensor2D {
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), get(ctx.params, name + ".g")) as tf.Tensor2D;
}

/** cos and sin [n, hd] of the rotary angles of positions from … from+n−1, each half repeated (rotate-half form). */
function ropeTables(from: number, n: number, headSize: number, theta: number): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  const half = headSize / 2;
  const cos = new Float32Array(n * headSize);
  const sin = new Float32Array(n * headSize);
  for (let t = 0; t < n; t++) {
    for (let j = 0; j < half; j++) {
      const angle = (from + t) * theta ** (-(2 * j) / headSize);
      cos[t * headSize + j] = cos[t * headSize + j + half] = Math.cos(angle);
      sin[t * headSize + j] = sin[t * headSize + j + half] = Math.sin(angle);
    }
  }
  return { cos: tf.tensor2d(cos, [n, headSize]), sin: tf.tensor2d(sin, [n, headSize]) };
}

/** x·cos + rotate_half(x)·sin over [B, H, T, hd], rotate_half(x) = (−x₂, x₁) of its two halves. */
function applyRope(x: tf.Tensor4D, rope: { cos: tf.Tensor2D; sin: tf.Tensor2D }): tf.Tensor4D {
  const half = x.shape[3] / 2;
  const first = tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, half]);
  const second = tf.slice(x, [0, 0, 0, half], [-1, -1, -1, half]);
  return tf.add(tf.mul(x, rope.cos), tf.mul(tf.concat([tf.neg(second), first], 3), rope.sin)) as tf.Tensor4D;
}

/** Key/value heads [B, KV, T, hd] repeated for the `groups` query heads that share each. */
function repeatKv(x: tf.Tensor4D, groups: number): tf.Tensor4D {
  if (groups === 1) return x;
  const [B, KV, T, hd] = x.shape;
  // Rank 4 throughout: tfjs has no gradient for tiling a rank-5 tensor.
  return tf.reshape(tf.tile(tf.reshape(x, [B, KV, 1, T * hd]), [1, 1, groups, 1]), [B, KV * groups, T, hd]) as tf.Tensor4D;
}

/** Queries, and keys and values before repetition, of layer `layer` for x [B·n, d], rotated for positions from `from`. */
function llamaQkv(ctx: Context, config: ModelConfig, layer: number, x: tf.Tensor2D, B: number, n: number, rope: { cos: tf.Tensor2D; sin: tf.Tensor2D }) {
  const { headSize, kvHeads } = llamaDims(config);
  const toHeads = (t: tf.Tensor, heads: number) => tf.transpose(tf.reshape(t, [B, n, heads, headSize]), [0, 2, 1, 3]) as tf.Tensor4D;
  const q = applyRope(toHeads(project(ctx, `h.${layer}.attn.q_proj`, x), config.heads), rope);
  const k = applyRope(toHeads(project(ctx, `h.${layer}.attn.k_proj`, x), kvHeads), rope);
  const v = toHeads(project(ctx, `h.${layer}.attn.v_proj`, x), kvHeads);
  return { q, k, v };
}

function llamaMlp(ctx: Context, layer: number, x: tf.Tensor2D): tf.Tensor2D {
  const gate = project(ctx, `h.${layer}.mlp.gate_proj`, x);
  const hidden = tf.mul(tf.mul(gate, tf.sigmoid(gate)), project(ctx, `h.${layer}.mlp.up_proj`, x)) as tf.Tensor2D;
  return dropout(ctx, project(ctx, `h.${layer}.mlp.down_proj`, hidden));
}

/** One llama block over rows x [B·n, d]: RMS-normed grouped-query attention with RoPE, then the SwiGLU MLP. */
function llamaBlock(ctx: Context, config: ModelConfig, layer: number, x: tf.Tensor2D, B: number, n: number, rope: { cos: tf.Tensor2D; sin: tf.Tensor2D }, attend: Attend): tf.Tensor2D {
  const { headSize, kvHeads, eps } = llamaDims(config);
  const { q, k, v } = llamaQkv(ctx, config, layer, rmsNorm(ctx, `h.${layer}.ln_1`, x, eps), B, n, rope);
  const y = attend(layer, q, k, v, config.heads / kvHeads);
  const merged = tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [B * n, config.heads * headSize]) as tf.Tensor2D;
  x = tf.add(x, dropout(ctx, project(ctx, `h.${layer}.attn.o_proj`, merged)));
  return tf.add(x, llamaMlp(ctx, layer, rmsNorm(ctx, `h.${layer}.ln_2`, x, eps)));
}

/** Logits [N, V] from final hidden states: the tied embedding, or a llama model's own head. */
export function outputLogits(config: ModelConfig, params: Params, kernels: Kernels, hidden: tf.Tensor2D): tf.Tensor2D {
  if (config.kind === "encoder") {
    const transformed = kernels.layerNorm(kernels.gelu(kernels.linear(hidden, get(params, "mlm.dense.w") as tf.Tensor2D, get(params, "mlm.dense.b") as tf.Tensor1D)), get(params, "mlm.ln.g") as tf.Tensor1D, get(params, "mlm.ln.b") as tf.Tensor1D);
    return tf.add(kernels.tiedLogits(transformed, get(params, "wte") as tf.Tensor2D), get(params, "mlm.bias"));
  }
  const { name, tied } = outputHead(config);
  const head = get(params, name) as tf.Tensor2D;
  return tied ? kernels.tiedLogits(hidden, head) : kernels.linear(hidden, head);
}

/** The parameter a decoder's logits come from: the tied embedding wte [V, d], or a llama model's own head [d, V]. */
export function outputHead(config: ModelConfig): { name: string; tied: boolean } {
  return config.kind === "llama" && !llamaDims(config).tied ? { name: "lm_head.w", tied: false } : { name: "wte", tied: true };
}

/**
 * Per-token nll [N] of a decoder's head on its final hidden states, without gradients (evaluation),
 * a chunk of rows at a time like the training loss (`HEAD_CHUNK_ELEMENTS` logits at most), so
 * validation never holds the whole [N, V] logits either.
 */
export function headTokenLosses(config: ModelConfig, params: Params, kernels: Kernels, hidden: tf.Tensor2D, targets: tf.Tensor1D, chunkElements?: number): tf.Tensor1D {
  const [N, d] = hidden.shape;
  const rows = chunkRows(N, config.vocabSize, chunkElements);
  if (rows === N) return kernels.tokenLosses(outputLogits(config, params, kernels, hidden), targets);
  const chunks: tf.Tensor1D[] = [];
  for (let start = 0; start < N; start += rows) {
    const n = Math.min(rows, N - start);
    chunks.push(tf.tidy(() => kernels.tokenLosses(outputLogits(config, params, kernels, tf.slice(hidden, [start, 0], [n, d])), tf.slice(targets, start, n))));
  }
  const losses = tf.concat(chunks);
  tf.dispose(chunks);
  return losses;
}

/**
 * A decoder's masked mean loss from its final hidden states, the head fused with the loss
 * (`Kernels.headLoss`): the same value and gradients as `maskedLoss(outputLogits(…))` (tested).
 * `headGradient` false skips the head's own gradient product (a frozen head: LoRA).
 */
export function maskedHeadLoss(config: ModelConfig, params: Params, kernels: Kernels, hidden: tf.Tensor2D, targets: tf.Tensor1D, mask: tf.Tensor1D, headGradient: boolean): tf.Scalar {
  const { name, tied } = outputHead(config);
  const weights = tf.div(mask, tf.maximum(tf.sum(mask), 1)) as tf.Tensor1D;
  return kernels.headLoss(hidden, get(params, name) as tf.Tensor2D, targets, weights, { tied, headGradient });
}

/** Keys and values of the positions decoded so far, per layer, each [B, H, length, hd] (llama: [B, KV, length, hd], rotated). */
export interface KvCache {
  keys: tf.Tensor4D[];
  values: tf.Tensor4D[];
  length: number;
}

export const emptyKvCache = (): KvCache => ({ keys: [], values: [], length: 0 });

export function clearKvCache(cache: KvCache): void {
  tf.dispose([...cache.keys, ...cache.values]);
  cache.keys = [];
  cache.values = [];
  cache.length = 0;
}

/**
 * Incremental decoding: next-token logits [B·n, V] for n new token ids [B, n] at positions
 * cache.length … cache.length+n−1, each attending to the cached positions and causally to the
 * new ones; their keys and values are appended to the cache. The same function as `forward` over
 * the whole sequence (tested), at the cost of the new tokens only. No dropout: this is inference.
 */
export function decodeStep(config: ModelConfig, params: Params, ids: tf.Tensor2D, cache: KvCache, options: Pick<ForwardOptions, "kernels" | "adapters"> = {}): tf.Tensor2D {
  const n = ids.shape[1];
  const past = cache.length;
  if (config.kind === "encoder") throw new Error("an encoder does not decode token by token: it reads the whole input at once");
  if (past + n > config.blockSize) throw new Error(`${past} cached + ${n} new tokens is longer than the block size ${config.blockSize}`);
  const ctx: Context = { params, kernels: options.kernels ?? plainKernels, adapters: options.adapters, dropout: 0 };
  const result = tf.tidy(() => {
    const mask = decodeMask(past, n);
    const keys: tf.Tensor4D[] = [];
    const values: tf.Tensor4D[] = [];
    const attend: Attend = (layer, q, k, v, groups) => {
      const allKeys = past > 0 ? (tf.concat([cache.keys[layer]!, k], 2) as tf.Tensor4D) : k;
      const allValues = past > 0 ? (tf.concat([cache.values[layer]!, v], 2) as tf.Tensor4D) : v;
      keys.push(allKeys);
      values.push(allValues);
      const scaled = tf.mul(tf.matMul(q, repeatKv(allKeys, groups), false, true), 1 / Math.sqrt(q.shape[3]));
      return tf.matMul(tf.softmax(mask ? tf.add(scaled, mask) : scaled), repeatKv(allValues, groups)) as tf.Tensor4D;
    };
    const logits = outputLogits(config, params, ctx.kernels, transformer(ctx, config, ids, past, attend));
    return { logits, keys, values };
  });
  tf.dispose([...cache.keys, ...cache.values]);
  cache.keys = result.keys;
  cache.values = result.values;
  cache.length = past + n;
  return result.logits;
}

/** Query i of n new ones sits at position past+i and may see keys 0 … past+i: −∞ beyond. */
function decodeMask(past: number, n: number): tf.Tensor2D | undefined {
  if (n === 1) return undefined;
  return tf.tensor2d(Float32Array.from({ length: n * (past + n) }, (_, at) => (at % (past + n) > past + Math.floor(at / (past + n)) ? -1e9 : 0)), [n, past + n]);
}

/** An encoder's next-sentence logits [B, 2] (not next, next) from its final hidden states [B·T, d]: a linear head on each [CLS]. */
export function nextSentenceLogits(config: ModelConfig, params: Params, hidden: tf.Tensor2D, B: number): tf.Tensor2D {
  const cls = tf.reshape(tf.slice(tf.reshape(hidden, [B, -1, config.width]), [0, 0, 0], [B, 1, config.width]), [B, config.width]) as tf.Tensor2D;
  return tf.add(tf.matMul(cls, get(params, "nsp.w")), get(params, "nsp.b"));
}

/** Next-token logits [B·T, V] for token ids [B, T]. */
export function forward(config: ModelConfig, params: Params, ids: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor2D {
  return outputLogits(config, params, options.kernels ?? plainKernels, hiddenStates(config, params, ids, options));
}

/**
 * Per-token negative log-likelihood [N] of `targets` under `logits` [N, V]:
 * logsumexp(logits) − logits[target]. The target logit is picked with a one-hot product rather
 * than a gather, so the gradient needs no scatter kernel.
 */
export function tokenLosses(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const picked = tf.sum(tf.mul(logits, tf.oneHot(targets, logits.shape[1])), -1);
  return tf.sub(tf.logSumExp(logits, -1), picked);
}

/**
 * Mean loss over the tokens whose mask is 1: Σ mask·nll / max(1, Σ mask). Tokens with mask 0
 * (prompt, user turns, padding) contribute nothing, to the value or to the gradient. The count
 * stays on the device: a training step reads nothing back.
 */
export function maskedLoss(logits: tf.Tensor2D, targets: tf.Tensor1D, mask: tf.Tensor1D, kernels: Kernels = plainKernels): tf.Scalar {
  return tf.div(tf.sum(tf.mul(kernels.tokenLosses(logits, targets), mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
}
