/**
 * The trainer's part of `kiln demo`: pretrain a small GPT on the demo's token shards for about a
 * minute, LoRA-fine-tune it on the instruction (loss-masked) documents of the same shards, and
 * report what changed: the loss curve, validation loss per source, the unigram entropy of the
 * training tokens (the loss a model that ignores context cannot beat), and a chat generation
 * before and after fine-tuning.
 *
 * The phases run a fixed number of steps, so the demo gives the same numbers on every machine
 * under any load; the defaults take about a minute and a half on two wasm cores.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { describeSelection, selectBackend } from "./backend.js";
import { parameterCount, trainConfigSchema, type ModelConfig } from "./config.js";
import { openShardData, type PackedTokens, type TokenDataset } from "./data.js";
import { evaluationSet } from "./evaluation.js";
import { generate } from "./generate.js";
import { kernelsFor } from "./kernels.js";
import { disposeParams, initParams, type Kernels, type LoraAdapter, type Params } from "./model.js";
import { loadTextTokenizer, type Tokenizer } from "./tokenizer.js";
import { disposeResult, train, validate, type ValidationResult } from "./train.js";

export interface DemoTrainingOptions {
  /** Token-shard folder written by `kiln mix` (train shards plus per-source val shards). */
  shards: string;
  /** The tokenizer the shards were made with: tokenizer.json path or pretrained name. */
  tokenizer: string;
  /** Folder for the two runs: `<out>/pretrain`, `<out>/finetune`. */
  out: string;
  /** Optimizer steps of pretraining (default 750) and of LoRA fine-tuning (default 250). */
  pretrainSteps?: number;
  finetuneSteps?: number;
  log?: (line: string) => void;
  /** Model shape; the vocabulary always comes from the manifest. */
  model?: Partial<Omit<ModelConfig, "vocabSize">>;
  /** The user turn of the chat prompt generated from before and after fine-tuning. */
  prompt?: string;
}

/** Small enough to see many batches in a minute on two wasm cores, big enough to learn word statistics. */
export const DEMO_MODEL = { blockSize: 64, layers: 2, heads: 4, width: 64, dropout: 0 } as const;
const BATCH_SIZE = 8;
const DEFAULT_PROMPT = "What is the capital of Portugal?";

/**
 * Entropy in nats of the unigram distribution of the tokens that count in the loss (mask 1, as
 * the targets of the packed stream): the cross-entropy of the best context-free predictor, so a
 * loss below it means the model uses context.
 */
export function unigramEntropy(packed: PackedTokens): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < packed.tokens.length; i++) {
    if (packed.mask[i] === 0) continue;
    const t = packed.tokens[i]!;
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  return entropyOf(counts);
}

/** `unigramEntropy` of a dataset's documents end to end, streamed (memory: one count per distinct token), and the stream's length. */
export async function streamedUnigramEntropy(dataset: TokenDataset): Promise<{ entropy: number; tokens: number }> {
  const counts = new Map<number, number>();
  let tokens = 0;
  for await (const doc of dataset.documents()) {
    for (let i = 0; i < doc.tokens.length; i++) {
      // the stream's first token is no window's target
      if (tokens + i === 0 || (doc.lossMask && doc.lossMask[i] === 0)) continue;
      const t = doc.tokens[i]!;
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    tokens += doc.tokens.length;
  }
  return { entropy: entropyOf(counts), tokens };
}

function entropyOf(counts: Map<number, number>): number {
  let total = 0;
  for (const c of counts.values()) total += c;
  let entropy = 0;
  for (const c of counts.values()) entropy -= (c / total) * Math.log(c / total);
  return entropy;
}

function chatPrompt(user: string): string {
  return `<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n`;
}

async function sample(model: ModelConfig, params: Params, tokenizer: Tokenizer, prompt: string, kernels: Kernels, adapters?: Map<string, LoraAdapter>): Promise<string> {
  const imEnd = tokenizer.encode("<|im_end|>");
  const ids = await generate(model, params, tokenizer.encode(prompt), {
    maxNewTokens: 40, temperature: 0, topK: 0, topP: 1, seed: 1, eosId: tokenizer.eosId,
    stopIds: imEnd.length === 1 ? imEnd : undefined, adapters, kernels,
  });
  return tokenizer.decode(ids);
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "-");

function validationTable(columns: [string, ValidationResult][]): string {
  const sources = [...new Set(columns.flatMap(([, v]) => Object.keys(v.perSource)))].sort();
  const header = ["source", ...columns.map(([name]) => name)];
  const rows = sources.map((s) => [s, ...columns.map(([, v]) => fmt(v.perSource[s]?.loss ?? NaN))]);
  rows.push(["all", ...columns.map(([, v]) => fmt(v.loss))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => "  " + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")).join("\n");
}

export async function demoTraining(options: DemoTrainingOptions): Promise<{ report: string }> {
  const log = options.log ?? (() => undefined);
  const pretrainSteps = options.pretrainSteps ?? 750;
  const finetuneSteps = options.finetuneSteps ?? 250;
  // wasm when no native or GPU backend loads; the fast kernels suit wasm and cpu.
  const selection = await selectBackend("auto");
  log(describeSelection(selection));
  const kernels = kernelsFor(selection.tfName);
  const tokenizer = await loadTextTokenizer(options.tokenizer);

  const trainData = await openShardData(options.shards);
  const { entropy, tokens: trainTokens } = await streamedUnigramEntropy(trainData);
  const model: ModelConfig = { ...DEMO_MODEL, ...options.model, vocabSize: trainData.vocabSize! };
  const evalBatches = 8;
  const valSet = await evaluationSet(await openShardData(options.shards, { split: "val" }), model.blockSize, BATCH_SIZE, evalBatches);
  const evaluate = (params: Params, adapters?: Map<string, LoraAdapter>) => validate({ config: model, params, adapters, kernels }, valSet);

  const pretrainDir = path.join(options.out, "pretrain");
  const finetuneDir = path.join(options.out, "finetune");
  // A fresh pair of runs each time: an old checkpoint here would make train() resume instead.
  await rm(pretrainDir, { recursive: true, force: true });
  await rm(finetuneDir, { recursive: true, force: true });

  log(`demo model: ${parameterCount(model)} parameters ${JSON.stringify(model)}; ${pretrainSteps} pretraining steps of ${BATCH_SIZE}×${model.blockSize} tokens`);

  const initial = initParams(model, 1337);
  const atInit = await evaluate(initial);
  disposeParams(initial);

  const started = performance.now();
  const pretrain = await train(
    trainConfigSchema.parse({
      out: pretrainDir, model, data: { train: options.shards }, steps: pretrainSteps, batchSize: BATCH_SIZE,
      optim: { learningRate: 3e-3, minLearningRate: 3e-4, warmupSteps: Math.max(5, Math.round(pretrainSteps / 20)), weightDecay: 0.1 },
      evalEvery: 0, evalBatches, checkpointEvery: 0, logEvery: Math.max(1, Math.round(pretrainSteps / 10)), seed: 1337,
    }),
    { train: trainData, val: undefined, log, kernels },
  );
  const pretrainTime = (performance.now() - started) / 1000;
  const afterPretrain = await evaluate(pretrain.params);
  const prompt = chatPrompt(options.prompt ?? DEFAULT_PROMPT);
  const before = await sample(model, pretrain.params, tokenizer, prompt, kernels);
  const lastLosses = pretrain.trainLosses.slice(-Math.max(1, Math.floor(pretrain.trainLosses.length / 10)));
  const finalTrainLoss = lastLosses.reduce((a, b) => a + b, 0) / lastLosses.length;
  disposeResult(pretrain);

  const sftData = await openShardData(options.shards, { maskedOnly: true });
  const finetuneStart = performance.now();
  const finetune = await train(
    trainConfigSchema.parse({
      out: finetuneDir, model, data: { train: options.shards, maskedOnly: true }, steps: finetuneSteps, batchSize: BATCH_SIZE,
      optim: { learningRate: 1e-2, minLearningRate: 1e-3, warmupSteps: Math.max(2, Math.round(finetuneSteps / 10)), weightDecay: 0 },
      evalEvery: 0, evalBatches, checkpointEvery: 0, logEvery: Math.max(1, Math.round(finetuneSteps / 5)), seed: 7,
      init: { from: path.join(pretrainDir, "checkpoint"), mode: "lora" },
      lora: { rank: 8, alpha: 16, dropout: 0, targets: ["attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"] },
    }),
    { train: sftData, log, kernels },
  );
  const finetuneTime = (performance.now() - finetuneStart) / 1000;
  const afterFinetune = await evaluate(finetune.params, finetune.adapters);
  const after = await sample(model, finetune.params, tokenizer, prompt, kernels, finetune.adapters);
  disposeResult(finetune);
  tf.disposeVariables();

  const tokens = (steps: number) => steps * BATCH_SIZE * model.blockSize;
  const below = afterPretrain.loss < entropy;
  const report = [
    `model: GPT ${model.layers} layers × width ${model.width}, ${model.heads} heads, block ${model.blockSize}, vocab ${model.vocabSize} (${(parameterCount(model) / 1e6).toFixed(2)}M parameters), ${describeSelection(selection).split(" (")[0]}`,
    `pretraining: ${pretrain.step} steps, ${tokens(pretrain.step)} tokens in ${pretrainTime.toFixed(0)} s (${(tokens(pretrain.step) / pretrainTime).toFixed(0)} tokens/s) on ${trainTokens} training tokens`,
    `LoRA fine-tuning (rank 8, all projections) on the instruction documents: ${finetune.step} steps in ${finetuneTime.toFixed(0)} s`,
    `loss curves: ${path.join(pretrainDir, "loss.svg")}, ${path.join(finetuneDir, "loss.svg")}`,
    `unigram entropy of the training tokens: ${entropy.toFixed(3)} nats; final train loss ${finalTrainLoss.toFixed(3)}, validation loss ${afterPretrain.loss.toFixed(3)}: ${below ? "below it, so the model uses context" : "NOT below it (train longer)"}`,
    `validation loss per source (nats/token; instruction sources count only answer tokens):`,
    validationTable([["at init", atInit], ["pretrained", afterPretrain], ["+ LoRA", afterFinetune]]),
    `generation for ${JSON.stringify(prompt)} (greedy):`,
    `  before fine-tuning: ${JSON.stringify(before)}`,
    `  after fine-tuning:  ${JSON.stringify(after)}`,
  ].join("\n");
  return { report };
}
