/**
 * The quality classifier's defaults on real, imbalanced labels: k-fold cross-validated F1 of the
 * positive class (label 1), pooled over the held-out folds, for `kiln classifier train` with its
 * defaults against the settings it had before (no class weights, the most probable label, words
 * and pairs only) and against each change alone, in the same run on the same folds.
 *
 * Data: a labelled JSONL file, `{text, label}` with label 0 or 1, e.g.
 * ../shared/bench/quality/hplt-unnatural-train.jsonl (label 1 = "unnatural"). Folds are
 * stratified by label and seeded. Per-language F1 of the defaults is printed when the rows have a
 * `language` field or an id ending in `-<lang>_<Script>` (HPLT's).
 *
 * When the `fasttext` command-line tool is on PATH (Debian package `fasttext`), it is trained and
 * scored on the same folds with the settings of the published anchor (`supervised -wordNgrams 2
 * -epoch 25 -lr 0.5 -dim 64`, one thread so the run repeats), as the last row.
 *
 *   npm run bench -- quality <labels.jsonl> [--folds 5] [--seed 7]
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_FEATURES } from "../classifiers/features.js";
import { fitClassifier } from "../classifiers/fit.js";
import type { LabelledData } from "../classifiers/labels.js";
import { binaryF1, evaluateByGroup } from "../classifiers/metrics.js";
import { TextScorer, type ModelShape } from "../classifiers/model.js";
import { DEFAULT_TRAIN, type Example, type TrainOptions } from "../classifiers/train.js";
import { seededRandom } from "../core/random.js";
import { formatTable } from "./_report.js";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { folds: { type: "string", default: "5" }, seed: { type: "string", default: "7" } } });
const file = positionals[0];
if (!file) throw new Error("usage: npm run bench -- quality <labels.jsonl> [--folds 5] [--seed 7]");
const folds = Number(values.folds);

interface Row extends Example {
  group: string;
}
const rows: Row[] = (await readFile(file, "utf8"))
  .split("\n")
  .filter((line) => line.trim())
  .map((line) => {
    const row = JSON.parse(line) as { id?: string; text: string; label: number; language?: string };
    return { text: row.text, label: row.label, group: row.language ?? /-([a-z]{3}_[A-Z][a-z]{3})$/.exec(row.id ?? "")?.[1] ?? "all" };
  });

// Stratified folds: each label's rows in seeded random order, dealt round-robin.
const random = seededRandom(Number(values.seed));
const fold = new Int32Array(rows.length);
for (const label of [0, 1]) {
  const ids = rows.flatMap((r, i) => (r.label === label ? [i] : []));
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  ids.forEach((id, k) => (fold[id] = k % folds));
}

interface Variant {
  name: string;
  statistics: boolean;
  train: Partial<TrainOptions>;
}
const variants: Variant[] = [
  { name: "before: no class weights, argmax, words and pairs (baseline)", statistics: false, train: { classWeights: "none", decisionThreshold: "argmax" } },
  { name: "balanced class weights only", statistics: false, train: { classWeights: "balanced", decisionThreshold: "argmax" } },
  { name: "balanced + threshold chosen on validation", statistics: false, train: {} },
  { name: "kiln classifier train defaults (+ text statistics)", statistics: true, train: {} },
];

const results: string[][] = [["variant", "F1 (label 1)", "precision", "recall", "predicted 1", "ratio"]];
let baseline = 0;
/** Positive F1 of the last variant, Kiln's defaults. */
let defaultsF1 = 0;
let defaultsByGroup: ReturnType<typeof evaluateByGroup> = [];
for (const variant of variants) {
  const predicted = new Int32Array(rows.length);
  for (let f = 0; f < folds; f++) {
    const training = rows.filter((_, i) => fold[i] !== f);
    const data: LabelledData = { examples: training, skipped: {}, dataHash: "" };
    const shape: ModelShape = { features: { ...DEFAULT_FEATURES, textStatistics: variant.statistics }, head: "linear", hidden: 16, objective: "classification", classes: 2 };
    const { record, weights } = await fitClassifier({ data, sources: [file], shape, train: { ...DEFAULT_TRAIN, ...variant.train }, labelNames: ["0", "1"], binaryThreshold: 1 });
    const scorer = new TextScorer(record.shape, weights);
    rows.forEach((row, i) => {
      if (fold[i] === f) predicted[i] = scorer.predict(row.text).label;
    });
  }
  const truth = rows.map((r) => r.label);
  const score = binaryF1(truth, predicted, 1);
  if (!baseline) baseline = score.f1;
  defaultsF1 = score.f1;
  const count = predicted.reduce((a, b) => a + b, 0);
  results.push([variant.name, score.f1.toFixed(3), score.precision.toFixed(3), score.recall.toFixed(3), String(count), (score.f1 / baseline).toFixed(2)]);
  defaultsByGroup = evaluateByGroup(rows.map((r) => r.group), predicted, truth, 2, 1);
}

/** The published anchor's fastText settings (one thread, so the run repeats). */
const FASTTEXT_SETTINGS = ["-wordNgrams", "2", "-epoch", "25", "-lr", "0.5", "-dim", "64"];

function fasttext(args: string[]): string {
  const result = spawnSync("fasttext", args, { encoding: "utf8", maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`fasttext ${args[0]} failed: ${result.stderr.trim().split("\n").pop()}`);
  return result.stdout;
}

/** fastText's CLI on the same folds: its predicted label per row, or null when it is not installed. */
async function fasttextPredictions(): Promise<Int32Array | null> {
  if (spawnSync("fasttext", [], { encoding: "utf8" }).error) return null;
  const dir = await mkdtemp(path.join(os.tmpdir(), "kiln-bench-quality-"));
  const oneLine = (text: string) => text.replace(/\s+/g, " ");
  const predicted = new Int32Array(rows.length);
  try {
    for (let f = 0; f < folds; f++) {
      const held = rows.flatMap((_, i) => (fold[i] === f ? [i] : []));
      await writeFile(path.join(dir, "train.txt"), rows.filter((_, i) => fold[i] !== f).map((r) => `__label__${r.label} ${oneLine(r.text)}`).join("\n") + "\n");
      await writeFile(path.join(dir, "test.txt"), held.map((i) => oneLine(rows[i]!.text)).join("\n") + "\n");
      fasttext(["supervised", "-input", path.join(dir, "train.txt"), "-output", path.join(dir, "model"), ...FASTTEXT_SETTINGS, "-thread", "1", "-verbose", "0"]);
      const labels = fasttext(["predict", path.join(dir, "model.bin"), path.join(dir, "test.txt")]).trim().split("\n");
      if (labels.length !== held.length) throw new Error(`fasttext predict gave ${labels.length} labels for ${held.length} texts`);
      held.forEach((i, k) => (predicted[i] = labels[k]!.trim() === "__label__1" ? 1 : 0));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return predicted;
}

const fasttextPredicted = await fasttextPredictions();
let fasttextNote = "fasttext: not installed (Debian package `fasttext`); its row is skipped";
if (fasttextPredicted) {
  const score = binaryF1(rows.map((r) => r.label), fasttextPredicted, 1);
  const count = fasttextPredicted.reduce((a, b) => a + b, 0);
  results.push([`fasttext CLI: supervised ${FASTTEXT_SETTINGS.join(" ")}`, score.f1.toFixed(3), score.precision.toFixed(3), score.recall.toFixed(3), String(count), (score.f1 / baseline).toFixed(2)]);
  const lead = defaultsF1 - score.f1;
  fasttextNote = `kiln defaults - fasttext CLI: ${lead >= 0 ? "+" : ""}${lead.toFixed(3)} F1`;
}

const positives = rows.filter((r) => r.label === 1).length;
console.log(`${file}: ${rows.length} texts, ${positives} labelled 1 (${((100 * positives) / rows.length).toFixed(1)}%); ${folds}-fold cross-validation, stratified, seed ${values.seed}; F1 pooled over the held-out folds\n`);
console.log(formatTable(results));
console.log(fasttextNote);
if (defaultsByGroup.length > 1) {
  console.log("\nper language, kiln classifier train defaults:\n");
  console.log(formatTable([["language", "texts", "labelled 1", "predicted 1", "F1 (label 1)"], ...defaultsByGroup.map((g) => [g.group, String(g.documents), String(g.labelledPositive), String(g.predictedPositive), g.binaryF1.toFixed(3)])]));
}
