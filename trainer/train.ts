/**
 * The training loop shared by pretraining, continual pretraining and fine-tuning (full or LoRA).
 *
 * A run folder holds `checkpoint/` (the resumable state), `metrics.jsonl`, `loss.svg` and, for
 * LoRA, `adapter/` (adapter-only) and `merged/` (base with the adapter folded in; not for
 * HydraLoRA, whose mix depends on the input). A run whose
 * folder already holds a checkpoint resumes from it: same weights, optimizer moments, step, RNG
 * state and data position, so it continues exactly where it stopped.
 */
import { appendFile, mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { writeFileAtomic, KilnError, mixSeed, Rng } from "../core/index.js";
import { hasCheckpoint, loadCheckpoint, loadFrozenModel, saveAdapter, saveCheckpoint } from "./checkpoint.js";
import { parameterCount, type LoraConfig, type ModelConfig, type TrainConfig } from "./config.js";
import { openSampler, type Batch, type TokenDataset } from "./data.js";
import { DataParallelGroup } from "./data-parallel.js";
import { evaluationSet, type EvaluationSet } from "./evaluation.js";
import { halfPrecisionKernels, kernelsFor } from "./kernels.js";
import { DynamicLossScale } from "./loss-scale.js";
import { findTextTokenizer, nearbyDirs, tokenByteLengths } from "./tokenizer.js";
import { adapterVariables, adaptersFromTensors, createAdapters, disposeAdapters, mergeAdapters } from "./lora.js";
import { lossCurveSvg, type MetricRecord } from "./metrics.js";
import { hardwarePeak } from "./peak.js";
import { disposeParams, initParams, type Kernels, type LoraAdapter, type Params } from "./model.js";
import { AdamW, learningRateAt } from "./optim.js";
import { buildTeacherCache, openTeacherCache, type TeacherCacheHeader } from "./distill-cache.js";
import { mlmBatch, mlmSettings } from "./mlm.js";
import { lossBySource, readSteps, trainStep, type Distillation, type StepResult, type TrainState } from "./step.js";
import { checkDevice } from "./webgpu/dispatch.js";

export interface TrainOptions {
  train: TokenDataset;
  val?: TokenDataset;
  log?: (line: string) => void;
  /** Stop after this many steps of the phase, saving a checkpoint (tests simulate a kill with it). */
  stopAfter?: number;
  /** Start over: delete the run folder's checkpoint and metrics instead of resuming from them. */
  restart?: boolean;
  /** FLOP/s used for MFU; the hardware's peak (peak.ts) when absent. */
  peakFlops?: number;
  kernels?: Kernels;
}

export interface TrainResult {
  step: number;
  trainLosses: number[];
  val?: ValidationResult;
  params: Params;
  adapters?: Map<string, LoraAdapter>;
  model: ModelConfig;
  checkpointDir: string;
}

export interface ValidationResult {
  loss: number;
  /** Bits per byte of the text scored (when the tokenizer's byte lengths were given). */
  bitsPerByte?: number;
  perSource: Record<string, { loss: number; tokens: number; bitsPerByte?: number; bytes?: number }>;
}

/** Variables from loaded tensors; the variable shares the data, so the tensor handle is released. */
const mapOf = (tensors: Map<string, tf.Tensor>) =>
  new Map(
    [...tensors].map(([k, t]) => {
      const v = tf.variable(t, true);
      t.dispose();
      return [k, v];
    }),
  );

/** Masked loss over the fixed validation batches (`evaluationSet`), overall and per source. */
export async function validate(state: Pick<TrainState, "config" | "params" | "adapters" | "kernels">, set: EvaluationSet, byteLengths?: Uint32Array): Promise<ValidationResult> {
  const totals = await lossBySource(state, set.batches, set.sourceNames.length, byteLengths);
  const perSource: ValidationResult["perSource"] = {};
  let sum = 0;
  let count = 0;
  let byteNats = 0;
  let bytes = 0;
  set.sourceNames.forEach((name, i) => {
    if (totals.count[i]! === 0) return;
    perSource[name] = { loss: totals.sum[i]! / totals.count[i]!, tokens: totals.count[i]! };
    sum += totals.sum[i]!;
    count += totals.count[i]!;
    if (totals.bytes && totals.byteNats) {
      perSource[name].bytes = totals.bytes[i]!;
      perSource[name].bitsPerByte = bitsPerByte(totals.byteNats[i]!, totals.bytes[i]!);
      byteNats += totals.byteNats[i]!;
      bytes += totals.bytes[i]!;
    }
  });
  const result: ValidationResult = { loss: count ? sum / count : NaN, perSource };
  if (byteLengths) result.bitsPerByte = bitsPerByte(byteNats, bytes);
  return result;
}

/** Nats over bytes as bits per byte; NaN without bytes. */
export function bitsPerByte(nats: number, bytes: number): number {
  return bytes > 0 ? nats / Math.LN2 / bytes : NaN;
}

/**
 * The checkpoint to resume from: none when the run folder has none (or `restart` cleared it).
 * One that exists but cannot be read, or that was made by a different run (model, data, batch,
 * seed), stops the run with one line: silently starting over would overwrite it.
 */
async function resumeFrom(config: TrainConfig, checkpointDir: string, metricsFile: string, restart: boolean) {
  if (restart) {
    await rm(checkpointDir, { recursive: true, force: true });
    await rm(metricsFile, { force: true });
    await rm(path.join(config.out, "loss.svg"), { force: true });
    return undefined;
  }
  if (!(await hasCheckpoint(checkpointDir))) return undefined;
  let resume: Awaited<ReturnType<typeof loadCheckpoint>>;
  try {
    resume = await loadCheckpoint(checkpointDir);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new KilnError("bad_checkpoint", `cannot resume from ${checkpointDir}: ${message}; pass --restart to start this run over`);
  }
  const changed = changedSettings(config, resume.meta.model, resume.meta.train);
  if (changed.length) {
    tf.dispose([...resume.weights.values(), ...(resume.optimizer?.values() ?? []), ...(resume.adapters?.values() ?? [])]);
    throw new KilnError("bad_config", `${checkpointDir} was trained with different settings (${changed.join(", ")}); use the same settings to resume, or pass --restart to start over`);
  }
  return resume;
}

/** Settings a resumed run must share with its checkpoint (steps, logging, the learning rate and the backend may change). */
function changedSettings(config: TrainConfig, model: ModelConfig, saved: TrainConfig | undefined): string[] {
  const changed: string[] = [];
  const differs = (name: string, now: unknown, before: unknown) => {
    if (now !== undefined && JSON.stringify(now) !== JSON.stringify(before)) changed.push(`${name}: ${JSON.stringify(before)} → ${JSON.stringify(now)}`);
  };
  // A run that starts from another checkpoint takes that checkpoint's model; `init` is compared instead.
  if (!config.init) for (const key of Object.keys(config.model) as (keyof ModelConfig)[]) differs(`model.${key}`, config.model[key], model[key]);
  if (!saved) return changed;
  differs("contextLength", config.contextLength, saved.contextLength);
  differs("batchSize", config.batchSize, saved.batchSize);
  differs("gradAccumulation", config.gradAccumulation, saved.gradAccumulation);
  differs("seed", config.seed, saved.seed);
  for (const key of ["train", "phase", "sources", "maskedOnly"] as const) differs(`data.${key}`, config.data[key], saved.data[key]);
  differs("init", config.init, saved.init);
  differs("lora", config.lora, saved.lora);
  differs("objective", config.objective, saved.objective ?? "clm");
  differs("distill", config.distill, saved.distill);
  if (config.objective === "mlm") differs("mlm", config.mlm, saved.mlm);
  return changed;
}

async function readMetrics(file: string, upToStep: number): Promise<MetricRecord[]> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .flatMap((l) => {
      // A run killed while appending can leave its last line cut short.
      try {
        return [JSON.parse(l) as MetricRecord];
      } catch {
        return [];
      }
    })
    .filter((r) => r.step <= upToStep);
}

/** Everything a training run holds between steps: what it resumed or started from, its data, model and optimizer. */
interface TrainingRun {
  config: TrainConfig;
  kernels: Kernels;
  checkpointDir: string;
  metricsFile: string;
  base?: Awaited<ReturnType<typeof loadCheckpoint>>;
  blockSize: number;
  trainData: Awaited<ReturnType<typeof openSampler>>;
  model: ModelConfig;
  mlm?: ReturnType<typeof mlmSettings>;
  valData?: EvaluationSet;
  valByteLengths?: Uint32Array;
  params: Params;
  loraConfig?: LoraConfig;
  adapters?: Map<string, LoraAdapter>;
  optimizer: AdamW;
  distill?: Distillation;
  teacherCache?: Awaited<ReturnType<typeof cachedTeacher>>;
  state: TrainState;
  rng: Rng;
  step: number;
  nParams: number;
  peak: number;
  tokensPerStep: number;
}

/**
 * Pretraining, continual pretraining and fine-tuning (full or LoRA) in one loop. A run folder that
 * already holds a checkpoint resumes from it; each step's loss is read back only when it is logged,
 * validated or saved.
 */
export async function train(config: TrainConfig, options: TrainOptions): Promise<TrainResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const run = await openRun(config, options, log);
  const records = await readMetrics(run.metricsFile, run.step);
  // The file holds exactly the records up to the checkpoint; each new one is appended as it is logged.
  await writeFileAtomic(run.metricsFile, records.map((r) => JSON.stringify(r) + "\n").join(""));
  const record = async (r: MetricRecord) => {
    records.push(r);
    await appendFile(run.metricsFile, JSON.stringify(r) + "\n");
  };
  const lastStep = Math.min(config.steps, options.stopAfter ?? Infinity);
  const group = config.dataParallel > 1 && run.step < lastStep ? await DataParallelGroup.start(config.dataParallel, run.model, run.kernels, run.loraConfig) : undefined;
  let trained: { trainLosses: number[]; val?: ValidationResult };
  try {
    trained = await trainSteps(run, lastStep, group, record, () => saveRun(run, records), log);
  } finally {
    await group?.close();
  }
  await closeRun(run, log);
  const { step, params, adapters, model, checkpointDir } = run;
  return { step, ...trained, params, adapters, model, checkpointDir };
}

/** Resumes the run in `config.out`, or starts it from `config.init` or from scratch. */
async function openRun(config: TrainConfig, options: TrainOptions, log: (line: string) => void): Promise<TrainingRun> {
  const checkpointDir = path.join(config.out, "checkpoint");
  const metricsFile = path.join(config.out, "metrics.jsonl");
  await mkdir(config.out, { recursive: true });
  const kernels = options.kernels ?? (config.precision === "f16" ? halfPrecisionKernels() : kernelsFor());

  const resume = await resumeFrom(config, checkpointDir, metricsFile, options.restart ?? false);
  const base = !resume && config.init ? await loadCheckpoint(config.init.from) : undefined;
  const modelBlock = resume?.meta.model.blockSize ?? base?.meta.model.blockSize ?? config.model.blockSize;
  // Windows may be shorter than the model's context (an imported model's 4,096 positions on a CPU run).
  const blockSize = config.contextLength ?? modelBlock;
  if (blockSize > modelBlock) throw new KilnError("bad_config", `contextLength ${blockSize} is longer than the model's ${modelBlock} positions`);
  // Shard folders stream with at most two shards in memory; other data is packed in memory.
  const trainData = await openSampler(options.train, blockSize, config.seed, resume?.meta.data);
  const model: ModelConfig = resume?.meta.model ?? base?.meta.model ?? { ...config.model, vocabSize: config.model.vocabSize ?? trainData.vocabSize, ...(config.objective === "mlm" && config.mlm.nsp ? { nsp: true } : {}) };
  if (trainData.vocabSize > model.vocabSize) throw new Error(`data has token ids up to ${trainData.vocabSize - 1}, the model's vocabulary is ${model.vocabSize}`);
  if ((model.kind === "encoder") !== (config.objective === "mlm")) {
    throw new KilnError("bad_config", model.kind === "encoder" ? `an encoder trains with objective: mlm (got ${config.objective})` : `objective: mlm needs model.kind: encoder (got ${model.kind ?? "gpt2"})`);
  }
  // The data's tokenizer: each token's byte length for bits per byte, an encoder's special tokens.
  const dataTokenizer = options.val || config.objective === "mlm" ? await findTextTokenizer(trainData.tokenizerId, nearbyDirs(config.data.train)) : {};
  const mlm = config.objective === "mlm" ? mlmSettings(config.mlm.specialTokens, model.vocabSize, config.mlm.rate, dataTokenizer.tokenizer, trainData.eosId, config.mlm.nsp) : undefined;
  const windows = options.val ? await evaluationSet(options.val, blockSize, config.batchSize, config.evalBatches) : undefined;
  // Validation of an encoder: the same selection at every evaluation, drawn once from the seed.
  const valData = windows && mlm ? { ...windows, batches: windows.batches.map((b, i) => mlmBatch(b, mlm, mixSeed(config.seed, i))) } : windows;
  if (valData && dataTokenizer.missing) log(`validation reports no bits per byte: ${dataTokenizer.missing}`);
  // Bits per byte of masked tokens is not the text's compression: an encoder reports loss only.
  const valByteLengths = !mlm && dataTokenizer.tokenizer ? tokenByteLengths(dataTokenizer.tokenizer) : undefined;
  const params: Params = resume ? mapOf(resume.weights) : base ? mapOf(base.weights) : initParams(model, config.seed);
  const loraConfig = config.init?.mode === "lora" ? (config.lora ?? { rank: 8, alpha: 16, dropout: 0 }) : undefined;
  let adapters: Map<string, LoraAdapter> | undefined;
  if (loraConfig) adapters = resume?.adapters ? adaptersFromTensors(resume.adapters, loraConfig) : createAdapters(model, params, loraConfig, config.seed + 1);
  const trainable = adapters ? adapterVariables(adapters) : params;
  const optimizer = new AdamW(config.optim, trainable);
  const lossScale = config.precision === "f16" ? new DynamicLossScale() : undefined;
  if (resume?.optimizer) {
    optimizer.loadState(resume.meta.optimizerT ?? 0, resume.optimizer);
    lossScale?.loadState(resume.optimizer);
    tf.dispose([...resume.optimizer.values()]);
  }
  const distill = config.distill ? await loadTeacher(config, model, trainData.tokenizerId ?? base?.meta.tokenizerId, kernels) : undefined;
  const teacherCache = distill && config.distill?.cacheTopK ? await cachedTeacher(config, distill, options.train, blockSize, log) : undefined;
  if (distill && teacherCache) distill.cache = teacherCache;
  const state: TrainState = { config: model, params, trainable, adapters, optimizer, kernels, distill, lossScale };
  const rng = new Rng(resume?.meta.rngState ?? config.seed);
  const step = resume?.meta.step ?? 0;

  const nParams = parameterCount(model);
  const hardware = options.peakFlops !== undefined ? { flops: options.peakFlops, source: `${options.peakFlops} FLOP/s as given` } : await hardwarePeak();
  const peak = hardware.flops;
  log(`MFU against the hardware's peak: ${hardware.source}`);
  const tokensPerStep = config.batchSize * config.gradAccumulation * blockSize;
  log(`kiln train: ${JSON.stringify({ ...config, model })}`);
  log(`model ${nParams} parameters; ${trainData.summary}; ${tokensPerStep} tokens per step; kernels ${kernels.name}` +
    (resume ? `; resuming at step ${step}` : base ? `; from ${config.init!.from} (${config.init!.mode}, learning-rate re-warmup)` : ""));
  return { config, kernels, checkpointDir, metricsFile, base, blockSize, trainData, model, mlm, valData, valByteLengths, params, loraConfig, adapters, optimizer, distill, teacherCache, state, rng, step, nParams, peak, tokensPerStep };
}

/** Writes the run's checkpoint (and the LoRA adapter folder) at its current step, and the loss curve. */
async function saveRun(run: TrainingRun, records: MetricRecord[]): Promise<void> {
  const { config, trainData, base, adapters, loraConfig } = run;
  // Metrics run ahead of the checkpoint; a resume keeps only the records up to the checkpoint's
  // step, so each step is logged exactly once.
  await writeFileAtomic(path.join(config.out, "loss.svg"), lossCurveSvg(records));
  await saveCheckpoint(run.checkpointDir, {
    meta: {
      model: run.model, train: config, step: run.step, rngState: run.rng.state, data: trainData.position, optimizerT: run.optimizer.t,
      tokenizerId: trainData.tokenizerId ?? base?.meta.tokenizerId, eosId: trainData.eosId ?? base?.meta.eosId, sourceNames: trainData.sourceNames, lora: loraConfig,
    },
    weights: run.params,
    adapters: adapters ? adapterVariables(adapters) : undefined,
    optimizer: new Map([...run.optimizer.stateTensors(), ...(run.state.lossScale?.stateTensors() ?? [])]),
  });
  if (adapters && loraConfig) await saveAdapter(path.join(config.out, "adapter"), loraConfig, config.init?.from, adapterVariables(adapters));
}

/** The steps up to `lastStep`: a batch, an update, and the log, validation and checkpoint when due. */
async function trainSteps(
  run: TrainingRun,
  lastStep: number,
  group: DataParallelGroup | undefined,
  record: (r: MetricRecord) => Promise<void>,
  save: () => Promise<void>,
  log: (line: string) => void,
): Promise<{ trainLosses: number[]; val?: ValidationResult }> {
  const { config, trainData, mlm, valData, state, rng, model, loraConfig, tokensPerStep } = run;
  const trainLosses: number[] = [];
  let val: ValidationResult | undefined;
  let windowStart = performance.now();
  let windowTokens = 0;
  // Steps not yet read back: the GPU runs ahead, and the loop reads their losses in one
  // transfer when it logs, validates or saves.
  let unread: StepResult[] = [];
  const readBack = async () => {
    const { losses, gradNorm } = await readSteps(unread);
    unread = [];
    trainLosses.push(...losses);
    if (tf.getBackend() === "webgpu") await checkDevice();
    await state.lossScale?.check(run.step);
    return { loss: losses.at(-1)!, gradNorm };
  };
  while (run.step < lastStep) {
    const learningRate = learningRateAt(run.step, config.optim, config.steps);
    const batches: Batch[] = [];
    for (let i = 0; i < config.gradAccumulation; i++) {
      const batch = await trainData.next(config.batchSize);
      batches.push(mlm ? mlmBatch(batch, mlm, rng.seed()) : batch);
    }
    const seeds = model.dropout > 0 || (loraConfig?.dropout ?? 0) > 0 ? batches.map(() => rng.seed()) : [];
    unread.push(group ? await group.step(state, batches, learningRate, config.optim.gradClip) : trainStep(state, batches, learningRate, config.optim.gradClip, seeds, run.step * config.gradAccumulation));
    run.step += 1;
    const step = run.step;
    windowTokens += tokensPerStep;
    const atEnd = step === config.steps;
    const validating = valData !== undefined && ((config.evalEvery > 0 && step % config.evalEvery === 0) || atEnd);
    const saving = (config.checkpointEvery > 0 && step % config.checkpointEvery === 0) || step === lastStep;
    if (step % config.logEvery === 0 || step === lastStep) {
      const { loss, gradNorm } = await readBack();
      const seconds = (performance.now() - windowStart) / 1000;
      const tokensPerSecond = windowTokens / seconds;
      const mfu = (6 * run.nParams * tokensPerSecond) / run.peak;
      await record({ kind: "train", step, loss, learningRate, gradNorm, tokensPerSecond, mfu });
      log(`step ${step}/${config.steps} loss ${loss.toFixed(4)} lr ${learningRate.toExponential(2)} |g| ${gradNorm.toFixed(3)} ${tokensPerSecond.toFixed(0)} tok/s MFU ${(100 * mfu).toFixed(2)}%`);
      windowStart = performance.now();
      windowTokens = 0;
    } else if (validating || saving) await readBack();
    if (validating) {
      val = await validate(state, valData, run.valByteLengths);
      await record({ kind: "val", step, loss: val.loss, ...(val.bitsPerByte !== undefined ? { bitsPerByte: val.bitsPerByte } : {}), perSource: val.perSource });
      const bpb = val.bitsPerByte !== undefined ? ` (${val.bitsPerByte.toFixed(4)} bits/byte)` : "";
      log(`step ${step} val loss ${val.loss.toFixed(4)}${bpb} ` + Object.entries(val.perSource).map(([s, v]) => `${s} ${v.loss.toFixed(4)}`).join(" "));
    }
    if (saving) await save();
  }
  return { trainLosses, val };
}

/** The merged copy of a finished LoRA phase, and the run's resources released. */
async function closeRun(run: TrainingRun, log: (line: string) => void): Promise<void> {
  const { config, params, adapters, loraConfig, trainData, base, rng, step, model } = run;
  if (atEndOfPhase(step, config) && adapters && loraConfig?.experts === undefined) {
    // A merged copy: the adapted model as plain weights, loadable without LoRA.
    const merged = mapOf(new Map([...params].map(([k, v]) => [k, v.clone()])));
    mergeAdapters(merged, adapters);
    await saveCheckpoint(path.join(config.out, "merged"), { meta: { model, step, rngState: rng.state, tokenizerId: trainData.tokenizerId ?? base?.meta.tokenizerId, eosId: trainData.eosId ?? base?.meta.eosId }, weights: merged });
    disposeParams(merged);
  }
  run.optimizer.dispose();
  run.state.lossScale?.dispose();
  run.distill?.teacher.dispose?.();
  run.teacherCache?.close();
  await trainData.close?.();
  log(`checkpoint ${run.checkpointDir}; loss curve ${path.join(config.out, "loss.svg")}; metrics ${run.metricsFile}`);
}

/**
 * The frozen teacher of a distillation: its weights are never trainable and never updated. It
 * must read the student's token ids as the same text: the same tokenizer and vocabulary.
 */
async function loadTeacher(config: TrainConfig, student: ModelConfig, studentTokenizer: string | undefined, kernels: Kernels): Promise<Distillation> {
  const spec = config.distill!;
  const loaded = await loadFrozenModel(spec.teacher);
  const teacher = loaded.meta.model;
  const refuse = (message: string) => {
    loaded.dispose();
    return new KilnError("bad_config", `distill.teacher ${spec.teacher}: ${message}`);
  };
  if (teacher.kind === "encoder" || student.kind === "encoder") throw refuse("distillation is for causal models (gpt2, llama), not encoders");
  if (config.dataParallel > 1) throw refuse("distillation runs in one thread (dataParallel: 1)");
  if (studentTokenizer && loaded.meta.tokenizerId && studentTokenizer !== loaded.meta.tokenizerId) throw refuse(`the teacher's tokenizer is ${loaded.meta.tokenizerId}, the student's ${studentTokenizer}: they must be the same`);
  if (teacher.vocabSize !== student.vocabSize) throw refuse(`the teacher's vocabulary is ${teacher.vocabSize} ids, the student's ${student.vocabSize}: they must be the same`);
  return { teacher: { config: teacher, params: loaded.params, adapters: loaded.adapters, kernels, dispose: loaded.dispose }, alpha: spec.alpha, temperature: spec.temperature };
}

/** The teacher's top-k logits of every micro-batch of the run, built by a first pass over the same windows if not already there. */
async function cachedTeacher(config: TrainConfig, distill: Distillation, data: TokenDataset, blockSize: number, log: (line: string) => void) {
  const header: TeacherCacheHeader = { format: "kiln-teacher-topk-v1", teacher: path.resolve(config.distill!.teacher), topK: config.distill!.cacheTopK!, batchSize: config.batchSize, blockSize, microBatches: config.steps * config.gradAccumulation, seed: config.seed };
  await buildTeacherCache(config.out, header, distill, await openSampler(data, blockSize, config.seed), log);
  return openTeacherCache(config.out, header);
}

const atEndOfPhase = (step: number, config: TrainConfig) => step === config.steps;

export function disposeResult(result: TrainResult): void {
  disposeParams(result.params);
  if (result.adapters) disposeAdapters(result.adapters);
}
