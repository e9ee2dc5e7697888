/**
 * The masked-LM encoder: BERT's selection and corruption counted over 100k positions against
 * binomial bounds, special tokens and padding never selected, attention that really looks both
 * ways and never at padding, the loss on the selected positions only (against a hand sum over the
 * plain forward pass), and a tiny encoder that learns a planted copy task through `train`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../trainer/backend.js";
import type { Batch } from "../../trainer/batch.js";
import type { ModelConfig } from "../../trainer/config.js";
import { encoderInputs, maskedTokenAccuracy, maskTokens, mlmBatch, mlmSettings, sentencePairInputs } from "../../trainer/mlm.js";
import { disposeParams, forward, hiddenStates, initParams, nextSentenceLogits, parameterShapes, plainKernels } from "../../trainer/model.js";
import { Rng } from "../../core/random.js";
import { batchLoss, batchTensors, disposeBatchTensors } from "../../trainer/step.js";
import { train } from "../../trainer/train.js";
import { tinyTrainConfig } from "./helpers.js";

const specials = { cls: 0, sep: 1, mask: 2, pad: 3 };
const EOS = 4;

/** Windows of random ordinary ids (5 … V−1) with an end-of-text here and there; `padFrom` rows end in unmasked positions. */
function windows(B: number, T: number, V: number, seed: number, padFrom = B): Batch {
  const rng = new Rng(seed);
  const n = B * T;
  const inputs = Int32Array.from({ length: n }, () => (rng.next() < 0.03 ? EOS : 5 + Math.floor(rng.next() * (V - 5))));
  const mask = new Float32Array(n).fill(1);
  for (let b = padFrom; b < B; b++) for (let i = Math.floor(T / 2); i < T; i++) mask[b * T + i] = 0;
  return { batchSize: B, blockSize: T, inputs, targets: new Int32Array(n), mask, sources: new Uint16Array(n) };
}

beforeAll(async () => {
  await selectBackend("cpu");
});

describe("MLM selection (BERT's 15% and 80/10/10)", () => {
  const V = 500;
  const settings = mlmSettings(specials, V, 0.15, undefined, EOS);
  const B = 250;
  const T = 402;
  const original = encoderInputs(windows(B, T, V, 7, 200), specials);
  const batch = maskTokens(encoderInputs(windows(B, T, V, 7, 200), specials), settings, 11);

  it("frames each window as [CLS] tokens [SEP] and pads the positions that carry no token", () => {
    expect(original.inputs[0]).toBe(specials.cls);
    expect(original.inputs[T - 1]).toBe(specials.sep);
    // A padded row: half of its window carried tokens.
    const row = 220 * T;
    const sep = original.inputs.subarray(row, row + T).indexOf(specials.sep);
    expect(sep).toBe(1 + Math.floor(T / 2));
    expect([...original.inputs.subarray(row + sep + 1, row + T)].every((id) => id === specials.pad)).toBe(true);
    expect([...original.attention.subarray(row, row + T)].map((a, i) => (i <= sep ? a === 1 : a === 0)).every(Boolean)).toBe(true);
  });

  it("selects max(1, round(0.15·n)) of each sequence's ordinary tokens, never a special token or padding", () => {
    let selected = 0;
    let eligible = 0;
    for (let b = 0; b < B; b++) {
      let n = 0;
      let k = 0;
      for (let i = b * T; i < (b + 1) * T; i++) {
        const ordinary = original.attention[i] === 1 && original.inputs[i]! >= 5;
        if (ordinary) n++;
        if (batch.mask[i] === 1) {
          k++;
          expect(ordinary, `position ${i}`).toBe(true);
          expect(batch.targets[i]).toBe(original.inputs[i]);
        }
      }
      expect(k).toBe(Math.max(1, Math.round(0.15 * n)));
      selected += k;
      eligible += n;
    }
    expect(eligible).toBeGreaterThan(80_000);
    expect(selected / eligible).toBeCloseTo(0.15, 2);
  });

  it("replaces 80% by [MASK], 10% by a random ordinary token, leaves 10%, within 4σ binomial bounds", () => {
    let masked = 0;
    let unchanged = 0;
    let random = 0;
    let total = 0;
    for (let i = 0; i < batch.inputs.length; i++) {
      if (batch.mask[i] === 1) {
        total++;
        if (batch.inputs[i] === specials.mask) masked++;
        else if (batch.inputs[i] === original.inputs[i]) unchanged++;
        else {
          random++;
          expect(batch.inputs[i]!).toBeGreaterThanOrEqual(5);
        }
      } else expect(batch.inputs[i]).toBe(original.inputs[i]);
    }
    // A random replacement equal to the original (1 in 495) counts as unchanged.
    const within = (count: number, p: number) => expect(Math.abs(count - p * total)).toBeLessThan(4 * Math.sqrt(total * p * (1 - p)));
    within(masked, 0.8);
    within(random, 0.1 * (1 - 1 / 495));
    within(unchanged, 0.1 + 0.1 / 495);
    // Where in the sequence: as many selections in the first half of the rows as in the second.
    let first = 0;
    let firstEligible = 0;
    for (let i = 0; i < batch.inputs.length; i++) {
      if (i % T >= T / 2 || original.attention[i] === 0 || original.inputs[i]! < 5) continue;
      firstEligible++;
      if (batch.mask[i] === 1) first++;
    }
    expect(Math.abs(first - 0.15 * firstEligible)).toBeLessThan(4 * Math.sqrt(firstEligible * 0.15 * 0.85));
  });

  it("draws the same selection from the same seed, another from another", () => {
    const again = maskTokens(encoderInputs(windows(B, T, V, 7, 200), specials), settings, 11);
    expect(again.inputs).toEqual(batch.inputs);
    const other = maskTokens(encoderInputs(windows(B, T, V, 7, 200), specials), settings, 12);
    expect(other.mask).not.toEqual(batch.mask);
  });

  it("refuses a special token the tokenizer does not have, naming the role", () => {
    expect(() => mlmSettings({ ...specials, mask: 900 }, V, 0.15, undefined, EOS)).toThrow(/mlm\.specialTokens\.mask: id 900/);
    expect(() => mlmSettings({ ...specials, cls: "[CLS]" }, V, 0.15, undefined, EOS)).toThrow(/mlm\.specialTokens\.cls: "\[CLS\]" needs the data's tokenizer/);
  });
});

describe("next-sentence pairs (nsp: true)", () => {
  const V = 300;
  const B = 400;
  const T = 21;
  const settings = mlmSettings(specials, V, 0.15, undefined, EOS, true);
  const window = windows(B, T, V, 5);
  const pairs = mlmBatch(window, settings, 9);

  it("frames [CLS] A [SEP] B [SEP]: B continues A's window (IsNext) or is another window's (NotNext), about half each", () => {
    const half = Math.floor((T - 3) / 2);
    const unmasked = sentencePairInputs(window, specials, new Rng(1));
    let next = 0;
    for (let b = 0; b < B; b++) {
      const row = [...unmasked.inputs.subarray(b * T, (b + 1) * T)];
      const segments = [...unmasked.segments.subarray(b * T, (b + 1) * T)];
      expect(row[0]).toBe(specials.cls);
      expect(row[half + 1]).toBe(specials.sep);
      expect(row[T - 1]).toBe(specials.sep);
      expect(row.slice(1, half + 1)).toEqual([...window.inputs.subarray(b * T, b * T + half)]);
      expect(segments).toEqual(row.map((_, i) => (i <= half + 1 ? 0 : 1)));
      const second = row.slice(half + 2, T - 1);
      const own = [...window.inputs.subarray(b * T + half, b * T + T - 3)];
      if (unmasked.nextSentence[b] === 1) {
        next++;
        expect(second).toEqual(own);
      } else {
        const from = [...Array(B).keys()].filter((o) => o !== b && second.every((id, i) => id === window.inputs[o * T + half + i]));
        expect(from.length, `row ${b}`).toBeGreaterThan(0);
      }
    }
    expect(Math.abs(next - B / 2)).toBeLessThan(4 * Math.sqrt(B / 4));
    // Selection still avoids the special tokens, and the pair labels travel with the batch.
    for (let i = 0; i < pairs.inputs.length; i++) if (pairs.mask[i] === 1) expect([specials.cls, specials.sep, specials.pad, EOS]).not.toContain(pairs.targets[i]);
    expect(pairs.nextSentence).toHaveLength(B);
  });

  it("adds the next-sentence head's cross-entropy to the masked-LM loss", () => {
    const config: ModelConfig = { kind: "encoder", vocabSize: V, blockSize: T, layers: 1, heads: 2, width: 16, dropout: 0, nsp: true };
    const params = initParams(config, 2);
    const few: Batch = { ...pairs, batchSize: 3, inputs: pairs.inputs.slice(0, 3 * T), targets: pairs.targets.slice(0, 3 * T), mask: pairs.mask.slice(0, 3 * T), sources: pairs.sources.slice(0, 3 * T), attention: pairs.attention!.slice(0, 3 * T), segments: pairs.segments!.slice(0, 3 * T), nextSentence: pairs.nextSentence!.slice(0, 3) };
    const t = batchTensors(few);
    const { logits, hidden } = tf.tidy(() => {
      const h = hiddenStates(config, params, t.ids, { attention: t.attention, segments: t.segments, kernels: plainKernels });
      return { logits: forward(config, params, t.ids, { attention: t.attention, segments: t.segments, kernels: plainKernels }).arraySync(), hidden: h.arraySync() };
    });
    const nll = (row: number[], target: number) => {
      const max = Math.max(...row);
      return Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0)) + max - row[target]!;
    };
    const selected = [...few.mask.keys()].filter((i) => few.mask[i] === 1);
    const mlm = selected.reduce((s, i) => s + nll(logits[i]!, few.targets[i]!), 0) / selected.length;
    const W = params.get("nsp.w")!.arraySync() as number[][];
    const bias = params.get("nsp.b")!.arraySync() as number[];
    let nsp = 0;
    for (let b = 0; b < 3; b++) {
      const cls = hidden[b * T]!;
      nsp += nll([0, 1].map((c) => cls.reduce((s, x, j) => s + x * W[j]![c]!, bias[c]!)), few.nextSentence![b]!);
    }
    const loss = tf.tidy(() => batchLoss({ config, params, kernels: plainKernels }, t).arraySync() as number);
    expect(loss).toBeCloseTo(mlm + nsp / 3, 4);
    disposeBatchTensors(t);
    disposeParams(params);
  });
});

describe("the encoder", () => {
  const config: ModelConfig = { kind: "encoder", vocabSize: 13, blockSize: 8, layers: 2, heads: 2, width: 16, dropout: 0 };
  const params = initParams(config, 3);
  afterAll(() => disposeParams(params));

  it("has segment embeddings and BERT's tied masked-LM head beside gpt2's blocks", () => {
    const names = parameterShapes(config).map(([name]) => name);
    expect(names.slice(0, 3)).toEqual(["wte", "wpe", "wtt"]);
    expect(names.slice(-5)).toEqual(["mlm.dense.w", "mlm.dense.b", "mlm.ln.g", "mlm.ln.b", "mlm.bias"]);
    expect(names).not.toContain("lm_head.w");
  });

  const logitsOf = (ids: number[], attention?: number[], segments?: number[]) =>
    tf.tidy(() => forward(config, params, tf.tensor2d([ids], [1, ids.length], "int32"), { attention: attention && tf.tensor2d([attention], [1, ids.length]), segments: segments && tf.tensor2d([segments], [1, ids.length], "int32") }).arraySync());

  it("attends both ways: a token at position 5 changes the outputs at positions 0 … 4", () => {
    const a = logitsOf([0, 5, 6, 7, 8, 9, 10, 1]);
    const b = logitsOf([0, 5, 6, 7, 8, 11, 10, 1]);
    for (let t = 0; t < 5; t++) expect(Math.max(...a[t]!.map((x, j) => Math.abs(x - b[t]![j]!)))).toBeGreaterThan(1e-4);
  });

  it("never attends to padding: whatever the padded positions hold, the others' outputs stay", () => {
    const attention = [1, 1, 1, 1, 1, 0, 0, 0];
    const a = logitsOf([0, 5, 6, 7, 1, 3, 3, 3], attention);
    const b = logitsOf([0, 5, 6, 7, 1, 9, 12, 4], attention);
    for (let t = 0; t < 5; t++) for (let j = 0; j < 13; j++) expect(b[t]![j]!).toBeCloseTo(a[t]![j]!, 5);
  });

  it("adds the segment embedding: sentence B reads differently from sentence A", () => {
    const a = logitsOf([0, 5, 6, 1, 7, 8, 1, 3], undefined, [0, 0, 0, 0, 0, 0, 0, 0]);
    const b = logitsOf([0, 5, 6, 1, 7, 8, 1, 3], undefined, [0, 0, 0, 0, 1, 1, 1, 0]);
    expect(Math.abs(a[4]![0]! - b[4]![0]!)).toBeGreaterThan(1e-5);
    for (let j = 0; j < 13; j++) expect(b[7]![j]).not.toBe(a[7]![j]);
  });

  it("scores the selected positions only: the loss equals the hand mean of −log p(original) over them", () => {
    const settings = mlmSettings(specials, 13, 0.3, undefined, EOS);
    const window: Batch = { batchSize: 2, blockSize: 8, inputs: Int32Array.from([5, 6, 7, 8, 9, 10, 11, 12, 12, 11, 10, 9, 8, 7, 6, 5]), targets: new Int32Array(16), mask: new Float32Array(16).fill(1), sources: new Uint16Array(16) };
    const batch = mlmBatch(window, settings, 5);
    const selected = [...batch.mask.keys()].filter((i) => batch.mask[i] === 1);
    expect(selected).toHaveLength(4); // round(0.3 · 6) per row
    const logits = tf.tidy(() => forward(config, params, tf.tensor2d(batch.inputs, [2, 8], "int32"), { attention: tf.tensor2d(batch.attention!, [2, 8]), kernels: plainKernels }).arraySync());
    let hand = 0;
    for (const i of selected) {
      const row = logits[i]!;
      const max = Math.max(...row);
      hand += Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0)) + max - row[batch.targets[i]!]!;
    }
    const t = batchTensors(batch);
    const loss = tf.tidy(() => batchLoss({ config, params, kernels: plainKernels }, t).arraySync() as number);
    disposeBatchTensors(t);
    expect(loss).toBeCloseTo(hand / selected.length, 5);
  });
});

describe("training an encoder (objective: mlm)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "kiln-mlm-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("learns a planted copy task: each document repeats one token, so a masked token is any of its neighbours", async () => {
    const V = 24;
    const rng = new Rng(9);
    const docs = (n: number) => Array.from({ length: n }, () => ({ tokens: new Array(40).fill(5 + Math.floor(rng.next() * (V - 5))) as number[], source: "copy" }));
    const trainDocs = docs(200);
    const valDocs = docs(20);
    const config = tinyTrainConfig(dir, {
      model: { kind: "encoder", vocabSize: V, blockSize: 12, layers: 1, heads: 2, width: 32, dropout: 0 },
      objective: "mlm",
      mlm: { rate: 0.15, nsp: false, specialTokens: specials },
      steps: 150,
      batchSize: 8,
      gradAccumulation: 1,
      evalEvery: 0,
      evalBatches: 8,
      logEvery: 50,
      optim: { learningRate: 1e-2, minLearningRate: 1e-3, warmupSteps: 10, weightDecay: 0, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, gradClip: 1 },
    });
    const result = await train(config, { train: { vocabSize: V, documents: () => trainDocs }, val: { vocabSize: V, documents: () => valDocs }, kernels: plainKernels, log: () => {} });
    // The same validation selection train() scored, drawn again.
    const { evaluationSet } = await import("../../trainer/evaluation.js");
    const { mixSeed } = await import("../../core/random.js");
    const settings = mlmSettings(specials, V, 0.15, undefined, undefined);
    const set = await evaluationSet({ vocabSize: V, documents: () => valDocs }, 12, 8, 8);
    const batches = set.batches.map((b, i) => mlmBatch(b, settings, mixSeed(config.seed, i)));
    const scored = await maskedTokenAccuracy({ config: result.model, params: result.params, kernels: plainKernels }, batches);
    expect(scored.loss).toBeCloseTo(result.val!.loss, 4);
    // Unigram baseline: 1 in 19 ordinary tokens; the planted task is solved from the neighbours.
    expect(scored.tokens).toBeGreaterThan(50);
    expect(scored.accuracy).toBeGreaterThan(0.9);
    disposeParams(result.params);
  });

  it("with nsp learns to tell a window's own continuation from another window's", async () => {
    const V = 24;
    const rng = new Rng(10);
    const docs = (n: number) => Array.from({ length: n }, () => ({ tokens: new Array(120).fill(5 + Math.floor(rng.next() * (V - 5))) as number[] }));
    const trainDocs = docs(100);
    const config = tinyTrainConfig(path.join(dir, "nsp"), {
      model: { kind: "encoder", vocabSize: V, blockSize: 12, layers: 1, heads: 2, width: 32, dropout: 0 },
      objective: "mlm",
      mlm: { rate: 0.15, nsp: true, specialTokens: specials },
      steps: 300,
      batchSize: 8,
      gradAccumulation: 1,
      evalEvery: 0,
      logEvery: 50,
      optim: { learningRate: 1e-2, minLearningRate: 1e-3, warmupSteps: 10, weightDecay: 0, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, gradClip: 1 },
    });
    const result = await train(config, { train: { vocabSize: V, documents: () => trainDocs }, kernels: plainKernels, log: () => {} });
    expect(result.model.nsp).toBe(true);
    // Held-out windows, each from its own new document (as the shuffled training windows are).
    const held = docs(128);
    const set = { batches: Array.from({ length: 16 }, (_, i): Batch => {
      const inputs = Int32Array.from(held.slice(i * 8, i * 8 + 8).flatMap((d) => d.tokens.slice(0, 12)));
      return { batchSize: 8, blockSize: 12, inputs, targets: new Int32Array(96), mask: new Float32Array(96).fill(1), sources: new Uint16Array(96) };
    }) };
    const settings = mlmSettings(specials, V, 0.15, undefined, undefined, true);
    let right = 0;
    let total = 0;
    for (const [i, window] of set.batches.entries()) {
      const batch = mlmBatch(window, settings, 100 + i);
      const t = batchTensors(batch);
      const predicted = tf.tidy(() => tf.argMax(nextSentenceLogits(result.model, result.params, hiddenStates(result.model, result.params, t.ids, { attention: t.attention, segments: t.segments, kernels: plainKernels }), batch.batchSize), -1).arraySync() as number[]);
      disposeBatchTensors(t);
      predicted.forEach((p, b) => {
        total++;
        if (p === batch.nextSentence![b]) right++;
      });
    }
    // 128 pairs: chance would give 0.5 ± 0.044; 0.7 is 4.5 standard deviations above it.
    expect(total).toBe(128);
    expect(right / total).toBeGreaterThan(0.7);
    disposeParams(result.params);
  });

  it("resumes exactly: the selections continue from the checkpoint's generator state", async () => {
    const data = () => ({ train: { vocabSize: 16, documents: () => [{ tokens: Array.from({ length: 300 }, (_, i) => 5 + ((i * 7) % 11)) }] }, log: () => {} });
    const settings = (out: string) => tinyTrainConfig(path.join(dir, out), { model: { kind: "encoder", vocabSize: 16, blockSize: 8, layers: 1, heads: 2, width: 16, dropout: 0 }, objective: "mlm", mlm: { rate: 0.15, nsp: false, specialTokens: specials } });
    const straight = await train(settings("straight"), data());
    const first = await train(settings("split"), { ...data(), stopAfter: 3 });
    disposeParams(first.params);
    const second = await train(settings("split"), data());
    expect(second.trainLosses).toEqual(straight.trainLosses.slice(3));
    for (const [name, v] of straight.params) expect(Array.from(second.params.get(name)!.dataSync()), name).toEqual(Array.from(v.dataSync()));
    await expect(train({ ...settings("split"), mlm: { rate: 0.2, nsp: false, specialTokens: specials } }, data())).rejects.toThrow(/different settings \(mlm: /);
    disposeParams(straight.params);
    disposeParams(second.params);
  });

  it("refuses objective mlm on a decoder and an encoder without it, in one line", async () => {
    const data = { vocabSize: 10, documents: () => [{ tokens: [5, 6, 7, 8, 9, 5, 6, 7, 8, 9, 5, 6, 7] }] };
    await expect(train(tinyTrainConfig(path.join(dir, "a"), { objective: "mlm", mlm: { rate: 0.15, nsp: false, specialTokens: specials } }), { train: data, log: () => {} })).rejects.toThrow(/objective: mlm needs model.kind: encoder \(got gpt2\)/);
    await expect(train(tinyTrainConfig(path.join(dir, "b"), { model: { kind: "encoder", blockSize: 8, layers: 1, heads: 2, width: 16, dropout: 0 } }), { train: data, log: () => {} })).rejects.toThrow(/an encoder trains with objective: mlm \(got clm\)/);
  });
});
