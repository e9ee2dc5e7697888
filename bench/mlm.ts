/**
 * Masked language modelling on real token shards: a small encoder (`model.kind: encoder`,
 * `objective: mlm`) trained on the shards' train split, scored on their validation split with
 * BERT's selection (the same seeded selection for every row), against the unigram baseline built
 * from the same training tokens: predict the most frequent ordinary token (accuracy), or score
 * each target by its training frequency (loss, add-one smoothed).
 *
 *   npm run bench -- mlm <shards> [--steps 600] [--layers 2] [--width 64] [--block 64] [--batch 16]
 *                        [--source web] [--cls <|bos|>] [--sep <|eos|>] [--mask <|start_header_id|>] [--pad <|pad|>]
 *
 * The demo's shards (`kiln demo`, `<out>/shards`) have no [MASK] token; by default the encoder's
 * roles go to special tokens that tokenizer has and the web documents never contain.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { describeSelection, selectBackend } from "../trainer/backend.js";
import { trainConfigSchema } from "../trainer/config.js";
import { openTokenData } from "../trainer/data.js";
import { evaluationSet } from "../trainer/evaluation.js";
import { kernelsFor } from "../trainer/kernels.js";
import { maskedTokenAccuracy, mlmBatch, mlmSettings } from "../trainer/mlm.js";
import { mixSeed } from "../core/random.js";
import { findTextTokenizer } from "../trainer/tokenizer.js";
import { disposeResult, train } from "../trainer/train.js";
import { formatTable } from "./_report.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    steps: { type: "string", default: "600" },
    layers: { type: "string", default: "2" },
    width: { type: "string", default: "64" },
    block: { type: "string", default: "64" },
    batch: { type: "string", default: "16" },
    source: { type: "string", default: "web" },
    cls: { type: "string", default: "<|bos|>" },
    sep: { type: "string", default: "<|eos|>" },
    mask: { type: "string", default: "<|start_header_id|>" },
    pad: { type: "string", default: "<|pad|>" },
  },
});
const shards = positionals[0];
if (!shards) {
  process.stderr.write("usage: npm run bench -- mlm <token shards> [--steps 600] [--layers 2] [--width 64] [--block 64] [--batch 16]\n");
  process.exit(2);
}
const log = (line: string) => process.stderr.write(line + "\n");
const selection = await selectBackend("auto");
log(describeSelection(selection));
const dir = await mkdtemp(path.join(os.tmpdir(), "kiln-bench-mlm-"));
try {
  const specialTokens = { cls: values.cls!, sep: values.sep!, mask: values.mask!, pad: values.pad! };
  const blockSize = Number(values.block);
  const batchSize = Number(values.batch);
  const config = trainConfigSchema.parse({
    out: dir,
    model: { kind: "encoder", layers: Number(values.layers), heads: 4, width: Number(values.width), blockSize, dropout: 0 },
    data: { train: path.resolve(shards), sources: [values.source] },
    objective: "mlm",
    mlm: { rate: 0.15, specialTokens },
    steps: Number(values.steps),
    batchSize,
    optim: { learningRate: 2e-3, minLearningRate: 2e-4, warmupSteps: 50 },
    evalEvery: 0,
    checkpointEvery: 0,
    logEvery: 100,
    seed: 1,
  });
  const trainData = await openTokenData(config.data.train, undefined, { sources: config.data.sources });
  const valData = await openTokenData(config.data.train, undefined, { split: "val", sources: config.data.sources });
  const started = performance.now();
  const result = await train(config, { train: trainData, val: valData, kernels: kernelsFor(selection.tfName), log });
  const seconds = (performance.now() - started) / 1000;

  const { tokenizer } = await findTextTokenizer(trainData.tokenizerId, [path.resolve(shards), path.dirname(path.resolve(shards))]);
  const settings = mlmSettings(specialTokens, result.model.vocabSize, 0.15, tokenizer, trainData.eosId);
  const set = await evaluationSet(valData, blockSize, batchSize, Infinity);
  const batches = set.batches.map((b, i) => mlmBatch(b, settings, mixSeed(7, i)));
  const model = await maskedTokenAccuracy({ config: result.model, params: result.params, kernels: kernelsFor(selection.tfName) }, batches);
  disposeResult(result);

  // The unigram baseline, from the ordinary tokens of the training split.
  const counts = new Float64Array(result.model.vocabSize);
  let total = 0;
  for await (const doc of trainData.documents()) {
    for (const id of doc.tokens) {
      if (settings.special[id]) continue;
      counts[id]! += 1;
      total += 1;
    }
  }
  let top = 0;
  for (let id = 1; id < counts.length; id++) if (counts[id]! > counts[top]!) top = id;
  const ordinary = counts.length - settings.special.reduce((a, b) => a + b, 0);
  let hits = 0;
  let nats = 0;
  let n = 0;
  for (const batch of batches) {
    for (let i = 0; i < batch.mask.length; i++) {
      if (batch.mask[i] === 0) continue;
      const target = batch.targets[i]!;
      n++;
      if (target === top) hits++;
      nats -= Math.log((counts[target]! + 1) / (total + ordinary));
    }
  }
  process.stdout.write(
    formatTable([
      ["masked tokens of the validation split", "accuracy", "loss (nats)", "scored"],
      [`encoder ${result.model.layers}×${result.model.width}, ${config.steps} steps (${seconds.toFixed(0)} s)`, model.accuracy.toFixed(4), model.loss.toFixed(4), String(model.tokens)],
      ["baseline: unigram of the training split", (hits / n).toFixed(4), (nats / n).toFixed(4), String(n)],
      ["ratio (encoder / unigram)", (model.accuracy / (hits / n)).toFixed(2), (model.loss / (nats / n)).toFixed(3), ""],
    ]) + "\n",
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
