import { cp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../bin/embedders.js";
import { embedAll, loadEmbedder, type TextEmbedder } from "../../classifiers/embedder.js";
import { fitClassifier } from "../../classifiers/fit.js";
import { loadModel, scorerFor, type ModelRecord } from "../../classifiers/folder.js";
import "../../classifiers/index.js";
import { confusionMatrix, macroF1 } from "../../classifiers/metrics.js";
import type { ModelShape } from "../../classifiers/model.js";
import { DEFAULT_TRAIN, standardization, train, type Example } from "../../classifiers/train.js";
import { seededRandom } from "../../core/random.js";
import type { Doc } from "../../pipeline/doc.js";
import { selectBackend } from "../../trainer/backend.js";
import { tempDir } from "../pipeline/helpers.js";
import { EMBED_TEST_MODEL, trainByteGpt } from "../trainer/embed-fixture.js";
import { captureClassifierCli, runStage, salad } from "./helpers.js";

// Label 1 pages talk about pottery, label 0 pages about boats; both share filler words. The
// class words sit among the first 64 bytes the embedder reads (4 blocks of 16 byte tokens).
const filler = ["the", "a", "and", "of", "to", "in", "is", "it"];
const topics = [
  ["clay", "glaze", "kiln", "fired", "pot", "vase"],
  ["sail", "hull", "mast", "deck", "oar", "keel"],
];

function pages(n: number, seed: number): Example[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const label = random() < 0.5 ? 1 : 0;
    return { text: `${salad(topics[1 - label]!, 5, random)} ${salad(filler, 4, random)} ${salad(topics[1 - label]!, 3, random)}`, label };
  });
}

const training = pages(400, 1);
const heldOut = pages(200, 2);
let dir: string;
let checkpoint: string;
let embedder: TextEmbedder;

beforeAll(async () => {
  await selectBackend("wasm");
  dir = await tempDir("kiln-gpt-features-");
  checkpoint = await trainByteGpt(path.join(dir, "gpt"), training.map((e) => e.text));
  embedder = await loadEmbedder("gpt", checkpoint);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const denseShape = (): ModelShape => ({ features: { kind: "dense", dim: EMBED_TEST_MODEL.width }, head: "linear", hidden: 8, objective: "classification", classes: 2 });
const train80 = { ...DEFAULT_TRAIN, epochs: 20, patience: 5, validationFraction: 0.2 };

async function fitGpt(out: string, ckpt = checkpoint, examples = training, shape = denseShape()) {
  const data = { examples, skipped: {}, dataHash: "test" };
  const gpt = ckpt === checkpoint ? embedder : await loadEmbedder("gpt", ckpt);
  return fitClassifier({ data, sources: [], shape, train: train80, labelNames: ["negative", "positive"], binaryThreshold: 1, out, embedder: { kind: "gpt", checkpoint: ckpt, embedder: gpt } });
}

function f1On(predicted: number[], examples: Example[]): number {
  return macroF1(confusionMatrix(examples.map((e) => e.label), predicted, 2));
}

describe("GPT features for the quality classifier", () => {
  it("standardises with the training split's per-dimension mean and population std", () => {
    const vectors = Float32Array.from([1, 5, 3, 5, 8, 5]); // three rows of dim 2; column 2 is constant
    expect(standardization(vectors, 2, [0, 1, 2])).toEqual({ mean: [4, 5], std: [Math.sqrt(26 / 3), 1] });
    expect(standardization(vectors, 2, [0, 1])).toEqual({ mean: [2, 5], std: [1, 1] });
    // With no held-out share every example is in the training split.
    const examples = training.slice(0, 50);
    const embedded = embedAll(embedder, examples.map((e) => e.text));
    const result = train(examples, denseShape(), { ...DEFAULT_TRAIN, validationFraction: 0 }, embedded);
    const expected = standardization(embedded, EMBED_TEST_MODEL.width, examples.map((_, i) => i));
    // Summed in the split's shuffled order there: equal up to float64 rounding.
    result.standardization!.mean.forEach((m, j) => expect(m).toBeCloseTo(expected.mean[j]!, 12));
    result.standardization!.std.forEach((s, j) => expect(s).toBeCloseTo(expected.std[j]!, 12));
  });

  for (const head of ["linear", "mlp"] as const) {
    it(`learns a text-dependent label (${head} head), saves, reloads and scores identically`, async () => {
      const out = path.join(dir, `model-${head}`);
      const { saved, record } = await fitGpt(out, checkpoint, training, { ...denseShape(), head });
      expect(record.validation.macroF1).toBeGreaterThan(0.9);
      expect(saved!.featureHash).toBe("embedder:gpt");
      expect(saved!.embedder).toMatchObject({ kind: "gpt", checkpoint: path.resolve(checkpoint), id: embedder.id, dim: 16 });
      expect(saved!.embedder!.standardization.mean).toHaveLength(16);

      const loaded = await loadModel(out);
      const scorer = scorerFor(loaded);
      const predictions = scorer.predictBatch(heldOut.map((e) => e.text));
      // Chance is 0.5 for two balanced classes.
      expect(f1On(predictions.map((p) => p.label), heldOut)).toBeGreaterThan(0.9);
      // A second load scores bit for bit as the first. One document at a time pads differently
      // from a batch, so float32 sums round differently: equal to about 1e-6.
      const again = scorerFor(await loadModel(out));
      expect(again.predictBatch(heldOut.map((e) => e.text))).toEqual(predictions);
      heldOut.slice(0, 20).forEach((e, i) => expect(again.predict(e.text).score).toBeCloseTo(predictions[i]!.score, 5));
    });
  }

  it("refuses a model whose checkpoint changed, naming both ids", async () => {
    await cp(path.join(dir, "gpt"), path.join(dir, "gpt-b"), { recursive: true });
    const ckpt = path.join(dir, "gpt-b", "checkpoint");
    const out = path.join(dir, "model-b");
    await fitGpt(out, ckpt, training.slice(0, 40));
    const before = (JSON.parse(await readFile(path.join(out, "model.json"), "utf8")) as ModelRecord).embedder!.id;
    await trainByteGpt(path.join(dir, "gpt-b"), training.map((e) => e.text), 6); // resumes: 2 more steps
    const after = (await loadEmbedder("gpt", ckpt)).id;
    expect(after).not.toBe(before);
    const error = await loadModel(out).then(() => undefined, (e: Error) => e);
    expect(error?.message).toContain(before);
    expect(error?.message).toContain(after);
    expect(error?.message).toContain(ckpt);
  });

  it("the quality stage scores in batches as the scorer does, in order", async () => {
    const model = path.join(dir, "model-linear");
    const scorer = scorerFor(await loadModel(model));
    const docs: Doc[] = heldOut.slice(0, 7).map((e, i) => ({ id: String(i), text: e.text, meta: {} }));
    const expected = [...scorer.predictBatch(docs.slice(0, 3).map((d) => d.text)), ...scorer.predictBatch(docs.slice(3, 6).map((d) => d.text)), scorer.predict(docs[6]!.text)];
    const out = await runStage("quality", { model, batchSize: 3 }, docs);
    expect(out.map((d) => d.id)).toEqual(["0", "1", "2", "3", "4", "5", "6"]);
    out.forEach((d, i) => {
      expect(d.meta.quality).toBe(Number(expected[i]!.score.toFixed(6)));
      expect(d.meta.qualityLabel).toBe(expected[i]!.label);
    });
    const kept = await runStage("quality_filter", { minScore: 0.5, model }, heldOut.slice(0, 7).map((e, i) => ({ id: String(i), text: e.text, meta: {} })));
    expect(kept.map((d) => d.id)).toEqual(out.filter((d) => (d.meta.quality as number) >= 0.5).map((d) => d.id));
  });
});

describe("kiln classifier train --features gpt", () => {
  it("trains from positive/negative corpora, records the checkpoint, and eval scores with it", async () => {
    const positive = path.join(dir, "positive.jsonl");
    const negative = path.join(dir, "negative.jsonl");
    await writeFile(positive, training.filter((e) => e.label === 1).map((e) => JSON.stringify({ text: e.text })).join("\n") + "\n");
    await writeFile(negative, training.filter((e) => e.label === 0).map((e) => JSON.stringify({ text: e.text })).join("\n") + "\n");
    const model = path.join(dir, "cli-model");
    const printed = await captureClassifierCli(["train", "--features", "gpt", "--checkpoint", checkpoint, "--positive", positive, "--negative", negative, "--out", model, "--epochs", "20", "--patience", "5"]);
    expect(printed).toContain(`gpt features of ${path.resolve(checkpoint)} (dim 16`);
    const record = JSON.parse(await readFile(path.join(model, "model.json"), "utf8")) as ModelRecord;
    expect(record.shape.features).toEqual({ kind: "dense", dim: 16 });
    expect(record.embedder).toMatchObject({ kind: "gpt", checkpoint: path.resolve(checkpoint), id: embedder.id, dim: 16 });
    const heldPos = path.join(dir, "held-positive.jsonl");
    const heldNeg = path.join(dir, "held-negative.jsonl");
    await writeFile(heldPos, heldOut.filter((e) => e.label === 1).map((e) => JSON.stringify({ text: e.text })).join("\n") + "\n");
    await writeFile(heldNeg, heldOut.filter((e) => e.label === 0).map((e) => JSON.stringify({ text: e.text })).join("\n") + "\n");
    const report = JSON.parse(await captureClassifierCli(["eval", "--model", model, "--positive", heldPos, "--negative", heldNeg, "--json"])) as { macroF1: number; documents: number };
    expect(report.documents).toBe(200);
    expect(report.macroF1).toBeGreaterThan(0.9);
  });

  it("rejects inconsistent flags with one clear error", async () => {
    const labels = path.join(dir, "positive.jsonl");
    await expect(captureClassifierCli(["train", "--features", "gpt", "--positive", labels, "--negative", labels, "--out", path.join(dir, "x")])).rejects.toThrow("--features gpt needs --checkpoint");
    await expect(captureClassifierCli(["train", "--checkpoint", checkpoint, "--positive", labels, "--negative", labels, "--out", path.join(dir, "x")])).rejects.toThrow("--checkpoint is for embedding features");
    await expect(captureClassifierCli(["train", "--features", "bert", "--checkpoint", checkpoint, "--positive", labels, "--negative", labels, "--out", path.join(dir, "x")])).rejects.toThrow('none is registered under that name (registered: encoder, gpt;');
  });
});
