/**
 * The hashed word+bigram quality classifier (classifiers/) against a baseline measured in the
 * same run: a plain bag-of-words logistic regression with a Map vocabulary (no hashing, no
 * bigrams, regex tokenizer), trained with the same SGD schedule, normalisation and epochs.
 *
 * A second Kiln row adds the text-statistics tokens (`kiln classifier train`'s default), so their
 * cost in scoring shows beside the words-and-pairs row.
 *
 * Data: the sample corpus (datasets/sample) pages with a quality label; text = truth mainText,
 * label = high (1) vs low (0). 80/20 seeded split; macro F1 on the held-out 20%. Throughput:
 * training and scoring sets are the training split cycled up to --train-docs / --score-docs
 * documents. Training docs/s counts document passes (docs x epochs) and includes featurising.
 * MB are 10^6 bytes of UTF-8 text. Wall clock and CPU time (user + system) are both printed:
 * on a shared machine the wall clock also counts time waiting for a core.
 *
 *   npm run bench -- classifier [--pages 2000] [--runs 3] [--train-docs 20000] [--score-docs 20000] [--epochs 5]
 *                               [--checkpoint <dir> [--gpt-docs 1000] [--gpt-blocks 4] [--gpt-head linear|mlp]]
 *
 * With --checkpoint (a Kiln GPT checkpoint folder, e.g. <demo run>/model/pretrain/checkpoint) a
 * row for GPT features is added: the mean-pooled hidden states (trainer/embed.ts) of the first
 * --gpt-blocks blocks into the same linear head, with the same epochs and learning rate (or an
 * MLP head of 16 hidden units at learning rate 0.2, with --gpt-head mlp). Its baseline is the
 * hashed row of the same run. Embedding dominates its cost, so its throughput sets are the
 * training split cycled to --gpt-docs documents; its training docs/s is, as for the other rows,
 * document passes (docs x epochs) per second, with every document embedded once.
 *
 * When the `fasttext` command-line tool is on PATH it is trained and scored on the same split
 * (-wordNgrams 2 -bucket 262144 -dim 10, same epochs and lr); otherwise that column is skipped.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { embedAll } from "../classifiers/embedder.js";
import type { FeatureConfig } from "../classifiers/features.js";
import { confusionMatrix, macroF1 } from "../classifiers/metrics.js";
import { EmbeddingScorer, TextScorer, type ModelShape } from "../classifiers/model.js";
import { DEFAULT_TRAIN, train, type Example } from "../classifiers/train.js";
import { seededRandom } from "../core/random.js";
import { generateSample } from "../datasets/sample/index.js";
import { median } from "./_report.js";

const { values } = parseArgs({
  options: {
    pages: { type: "string", default: "2000" },
    runs: { type: "string", default: "3" },
    "train-docs": { type: "string", default: "20000" },
    "score-docs": { type: "string", default: "20000" },
    epochs: { type: "string", default: "5" },
    checkpoint: { type: "string" },
    "gpt-docs": { type: "string", default: "1000" },
    "gpt-blocks": { type: "string", default: "4" },
    "gpt-head": { type: "string", default: "linear" },
  },
});
const runs = Number(values.runs);
const epochs = Number(values.epochs);
const learningRate = DEFAULT_TRAIN.learningRate;

async function loadExamples(): Promise<Example[]> {
  const outDir = await mkdtemp(path.join(os.tmpdir(), "kiln-bench-classifier-"));
  try {
    const { truthFile } = await generateSample({ outDir, seed: 11, pages: Number(values.pages) });
    const examples: Example[] = [];
    for (const line of (await readFile(truthFile, "utf8")).split("\n")) {
      if (!line.trim()) continue;
      const truth = JSON.parse(line) as { quality: "high" | "low" | null; mainText: string };
      if (truth.quality && truth.mainText) examples.push({ text: truth.mainText, label: truth.quality === "high" ? 1 : 0 });
    }
    return examples;
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/** The baseline: Map vocabulary of whole lowercased words, binary L2-normalised bag, logistic regression by SGD. */
class BagOfWordsLogistic {
  private readonly vocabulary = new Map<string, number>();
  private weights: number[] = [];
  private bias = 0;

  private ids(text: string, grow: boolean): number[] {
    const ids = new Set<number>();
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}\p{M}]+/gu) ?? []) {
      let id = this.vocabulary.get(word);
      if (id === undefined && grow) {
        id = this.vocabulary.size;
        this.vocabulary.set(word, id);
        this.weights.push(0);
      }
      if (id !== undefined) ids.add(id);
    }
    return [...ids];
  }

  private logit(ids: number[]): number {
    let sum = 0;
    for (const id of ids) sum += this.weights[id]!;
    return this.bias + (ids.length ? sum / Math.sqrt(ids.length) : 0);
  }

  fit(examples: Example[], random: () => number): void {
    const featurized = examples.map((e) => ({ ids: this.ids(e.text, true), label: e.label }));
    const total = epochs * featurized.length;
    let step = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = featurized.map((_, i) => i).sort(() => random() - 0.5);
      for (const i of order) {
        const { ids, label } = featurized[i]!;
        const lr = learningRate * (1 - step++ / total);
        const gradient = 1 / (1 + Math.exp(-this.logit(ids))) - label;
        this.bias -= lr * gradient;
        const scaled = ids.length ? (lr * gradient) / Math.sqrt(ids.length) : 0;
        for (const id of ids) this.weights[id]! -= scaled;
      }
    }
  }

  predict(text: string): number {
    return 1 / (1 + Math.exp(-this.logit(this.ids(text, false))));
  }
}

const hashed: FeatureConfig = { buckets: 1 << 18, wordNgrams: 2, maxWords: 5000 };
const shape: ModelShape = { features: hashed, head: "linear", hidden: 16, objective: "classification", classes: 2 };

function timed<T>(work: () => T): { result: T; wall: number; cpu: number } {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const result = work();
  const cpu = process.cpuUsage(cpuStart);
  return { result, wall: (performance.now() - start) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

const cycle = <T>(items: T[], n: number) => Array.from({ length: n }, (_, i) => items[i % items.length]!);
const f1Of = (truth: number[], predicted: number[]) => macroF1(confusionMatrix(truth, predicted, 2));

const examples = await loadExamples();
const random = seededRandom(3);
const shuffled = [...examples].sort(() => random() - 0.5);
const cut = Math.floor(shuffled.length * 0.8);
const trainSplit = shuffled.slice(0, cut);
const testSplit = shuffled.slice(cut);
const truth = testSplit.map((e) => e.label);
const trainSet = cycle(trainSplit, Number(values["train-docs"]));
const scoreTexts = cycle(trainSplit, Number(values["score-docs"])).map((e) => e.text);
const scoreMB = scoreTexts.reduce((sum, t) => sum + Buffer.byteLength(t), 0) / 1e6;
const meanKB = (scoreMB * 1000) / scoreTexts.length;

interface Row {
  name: string;
  trainDocsPerSecond: number;
  trainCpuDocsPerSecond: number;
  scoreDocsPerSecond: number;
  scoreCpuDocsPerSecond: number;
  f1: number;
}

function measure(name: string, fit: (set: Example[]) => (text: string) => number): Row {
  const trainWall: number[] = [];
  const trainCpu: number[] = [];
  const scoreWall: number[] = [];
  const scoreCpu: number[] = [];
  let predict: (text: string) => number = () => 0;
  for (let r = 0; r < runs; r++) {
    const t = timed(() => fit(trainSet));
    trainWall.push(t.wall);
    trainCpu.push(t.cpu);
    predict = t.result;
    const s = timed(() => {
      let sum = 0;
      for (const text of scoreTexts) sum += predict(text);
      return sum;
    });
    scoreWall.push(s.wall);
    scoreCpu.push(s.cpu);
  }
  // Held-out F1 from a model trained on the training split alone (not the cycled copy).
  const model = fit(trainSplit);
  const f1 = f1Of(truth, testSplit.map((e) => (model(e.text) >= 0.5 ? 1 : 0)));
  const passes = trainSet.length * epochs;
  return {
    name,
    trainDocsPerSecond: passes / median(trainWall),
    trainCpuDocsPerSecond: passes / median(trainCpu),
    scoreDocsPerSecond: scoreTexts.length / median(scoreWall),
    scoreCpuDocsPerSecond: scoreTexts.length / median(scoreCpu),
    f1,
  };
}

const kiln = measure("kiln hashed word+bigram", (set) => {
  const result = train(set, shape, { ...DEFAULT_TRAIN, epochs, patience: epochs, validationFraction: 0 });
  const scorer = new TextScorer(shape, result.weights);
  return (text) => scorer.predict(text).score;
});
const styledShape: ModelShape = { ...shape, features: { ...hashed, textStatistics: true } };
const styled = measure("kiln + text statistics", (set) => {
  const result = train(set, styledShape, { ...DEFAULT_TRAIN, epochs, patience: epochs, validationFraction: 0 });
  const scorer = new TextScorer(styledShape, result.weights);
  return (text) => scorer.predict(text).score;
});
const baseline = measure("baseline Map bag-of-words LR", (set) => {
  const model = new BagOfWordsLogistic();
  model.fit(set, seededRandom(4));
  return (text) => model.predict(text);
});

function fasttextColumn(): string {
  const probe = spawnSync("fasttext", [], { encoding: "utf8" });
  if (probe.error) return "fasttext: not installed (Debian package `fasttext`); column skipped";
  return "fasttext: installed; see the row below";
}

const rows = [kiln, styled, baseline];
const fasttextNote = fasttextColumn();
if (!fasttextNote.includes("not installed")) rows.push(await runFasttext());
const gpt = values.checkpoint ? await measureGpt(values.checkpoint) : undefined;
if (gpt) rows.push(gpt.row);

/** GPT features: embed, standardise, the same linear head. Timed in this thread, like the hashed row. */
async function measureGpt(checkpoint: string): Promise<{ row: Row; note: string }> {
  const { loadCheckpointEmbedder } = await import("../trainer/embed.js");
  const embedder = await loadCheckpointEmbedder(checkpoint, { maxBlocks: Number(values["gpt-blocks"]) });
  const head = values["gpt-head"] === "mlp" ? "mlp" : "linear";
  const gptShape: ModelShape = { ...shape, head, features: { kind: "dense", dim: embedder.dim } };
  const options = { ...DEFAULT_TRAIN, epochs, patience: epochs, validationFraction: 0, learningRate: head === "mlp" ? 0.2 : learningRate };
  const fit = (set: Example[]) => {
    const result = train(set, gptShape, options, embedAll(embedder, set.map((e) => e.text)));
    return new EmbeddingScorer(gptShape, result.weights, embedder, result.standardization!);
  };
  const gptTrainSet = cycle(trainSplit, Number(values["gpt-docs"]));
  const gptScoreTexts = cycle(trainSplit, Number(values["gpt-docs"])).map((e) => e.text);
  const trainWall: number[] = [];
  const trainCpu: number[] = [];
  const scoreWall: number[] = [];
  const scoreCpu: number[] = [];
  let scorer: EmbeddingScorer | undefined;
  for (let r = 0; r < runs; r++) {
    const t = timed(() => fit(gptTrainSet));
    trainWall.push(t.wall);
    trainCpu.push(t.cpu);
    scorer = t.result;
    const s = timed(() => {
      let sum = 0;
      for (let at = 0; at < gptScoreTexts.length; at += 256) for (const p of scorer!.predictBatch(gptScoreTexts.slice(at, at + 256))) sum += p.score;
      return sum;
    });
    scoreWall.push(s.wall);
    scoreCpu.push(s.cpu);
  }
  const model = fit(trainSplit);
  const f1 = f1Of(truth, model.predictBatch(testSplit.map((e) => e.text)).map((p) => (p.score >= 0.5 ? 1 : 0)));
  embedder.dispose();
  const { model: config } = embedder;
  const passes = gptTrainSet.length * epochs;
  return {
    row: {
      name: `kiln GPT states, ${head} head`,
      trainDocsPerSecond: passes / median(trainWall),
      trainCpuDocsPerSecond: passes / median(trainCpu),
      scoreDocsPerSecond: gptScoreTexts.length / median(scoreWall),
      scoreCpuDocsPerSecond: gptScoreTexts.length / median(scoreCpu),
      f1,
    },
    note: `GPT: ${path.resolve(checkpoint)} (${config.layers} layers, width ${config.width}, block ${config.blockSize}, vocab ${config.vocabSize}; tokenizer ${embedder.tokenizer.id}); first ${values["gpt-blocks"]} blocks; ${gptTrainSet.length} docs embedded per training run and ${gptScoreTexts.length} per scoring run`,
  };
}

async function runFasttext(): Promise<Row> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "kiln-bench-fasttext-"));
  const line = (e: Example) => `__label__${e.label} ${e.text.replace(/\s+/g, " ")}`;
  await writeFile(path.join(dir, "train.txt"), trainSet.map(line).join("\n") + "\n");
  await writeFile(path.join(dir, "split.txt"), trainSplit.map(line).join("\n") + "\n");
  await writeFile(path.join(dir, "test.txt"), testSplit.map((e) => e.text.replace(/\s+/g, " ")).join("\n") + "\n");
  await writeFile(path.join(dir, "score.txt"), scoreTexts.map((t) => t.replace(/\s+/g, " ")).join("\n") + "\n");
  const args = ["-wordNgrams", "2", "-bucket", String(hashed.buckets), "-dim", "10", "-epoch", String(epochs), "-lr", String(learningRate), "-thread", "1", "-verbose", "0"];
  const run = (a: string[]) => spawnSync("fasttext", a, { encoding: "utf8", maxBuffer: 1 << 30 });
  const trainRun = timed(() => run(["supervised", "-input", path.join(dir, "train.txt"), "-output", path.join(dir, "big"), ...args]));
  const scoreRun = timed(() => run(["predict", path.join(dir, "big.bin"), path.join(dir, "score.txt")]));
  run(["supervised", "-input", path.join(dir, "split.txt"), "-output", path.join(dir, "split"), ...args]);
  const predicted = run(["predict", path.join(dir, "split.bin"), path.join(dir, "test.txt")]).stdout.trim().split("\n").map((l) => (l.trim() === "__label__1" ? 1 : 0));
  await rm(dir, { recursive: true, force: true });
  // A child process: its CPU time is not in process.cpuUsage, so wall clock stands in for both.
  return {
    name: "fasttext CLI (1 thread)",
    trainDocsPerSecond: (trainSet.length * epochs) / trainRun.wall,
    trainCpuDocsPerSecond: (trainSet.length * epochs) / trainRun.wall,
    scoreDocsPerSecond: scoreTexts.length / scoreRun.wall,
    scoreCpuDocsPerSecond: scoreTexts.length / scoreRun.wall,
    f1: f1Of(truth, predicted),
  };
}

const n = (x: number) => Math.round(x).toLocaleString("en-US").padStart(10);
const mb = (docsPerSecond: number) => ((docsPerSecond * scoreMB) / scoreTexts.length).toFixed(2).padStart(8);
console.log(`data: sample corpus (${values.pages} pages, seed 11): ${examples.length} labelled pages (${examples.filter((e) => e.label === 1).length} high, ${examples.filter((e) => e.label === 0).length} low), mean ${meanKB.toFixed(2)} KB`);
console.log(`split 80/20: ${trainSplit.length} train, ${testSplit.length} held out; throughput on ${trainSet.length} training docs x ${epochs} epochs and ${scoreTexts.length} scored docs (${scoreMB.toFixed(1)} MB); median of ${runs} runs, one thread`);
console.log("");
console.log("model                            train docs/s  (CPU)      score docs/s  (CPU)       score MB/s (CPU)   held-out macro F1");
for (const row of rows) {
  console.log(
    `${row.name.padEnd(32)} ${n(row.trainDocsPerSecond)} ${n(row.trainCpuDocsPerSecond)}   ${n(row.scoreDocsPerSecond)} ${n(row.scoreCpuDocsPerSecond)}   ${mb(row.scoreDocsPerSecond)} ${mb(row.scoreCpuDocsPerSecond)}   ${row.f1.toFixed(4)}`,
  );
}
console.log("");
console.log(`ratio kiln / baseline: training ${(kiln.trainCpuDocsPerSecond / baseline.trainCpuDocsPerSecond).toFixed(2)}x, scoring ${(kiln.scoreCpuDocsPerSecond / baseline.scoreCpuDocsPerSecond).toFixed(2)}x (CPU time); macro F1 ${(kiln.f1 - baseline.f1 >= 0 ? "+" : "")}${(kiln.f1 - baseline.f1).toFixed(4)}`);
console.log(`time to train on 100,000 such documents x ${epochs} epochs (extrapolated from CPU rate): ${((100_000 * epochs) / kiln.trainCpuDocsPerSecond).toFixed(1)} s`);
console.log(fasttextNote);
if (gpt) {
  console.log(gpt.note);
  console.log(`ratio GPT / hashed: scoring ${(gpt.row.scoreCpuDocsPerSecond / kiln.scoreCpuDocsPerSecond).toFixed(4)}x (CPU time); macro F1 ${(gpt.row.f1 - kiln.f1 >= 0 ? "+" : "")}${(gpt.row.f1 - kiln.f1).toFixed(4)}`);
}
