/**
 * Scoring a checkpoint on the evaluation tasks of a registry (core/eval-tasks.ts):
 *
 * - multiple choice: each choice's log-likelihood given the context (few-shot examples first);
 *   `accuracy` picks the highest sum, `accuracy_norm` the highest per byte of the choice (the
 *   length-normalised score HellaSwag- and ARC-style evaluations report);
 * - language modelling: bits per byte of the items' text, each text scored in windows of the
 *   model's context after an end-of-text token;
 * - generation: greedy decoding until a stop sequence, end of text or `maxTokens`; exact match
 *   of the trimmed output with an accepted answer.
 *
 * Each task reports its accuracy with a 95% interval (Wilson's), the accuracy of
 * guessing at random, and the accuracy centered on chance, (acc − random) / (1 − random): 0 is
 * chance, 1 perfect. The aggregate is the mean centered accuracy over the tasks that have one
 * (DCLM's "core" score).
 */
import * as tf from "@tensorflow/tfjs";
import { type EvalTask, type GenerationItem, type MultipleChoiceItem, KilnError, Rng } from "../core/index.js";
import type { ModelConfig } from "./config.js";
import { generate } from "./generate.js";
import { forward, type Kernels, type LoraAdapter, type Params } from "./model.js";
import type { Tokenizer } from "./tokenizer.js";

export interface ScoringModel {
  config: ModelConfig;
  params: Params;
  adapters?: Map<string, LoraAdapter>;
  kernels: Kernels;
}

/** Tokens after `context` to score, each given everything before it. */
export interface ScoreRequest {
  context: number[];
  continuation: number[];
}

/**
 * Each request's per-token negative log-likelihoods (nats) of its continuation, from the plain
 * forward pass. A sequence longer than the model's context keeps its last blockSize + 1 tokens
 * (the continuation must fit). Requests are batched by length; padding after a sequence cannot
 * change it (the attention is causal).
 */
export async function continuationLosses(model: ScoringModel, requests: ScoreRequest[], batchSize = 8): Promise<Float64Array[]> {
  const { blockSize, vocabSize } = model.config;
  const prepared = requests.map((request, index) => {
    if (request.continuation.length === 0) throw new KilnError("bad_data", "an evaluation choice has no tokens");
    if (request.context.length === 0) throw new KilnError("bad_data", "an evaluation context has no tokens");
    if (request.continuation.length > blockSize) throw new KilnError("bad_data", `an evaluation continuation of ${request.continuation.length} tokens is longer than the model's ${blockSize}-token context`);
    const sequence = [...request.context, ...request.continuation].slice(-(blockSize + 1));
    for (const id of sequence) if (id >= vocabSize) throw new KilnError("bad_data", `token id ${id} is outside the model's vocabulary of ${vocabSize}`);
    return { index, sequence, scored: request.continuation.length };
  });
  const order = [...prepared].sort((a, b) => a.sequence.length - b.sequence.length || a.index - b.index);
  const results: Float64Array[] = new Array<Float64Array>(requests.length);
  for (let start = 0; start < order.length; start += batchSize) {
    const group = order.slice(start, start + batchSize);
    const T = Math.max(...group.map((r) => r.sequence.length)) - 1;
    const inputs = new Int32Array(group.length * T);
    const targets = new Int32Array(group.length * T);
    group.forEach((r, row) => {
      for (let t = 0; t < r.sequence.length - 1; t++) {
        inputs[row * T + t] = r.sequence[t]!;
        targets[row * T + t] = r.sequence[t + 1]!;
      }
    });
    const losses = tf.tidy(() => {
      const logits = forward(model.config, model.params, tf.tensor2d(inputs, [group.length, T], "int32"), { kernels: model.kernels, adapters: model.adapters });
      return model.kernels.tokenLosses(logits, tf.tensor1d(targets, "int32"));
    });
    const values = (await losses.data()) as Float32Array;
    losses.dispose();
    group.forEach((r, row) => {
      const end = r.sequence.length - 1;
      results[r.index] = Float64Array.from(values.subarray(row * T + end - r.scored, row * T + end));
    });
  }
  return results;
}

const sum = (values: ArrayLike<number>) => {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
};

const poolKeys = new WeakMap<readonly unknown[], string[]>();

/** `k` examples for item `index`, drawn by seed from `pool` without the item itself. */
export function fewshotExamples<T>(pool: readonly T[], k: number, seed: number, index: number, item: T): T[] {
  let keys = poolKeys.get(pool);
  if (!keys) poolKeys.set(pool, (keys = pool.map((example) => JSON.stringify(example))));
  const own = JSON.stringify(item);
  const candidates: number[] = [];
  for (let i = 0; i < pool.length; i++) if (keys[i] !== own) candidates.push(i);
  // A partial Fisher–Yates: only the k draws are made.
  const rng = new Rng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  const count = Math.min(k, candidates.length);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng.next() * (candidates.length - i));
    [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
  }
  return candidates.slice(0, count).map((i) => pool[i]!);
}

/** The context and continuation tokens of a text pair: the continuation is what `context + choice` adds. */
export function pairTokens(tokenizer: Tokenizer, context: string, choice: string): ScoreRequest {
  const contextIds = tokenizer.encode(context);
  const whole = tokenizer.encode(context + choice);
  const sharesPrefix = whole.length > contextIds.length && contextIds.every((id, i) => whole[i] === id);
  const request = sharesPrefix ? { context: contextIds, continuation: whole.slice(contextIds.length) } : { context: contextIds, continuation: tokenizer.encode(choice) };
  if (request.context.length === 0) {
    if (tokenizer.eosId === undefined) throw new KilnError("bad_data", "an empty context needs an end-of-text token to condition on");
    request.context = [tokenizer.eosId];
  }
  return request;
}

export interface TaskResult {
  name: string;
  kind: EvalTask["kind"];
  items: number;
  /** Multiple choice and generation: the fraction right, its 95% interval, chance and centered. */
  accuracy?: number;
  interval?: [number, number];
  accuracyNorm?: number;
  random?: number;
  centered?: number;
  /** Language modelling. */
  bitsPerByte?: number;
  bytes?: number;
}

/** A proportion's 95% interval (Wilson's score interval: sound at 0, 1 and small n). */
export function proportionInterval(p: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const z = 1.96;
  const scale = 1 + (z * z) / n;
  const center = (p + (z * z) / (2 * n)) / scale;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / scale;
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

function accuracyResult(name: string, kind: EvalTask["kind"], right: number, n: number, random: number): TaskResult {
  const accuracy = right / n;
  return { name, kind, items: n, accuracy, interval: proportionInterval(accuracy, n), random, centered: random < 1 ? (accuracy - random) / (1 - random) : 0 };
}

async function scoreMultipleChoice(model: ScoringModel, tokenizer: Tokenizer, task: Extract<EvalTask, { kind: "multiple_choice" }>, batchSize: number): Promise<TaskResult> {
  const requests: ScoreRequest[] = [];
  const owners: { item: number; choice: number }[] = [];
  const render = (item: MultipleChoiceItem) => `${item.context}${item.choices[item.answer]}`;
  task.items.forEach((item, index) => {
    const shots = task.fewshot ? fewshotExamples(task.examples, task.fewshot.k, task.fewshot.seed, index, item) : [];
    const prefix = shots.map((shot) => render(shot) + task.separator).join("");
    item.choices.forEach((choice, c) => {
      requests.push(pairTokens(tokenizer, prefix + item.context, choice));
      owners.push({ item: index, choice: c });
    });
  });
  const losses = await continuationLosses(model, requests, batchSize);
  const best = task.items.map(() => ({ raw: -Infinity, rawChoice: -1, norm: -Infinity, normChoice: -1 }));
  losses.forEach((nll, r) => {
    const { item, choice } = owners[r]!;
    const logLikelihood = -sum(nll);
    const perByte = logLikelihood / Math.max(1, Buffer.byteLength(task.items[item]!.choices[choice]!));
    const b = best[item]!;
    if (logLikelihood > b.raw) [b.raw, b.rawChoice] = [logLikelihood, choice];
    if (perByte > b.norm) [b.norm, b.normChoice] = [perByte, choice];
  });
  const right = best.filter((b, i) => b.rawChoice === task.items[i]!.answer).length;
  const rightNorm = best.filter((b, i) => b.normChoice === task.items[i]!.answer).length;
  const random = task.items.reduce((total, item) => total + 1 / item.choices.length, 0) / task.items.length;
  return { ...accuracyResult(task.name, task.kind, right, task.items.length, random), accuracyNorm: rightNorm / task.items.length };
}

async function scoreLanguageModeling(model: ScoringModel, tokenizer: Tokenizer, task: Extract<EvalTask, { kind: "language_modeling" }>, batchSize: number): Promise<TaskResult> {
  if (tokenizer.eosId === undefined) throw new KilnError("bad_data", "language-modelling tasks need an end-of-text token to start each text");
  const { blockSize } = model.config;
  const requests: ScoreRequest[] = [];
  for (const item of task.items) {
    const tokens = [tokenizer.eosId, ...tokenizer.encode(item.text)];
    for (let start = 0; start < tokens.length - 1; start += blockSize) {
      requests.push({ context: [tokens[start]!], continuation: tokens.slice(start + 1, start + 1 + blockSize) });
    }
  }
  const losses = await continuationLosses(model, requests, batchSize);
  let nats = 0;
  let bytes = 0;
  losses.forEach((nll, r) => {
    const ids = requests[r]!.continuation;
    for (let t = 0; t < ids.length; t++) {
      const length = tokenizer.byteLength(ids[t]!);
      if (length === 0) continue;
      nats += nll[t]!;
      bytes += length;
    }
  });
  return { name: task.name, kind: task.kind, items: task.items.length, bitsPerByte: bytes > 0 ? nats / Math.LN2 / bytes : NaN, bytes };
}

/** Text up to the first stop sequence. */
function untilStop(text: string, stops: readonly string[]): { text: string; stopped: boolean } {
  let cut = -1;
  for (const stop of stops) {
    const at = text.indexOf(stop);
    if (at >= 0 && (cut < 0 || at < cut)) cut = at;
  }
  return cut < 0 ? { text, stopped: false } : { text: text.slice(0, cut), stopped: true };
}

async function scoreGeneration(model: ScoringModel, tokenizer: Tokenizer, task: Extract<EvalTask, { kind: "generation" }>): Promise<TaskResult> {
  const render = (item: GenerationItem) => `${item.prompt}${Array.isArray(item.answer) ? item.answer[0] : item.answer}`;
  let right = 0;
  for (const [index, item] of task.items.entries()) {
    const shots = task.fewshot ? fewshotExamples(task.examples, task.fewshot.k, task.fewshot.seed, index, item) : [];
    const prompt = tokenizer.encode(shots.map((shot) => render(shot) + task.separator).join("") + item.prompt);
    if (prompt.length === 0) throw new KilnError("bad_data", `task ${task.name}: item ${index + 1} has an empty prompt`);
    const ids = await generate(model.config, model.params, prompt, {
      temperature: 0,
      topK: 0,
      topP: 1,
      seed: 0,
      maxNewTokens: task.maxTokens,
      eosId: tokenizer.eosId,
      adapters: model.adapters,
      kernels: model.kernels,
      stopWhen: (generated) => untilStop(tokenizer.decode(generated), task.stop).stopped,
    });
    const output = untilStop(tokenizer.decode(ids.filter((id) => id !== tokenizer.eosId)), task.stop).text.trim();
    const accepted = (Array.isArray(item.answer) ? item.answer : [item.answer]).map((answer) => answer.trim());
    if (accepted.includes(output)) right++;
  }
  return accuracyResult(task.name, task.kind, right, task.items.length, 0);
}

/** Scores every task; the results in the registry's order. */
export async function scoreTasks(model: ScoringModel, tokenizer: Tokenizer, tasks: EvalTask[], batchSize = 8): Promise<TaskResult[]> {
  const results: TaskResult[] = [];
  for (const task of tasks) {
    if (task.kind === "multiple_choice") results.push(await scoreMultipleChoice(model, tokenizer, task, batchSize));
    else if (task.kind === "language_modeling") results.push(await scoreLanguageModeling(model, tokenizer, task, batchSize));
    else results.push(await scoreGeneration(model, tokenizer, task));
  }
  return results;
}

/** The mean centered accuracy over the tasks that have one (NaN when none does). */
export function centeredAggregate(results: TaskResult[]): number {
  const centered = results.filter((r) => r.centered !== undefined).map((r) => r.centered!);
  return centered.length ? sum(centered) / centered.length : NaN;
}
