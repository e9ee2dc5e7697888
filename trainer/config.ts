/**
 * Training configuration as plain data: what the user wrote (YAML), validated and filled in with
 * defaults by zod, printed at start and saved in every checkpoint.
 */
import { z } from "zod";
import { loadYamlFile } from "../core/index.js";
import { parameterShapes } from "./model.js";

export const modelConfigSchema = z.object({
  kind: z
    .enum(["gpt2", "llama", "encoder"])
    .optional()
    .describe("gpt2 (default): learned positions, LayerNorm, GELU MLP, tied output; llama: RoPE, RMSNorm, SwiGLU, grouped-query attention; encoder: gpt2's blocks without the causal mask, segment embeddings and a masked-LM head (BERT)"),
  vocabSize: z.number().int().positive().describe("token ids are < vocabSize (from the tokenizer / manifest)"),
  blockSize: z.number().int().positive().default(128).describe("context length in tokens"),
  layers: z.number().int().positive().default(4).describe("transformer blocks"),
  heads: z.number().int().positive().default(4).describe("attention heads per block"),
  width: z.number().int().positive().default(128).describe("embedding width (d_model)"),
  dropout: z.number().min(0).max(1).default(0).describe("dropout on embeddings, attention and residual branches"),
  kvHeads: z.number().int().positive().optional().describe("llama: key/value heads, dividing heads (default: heads, no grouping)"),
  mlpWidth: z.number().int().positive().optional().describe("llama: SwiGLU hidden width (default: 8/3 × width, rounded up to a multiple of 8)"),
  ropeTheta: z.number().positive().optional().describe("llama: RoPE base (default 10000)"),
  normEps: z.number().positive().optional().describe("llama: RMSNorm epsilon (default 1e-5)"),
  tiedEmbeddings: z.boolean().optional().describe("llama: output projection tied to the token embedding (default true)"),
  qkvBias: z.boolean().optional().describe("llama: biases on the query, key and value projections (Qwen2) (default false)"),
  nsp: z.boolean().optional().describe("encoder: a next-sentence-prediction head on [CLS] (set by mlm.nsp)"),
});
export type ModelConfig = z.infer<typeof modelConfigSchema>;

/** A fine-tuned encoder's task head, as its checkpoint records it (encoder-task.ts). */
export interface EncoderTask {
  kind: "classify" | "regress";
  /** Outputs of the head: classes for classify, 1 for regress. */
  outputs: number;
  pool: "cls" | "mean";
}

export const optimConfigSchema = z.object({
  learningRate: z.number().positive().default(1e-3).describe("peak learning rate after warmup"),
  minLearningRate: z.number().min(0).default(1e-4).describe("floor the cosine decays to"),
  warmupSteps: z.number().int().min(0).default(100).describe("linear warmup steps (re-run at the start of each phase)"),
  decaySteps: z.number().int().positive().optional().describe("steps from phase start to reach the floor (default: steps)"),
  weightDecay: z.number().min(0).default(0.1).describe("decoupled weight decay, applied to matrices only"),
  beta1: z.number().min(0).max(1).default(0.9),
  beta2: z.number().min(0).max(1).default(0.95),
  epsilon: z.number().positive().default(1e-8),
  gradClip: z.number().min(0).default(1).describe("global gradient-norm clip (0 = off)"),
});
export type OptimConfig = z.infer<typeof optimConfigSchema>;

export const loraConfigSchema = z.object({
  rank: z.number().int().positive().default(8),
  alpha: z.number().positive().default(16).describe("the adapter output is scaled by alpha / rank"),
  dropout: z.number().min(0).max(1).default(0).describe("dropout on the adapter input"),
  experts: z.number().int().positive().optional().describe("HydraLoRA: one shared A and this many B matrices per projection, mixed per token by a router (absent: plain LoRA)"),
  targets: z
    .array(z.enum(["attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj", "attn.q_proj", "attn.k_proj", "attn.v_proj", "attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"]))
    .optional()
    .describe("projections to adapt (default: attn.c_attn, attn.c_proj on gpt2; attn.q_proj, attn.v_proj on llama)"),
});
export type LoraConfig = z.infer<typeof loraConfigSchema>;

const tokenRef = z.union([z.string().min(1), z.number().int().min(0)]);

export const trainConfigSchema = z.object({
  out: z.string().describe("run folder: checkpoint, metrics.jsonl, loss.svg"),
  model: modelConfigSchema.partial({ vocabSize: true }).default({ blockSize: 128, layers: 4, heads: 4, width: 128, dropout: 0 }),
  data: z.object({
    train: z.string().describe("training token data (token shards or token JSONL)"),
    val: z.string().optional().describe("validation token data (default: the shard folder's val shards, when it has them)"),
    phase: z.string().optional().describe("train only on the shards of this mixture phase"),
    sources: z.array(z.string()).optional().describe("train only on documents of these sources"),
    maskedOnly: z.boolean().default(false).describe("train only on documents with a loss mask (instruction data)"),
  }),
  optim: optimConfigSchema.default(optimConfigSchema.parse({})),
  steps: z.number().int().positive().default(1000).describe("optimizer steps in this phase"),
  contextLength: z.number().int().positive().optional().describe("tokens per training window (default: the model's blockSize; at most that)"),
  batchSize: z.number().int().positive().default(8).describe("sequences per micro-batch"),
  gradAccumulation: z.number().int().positive().default(1).describe("micro-batches per optimizer step; the loss is the mean over all their counted tokens, as one batch"),
  dataParallel: z.number().int().positive().default(1).describe("threads that split each micro-batch's sequences (1 = this thread only; wasm/cpu, no dropout)"),
  seed: z.number().int().default(1337).describe("seeds initialisation, data order and dropout"),
  evalEvery: z.number().int().min(0).default(100).describe("validate every N steps (0 = only at the end)"),
  evalBatches: z.number().int().positive().default(8),
  checkpointEvery: z.number().int().min(0).default(200).describe("save every N steps (0 = only at the end)"),
  logEvery: z.number().int().positive().default(10),
  backend: z.string().default("auto").describe("auto | tensorflow-gpu | tensorflow | webgpu | wasm | cpu"),
  precision: z.enum(["f32", "f16"]).default("f32").describe("f16: mixed precision on webgpu with shader-f16 (f16 products with f32 sums, f32 weights, dynamic loss scaling)"),
  init: z
    .object({
      from: z.string().describe("checkpoint to start from (continual pretraining / fine-tuning)"),
      mode: z.enum(["continue", "full", "lora"]).default("continue"),
    })
    .optional(),
  lora: loraConfigSchema.optional(),
  distill: z
    .object({
      teacher: z.string().describe("checkpoint of the teacher (frozen); it must share the student's tokenizer"),
      alpha: z.number().min(0).max(1).default(0.5).describe("weight of the distillation term; 1 - alpha goes to the cross-entropy on the data"),
      temperature: z.number().positive().default(1).describe("softens both distributions; the term is scaled by temperature² (1 by default: on the demo's shards T = 2 made the student worse than training from scratch, T = 1 better; bench/distill.ts)"),
      cacheTopK: z.number().int().positive().optional().describe("cache the teacher's top-k logits of every micro-batch in a first pass (teacher-topk.bin in the run folder) instead of running it during training"),
    })
    .strict()
    .optional()
    .describe("token-level knowledge distillation: alpha·T²·KL(teacher_T ‖ student_T) + (1 − alpha)·CE"),
  objective: z.enum(["clm", "mlm"]).default("clm").describe("clm: predict the next token (gpt2, llama); mlm: masked language modelling, BERT's recipe (model.kind encoder)"),
  mlm: z
    .object({
      rate: z.number().gt(0).lt(1).default(0.15).describe("share of each sequence's ordinary tokens selected (80% [MASK], 10% random, 10% unchanged)"),
      nsp: z.boolean().default(false).describe("next-sentence prediction (BERT): inputs [CLS] A [SEP] B [SEP], B the window's continuation or, half the time, another window's; off by default — RoBERTa found it does not help"),
      specialTokens: z
        .object({ cls: tokenRef.default("[CLS]"), sep: tokenRef.default("[SEP]"), mask: tokenRef.default("[MASK]"), pad: tokenRef.default("[PAD]") })
        .strict()
        .default({ cls: "[CLS]", sep: "[SEP]", mask: "[MASK]", pad: "[PAD]" })
        .describe("the tokenizer's special tokens for each role, by text or id (e.g. RoBERTa's <s>, </s>, <mask>, <pad>)"),
    })
    .strict()
    .default({ rate: 0.15, nsp: false, specialTokens: { cls: "[CLS]", sep: "[SEP]", mask: "[MASK]", pad: "[PAD]" } }),
});
export type TrainConfig = z.infer<typeof trainConfigSchema>;

/** Reads and validates a train.yaml; one clear error naming the file and the field. */
export function loadTrainConfig(file: string, overrides: Record<string, unknown> = {}): Promise<TrainConfig> {
  return loadYamlFile(file, trainConfigSchema, overrides);
}

/** Parameter count the MFU formula uses (6·N·tokens): every weight, embeddings included. */
export function parameterCount(model: ModelConfig): number {
  return parameterShapes(model).reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0);
}
