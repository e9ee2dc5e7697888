/**
 * `kiln finetune`: the trainer's fine-tuning of a causal model on token data (full or LoRA), and,
 * with `--task classify|regress`, an encoder fine-tuned with a head on labelled text. The task
 * form lives here because it joins the classifier's labelled-data reader and metrics
 * (classifiers/) to the trainer's encoder (trainer/), which only the composition root may do.
 */
import path from "node:path";
import { defineCommand } from "citty";
import { evaluate, formatReport, readLabelled, type LabelledData } from "../classifiers/index.js";
import { numberFlag, enumFlag, positiveIntegerFlag, KilnError, writeFileAtomic, seededPermutation } from "../core/index.js";
import { describeSelection, selectBackend, finetuneArgs, runFinetune, fineTuneEncoder, predictTask, type TaskExample, kernelsFor, disposeParams } from "../trainer/index.js";

const log = (line: string) => process.stderr.write(line + "\n");

export interface TaskRunOptions {
  from: string;
  out: string;
  data: string[];
  val?: string[];
  task: "classify" | "regress";
  classes: number;
  pool: "cls" | "mean";
  textKey: string;
  labelKey: string;
  validation: number;
  steps: number;
  batchSize: number;
  learningRate: number;
  warmup: number;
  seed: number;
}

/**
 * Reads the labelled rows, holds out a seeded share for validation (or reads `val`), fine-tunes,
 * and evaluates on the held-out rows with the classifier's report: macro F1, accuracy, the
 * confusion matrix; for regression also the root-mean-square error and Pearson's r, with the
 * predictions rounded to labels for the class metrics (as FineWeb-Edu's classifier is scored).
 */
export async function runEncoderTask(options: TaskRunOptions): Promise<{ report: string; json: Record<string, unknown> }> {
  const read = (files: string[]) => readLabelled(files, { textKey: options.textKey, labelKey: options.labelKey, classes: options.classes, round: options.task === "classify" });
  const data = await read(options.data);
  const skipped = (d: LabelledData) => (Object.keys(d.skipped).length ? ` (skipped ${JSON.stringify(d.skipped)})` : "");
  let train: TaskExample[];
  let val: TaskExample[];
  if (options.val) {
    const held = await read(options.val);
    train = data.examples;
    val = held.examples;
    log(`${train.length} training rows${skipped(data)}, ${val.length} validation rows${skipped(held)}`);
  } else {
    const order = seededPermutation(data.examples.length, options.seed);
    const cut = Math.round(data.examples.length * options.validation);
    val = [...order.subarray(0, cut)].map((i) => data.examples[i]!);
    train = [...order.subarray(cut)].map((i) => data.examples[i]!);
    log(`${train.length} training rows, ${val.length} held out (${options.validation})${skipped(data)}`);
  }
  if (val.length === 0) throw new KilnError("no_input", "no validation rows: give --val or a larger --validation share");
  const selection = await selectBackend("auto");
  log(describeSelection(selection));
  const model = await fineTuneEncoder({
    from: options.from,
    out: options.out,
    task: { kind: options.task, outputs: options.task === "classify" ? options.classes : 1, pool: options.pool },
    train,
    steps: options.steps,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    warmupSteps: options.warmup,
    seed: options.seed,
    kernels: kernelsFor(selection.tfName),
    log,
  });
  const outputs = await predictTask(model, val.map((e) => e.text));
  disposeParams(model.params);
  const labels = val.map((e) => Math.round(e.label));
  const maxLabel = options.classes - 1;
  const json: Record<string, unknown> = { task: options.task, pool: options.pool, train: train.length, validation: val.length };
  let extra = "";
  let scores: number[];
  let predicted: number[];
  if (options.task === "classify") {
    scores = outputs.map((p) => p.reduce((s, x, c) => s + x * c, 0));
    predicted = outputs.map((p) => p.indexOf(Math.max(...p)));
  } else {
    const values = outputs.map((o) => o[0]!);
    const truth = val.map((e) => e.label);
    const rmse = Math.sqrt(values.reduce((s, v, i) => s + (v - truth[i]!) ** 2, 0) / values.length);
    json.rmse = rmse;
    json.pearson = pearson(values, truth);
    extra = `root-mean-square error ${rmse.toFixed(4)}, Pearson r ${(json.pearson as number).toFixed(4)}\n`;
    scores = values.map((v) => Math.min(maxLabel, Math.max(0, v)));
    predicted = scores.map((v) => Math.round(v));
  }
  const evaluation = evaluate(scores, predicted, labels, options.classes, Math.floor(options.classes / 2));
  json.evaluation = evaluation;
  await writeFileAtomic(path.join(options.out, "report.json"), JSON.stringify(json, null, 1) + "\n");
  return { report: extra + formatReport(evaluation), json };
}

function pearson(a: number[], b: number[]): number {
  const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const [ma, mb] = [mean(a), mean(b)];
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

export const finetuneWithTasks = defineCommand({
  meta: { name: "finetune", description: "Fine-tune a checkpoint (full or LoRA; the loss counts only tokens whose mask is 1), or with --task an encoder with a classification or regression head on labelled text" },
  args: {
    ...finetuneArgs,
    task: enumFlag("fine-tune an encoder checkpoint with a head on [CLS] (or --pool mean)", ["classify", "regress"]),
    classes: { type: "string", description: "--task: labels are 0..classes-1 (regress: the range predictions are clamped to)", default: "2" },
    pool: enumFlag("--task: the [CLS] vector (BERT) or the mean of the hidden states", ["cls", "mean"], "cls"),
    "text-key": { type: "string", description: "--task: field holding the text", default: "text" },
    "label-key": { type: "string", description: "--task: field holding the label", default: "label" },
    validation: { type: "string", description: "--task: held-out share when --val is not given", default: "0.1" },
    seed: { type: "string", description: "--task: seed of the split, the order and the head", default: "1" },
  },
  async run(context) {
    const { task, pool } = context.args;
    if (task === undefined) return runFinetune(context.args);
    const args = context.args as Record<string, string | undefined>;
    if (args.precision === "f16") throw new KilnError("usage", "--precision f16 trains causal models (kiln finetune without --task); an encoder task trains in f32");
    const files = (value: string) => value.split(",").map((f) => f.trim()).filter(Boolean);
    const { report } = await runEncoderTask({
      from: args.from!,
      out: args.out!,
      data: files(args.data!),
      ...(args.val ? { val: files(args.val) } : {}),
      task,
      classes: positiveIntegerFlag("classes", args.classes)!,
      pool,
      textKey: args["text-key"]!,
      labelKey: args["label-key"]!,
      validation: numberFlag("validation", args.validation!, { min: 0, max: 1 }),
      steps: positiveIntegerFlag("steps", args.steps)!,
      batchSize: positiveIntegerFlag("batch-size", args["batch-size"])!,
      learningRate: args.lr === undefined ? 3e-4 : numberFlag("lr", args.lr, { min: 0 }),
      warmup: numberFlag("warmup", args.warmup!, { integer: true, min: 0 }),
      seed: numberFlag("seed", args.seed!, { integer: true }),
    });
    process.stdout.write(report);
    log(`checkpoint ${path.join(args.out!, "checkpoint")}; report ${path.join(args.out!, "report.json")}`);
  },
});
