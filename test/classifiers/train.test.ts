import { describe, expect, it } from "vitest";
import { loadModel, saveModel } from "../../classifiers/folder.js";
import { TextScorer, type ModelShape } from "../../classifiers/model.js";
import { bestF1Threshold, DEFAULT_TRAIN, train, type Example } from "../../classifiers/train.js";
import { seededRandom } from "../../core/random.js";
import { confusionMatrix, macroF1 } from "../../classifiers/metrics.js";
import { tempDir } from "../pipeline/helpers.js";
import { salad } from "./helpers.js";

const vocab = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const shared = vocab("common", 200);
const good = vocab("good", 10);
const bad = vocab("bad", 10);

/** Label 1: shared words plus a few words of `good`; label 0: the same with `bad`. Separable. */
function toy(n: number, seed: number, flip = 0): { examples: Example[]; truth: number[] } {
  const random = seededRandom(seed);
  const examples: Example[] = [];
  const truth: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = random() < 0.5 ? 1 : 0;
    const text = salad(shared, 20 + Math.floor(random() * 100), random) + " " + salad(label ? good : bad, 4, random);
    truth.push(label);
    examples.push({ text, label: random() < flip ? 1 - label : label });
  }
  return { examples, truth };
}

const shape = (head: "linear" | "mlp", objective: "classification" | "regression" = "classification", classes = 2): ModelShape => ({
  features: { buckets: 1 << 16, wordNgrams: 2, maxWords: 5000 },
  head,
  hidden: 8,
  objective,
  classes,
});

function accuracyOn(scorer: TextScorer, examples: Example[], truth: number[]): number {
  let right = 0;
  examples.forEach((e, i) => (right += scorer.predict(e.text).label === truth[i] ? 1 : 0));
  return right / examples.length;
}

describe("training", () => {
  for (const head of ["linear", "mlp"] as const) {
    it(`learns a separable problem to 100% (${head} head)`, () => {
      const { examples } = toy(2000, 1);
      const result = train(examples, shape(head), { ...DEFAULT_TRAIN, learningRate: head === "mlp" ? 0.2 : 0.5 });
      expect(result.validation.labels.length).toBe(200);
      expect(result.history.at(-1)!.validationMacroF1).toBeGreaterThanOrEqual(0.99);
      const test = toy(1000, 99);
      expect(accuracyOn(new TextScorer(shape(head), result.weights), test.examples, test.truth)).toBeGreaterThanOrEqual(0.99);
    });
  }

  it("on 20% flipped labels, recovers the clean rule and scores ~80% against the noisy labels", () => {
    const { examples } = toy(4000, 2, 0.2);
    const result = train(examples, shape("linear"), { ...DEFAULT_TRAIN, learningRate: 0.1, epochs: 5 });
    const test = toy(2000, 77, 0.2);
    const scorer = new TextScorer(shape("linear"), result.weights);
    const clean = accuracyOn(scorer, test.examples, test.truth);
    const noisy = accuracyOn(scorer, test.examples, test.examples.map((e) => e.label));
    // The best possible accuracy against labels flipped with p = 0.2 is 0.8 (+-0.018 at 2 sigma, n = 2000);
    // a classifier of clean accuracy a scores 0.8a + 0.2(1 - a) against them.
    expect(clean).toBeGreaterThanOrEqual(0.95);
    expect(noisy).toBeGreaterThan(0.74);
    expect(noisy).toBeLessThan(0.83);
  });

  it("regression on a planted 0–5 grade recovers the grade", () => {
    const random = seededRandom(5);
    const make = (n: number) =>
      Array.from({ length: n }, () => {
        const label = Math.floor(random() * 6);
        return { text: `${salad(shared, 60, random)} grade${label} grade${label}x`, label };
      });
    const result = train(make(3000), shape("linear", "regression", 6), { ...DEFAULT_TRAIN, learningRate: 0.2 });
    const scorer = new TextScorer(shape("linear", "regression", 6), result.weights);
    const test = make(600);
    const predicted = test.map((e) => scorer.predict(e.text).label);
    expect(macroF1(confusionMatrix(test.map((e) => e.label), predicted, 6))).toBeGreaterThan(0.9);
  });

  it("chooses the decision threshold with the best positive F1, between two scores, never splitting equal ones", () => {
    // Cut below 0.9: F1 2/3; below 0.8: 1/2; below 0.7: tp 2, fp 1, fn 0 -> 4/5; below 0.4: 2/3; all: 4/7.
    expect(bestF1Threshold([0.3, 0.9, 0.4, 0.8, 0.7], [0, 1, 0, 0, 1])).toEqual({ threshold: 0.55, f1: 0.8 });
    // 0.6 twice, one positive and one negative: no cut-off between them.
    expect(bestF1Threshold([0.6, 0.6, 0.2], [1, 0, 0])).toEqual({ threshold: 0.4, f1: 2 / 3 });
    expect(bestF1Threshold([0.6, 0.2], [0, 0])).toBeUndefined();
  });

  it("a two-class model's decision threshold sets the label; without one the label is the argmax", () => {
    const { examples } = toy(300, 4);
    const s = shape("linear");
    const result = train(examples, s, DEFAULT_TRAIN);
    const plain = new TextScorer(s, result.weights);
    const strict = new TextScorer({ ...s, decisionThreshold: 0.999999 }, result.weights);
    const lenient = new TextScorer({ ...s, decisionThreshold: 0 }, result.weights);
    for (const e of examples.slice(0, 30)) {
      const p = plain.predict(e.text);
      expect(p.label).toBe(p.score > 0.5 ? 1 : 0);
      expect(strict.predict(e.text)).toEqual({ score: p.score, label: p.score >= 0.999999 ? 1 : 0 });
      expect(lenient.predict(e.text).label).toBe(1);
    }
  });

  it("balanced class weights (the default for classification) find a rare class that unweighted training ignores", () => {
    // 8% positives whose only mark is one of 10 words among 200 shared ones.
    const random = seededRandom(21);
    const examples: Example[] = Array.from({ length: 1500 }, () => {
      const label = random() < 0.08 ? 1 : 0;
      return { text: salad(shared, 30, random) + (label ? " " + salad(good, 1, random) : ""), label };
    });
    const recall = (options: typeof DEFAULT_TRAIN) => {
      const result = train(examples, shape("linear"), { ...options, epochs: 3 });
      const { labels, predicted } = result.validation;
      const positives = labels.filter((l) => l === 1).length;
      return predicted.filter((p, i) => p === 1 && labels[i] === 1).length / positives;
    };
    expect(DEFAULT_TRAIN.classWeights).toBe("auto");
    expect(recall(DEFAULT_TRAIN)).toBeGreaterThan(recall({ ...DEFAULT_TRAIN, classWeights: "none" }));
  });

  it("saves and loads a model folder with identical predictions", async () => {
    const { examples } = toy(300, 3);
    const s = shape("mlp");
    const result = train(examples, s, DEFAULT_TRAIN);
    const dir = await tempDir("kiln-classifier-");
    const record = await saveModel(dir, { shape: s, labelNames: ["negative", "positive"], binaryThreshold: 1, training: {} as never, validation: {} as never, calibrationScores: [] }, result.weights);
    const loaded = await loadModel(dir);
    expect(loaded.record.weights.sha256).toBe(record.weights.sha256);
    const before = new TextScorer(s, result.weights);
    const after = new TextScorer(loaded.record.shape, loaded.weights);
    for (const e of examples.slice(0, 20)) expect(after.predict(e.text).score).toBe(before.predict(e.text).score);
  });
});
