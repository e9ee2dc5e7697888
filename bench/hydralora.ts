/**
 * LoRA against HydraLoRA on a multi-task instruction mixture, at (about) the same number of
 * trainable parameters. Three clearly different tasks, written here:
 *
 *   greet     "Greet Kalo."                    → "Hello, Kalo!"
 *   count     "Count from 3 to 7."             → "3, 4, 5, 6, 7."
 *   reverse   "Reverse: river boat garden"     → "garden boat river"
 *
 * mixed in equal shares into chatml shards (15% of each task held out), then the same base model
 * (a `kiln demo` run's pretrained GPT, with its tokenizer) is fine-tuned with LoRA (the baseline)
 * and with HydraLoRA (`--experts` B matrices), each with every seed; the table gives each task's
 * validation loss (on the answer tokens) per method, averaged over seeds, and the difference.
 *
 *   npm run bench -- hydralora <demo run folder> [--steps 400] [--experts 3] [--rank 4] [--lr 3e-3] [--seeds 1,2]
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { runMixture } from "../datasets/mixture/mix.js";
import { resolveMixture } from "../datasets/mixture/spec.js";
import { describeSelection, selectBackend } from "../trainer/backend.js";
import { loadCheckpoint } from "../trainer/checkpoint.js";
import { trainConfigSchema, type LoraConfig } from "../trainer/config.js";
import { openTokenData } from "../trainer/data.js";
import { kernelsFor } from "../trainer/kernels.js";
import { adapterVariables, createAdapters, disposeAdapters } from "../trainer/lora.js";
import { disposeParams, initParams } from "../trainer/model.js";
import { mixSeed, Rng } from "../core/random.js";
import { loadDatasetTokenizer } from "../trainer/tokenizer.js";
import { disposeResult, train } from "../trainer/train.js";
import { formatTable } from "./_report.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    steps: { type: "string", default: "400" },
    experts: { type: "string", default: "3" },
    rank: { type: "string", default: "4" },
    lr: { type: "string", default: "3e-3" },
    seeds: { type: "string", default: "1,2" },
  },
});
const run = positionals[0];
if (!run) {
  process.stderr.write("usage: npm run bench -- hydralora <kiln demo run folder> [--steps 400] [--experts 3] [--rank 4] [--lr 3e-3] [--seeds 1,2]\n");
  process.exit(2);
}
const log = (line: string) => process.stderr.write(line + "\n");
const selection = await selectBackend("auto");
log(describeSelection(selection));
const kernels = kernelsFor(selection.tfName);
const base = path.resolve(run, "model", "pretrain", "checkpoint");
const dir = await mkdtemp(path.join(os.tmpdir(), "kiln-bench-hydra-"));

const rng = new Rng(11);
const pick = <T>(list: readonly T[]) => list[Math.floor(rng.next() * list.length)]!;
const SYLLABLES = ["ka", "lo", "mi", "ru", "sen", "ta", "vo", "ne", "di", "po"];
const WORDS = ["river", "boat", "garden", "market", "house", "teacher", "farmer", "window", "bread", "stone", "field", "letter"];
const TASKS: Record<string, () => { instruction: string; input: string; output: string }> = {
  greet: () => {
    const name = pick(SYLLABLES) + pick(SYLLABLES);
    const cap = name[0]!.toUpperCase() + name.slice(1);
    return { instruction: `Greet ${cap}.`, input: "", output: `Hello, ${cap}!` };
  },
  count: () => {
    const from = 1 + Math.floor(rng.next() * 6);
    const to = from + 2 + Math.floor(rng.next() * 4);
    return { instruction: `Count from ${from} to ${to}.`, input: "", output: Array.from({ length: to - from + 1 }, (_, i) => from + i).join(", ") + "." };
  },
  reverse: () => {
    const words = Array.from({ length: 3 + Math.floor(rng.next() * 2) }, () => pick(WORDS));
    return { instruction: `Reverse: ${words.join(" ")}`, input: "", output: [...words].reverse().join(" ") };
  },
};

/** Trainable parameters of a LoRA configuration on the base model. */
function adapterSize(lora: LoraConfig, model: Parameters<typeof createAdapters>[0], params: Parameters<typeof createAdapters>[1]): number {
  const adapters = createAdapters(model, params, lora, 1);
  const n = [...adapterVariables(adapters).values()].reduce((s, v) => s + v.size, 0);
  disposeAdapters(adapters);
  return n;
}

try {
  const loaded = await loadCheckpoint(base);
  const tokenizerId = loaded.meta.tokenizerId!;
  const sources: Record<string, unknown> = {};
  for (const [task, make] of Object.entries(TASKS)) {
    const file = path.join(dir, `${task}.json`);
    await writeFile(file, JSON.stringify(Array.from({ length: 300 }, make)));
    sources[task] = { path: file, format: "alpaca", template: "chatml", weight: 1, maxEpochs: 100 };
  }
  const mixture = resolveMixture({ tokenizer: tokenizerId.replace(/^kiln-bpe:/, ""), sources, validation: { fraction: 0.15, perSource: true }, seed: 1 }, path.join(dir, "mixture.yaml"));
  const shards = path.join(dir, "shards");
  await runMixture(mixture, { out: shards, tokenizer: await loadDatasetTokenizer(tokenizerId, [path.resolve(run)]) });

  const rank = Number(values.rank);
  const experts = Number(values.experts);
  const hydra: LoraConfig = { rank, alpha: 2 * rank, dropout: 0, experts };
  tf.dispose([...loaded.weights.values(), ...(loaded.optimizer?.values() ?? [])]);
  // Adapter sizes depend on the shapes only: count them on a fresh model of the same config.
  const shapeParams = initParams(loaded.meta.model, 1);
  const hydraSize = adapterSize(hydra, loaded.meta.model, shapeParams);
  // The LoRA rank whose size is nearest HydraLoRA's: LoRA's size is linear in its rank.
  const perRank = adapterSize({ rank: 1, alpha: 2, dropout: 0 }, loaded.meta.model, shapeParams);
  const loraRank = Math.max(1, Math.round(hydraSize / perRank));
  const plain: LoraConfig = { rank: loraRank, alpha: 2 * loraRank, dropout: 0 };
  const plainSize = loraRank * perRank;
  disposeParams(shapeParams);

  const seeds = values.seeds!.split(",").map(Number);
  const steps = Number(values.steps);
  const lr = Number(values.lr);
  const results: Record<string, Record<string, number[]>> = { lora: {}, hydralora: {} };
  for (const [method, lora] of [["lora", plain], ["hydralora", hydra]] as const) {
    for (const seed of seeds) {
      const config = trainConfigSchema.parse({
        out: path.join(dir, `${method}-${seed}`),
        data: { train: shards, maskedOnly: true },
        steps,
        batchSize: 8,
        optim: { learningRate: lr, minLearningRate: lr / 10, warmupSteps: 20, weightDecay: 0 },
        seed: mixSeed(seed, 1),
        evalEvery: 0,
        evalBatches: 1000,
        checkpointEvery: 0,
        logEvery: steps,
        init: { from: base, mode: "lora" },
        lora,
      });
      const result = await train(config, { train: await openTokenData(shards, undefined, { maskedOnly: true }), val: await openTokenData(shards, undefined, { split: "val" }), kernels, log });
      for (const [task, v] of Object.entries(result.val!.perSource)) (results[method]![task] ??= []).push(v.loss);
      disposeResult(result);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rows = [["validation loss on the answers", `LoRA rank ${loraRank} (${plainSize} params) — baseline`, `HydraLoRA rank ${rank} × ${experts} experts (${hydraSize} params)`, "difference"]];
  for (const task of Object.keys(TASKS)) {
    const a = mean(results.lora![task]!);
    const b = mean(results.hydralora![task]!);
    rows.push([task, a.toFixed(4), b.toFixed(4), (b - a).toFixed(4)]);
  }
  const all = (m: string) => mean(Object.keys(TASKS).map((t) => mean(results[m]![t]!)));
  rows.push(["mean over tasks", all("lora").toFixed(4), all("hydralora").toFixed(4), (all("hydralora") - all("lora")).toFixed(4)]);
  process.stdout.write(formatTable(rows) + "\n");
  process.stdout.write(`${steps} steps of 8 windows, lr ${lr}, seeds ${seeds.join(", ")} (means over seeds); base ${base}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
