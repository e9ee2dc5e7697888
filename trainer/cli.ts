/**
 * `kiln train | finetune | generate | eval | export` as citty commands; bin/kiln.ts wires them in.
 */
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { defineCommand, type ParsedArgs } from "citty";
import { numberFlag, enumFlag, KilnError, formatZodError, loadEvalTasks, mixSeed } from "../core/index.js";
import { backendFlag, describeSelection, selectBackend } from "./backend.js";
import { loadCheckpoint, loadFrozenModel } from "./checkpoint.js";
import { loadTrainConfig, loraConfigSchema, trainConfigSchema, type TrainConfig } from "./config.js";
import { hasValidationShards, isShardPath, openTokenData, type TokenDataset } from "./data.js";
import { evaluationSet } from "./evaluation.js";
import { centeredAggregate, scoreTasks, type TaskResult } from "./tasks.js";
import { generate } from "./generate.js";
import { saveHfCheckpoint, type HfExportOptions } from "./hf/checkpoint.js";
import { mergeAdapters } from "./lora.js";
import { kernelsFor } from "./kernels.js";
import { checkpointMlm, maskedTokenAccuracy, mlmBatch, mlmSettings } from "./mlm.js";
import { checkDevice } from "./webgpu/dispatch.js";
import { checkTemplate, renderGenerationPrompt, CHAT_TEMPLATES } from "../datasets/index.js";
import { findTextTokenizer, isBuiltinTokenizer, loadDatasetTokenizer, loadTextTokenizer, nearbyDirs, tokenByteLengths, tokenizerFile, type Tokenizer } from "./tokenizer.js";
import { train, validate } from "./train.js";

const restartArg = { type: "boolean", description: "start the run over: delete its checkpoint and metrics instead of resuming", default: false } as const;
const log = (line: string) => process.stderr.write(line + "\n");

async function useBackend(requested: string): Promise<void> {
  log(describeSelection(await selectBackend(requested)));
}

/** `\n`, `\t` and `\\` in a prompt typed on the command line, as a user expects them. */
export function unescapePrompt(text: string): string {
  return text.replace(/\\([nt\\])/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : "\\"));
}

/** On webgpu, a GPU error dropped work silently: fail instead of printing its garbage. */
async function checkBackend(): Promise<void> {
  if (tf.getBackend() === "webgpu") await checkDevice();
}

/** `--precision`: f16 is mixed precision on webgpu (README, "On a GPU"); unset, the config's. */
const precisionFlag = enumFlag("f16: mixed precision on webgpu with shader-f16 (default: the config's precision, f32)", ["f32", "f16"]);

export const trainCommand = defineCommand({
  meta: { name: "train", description: "Pretrain (or continue pretraining) a GPT from a train.yaml" },
  args: {
    config: { type: "positional", description: "train.yaml", required: true },
    backend: backendFlag,
    precision: precisionFlag,
    steps: { type: "string", description: "override steps" },
    restart: restartArg,
  },
  async run({ args }) {
    const overrides: Record<string, unknown> = {};
    if (args.steps) overrides.steps = numberFlag("steps", args.steps);
    if (args.precision) overrides.precision = args.precision;
    const config = await loadTrainConfig(args.config, overrides);
    await useBackend(args.backend !== "auto" ? args.backend : config.backend);
    await train(config, { ...(await openRunData(config)), log, restart: args.restart });
  },
});

/**
 * The training and validation data a config names. A shard folder with no `data.val` validates
 * on its own held-out `val` shards (per source), as `kiln mix` wrote them.
 */
export async function openRunData(config: TrainConfig): Promise<{ train: TokenDataset; val?: TokenDataset }> {
  const { data } = config;
  const vocab = config.model.vocabSize;
  const selection = { phase: data.phase, sources: data.sources, maskedOnly: data.maskedOnly };
  const train = await openTokenData(data.train, vocab, selection);
  const valPath = data.val ?? ((await hasValidationShards(data.train)) ? data.train : undefined);
  const val = valPath ? await openTokenData(valPath, vocab, { split: isShardPath(valPath) ? "val" : undefined, sources: data.sources, maskedOnly: data.maskedOnly }) : undefined;
  return { train, val };
}

/** The flags of `kiln finetune` on token data (bin/finetune.ts adds the encoder task flags). */
export const finetuneArgs = {
  from: { type: "string", description: "base checkpoint folder", required: true },
  data: { type: "string", description: "token data with a loss mask; with --task: labelled JSONL (comma-separated files)", required: true },
  val: { type: "string", description: "validation token data; with --task: labelled JSONL (default: --validation of --data held out)" },
  out: { type: "string", description: "run folder", required: true },
  mode: enumFlag("low-rank adapters, HydraLoRA (adapters mixed per token by a router), or every weight", ["lora", "hydralora", "full"], "lora"),
  experts: { type: "string", description: "hydralora: B matrices per projection, mixed per token by a router", default: "3" },
  rank: { type: "string", default: "8" },
  alpha: { type: "string", default: "16" },
  "lora-dropout": { type: "string", default: "0" },
  targets: { type: "string", description: "comma-separated projections (gpt2: attn.c_attn,attn.c_proj,mlp.c_fc,mlp.c_proj; llama: attn.q_proj,attn.k_proj,attn.v_proj,attn.o_proj,mlp.gate_proj,mlp.up_proj,mlp.down_proj); default attn.c_attn,attn.c_proj on gpt2, attn.q_proj,attn.v_proj on llama" },
  sources: { type: "string", description: "comma-separated sources of a shard folder to train on (default: all)" },
  "all-documents": { type: "boolean", description: "also train on documents without a loss mask (default: only masked instruction documents)", default: false },
  steps: { type: "string", default: "200" },
  lr: { type: "string", description: "peak learning rate (default: 1e-3 with LoRA, 3e-4 full)" },
  warmup: { type: "string", default: "20" },
  "batch-size": { type: "string", default: "8" },
  "data-parallel": { type: "string", description: "threads that split each batch's sequences (wasm/cpu); same result as 1", default: "1" },
  "context-length": { type: "string", description: "tokens per training window (default: the model's context)" },
  backend: backendFlag,
  precision: precisionFlag,
  restart: restartArg,
} as const;

/** `kiln finetune` on token data: a causal model, full or LoRA. */
export async function runFinetune(args: ParsedArgs<typeof finetuneArgs>): Promise<void> {
  const hydra = args.mode === "hydralora";
  const lora = loraConfigSchema.safeParse({ rank: numberFlag("rank", args.rank), alpha: numberFlag("alpha", args.alpha), dropout: numberFlag("lora-dropout", args["lora-dropout"]), ...(args.targets ? { targets: args.targets.split(",") } : {}), ...(hydra ? { experts: numberFlag("experts", args.experts) } : {}) });
  if (!lora.success) throw new KilnError("usage", formatZodError(lora.error));
  const base = await loadCheckpoint(args.from);
  tf.dispose([...base.weights.values(), ...(base.optimizer?.values() ?? [])]);
  // LoRA's default is higher: on the demo model (rank 8), 3e-4 learned 2 of 16 answers in 250 steps, 1e-3 five.
  const adapted = args.mode !== "full";
  const lr = args.lr === undefined ? (adapted ? 1e-3 : 3e-4) : numberFlag("lr", args.lr);
  const config = trainConfigSchema.parse({
    out: args.out, data: { train: args.data, val: args.val, sources: args.sources?.split(","), maskedOnly: isShardPath(args.data) && !args["all-documents"] }, model: base.meta.model,
    steps: numberFlag("steps", args.steps), batchSize: numberFlag("batch-size", args["batch-size"]), dataParallel: numberFlag("data-parallel", args["data-parallel"]),
    ...(args["context-length"] ? { contextLength: numberFlag("context-length", args["context-length"]) } : {}),
    optim: { learningRate: lr, minLearningRate: lr / 10, warmupSteps: numberFlag("warmup", args.warmup), weightDecay: adapted ? 0 : 0.1 },
    init: { from: args.from, mode: adapted ? "lora" : "full" }, lora: adapted ? lora.data : undefined, backend: args.backend,
    ...(args.precision ? { precision: args.precision } : {}),
  });
  await useBackend(args.backend);
  await train(config, { ...(await openRunData(config)), log, restart: args.restart });
  if (args.mode === "lora") log(`adapter ${path.join(args.out, "adapter")}; merged model ${path.join(args.out, "merged")}`);
  if (hydra) log(`adapter ${path.join(args.out, "adapter")} (HydraLoRA is not merged: apply it with --adapter)`);
}

export const generateCommand = defineCommand({
  meta: { name: "generate", description: "Sample text from a checkpoint" },
  args: {
    ckpt: { type: "string", description: "checkpoint folder", required: true },
    adapter: { type: "string", description: "LoRA adapter folder to apply" },
    prompt: { type: "string", description: "prompt text; \\n, \\t and \\\\ are escapes, special tokens such as <|im_start|> are recognised" },
    "prompt-file": { type: "string", description: "read the prompt from this file (as written, no escapes)" },
    chat: enumFlag("the prompt is the user's turn in this template; prints the answer, stopping at the template's end token", CHAT_TEMPLATES),
    tokens: { type: "string", description: "prompt as comma-separated token ids" },
    tokenizer: { type: "string", description: "tokenizer.json path or pretrained name (default: the one the checkpoint names)" },
    "max-tokens": { type: "string", default: "100" },
    temperature: { type: "string", default: "0.8" },
    "top-k": { type: "string", default: "0" },
    "top-p": { type: "string", default: "1" },
    seed: { type: "string", default: "1" },
    eos: { type: "string", description: "end-of-sequence token id (default: the tokenizer's)" },
    backend: backendFlag,
  },
  async run({ args }) {
    await useBackend(args.backend);
    const { meta, params, adapters } = await loadFrozenModel(args.ckpt, args.adapter);
    if (meta.model.kind === "encoder") throw new KilnError("usage", `${args.ckpt} is an encoder: it fills in masked tokens and does not generate text (kiln eval --data scores it)`);
    const ckpt = path.resolve(args.ckpt);
    let tokenizer: Tokenizer | undefined;
    if (args.tokenizer) tokenizer = await loadTextTokenizer(args.tokenizer);
    else if (meta.tokenizerId && args.tokens === undefined) tokenizer = await loadTextTokenizer(meta.tokenizerId, nearbyDirs(ckpt));
    const text = args["prompt-file"] !== undefined ? await readFile(args["prompt-file"], "utf8") : args.prompt === undefined ? undefined : unescapePrompt(args.prompt);
    let prompt: number[];
    let stopIds: number[] | undefined;
    if (args.tokens) prompt = args.tokens.split(",").map((t) => numberFlag("tokens", t.trim()));
    else if (text !== undefined && tokenizer && args.chat !== undefined) {
      const chatTokenizer = await loadDatasetTokenizer(args.tokenizer ?? meta.tokenizerId!, nearbyDirs(ckpt));
      checkTemplate(args.chat, chatTokenizer, "--chat");
      const rendered = renderGenerationPrompt([{ role: "user", content: text }], args.chat, chatTokenizer);
      prompt = rendered.tokens;
      stopIds = [rendered.stop];
    } else if (text !== undefined && tokenizer) prompt = tokenizer.encode(text);
    else throw new KilnError("usage", text === undefined ? "pass --prompt, --prompt-file or --tokens" : `checkpoint names no tokenizer; pass --tokenizer or --tokens`);
    if (tokenizer && tokenizer.vocabSize > meta.model.vocabSize) throw new KilnError("usage", `tokenizer ${tokenizer.id} has ${tokenizer.vocabSize} ids, the model ${meta.model.vocabSize}`);
    const out = await generate(meta.model, params, prompt, {
      maxNewTokens: numberFlag("max-tokens", args["max-tokens"]), temperature: numberFlag("temperature", args.temperature),
      topK: numberFlag("top-k", args["top-k"]), topP: numberFlag("top-p", args["top-p"]), seed: numberFlag("seed", args.seed),
      eosId: args.eos !== undefined ? numberFlag("eos", args.eos) : (tokenizer?.eosId ?? meta.eosId), stopIds, adapters, kernels: kernelsFor(),
    });
    await checkBackend();
    // A chat answer alone, without the end token it stopped at; otherwise the prompt and its continuation.
    const answer = stopIds && stopIds.includes(out[out.length - 1]!) ? out.slice(0, -1) : out;
    if (!tokenizer || args.tokens) process.stdout.write(out.join(",") + "\n");
    else process.stdout.write((args.chat !== undefined ? tokenizer.decode(answer) : text + tokenizer.decode(out)) + "\n");
  },
});

export const exportCommand = defineCommand({
  meta: { name: "export", description: "Write a checkpoint (LoRA adapters merged) as a Hugging Face GPT-2 folder: model.safetensors, config.json, tokenizer.json" },
  args: {
    ckpt: { type: "string", description: "checkpoint folder", required: true },
    adapter: { type: "string", description: "LoRA adapter folder to merge in" },
    out: { type: "string", description: "output folder", required: true },
    format: { type: "string", description: "hf (the only format)", default: "hf" },
  },
  async run({ args }) {
    if (args.format !== "hf") throw new KilnError("usage", `--format ${args.format}: the only export format is hf`);
    await selectBackend("cpu");
    const { meta, params, adapters } = await loadFrozenModel(args.ckpt, args.adapter);
    if (meta.model.kind === "encoder") throw new KilnError("usage", `${args.ckpt} is an encoder: --format hf writes the gpt2 and llama families only`);
    if (adapters) mergeAdapters(params, adapters);
    const ckpt = path.resolve(args.ckpt);
    const id = meta.tokenizerId;
    const options: HfExportOptions = { eosId: meta.eosId };
    if (id !== undefined && isBuiltinTokenizer(id)) options.tokenizerName = id;
    else if (id !== undefined) options.tokenizerFile = await tokenizerFile(id, nearbyDirs(ckpt));
    await mkdir(args.out, { recursive: true });
    await saveHfCheckpoint(args.out, meta.model, params, options);
    log(`wrote ${path.join(args.out, "model.safetensors")}, config.json${options.tokenizerFile ? " and tokenizer.json" : ""}`);
  },
});

export const evalCommand = defineCommand({
  meta: { name: "eval", description: "A checkpoint on token data (loss, perplexity, bits per byte per source) and on evaluation tasks (--tasks)" },
  args: {
    ckpt: { type: "string", description: "checkpoint folder", required: true },
    data: { type: "string", description: "token data (JSONL, or a shard folder: its val shards unless --split train)" },
    tasks: { type: "string", description: "evaluation task registry (tasks.yaml): multiple choice, language modelling, generation" },
    split: enumFlag("which split of a shard folder", ["val", "train"], "val"),
    adapter: { type: "string", description: "LoRA adapter folder to apply" },
    tokenizer: { type: "string", description: "the tokenizer (tokenizer.json or a pretrained name), for bits per byte and tasks; default: the one the checkpoint names" },
    batches: { type: "string", description: "score this many batches of windows spread over the data, or all of it", default: "all" },
    "batch-size": { type: "string", default: "8" },
    backend: backendFlag,
  },
  async run({ args }) {
    if (!args.data && !args.tasks) throw new KilnError("usage", "give --data <token data>, --tasks <tasks.yaml>, or both");
    await useBackend(args.backend);
    const { meta, params, adapters } = await loadFrozenModel(args.ckpt, args.adapter);
    const ckpt = path.resolve(args.ckpt);
    const searchDirs = nearbyDirs(ckpt);
    const batchSize = numberFlag("batch-size", args["batch-size"]);
    const model = { config: meta.model, params, adapters, kernels: kernelsFor() };
    // One tokenizer for both: --tokenizer, or the one the checkpoint names.
    const found = await findTextTokenizer(args.tokenizer ?? meta.tokenizerId, args.tokenizer ? [] : searchDirs);
    if (found.missing && args.tokenizer) throw new KilnError("no_tokenizer", found.missing);
    if (args.data) {
      const data = await openTokenData(args.data, meta.model.vocabSize, { split: isShardPath(args.data) ? args.split : undefined });
      const set = await evaluationSet(data, meta.model.blockSize, batchSize, args.batches === "all" ? Infinity : numberFlag("batches", args.batches));
      if (meta.model.kind === "encoder") {
        // Masked-token loss and accuracy over a seeded selection (the same every time), as training validated.
        const settings = checkpointMlm(meta.train);
        const mlm = mlmSettings(settings.specialTokens, meta.model.vocabSize, settings.rate, found.tokenizer, meta.eosId, settings.nsp);
        const scored = await maskedTokenAccuracy(model, set.batches.map((b, i) => mlmBatch(b, mlm, mixSeed(meta.train?.seed ?? 1, i))));
        await checkBackend();
        process.stdout.write(JSON.stringify({ source: "all", masked_loss: scored.loss, masked_accuracy: scored.accuracy, masked_tokens: scored.tokens }) + "\n");
        log(`scored ${scored.tokens} masked tokens (${Math.round(settings.rate * 100)}% of the ordinary tokens of ${set.tokens})`);
      } else {
        if (found.missing) log(`no bits per byte: ${found.missing}; pass --tokenizer`);
        const result = await validate(model, set, found.tokenizer && tokenByteLengths(found.tokenizer));
        await checkBackend();
        const row = (source: string, loss: number, tokens: number, bitsPerByte?: number, textBytes?: number) => ({
          source,
          loss,
          perplexity: Math.exp(loss),
          ...(bitsPerByte !== undefined ? { bits_per_byte: bitsPerByte, bytes: textBytes } : {}),
          tokens,
        });
        const rows = Object.entries(result.perSource).map(([source, v]) => row(source, v.loss, v.tokens, v.bitsPerByte, v.bytes));
        const allBytes = rows.reduce((a, r) => a + (r.bytes ?? 0), 0);
        rows.push(row("all", result.loss, rows.reduce((a, r) => a + r.tokens, 0), result.bitsPerByte, allBytes));
        for (const r of rows) process.stdout.write(JSON.stringify(r) + "\n");
        log(`scored ${rows.at(-1)!.tokens} tokens of the ${set.tokens}-token data${args.batches === "all" ? " (all of it)" : ` (${args.batches} batches of windows spread over it)`}`);
      }
    }
    if (args.tasks) {
      if (meta.model.kind === "encoder") throw new KilnError("usage", "--tasks score a causal model's log-likelihoods; an encoder is scored on masked tokens with --data");
      const tasks = await loadEvalTasks(args.tasks);
      if (!found.tokenizer) throw new KilnError("no_tokenizer", `tasks need the tokenizer: ${found.missing}; pass --tokenizer`);
      const results = await scoreTasks(model, found.tokenizer, tasks, batchSize);
      await checkBackend();
      const aggregate = centeredAggregate(results);
      for (const { name, ...rest } of results) process.stdout.write(JSON.stringify({ task: name, ...rest }) + "\n");
      process.stdout.write(JSON.stringify({ task: "aggregate", centered: aggregate, tasks: results.filter((r) => r.centered !== undefined).length }) + "\n");
      log(taskTable(results, aggregate));
    }
  },
});

/** The task results as an aligned table: accuracy with its interval, chance, centered; bits per byte. */
function taskTable(results: TaskResult[], aggregate: number): string {
  const f = (x: number | undefined, digits = 3) => (x === undefined || Number.isNaN(x) ? "" : x.toFixed(digits));
  const rows = [["task", "kind", "items", "accuracy", "95% interval", "acc (per byte)", "chance", "centered", "bits/byte"]];
  for (const r of results) {
    rows.push([r.name, r.kind, String(r.items), f(r.accuracy), r.interval ? `${f(r.interval[0])}-${f(r.interval[1])}` : "", f(r.accuracyNorm), f(r.random), f(r.centered), f(r.bitsPerByte, 4)]);
  }
  rows.push(["aggregate (mean centered)", "", "", "", "", "", "", f(aggregate), ""]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows.map((row) => row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")).join("\n");
}
